-- refused rows and quality warnings of the last load, per table and rule
-- columns: kind ('refused' or 'warning'), table_name, rule, problems.
-- parameters: none
-- scope: admin
-- sensitive: none
with problems as (
    select 'refused' as kind, table_name, rule from load_rejects
    union all
    select 'warning', table_name, rule from load_warnings
),
final as (
    select kind, table_name, rule, count(*) as problems
    from problems
    group by all
)
select * from final
order by kind, problems desc, table_name, rule
