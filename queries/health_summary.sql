-- accounts and arr by health band in $as_of_month; params $w_support, $w_sentiment, $w_engagement, $w_revenue, $healthy_from, $watch_from, $at_risk_from, $segments, $regions, $plans.
-- scope: aggregate
-- sensitive: none
with scored as (
    select h.account_id, h.mrr_usd,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     $w_support, $w_sentiment, $w_engagement, $w_revenue) as health_score
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
        avg(health_score) as mean_health_score
    from scored
    group by all
)
select * from final
order by band_order
