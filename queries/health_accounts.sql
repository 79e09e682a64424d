-- the $limit accounts with the most arr at risk in the data's last month
-- arr at risk = arr x the account's chance of churning in the next 12 months from the churn
-- model (stored in account_churn_risk, with its 95% range and the account's main reasons). when
-- the model failed its checks no account has a chance: then every account billed that month is
-- listed, the lowest health score first (unscored last), then the largest arr; only
-- accounts whose health band is in $band_orders (5 = not scored); with the health score and its
-- components, owner (and the owner's department), renewal and last executive meeting.
-- parameters:
--   $limit          at most this many accounts
--   $as_of_month    the month scored (the data's last month)
--   $band_orders    the health bands to include, by band order (5 = not scored)
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
with model as (
    select count(arr_at_risk_usd) > 0 as scores_accounts
    from account_churn_risk
),
risk as (
    select r.*
    from account_churn_risk r, model
    where r.month = $as_of_month::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   r.segment, r.region, r.plan)
      and (r.arr_at_risk_usd is not null or not model.scores_accounts)
),
scored as (
    select r.*, h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
        h.product_usage,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     h.components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                     product_usage := h.product_usage, w_usage := $w_usage) as health_score
    from risk r
    left join health_month($as_of_month) h using (account_id)
),
at_risk as (
    select *,
        health_band_order(health_score, $healthy_from, $watch_from, $at_risk_from) as band_order
    from scored
    where list_contains($band_orders::integer[],
                        health_band_order(health_score, $healthy_from, $watch_from, $at_risk_from))
    order by arr_at_risk_usd desc nulls last, health_score nulls last, arr_usd desc, account_id
    limit $limit
),
last_meetings as (
    -- of the listed accounts only
    select e.account_id, max(e.started_on) as last_executive_meeting_on
    from engagements e
    semi join at_risk r on r.account_id = e.account_id
    where e.engagement_type = 'executive_meeting' and e.attended
    group by e.account_id
),
final as (
    select
        r.account_id, a.account_name, a.segment, a.region, a.plan,
        e.employee_name as csm_name, a.csm_employee_id, e.department_id as csm_department_id,
        r.arr_usd, r.health_score, r.band_order, health_band_label(r.band_order) as band,
        100 * r.churn_probability_12m as churn_risk_pct,
        100 * r.churn_probability_low_12m as churn_risk_low_pct,
        100 * r.churn_probability_high_12m as churn_risk_high_pct,
        r.arr_at_risk_usd, r.arr_at_risk_low_usd, r.arr_at_risk_high_usd,
        r.reasons, r.reason_arr_at_risk_usd,
        r.support_experience, r.survey_sentiment, r.engagement, r.revenue_trend, r.product_usage,
        a.renewal_date, m.last_executive_meeting_on
    from at_risk r
    join accounts a using (account_id)
    left join employees e on e.employee_id = a.csm_employee_id
    left join last_meetings m using (account_id)
)
select * from final
order by arr_at_risk_usd desc nulls last, health_score nulls last, arr_usd desc,
    account_id
