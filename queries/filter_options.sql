-- values offered by the global filters: one row per (dimension, value) with its account count; no parameters.
with dimensions as (
    select 'segment' as dimension, segment as value from accounts
    union all
    select 'region', region from accounts
    union all
    select 'plan', plan from accounts
),
final as (
    select dimension, value, count(*) as accounts
    from dimensions
    group by all
)
select * from final
order by dimension, value
