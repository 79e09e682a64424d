-- accounts and arr by health band in $as_of_month, and how many have each component
-- (a component no account has is left out of every score) and how many components a score
-- needs (components_required: two, or one when the data set has only one)
-- parameters:
--   $as_of_month   the month scored
--   $w_support     weight of the support experience component in the health score
--   $w_sentiment   weight of the survey sentiment component
--   $w_engagement  weight of the engagement component
--   $w_revenue     weight of the revenue trend component
--   $w_usage       weight of the product usage component (0 or unused without usage)
--   $healthy_from  lowest health score of the healthy band
--   $watch_from    lowest health score of the watch band
--   $at_risk_from  lowest health score of the at risk band
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with scored as (
    select h.account_id, h.mrr_usd, h.support_experience, h.survey_sentiment, h.engagement,
        h.revenue_trend, h.product_usage, h.components_required,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     h.components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                     product_usage := h.product_usage, w_usage := $w_usage) as health_score
    from health_month($as_of_month) h
    where account_in_scope(h.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
),
final as (
    select
        health_band_order(health_score, $healthy_from, $watch_from, $at_risk_from) as band_order,
        health_band_label(health_band_order(health_score, $healthy_from, $watch_from, $at_risk_from))
            as band,
        count(*) as accounts,
        12 * sum(mrr_usd) as arr_usd,
        avg(health_score) as mean_health_score,
        min(health_score) as min_health_score,
        max(health_score) as max_health_score,
        count(support_experience) as support_experience_accounts,
        count(survey_sentiment) as survey_sentiment_accounts,
        count(engagement) as engagement_accounts,
        count(revenue_trend) as revenue_trend_accounts,
        count(product_usage) as product_usage_accounts,
        max(components_required) as components_required
    from scored
    group by all
)
select * from final
order by band_order
