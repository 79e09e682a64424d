-- the last load per canonical table
-- source file, status, rows read, loaded, refused and warnings.
-- parameters: none
-- scope: admin
-- sensitive: none
with results as (
    select table_name, source_file, status, source_rows, loaded_rows, rejected_rows, warnings
    from load_table_results
),
final as (
    select * from results
)
select * from final
order by table_name
