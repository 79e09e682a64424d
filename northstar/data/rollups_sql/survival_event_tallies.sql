-- rollup: the survival curve's event table per segment, region and plan: for accounts that
-- started inside the data, how many left observation at each age in months (churned_accounts of
-- them by churning; the rest still customers at the data's last month). survival_by_segment sums
-- it for the filters in use.
-- reads: account_month_snapshots
-- writes: survival_event_tallies
create or replace table survival_event_tallies as
with bounds as (
    select max(month) as last_month from account_month_snapshots
),
starts as (
    select account_id, month as start_month, segment, region, plan
    from account_month_snapshots
    where movement = 'new'
),
first_churn as (
    select account_id, min(month) as churn_month
    from account_month_snapshots where movement = 'churn'
    group by account_id
),
durations as (
    select st.segment, st.region, st.plan,
        datediff('month', st.start_month, coalesce(fc.churn_month, b.last_month + interval 1 month))
            as months_observed,
        fc.churn_month is not null as churned
    from starts st
    cross join bounds b
    left join first_churn fc using (account_id)
),
final as (
    select segment, region, plan, months_observed as age_months,
        count(*) filter (where churned) as churned_accounts,
        count(*) as leaving_accounts
    from durations
    group by all
)
select * from final;
