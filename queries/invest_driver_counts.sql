-- churn-driver 2x2 counts by driver, segment and exposure, for three groups
-- 'history': estimation landmarks (account-months with a full year before and after, and how many
-- churned within 12 months, with nps answered in that year); 'now': accounts billed in $as_of_month
-- and their arr; 'opening': accounts billed in $opening_month and their arr.
-- summed from the driver_month_tallies and driver_landmark_accounts rollups.
-- parameters:
--   $as_of_month    the month of the 'now' group
--   $opening_month  the month of the 'opening' group
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with scoped as (
    select *
    from driver_month_tallies
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
),
history as (
    select 'history' as cohort, driver_id, segment, exposed,
        sum(account_months)::bigint as landmarks,
        sum(churned_within_12m)::bigint as churned,
        sum(arr_usd) as arr_usd,
        sum(nps_answers_next_12m)::bigint as nps_answers,
        sum(nps_promoters_next_12m)::bigint as nps_promoters,
        sum(nps_detractors_next_12m)::bigint as nps_detractors
    from scoped
    where is_estimation_landmark
    group by all
),
history_accounts as (
    select driver_id, segment, exposed, sum(accounts)::bigint as accounts
    from driver_landmark_accounts
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by all
),
snapshots as (
    -- one row per account and month, so the account-months of one month are its accounts
    select
        case when month = $as_of_month::date then 'now' else 'opening' end as cohort,
        driver_id, segment, exposed,
        sum(account_months)::bigint as landmarks,
        sum(account_months)::bigint as accounts,
        sum(churned_within_12m)::bigint as churned,
        sum(arr_usd) as arr_usd,
        sum(nps_answers_next_12m)::bigint as nps_answers,
        sum(nps_promoters_next_12m)::bigint as nps_promoters,
        sum(nps_detractors_next_12m)::bigint as nps_detractors
    from scoped
    where month in ($as_of_month::date, $opening_month::date)
    group by all
),
final as (
    select h.cohort, h.driver_id, h.segment, h.exposed, h.landmarks, a.accounts, h.churned,
        h.arr_usd, h.nps_answers, h.nps_promoters, h.nps_detractors
    from history h
    join history_accounts a using (driver_id, segment, exposed)
    union all
    select cohort, driver_id, segment, exposed, landmarks, accounts, churned, arr_usd,
        nps_answers, nps_promoters, nps_detractors
    from snapshots
)
select * from final
order by cohort, driver_id, segment, exposed
