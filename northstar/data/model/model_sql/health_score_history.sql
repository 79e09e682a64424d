-- churn model backtest: how often accounts churned within 12 months, by health score
-- each row: a whole-number health score (the weights of config/health_score.toml the rollups
-- were built with), the billed account-months with that score through $through_month, and how
-- many of them churned within the 12 months after.
-- parameters:
--   $through_month  the last month counted; the 12 months after it must be in the data
-- scope: aggregate
-- sensitive: none
with scored as (
    select round(health_score(h.support_experience, h.survey_sentiment, h.engagement,
                              h.revenue_trend, h.components_required, s.w_support, s.w_sentiment, s.w_engagement,
                              s.w_revenue,
                              product_usage := h.product_usage, w_usage := s.w_usage))::integer as health_score,
        h.churned_within_12m
    from account_health_monthly h
    cross join health_score_settings s
    where h.month <= $through_month::date
),
final as (
    select health_score, count(*)::bigint as account_months,
        (count(*) filter (where churned_within_12m))::bigint as churned_within_12m
    from scored
    where health_score is not null
    group by all
)
select * from final
order by health_score;
