-- rollup: churn, one definition for every query that asks whether or when an account churned
-- (the closed-loop comparison, the action outcomes and their comparison, Retention's churned
-- accounts), the one Retention counts. one row per churn (an account that came back
-- can churn again), ordered by account so a lookup of a few accounts reads few blocks.
-- with revenue (account_mrr_monthly has rows): revenue churn. the account churned on the last day
--   of its last billed month before a month whose revenue_movement is churn
--   (account_month_snapshots); its churn_date is a record, not the rule.
-- without revenue: logo churn from account dates. it churned on its churn_date.
-- a table of its own so those queries read the few churn rows, not every account-month.
-- reads: account_month_snapshots, account_mrr_monthly, accounts
-- writes: account_churn_events
create or replace table account_churn_events as
with revenue_churn as (
    select account_id, (month - interval 1 day)::date as churned_on
    from account_month_snapshots
    where movement = 'churn'
),
logo_churn as (
    select account_id, churn_date as churned_on
    from accounts
    where churn_date is not null
      and not exists (select 1 from account_mrr_monthly)
),
final as (
    select * from revenue_churn
    union all
    select * from logo_churn
)
select * from final
order by account_id, churned_on;
