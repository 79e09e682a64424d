-- values offered by the global filters: one row per (dimension, value)
-- with its account count.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with dimensions as (
    select 'segment' as dimension, segment as value, accounts from account_scope_counts
    union all
    select 'region', region, accounts from account_scope_counts
    union all
    select 'plan', plan, accounts from account_scope_counts
),
final as (
    select dimension, value, sum(accounts)::bigint as accounts
    from dimensions
    group by all
)
select * from final
order by dimension, value
