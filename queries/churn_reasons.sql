-- churned accounts and churned arr by reason and competitor, for each window
-- churned arr is an account's arr at the opening month, as in the arr bridge; a window is
-- $window_months months ending at one of $end_months.
-- windows the revenue tallies hold are summed from the revenue_window_churn rollup; others are
-- paired live (window_movements), which the empty join keeps from reading anything otherwise.
-- parameters:
--   $window_months  length of each window, in months
--   $end_months     the month each window ends at (a list, one window each)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with windows as (
    select distinct unnest($end_months::date[]) as window_end_month
),
bounds as (
    select window_end_month,
        (window_end_month - to_months($window_months::integer))::date as opening_month
    from windows
),
tallied_windows as (
    select * from tallied_window_ends($window_months, $end_months)
),
live_bounds as (
    select * from bounds
    anti join tallied_windows using (window_end_month)
),
churned as (
    select b.window_end_month, m.account_id, m.opening_mrr_usd
    from live_bounds b,
        lateral (from window_movements(b.opening_month, b.window_end_month)) m
    where m.movement = 'churn'
),
live as (
    select
        c.window_end_month,
        coalesce(a.churn_reason, 'Not recorded') as churn_reason,
        coalesce(a.lost_to_competitor, 'None named') as lost_to_competitor,
        count(*) as churned_accounts,
        12 * sum(c.opening_mrr_usd) as churned_arr_usd
    from churned c
    join accounts a using (account_id)
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   a.segment, a.region, a.plan)
    group by all
),
tallied as (
    select window_end_month, churn_reason, lost_to_competitor,
        sum(churned_accounts)::bigint as churned_accounts,
        12 * sum(churned_mrr_usd) as churned_arr_usd
    from revenue_window_churn
    where window_months = $window_months::integer
      and window_end_month in (select window_end_month from tallied_windows)
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by all
),
final as (
    select * from live
    union all
    select * from tallied
)
select * from final
order by window_end_month, churned_arr_usd desc, churn_reason, lost_to_competitor
