-- rollup: when each account was a customer, for the counts that need no dollars: cohorts,
-- survival and, in data without revenue, logo churn (revenue_window_tallies,
-- revenue_window_churn). one row per account that was a customer by the data's last month,
-- with its cohort month, the first month it was gone and the data's first and last month.
-- with revenue (account_mrr_monthly has rows): the accounts with a revenue row. cohort month =
--   the earlier of the start month and the month of the first revenue row, so an account billed
--   $0 in its first month stays in its cohort; gone month = its first churn (the first month
--   without revenue after a billed month, account_month_snapshots); the data begins at the first
--   revenue row.
-- without revenue: every account that started by the as-of month. cohort month = the start
--   month; a customer from it through the month of its churn date, gone the month after (null
--   while still a customer at the data's last month); the data begins at the first start month.
-- reads: account_month_snapshots, account_mrr_monthly, accounts, dataset_metadata
-- writes: account_lifetimes
create or replace table account_lifetimes as
with bounds as (
    select date_trunc('month', value::date)::date as last_month,
        exists (select 1 from account_mrr_monthly) as has_revenue
    from dataset_metadata where key = 'as_of_date'
),
revenue_rows as (
    select account_id, min(month) as first_row_month
    from account_mrr_monthly
    group by account_id
),
first_churn as (
    select account_id, min(month) as gone_month
    from account_month_snapshots
    where movement = 'churn'
    group by account_id
),
with_revenue as (
    select a.account_id, a.segment, a.region, a.plan, a.acquisition_channel,
        least(date_trunc('month', a.start_date)::date, r.first_row_month) as cohort_month,
        fc.gone_month,
        (select min(month) from account_mrr_monthly) as data_first_month
    from accounts a
    join revenue_rows r using (account_id)
    left join first_churn fc using (account_id)
),
without_revenue as (
    select a.account_id, a.segment, a.region, a.plan, a.acquisition_channel,
        date_trunc('month', a.start_date)::date as cohort_month,
        case when (date_trunc('month', a.churn_date) + interval 1 month)::date <= b.last_month
             then (date_trunc('month', a.churn_date) + interval 1 month)::date end as gone_month,
        min(date_trunc('month', a.start_date)::date) over () as data_first_month
    from accounts a
    cross join bounds b
    where not b.has_revenue
      and date_trunc('month', a.start_date) <= b.last_month
),
final as (
    select l.*, b.last_month as data_last_month
    from (select * from with_revenue union all by name select * from without_revenue) l
    cross join bounds b
    where l.cohort_month <= b.last_month
)
select * from final
order by cohort_month, account_id;
