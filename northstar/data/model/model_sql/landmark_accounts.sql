-- churn model landmark: every account billed in $month with its exposures then
-- each row: the account, its segment, region and plan, arr that month, its exposure to every
-- churn driver, whether its revenue stopped within the next 12 months, and its health score
-- that month (the weights of config/health_score.toml the rollups were built with; null when
-- not scored); with the account attributes as in account_patterns.
-- parameters:
--   $month  the landmark month
--   $tenure_edges, $arr_edges  the bands' edges, as in account_patterns
-- scope: account
-- sensitive: none
with extra as (
    select * from account_extra_attributes()
),
final as (
    select a.industry, coalesce(a.acquisition_channel, 'Not recorded') as acquisition_channel,
        band_index($tenure_edges::integer[], date_diff('month', a.start_date, e.month))
            as tenure_band,
        band_index($arr_edges::double[], e.arr_usd) as arr_band,
        x.extra_attributes,
        e.account_id, e.segment, e.region, e.plan, e.arr_usd, e.slow_support,
        e.repeated_escalations, e.poor_onboarding, e.poor_services, e.detractor_not_followed_up,
        e.detractor_followed_up, e.no_executive_meeting, e.not_cab_member, e.revenue_decline,
        e.usage_fell, e.seats_underused,
        e.churned_within_12m,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     h.components_required, s.w_support, s.w_sentiment, s.w_engagement, s.w_revenue,
                     product_usage := h.product_usage, w_usage := s.w_usage) as health_score
    from account_driver_exposures e
    join accounts a using (account_id)
    left join extra x using (account_id)
    left join account_health_monthly h using (account_id, month)
    left join health_score_settings s on true
    where e.month = $month::date
)
select * from final
order by account_id;
