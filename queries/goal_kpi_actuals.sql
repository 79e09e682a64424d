-- every kpi's actual per period, oldest first
-- computed kpis come from the kpi rollup, imported ones as loaded.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select a.kpi_id, a.period_start, a.actual_value
    from kpi_actuals a
    semi join department_kpis k using (kpi_id)
)
select * from final
order by kpi_id, period_start
