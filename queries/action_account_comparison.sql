-- accounts nobody acted on, by (month, health band) of actioned accounts, and their churn
-- accounts nobody acted on, in the same health band in the same month as an actioned account, and
-- how many of them churned within $window_days days of that month's first day
-- (account_churn_events: revenue churn, or logo churn from account dates in data without revenue,
-- as Retention counts it). one row per (month, band): comparable accounts, those that churned.
-- parameters:
--   $account_ids    the accounts actions are about (left out of the comparison)
--   $action_months  the months the actions were created in (first days)
--   $band_orders    the health band of each actioned account in its month, in the same order
--   $window_days    days after the month's first day in which a churn counts
--   $w_support      weight of the support experience component in the health score
--   $w_sentiment    weight of the survey sentiment component
--   $w_engagement   weight of the engagement component
--   $w_revenue      weight of the revenue trend component
--   $w_usage        weight of the product usage component (0 or unused without usage)
--   $healthy_from   lowest health score of the healthy band
--   $watch_from     lowest health score of the watch band
--   $at_risk_from   lowest health score of the at risk band
-- scope: aggregate
-- sensitive: none
with cells as (
    select distinct action_month, band_order
    from (select unnest($action_months::date[]) as action_month,
                 unnest($band_orders::integer[]) as band_order)
),
scored as (
    select h.account_id, h.month,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement,
                         h.revenue_trend, h.components_required,
                         $w_support, $w_sentiment, $w_engagement, $w_revenue,
                         product_usage := h.product_usage, w_usage := $w_usage),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from account_health_monthly h
    where h.month in (select action_month from cells)
      and not list_contains($account_ids::varchar[], h.account_id)
),
churned as (
    select distinct s.account_id, s.month
    from scored s
    join account_churn_events e
        on e.account_id = s.account_id
       and e.churned_on between s.month and s.month + to_days($window_days::integer)
),
final as (
    select c.action_month, c.band_order, count(s.account_id) as comparable_accounts,
        count(k.account_id) as comparable_churned
    from cells c
    left join scored s on s.month = c.action_month and s.band_order = c.band_order
    left join churned k on k.account_id = s.account_id and k.month = s.month
    group by c.action_month, c.band_order
)
select * from final
order by action_month, band_order
