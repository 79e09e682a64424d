-- does the health score work: for every account-month with 12 months of history after it, its health band then and whether it churned within the next 12 months, by band; params $w_support, $w_sentiment, $w_engagement, $w_revenue, $healthy_from, $watch_from, $at_risk_from, $segments, $regions, $plans.
with bounds as (
    select max(month) as last_month from account_month_snapshots
),
scored as (
    select h.account_id, h.month, h.churned_within_12m,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                         $w_support, $w_sentiment, $w_engagement, $w_revenue),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from account_health_monthly h
    cross join bounds b
    semi join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        on s.account_id = h.account_id
    where h.month <= b.last_month - interval 12 month
),
outcomes as (
    select * from scored where band_order <= 4
),
final as (
    select band_order, health_band_label(band_order) as band,
        count(*) as account_months,
        count(distinct account_id) as accounts,
        count(*) filter (where churned_within_12m) as churned_within_12m,
        100 * count(*) filter (where churned_within_12m) / count(*) as churn_within_12m_pct
    from outcomes
    group by band_order
)
select * from final
order by band_order
