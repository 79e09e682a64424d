-- rollup: for every month and every segment, region and plan, the accounts with the
-- top_accounts_kept() largest mrr (ties at the boundary included; billed accounts only), with their
-- mrr 12 months later (0 when they have no revenue then). any top n <= top_accounts_kept() of any
-- filter combination is among these:
-- an account in the top n of a union of cells is in the top n of its own cell. executive
-- coverage reads them instead of every billed account of the month; top_accounts_kept() in
-- macros_sql/on_rollups.sql says how many are kept.
-- reads: account_month_snapshots
-- writes: top_accounts_monthly
create or replace table top_accounts_monthly as
with billed as (
    select month, account_id, segment, region, plan, mrr_usd
    from account_month_snapshots
    where has_revenue_row and is_billed(mrr_usd)
),
thresholds as (
    -- the top_accounts_kept()-th largest mrr of each month and cell, from a bounded heap
    select month, segment, region, plan,
           list_min(max(mrr_usd, {{top_accounts_kept}})) as threshold_mrr_usd
    from billed
    group by all
),
kept as (
    select b.*
    from billed b
    join thresholds t
        on t.month = b.month and t.segment is not distinct from b.segment
       and t.region is not distinct from b.region and t.plan is not distinct from b.plan
    where b.mrr_usd >= t.threshold_mrr_usd
),
final as (
    select k.*, coalesce(later.mrr_usd, 0) as mrr_12m_later_usd
    from kept k
    left join account_month_snapshots later
        on later.account_id = k.account_id and later.month = (k.month + to_months({{exec_outcome_months}}))::date
)
select * from final
order by month;
