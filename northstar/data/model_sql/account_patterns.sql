-- churn model input: billed account-months grouped by account and covariate pattern
-- each row: an account (account_index numbers them 0, 1, ...), its segment, its exposure to
-- every churn driver, how many billed months through $through_month it spent in that pattern
-- and in how many of them its revenue stopped the month after (churn events).
-- parameters:
--   $through_month  the last month counted; its next month must be in the data
-- scope: aggregate
-- sensitive: none
with grouped as (
    select account_id, segment, slow_support, repeated_escalations, poor_onboarding,
        poor_services, detractor_not_followed_up, detractor_followed_up, no_executive_meeting,
        not_cab_member, revenue_decline,
        count(*)::integer as account_months,
        (count(*) filter (where churned_next_month))::integer as churn_events
    from account_driver_exposures
    where month <= $through_month::date
    group by all
),
final as (
    select (dense_rank() over (order by account_id) - 1)::integer as account_index,
        * exclude (account_id)
    from grouped
)
select * from final;
