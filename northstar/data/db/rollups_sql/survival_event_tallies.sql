-- rollup: the survival curve's event table per segment, region and plan: for the accounts whose
-- cohort month is inside the data (account_lifetimes), how many left observation at each age
-- in months (churned_accounts of them by churning: the first month they were gone; the rest
-- still customers at the data's last month). survival_by_segment sums it for the filters in use.
-- reads: account_lifetimes
-- writes: survival_event_tallies
create or replace table survival_event_tallies as
with durations as (
    select segment, region, plan,
        datediff('month', cohort_month,
                 coalesce(gone_month, data_last_month + interval 1 month)) as months_observed,
        gone_month is not null as churned
    from account_lifetimes
    where cohort_month >= data_first_month
),
final as (
    select segment, region, plan, months_observed as age_months,
        count(*) filter (where churned) as churned_accounts,
        count(*) as leaving_accounts
    from durations
    group by all
)
select * from final;
