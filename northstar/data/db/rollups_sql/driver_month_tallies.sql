-- rollup: churn-driver tallies per month, segment, region, plan, driver and exposure (true or
-- false; a driver that could not be judged, null, is left out as in the driver analysis) from
-- account_driver_exposures: account-months, how many churned the next month and within 12
-- months, their arr, and the relationship nps answers of the 12 months after; with the month's
-- is_estimation_landmark. invest_driver_counts and invest_initiatives sum these instead of
-- unpivoting every account-month.
-- reads: account_driver_exposures
-- writes: driver_month_tallies
create or replace table driver_month_tallies as
with long as (
    unpivot (
        select month, segment, region, plan, is_estimation_landmark, churned_next_month,
            churned_within_12m, arr_usd, nps_answers_next_12m, nps_promoters_next_12m,
            nps_detractors_next_12m,
            slow_support, repeated_escalations, poor_onboarding, poor_services,
            detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
            revenue_decline, usage_fell, seats_underused
        from account_driver_exposures
    )
    on slow_support, repeated_escalations, poor_onboarding, poor_services,
       detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
       revenue_decline, usage_fell, seats_underused
    into name driver_id value exposed
),
final as (
    select month, segment, region, plan, is_estimation_landmark, driver_id, exposed,
        count(*)::integer as account_months,
        (count(*) filter (where churned_next_month))::integer as churned_next_month,
        (count(*) filter (where churned_within_12m))::integer as churned_within_12m,
        sum(arr_usd) as arr_usd,
        sum(nps_answers_next_12m)::bigint as nps_answers_next_12m,
        sum(nps_promoters_next_12m)::bigint as nps_promoters_next_12m,
        sum(nps_detractors_next_12m)::bigint as nps_detractors_next_12m
    from long
    group by all
)
select * from final;
