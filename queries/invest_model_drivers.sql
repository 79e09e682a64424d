-- churn drivers from the stored churn model, with the arr at risk each puts on accounts
-- one row per driver of the model and segment in scope: the driver's hazard ratio with its 95%
-- and 99% intervals (cluster-robust by account; estimated on every account, whatever the
-- filters), the accounts and churn events the fit saw exposed, and for the accounts in scope
-- billed in the data's last month ('now') and 12 months before ('opening'): accounts and arr
-- exposed, and the arr (and accounts) expected to churn in the next 12 months because of the
-- driver, at its estimate and the ends of its 95% interval. a driver the model could not
-- estimate has a null hazard ratio and its note.
-- parameters:
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with terms as (
    select level as driver_id, hazard_ratio, hr_low_95, hr_high_95, hr_low_99, hr_high_99,
        exposed_accounts as fit_exposed_accounts, exposed_events as fit_exposed_events, note
    from churn_model_terms
    where model = 'current' and kind = 'driver'
),
scoped as (
    select *
    from churn_driver_attribution
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
),
by_segment as (
    select driver_id, segment,
        sum(exposed_accounts) filter (where month_role = 'now') as now_exposed_accounts,
        sum(exposed_arr_usd) filter (where month_role = 'now') as now_exposed_arr_usd,
        sum(at_risk_arr_usd) filter (where month_role = 'now') as now_at_risk_arr_usd,
        sum(at_risk_arr_low_usd) filter (where month_role = 'now') as now_at_risk_arr_low_usd,
        sum(at_risk_arr_high_usd) filter (where month_role = 'now') as now_at_risk_arr_high_usd,
        sum(at_risk_accounts) filter (where month_role = 'now') as now_at_risk_accounts,
        sum(exposed_accounts) filter (where month_role = 'opening') as opening_exposed_accounts,
        sum(at_risk_arr_usd) filter (where month_role = 'opening') as opening_at_risk_arr_usd,
        sum(at_risk_accounts) filter (where month_role = 'opening') as opening_at_risk_accounts
    from scoped
    group by all
),
final as (
    select t.*, s.segment,
        coalesce(s.now_exposed_accounts, 0) as now_exposed_accounts,
        coalesce(s.now_exposed_arr_usd, 0) as now_exposed_arr_usd,
        coalesce(s.now_at_risk_arr_usd, 0) as now_at_risk_arr_usd,
        coalesce(s.now_at_risk_arr_low_usd, 0) as now_at_risk_arr_low_usd,
        coalesce(s.now_at_risk_arr_high_usd, 0) as now_at_risk_arr_high_usd,
        coalesce(s.now_at_risk_accounts, 0) as now_at_risk_accounts,
        coalesce(s.opening_exposed_accounts, 0) as opening_exposed_accounts,
        coalesce(s.opening_at_risk_arr_usd, 0) as opening_at_risk_arr_usd,
        coalesce(s.opening_at_risk_accounts, 0) as opening_at_risk_accounts
    from terms t
    left join by_segment s using (driver_id)
)
select * from final
order by driver_id, segment
