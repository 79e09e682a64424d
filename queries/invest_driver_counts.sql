-- churn-driver 2x2 counts by driver, segment and exposure for three groups: 'history' (estimation landmarks: account-months with a full year before and after, and how many churned within 12 months, with nps answered in that year), 'now' (accounts billed in $as_of_month and their arr) and 'opening' (accounts billed in $opening_month and their arr); params $as_of_month, $opening_month, $segments, $regions, $plans.
with scoped as (
    select e.*
    from account_driver_exposures e
    semi join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        on s.account_id = e.account_id
    where e.is_estimation_landmark
       or e.month in ($as_of_month::date, $opening_month::date)
),
grouped as (
    select *,
        case when is_estimation_landmark then 'history' end as history_group,
        case when month = $as_of_month::date then 'now'
             when month = $opening_month::date then 'opening' end as snapshot_group
    from scoped
),
tagged as (
    select * exclude (history_group, snapshot_group), history_group as cohort
    from grouped where history_group is not null
    union all
    select * exclude (history_group, snapshot_group), snapshot_group
    from grouped where snapshot_group is not null
),
long as (
    unpivot tagged
    on slow_support, repeated_escalations, poor_onboarding, poor_services,
       detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
       revenue_decline
    into name driver_id value exposed
),
final as (
    select cohort, driver_id, segment, exposed,
        count(*) as landmarks,
        count(distinct account_id) as accounts,
        count(*) filter (where churned_within_12m) as churned,
        sum(arr_usd) as arr_usd,
        sum(nps_answers_next_12m) as nps_answers,
        sum(nps_promoters_next_12m) as nps_promoters,
        sum(nps_detractors_next_12m) as nps_detractors
    from long
    group by all
)
select * from final
order by cohort, driver_id, segment, exposed
