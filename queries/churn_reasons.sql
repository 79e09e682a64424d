-- churned accounts and churned arr by reason and competitor, for each window
-- churned arr is an account's arr at the opening month, as in the arr bridge; a window is
-- $window_months months ending at one of $end_months.
-- summed from the revenue_window_churn rollup, which holds every window the period filter offers
-- (1, 3, 6 and 12 months and year to date) ending in any month of the data.
-- parameters:
--   $window_months  length of each window, in months
--   $end_months     the month each window ends at (a list, one window each)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with windows as (
    select distinct unnest($end_months::date[]) as window_end_month
),
final as (
    select window_end_month, churn_reason, lost_to_competitor,
        sum(churned_accounts)::bigint as churned_accounts,
        12 * sum(churned_mrr_usd) as churned_arr_usd
    from revenue_window_churn
    where window_months = $window_months::integer
      and window_end_month in (select window_end_month from windows)
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by all
)
select * from final
order by window_end_month, churned_arr_usd desc, churn_reason, lost_to_competitor
