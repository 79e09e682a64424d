-- the accounts billed in the data's last month whose renewal falls in the next $days days
-- renewal = accounts.renewal_date, from $as_of (the data's as-of date) to $as_of + $days days,
-- both included; with the account's arr in $as_of_month, its chance of churning in the next 12
-- months from the churn model with its 95% range (null when the model failed its checks), its
-- main reasons, health score and band, segment and owner (the csm and the csm's department).
-- soonest renewal first, then the largest arr.
-- parameters:
--   $as_of          the data's as-of date, the first day counted
--   $days           days after $as_of counted (the longest window shown)
--   $as_of_month    the month scored (the data's last month)
--   $w_support      weight of the support experience component in the health score
--   $w_sentiment    weight of the survey sentiment component
--   $w_engagement   weight of the engagement component
--   $w_revenue      weight of the revenue trend component
--   $w_usage        weight of the product usage component (0 or unused without usage)
--   $healthy_from   lowest health score of the healthy band
--   $watch_from     lowest health score of the watch band
--   $at_risk_from   lowest health score of the at risk band
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with renewing as (
    select r.account_id, r.segment, r.arr_usd, r.churn_probability_12m,
        r.churn_probability_low_12m, r.churn_probability_high_12m, r.reasons, a.account_name,
        a.renewal_date, a.csm_employee_id
    from account_churn_risk r
    join accounts a using (account_id)
    where r.month = $as_of_month::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   r.segment, r.region, r.plan)
      and a.renewal_date between $as_of::date and $as_of::date + to_days($days::integer)
),
scored as (
    select r.*,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     h.components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                     product_usage := h.product_usage, w_usage := $w_usage) as health_score
    from renewing r
    left join health_month($as_of_month) h using (account_id)
),
final as (
    select
        s.account_id, s.account_name, s.segment, s.renewal_date,
        e.employee_name as csm_name, s.csm_employee_id, e.department_id as csm_department_id,
        s.arr_usd, s.health_score,
        health_band_label(health_band_order(s.health_score, $healthy_from, $watch_from,
                                            $at_risk_from)) as band,
        100 * s.churn_probability_12m as churn_risk_pct,
        100 * s.churn_probability_low_12m as churn_risk_low_pct,
        100 * s.churn_probability_high_12m as churn_risk_high_pct,
        s.reasons
    from scored s
    left join employees e on e.employee_id = s.csm_employee_id
)
select * from final
order by renewal_date, arr_usd desc, account_id
