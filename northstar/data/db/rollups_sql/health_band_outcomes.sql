-- rollup: health_band_churn's answer for the weights and bands config/health_score.toml held
-- when the rollups were built (northstar.data.db.rollups writes them to health_score_settings), per
-- segment, region and plan: for every account-month with 12 months of history after it, its
-- health band then, how many account-months and accounts, and how many churned within the next
-- 12 months. the settings are in the database's fingerprint: after the file changes, the app
-- asks for a rebuild.
-- reads: account_health_monthly, account_month_snapshots, accounts, health_score_settings
-- writes: health_band_outcomes
create or replace table health_band_outcomes as
with bounds as (
    select max(month) as last_month from account_month_snapshots
),
settings as (
    -- one row, or none when the config could not be read
    select * from health_score_settings
),
scored as (
    select h.account_id, h.churned_within_12m, a.segment, a.region, a.plan,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                         h.components_required, c.w_support, c.w_sentiment, c.w_engagement, c.w_revenue,
                         product_usage := h.product_usage, w_usage := c.w_usage),
            c.healthy_from, c.watch_from, c.at_risk_from) as band_order
    from account_health_monthly h
    join accounts a using (account_id)
    cross join bounds b
    cross join settings c
    where h.month <= b.last_month - to_months({{churn_horizon_months}})
),
per_account as (
    select segment, region, plan, band_order, account_id,
        count(*) as account_months,
        count(*) filter (where churned_within_12m) as churned_within_12m
    from scored
    where band_order <= 4
    group by all
),
final as (
    select c.*, p.segment, p.region, p.plan, p.band_order,
        sum(p.account_months)::bigint as account_months,
        count(*)::bigint as accounts,
        sum(p.churned_within_12m)::bigint as churned_within_12m
    from per_account p
    cross join settings c
    group by all
)
select * from final;
