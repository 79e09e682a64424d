-- churn model calibration: billed account-months with a full year after them, by covariate
-- pattern
-- each row: a segment, the exposure to every churn driver, how many account-months from
-- $from_month through $through_month had that pattern and how many of them churned within the
-- 12 months after.
-- parameters:
--   $from_month     the first month counted (one with a full year of data before it, when
--                   there is one)
--   $through_month  the last month counted; the 12 months after it must be in the data
-- scope: aggregate
-- sensitive: none
with final as (
    select segment, slow_support, repeated_escalations, poor_onboarding, poor_services,
        detractor_not_followed_up, detractor_followed_up, no_executive_meeting, not_cab_member,
        revenue_decline,
        count(*)::bigint as landmarks,
        (count(*) filter (where churned_within_12m))::bigint as churned_within_12m
    from account_driver_exposures
    where month between $from_month::date and $through_month::date
    group by all
)
select * from final;
