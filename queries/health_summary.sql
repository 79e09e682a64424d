-- accounts and arr by health band in $as_of_month; params $w_support, $w_sentiment, $w_engagement, $w_revenue, $healthy_from, $watch_from, $at_risk_from, $segments, $regions, $plans.
with stored as (
    -- the latest month comes from account_health_latest; another month from the whole table,
    -- which the join with an empty month list keeps from being read when it is not needed
    select * from account_health_latest where month = $as_of_month::date
),
other_months as (
    select $as_of_month::date as month
    where not exists (select 1 from stored)
),
month_rows as (
    select * from stored
    union all
    select h.* from account_health_monthly h join other_months using (month)
),
scored as (
    select h.account_id, h.mrr_usd,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     $w_support, $w_sentiment, $w_engagement, $w_revenue) as health_score
    from month_rows h
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
