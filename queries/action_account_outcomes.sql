-- what happened to the accounts actions are about, by (account, action month)
-- one row per (account, action month) given whether the account is still in the data, its name,
-- churn date and health band (1 healthy .. 4 critical, 5 not scored) in the month the action was
-- created.
-- parameters:
--   $account_ids    the accounts the actions are about
--   $action_months  first day of the month each action was created in, in the same order
--   $w_support      weight of the support experience component in the health score
--   $w_sentiment    weight of the survey sentiment component
--   $w_engagement   weight of the engagement component
--   $w_revenue      weight of the revenue trend component
--   $w_usage        weight of the product usage component (0 or unused without usage)
--   $healthy_from   lowest health score of the healthy band
--   $watch_from     lowest health score of the watch band
--   $at_risk_from   lowest health score of the at risk band
-- scope: account
-- sensitive: account_name (account)
with actioned as (
    select distinct account_id, action_month
    from (select unnest($account_ids::varchar[]) as account_id,
                 unnest($action_months::date[]) as action_month)
),
final as (
    select x.account_id, x.action_month, a.account_id is not null as in_data, a.account_name,
        a.churn_date,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement,
                         h.revenue_trend, h.components_required,
                         $w_support, $w_sentiment, $w_engagement, $w_revenue,
                         product_usage := h.product_usage, w_usage := $w_usage),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from actioned x
    left join accounts a using (account_id)
    left join account_health_monthly h
        on h.account_id = x.account_id and h.month = x.action_month
)
select * from final
order by account_id, action_month
