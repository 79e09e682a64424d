-- rollup: how many distinct accounts the estimation landmarks of account_driver_exposures hold,
-- per segment, region, plan, driver and exposure (an account counts once in each exposure it
-- had in any landmark month): the one count of invest_driver_counts that does not add up from
-- driver_month_tallies.
-- reads: account_driver_exposures
-- writes: driver_landmark_accounts
create or replace table driver_landmark_accounts as
with long as (
    unpivot (
        select account_id, segment, region, plan,
            slow_support, repeated_escalations, poor_onboarding, poor_services,
            detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
            revenue_decline, usage_fell, seats_underused
        from account_driver_exposures
        where is_estimation_landmark
    )
    on slow_support, repeated_escalations, poor_onboarding, poor_services,
       detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
       revenue_decline, usage_fell, seats_underused
    into name driver_id value exposed
),
final as (
    select segment, region, plan, driver_id, exposed,
        count(distinct account_id)::integer as accounts
    from long
    group by all
)
select * from final;
