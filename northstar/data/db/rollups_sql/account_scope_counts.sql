-- rollup: accounts per segment, region and plan; read by filter_options, which every page runs,
-- instead of every account.
-- reads: accounts
-- writes: account_scope_counts
create or replace table account_scope_counts as
with final as (
    select segment, region, plan, count(*) as accounts
    from accounts
    group by all
)
select * from final;
