-- churn model calibration: billed account-months with a full year after them, by covariate
-- pattern
-- each row: a segment, the exposure to every churn driver, how many account-months from
-- $from_month through $through_month had that pattern and how many of them churned within the
-- 12 months after; with the account attributes as in account_patterns.
-- parameters:
--   $from_month     the first month counted (one with a full year of data before it, when
--                   there is one)
--   $through_month  the last month counted; the 12 months after it must be in the data
--   $tenure_edges, $arr_edges  the bands' edges, as in account_patterns
-- scope: aggregate
-- sensitive: none
with extra as (
    select * from account_extra_attributes()
),
final as (
    select e.segment, e.slow_support, e.repeated_escalations, e.poor_onboarding,
        e.poor_services, e.detractor_not_followed_up, e.detractor_followed_up,
        e.no_executive_meeting, e.not_cab_member, e.revenue_decline, e.usage_fell,
        e.seats_underused,
        e.plan, a.industry, e.region, coalesce(a.acquisition_channel, 'Not recorded')
            as acquisition_channel,
        band_index($tenure_edges::integer[], date_diff('month', a.start_date, e.month))
            as tenure_band,
        band_index($arr_edges::double[], e.arr_usd) as arr_band,
        x.extra_attributes,
        count(*)::bigint as landmarks,
        (count(*) filter (where e.churned_within_12m))::bigint as churned_within_12m
    from account_driver_exposures e
    join accounts a using (account_id)
    left join extra x using (account_id)
    where e.month between $from_month::date and $through_month::date
    group by all
)
select * from final;
