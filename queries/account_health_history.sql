-- one account's health components, weighted score and band, one row per month
-- parameters:
--   $account_id    the account
--   $w_support     weight of the support experience component in the health score
--   $w_sentiment   weight of the survey sentiment component
--   $w_engagement  weight of the engagement component
--   $w_revenue     weight of the revenue trend component
--   $w_usage       weight of the product usage component (0 or unused without usage)
--   $healthy_from, $watch_from, $at_risk_from  the lowest score of each band
-- scope: account_detail
-- sensitive: none
with final as (
    select month, support_experience, survey_sentiment, engagement, revenue_trend, product_usage,
        health_score(support_experience, survey_sentiment, engagement, revenue_trend,
                     components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                     product_usage := product_usage, w_usage := $w_usage) as health_score,
        health_band_label(health_band_order(
            health_score(support_experience, survey_sentiment, engagement, revenue_trend,
                         components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                         product_usage := product_usage, w_usage := $w_usage),
            $healthy_from, $watch_from, $at_risk_from)) as band,
        tickets_recent, escalations_recent, executive_meetings_long, is_cab_member, open_detractors_recent
    from account_health_monthly
    where account_id = $account_id
)
select * from final
order by month
