-- the first $row_limit refused rows or warnings of the last load, by table and line
-- parameters:
--   $row_limit  at most this many rows
--   $kind       'refused' or 'warning'
-- scope: admin
-- sensitive: value (text)
with problems as (
    select 'refused' as kind, table_name, source_file, line, column_name, value, rule, message
    from load_rejects
    union all
    select 'warning', table_name, source_file, line, column_name, value, rule, message
    from load_warnings
),
final as (
    select table_name, source_file, line, column_name, value, rule, message
    from problems
    where kind = $kind
    order by table_name, line, rule
    limit $row_limit
)
select * from final
