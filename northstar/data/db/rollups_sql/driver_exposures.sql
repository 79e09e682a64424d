-- rollup: churn-driver exposure of every account in every month it was billed (a "landmark"),
-- classified only from what was known by the end of that month, with its churn outcome.
-- the churn model (northstar/data/model/churn_model.py) and the where to invest page read it. a
-- month without the signal a driver needs counts as not exposed: support drivers without
-- tickets in their window, survey drivers without an answer to that survey in its window,
-- revenue decline without revenue {{revenue_lag_months}} months earlier.
--   slow_support: more than half of the tickets opened in the trailing {{long_frame_months}} months took over
--       {{slow_ticket_hours}} hours to resolve (still-open tickets count by their age now)
--   repeated_escalations: {{repeated_escalations_from}} or more tickets opened in the trailing
--       {{recent_frame_months}} months were escalated
--   poor_onboarding: a 30-day post-installation csat answer of 1 or 2, ever
--   poor_services: a post-professional-services csat answer of 1 or 2 in the trailing
--       {{long_frame_months}} months
--   detractor_not_followed_up: a relationship nps 0-6 answer in the trailing
--       {{recent_frame_months}} months (at least {{detractor_follow_up_days}} days old) without a
--       detractor follow-up engagement within {{detractor_follow_up_days}} days
--   detractor_followed_up: nps 0-6 answers in the trailing {{recent_frame_months}} months, every
--       one followed up
--   no_executive_meeting: no attended executive meeting in the trailing {{long_frame_months}}
--       months
--   not_cab_member: no advisory board membership spell covering the month's last day
--   revenue_decline: mrr at least {{revenue_decline_pct}}% below {{revenue_lag_months}} months earlier
--   usage_fell: active users at least {{usage_fall_pct}}% below the mean of the
--       {{usage_fall_lookback_months}} calendar months before, each with an active-user figure
--   seats_underused: seats used below {{seats_underused_pct}}% of seats paid (seats paid above 0)
-- the usage drivers read product_usage: null in every row when the data has no product usage
-- at all (absent, not "not exposed"); otherwise a month without the figures is not exposed.
-- outcome: churned_within_12m = the account's revenue stopped in one of the 12 months after
-- the landmark; churned_next_month = it stopped in the next month; nps_*_next_12m = relationship
-- nps answers in the 12 months after (nps answers are counted {{detractor_follow_up_days}} days after they were given). is_estimation_landmark
-- marks the rows with a full 12-month look-back and a full 12-month follow-up.
-- the trailing and following counts come from account_month_signals (02), in one window pass.
-- stored unsorted: ordering it by month doubled its build time at 1,000,000 accounts (17 of
-- 33 CPU-seconds), while a page's filter on one month scans the column in milliseconds.
-- reads: account_month_signals, account_month_snapshots, product_usage
-- writes: account_driver_exposures
create or replace table account_driver_exposures as
with bounds as (
    select min(month) as first_month, max(month) as last_month from account_month_snapshots
),
active as (
    select * from account_month_signals where is_active
),
has_usage as (
    select exists (select 1 from product_usage) as has_usage
),
usage as (
    select * from product_usage_months()
),
classified as (
    select o.account_id, o.month, o.segment, o.region, o.plan, o.mrr_usd,
        12 * o.mrr_usd as arr_usd,
        coalesce(2 * o.slow_tickets_long > o.tickets_long and o.tickets_long > 0, false)
            as slow_support,
        coalesce(o.escalations_recent >= {{repeated_escalations_from}}, false) as repeated_escalations,
        coalesce(o.poor_installation_answers > 0, false) as poor_onboarding,
        coalesce(o.poor_services_answers_long > 0, false) as poor_services,
        coalesce(o.relationship_detractors_not_followed_up_recent > 0, false)
            as detractor_not_followed_up,
        coalesce(o.relationship_detractors_followed_up_recent > 0
                 and o.relationship_detractors_not_followed_up_recent = 0, false)
            as detractor_followed_up,
        coalesce(o.executive_meetings_long = 0, true) as no_executive_meeting,
        not coalesce(o.is_cab_member_at_month_end, false) as not_cab_member,
        -- not exposed when not billed {{revenue_lag_months}} months earlier
        coalesce(o.mrr_usd <= (1 - {{revenue_decline_pct}} / 100) * nullif(o.mrr_rows_earlier_usd, 0),
                 false) as revenue_decline,
        case when h.has_usage then coalesce(
            u.prior_months_with_users = {{usage_fall_lookback_months}}
            and 100 * u.active_users <= (100 - {{usage_fall_pct}}) * u.prior_mean_active_users,
            false) end as usage_fell,
        case when h.has_usage then coalesce(
            u.seats_paid > 0 and 100 * u.seats_used < {{seats_underused_pct}} * u.seats_paid,
            false) end as seats_underused,
        o.churned_within_12m,
        o.nps_answers_next_12m::integer as nps_answers_next_12m,
        o.nps_promoters_next_12m::integer as nps_promoters_next_12m,
        o.nps_detractors_next_12m::integer as nps_detractors_next_12m,
        o.churned_next_month,
        o.month >= b.first_month + to_months({{driver_lookback_months}} - 1)
            and o.month <= b.last_month - to_months({{churn_horizon_months}})
            as is_estimation_landmark
    from active o
    cross join bounds b
    cross join has_usage h
    left join usage u on u.account_id = o.account_id and u.month = o.month
),
final as (
    select * from classified
)
select * from final;
