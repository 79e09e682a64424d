-- the kpi catalogue, one row per kpi
-- each kpi's department, definition, unit, direction, target, grain, source, computation, owner,
-- next review and the customer outcomes it serves (ids and names).
-- parameters: none
-- scope: aggregate
-- sensitive: none
with served as (
    select o.kpi_id,
        list(o.outcome_id order by c.outcome_name) as outcome_ids,
        string_agg(c.outcome_name, ', ' order by c.outcome_name) as outcome_names
    from kpi_outcomes o
    join customer_outcomes c using (outcome_id)
    group by o.kpi_id
),
final as (
    select k.kpi_id, k.department_id, coalesce(d.department_name, k.department_id) as department_name,
        k.kpi_name, k.definition, k.unit, k.direction, k.target_value, k.period_grain, k.source,
        k.computation, k.owner_employee_id, e.employee_name as owner_name, k.next_review_on,
        coalesce(s.outcome_ids, []::varchar[]) as outcome_ids, s.outcome_names
    from department_kpis k
    left join departments d using (department_id)
    left join employees e on e.employee_id = k.owner_employee_id
    left join served s using (kpi_id)
)
select * from final
order by department_name, kpi_name
