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
with final as (
    select e.* exclude (month, churned_next_month),
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     h.components_required, s.w_support, s.w_sentiment, s.w_engagement, s.w_revenue,
                     product_usage := h.product_usage, w_usage := s.w_usage) as health_score
    from exposures_with_attributes($tenure_edges, $arr_edges) e
    left join account_health_monthly h using (account_id, month)
    left join health_score_settings s on true
    where e.month = $month::date
)
select * from final
order by account_id;
