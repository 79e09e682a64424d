-- does the health score work: churn within 12 months by health band
-- for every account-month with 12 months of history after it, its health band then and whether it
-- churned within the next 12 months, by band.
-- summed from the health_band_outcomes rollup, built with the weights and bands of
-- config/health_score.toml; other weights and bands find no rows (the settings are in the
-- database's fingerprint, so the app asks for a rebuild when the file changes).
-- parameters:
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
with tallied as (
    select *
    from health_band_outcomes
    where w_support = $w_support::double and w_sentiment = $w_sentiment::double
      and w_engagement = $w_engagement::double and w_revenue = $w_revenue::double
      and w_usage = $w_usage::double
      and healthy_from = $healthy_from::double and watch_from = $watch_from::double
      and at_risk_from = $at_risk_from::double
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
),
outcomes as (
    select band_order,
        sum(account_months)::bigint as account_months,
        sum(accounts)::bigint as accounts,
        sum(churned_within_12m)::bigint as churned_within_12m
    from tallied
    group by band_order
),
final as (
    select band_order, health_band_label(band_order) as band,
        account_months, accounts, churned_within_12m,
        100 * churned_within_12m / account_months as churn_within_12m_pct
    from outcomes
)
select * from final
order by band_order
