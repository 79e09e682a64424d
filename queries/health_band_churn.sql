-- does the health score work: churn within 12 months by health band
-- for every account-month with 12 months of history after it, its health band then and whether it
-- churned within the next 12 months, by band.
-- summed from the health_band_outcomes rollup when it was built with these weights and bands;
-- scored here account-month by account-month otherwise.
-- parameters:
--   $w_support     weight of the support experience component in the health score
--   $w_sentiment   weight of the survey sentiment component
--   $w_engagement  weight of the engagement component
--   $w_revenue     weight of the revenue trend component
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
      and healthy_from = $healthy_from::double and watch_from = $watch_from::double
      and at_risk_from = $at_risk_from::double
),
live_gate as (
    -- one row when the rollup does not hold these settings, none otherwise: joined on, it
    -- keeps the live scoring from reading accounts and the health rollup at all
    select true as is_live
    where not exists (select 1 from tallied)
),
live_months as (
    -- the months to score (every billed month is a 1-month window end in the revenue tallies)
    select distinct t.window_end_month as month
    from revenue_window_tallies t
    join live_gate g on g.is_live = (t.window_months = 1)
    where t.window_end_month
        <= (select max(month) from account_month_snapshots) - interval 12 month
),
scoped as (
    select a.account_id
    from scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) a
    join live_gate g on g.is_live = (a.account_id is not null)
),
scored as (
    select h.account_id, h.month, h.churned_within_12m,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                         $w_support, $w_sentiment, $w_engagement, $w_revenue),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from account_health_monthly h
    join live_months using (month)
    semi join scoped s on s.account_id = h.account_id
),
live as (
    select band_order,
        count(*) as account_months,
        count(distinct account_id) as accounts,
        count(*) filter (where churned_within_12m) as churned_within_12m
    from scored
    where band_order <= 4
    group by band_order
),
from_rollup as (
    select band_order,
        sum(account_months)::bigint as account_months,
        sum(accounts)::bigint as accounts,
        sum(churned_within_12m)::bigint as churned_within_12m
    from tallied
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by band_order
),
outcomes as (
    select * from live
    union all
    select * from from_rollup
),
final as (
    select band_order, health_band_label(band_order) as band,
        account_months, accounts, churned_within_12m,
        100 * churned_within_12m / account_months as churn_within_12m_pct
    from outcomes
)
select * from final
order by band_order
