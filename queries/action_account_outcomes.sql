-- what happened to the accounts actions are about, by (account, action month)
-- one row per (account, action month) given whether the account is still in the data, its name,
-- when it churned and its health band (1 healthy .. 4 critical, 5 not scored) in the month the
-- action was created. churned_on (account_churn_events: revenue churn, or logo churn from
-- account dates in data without revenue, as Retention counts it) is its first churn on or after
-- the action month, else its last churn before it unless it came back since; null while a
-- customer.
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
churns as (
    select x.account_id, x.action_month,
        min(e.churned_on) filter (where e.churned_on >= x.action_month) as next_churn_on,
        max(e.churned_on) filter (where e.churned_on < x.action_month) as last_churn_on
    from actioned x
    join account_churn_events e using (account_id)
    group by all
),
churned as (
    select c.account_id, c.action_month,
        coalesce(c.next_churn_on, case when not exists (
            select 1 from account_month_snapshots m
            where m.account_id = c.account_id and m.movement = 'reactivation'
              and m.month > c.last_churn_on and m.month <= c.action_month)
            then c.last_churn_on end) as churned_on
    from churns c
),
final as (
    select x.account_id, x.action_month, a.account_id is not null as in_data, a.account_name,
        k.churned_on,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement,
                         h.revenue_trend, h.components_required,
                         $w_support, $w_sentiment, $w_engagement, $w_revenue,
                         product_usage := h.product_usage, w_usage := $w_usage),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from actioned x
    left join accounts a using (account_id)
    left join churned k using (account_id, action_month)
    left join account_health_monthly h
        on h.account_id = x.account_id and h.month = x.action_month
)
select * from final
order by account_id, action_month
