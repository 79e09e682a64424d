-- the people an action can be given to: every employee with their department, by name
-- one row per employee: id, name, work e-mail (blank when the staff list has none), department
-- and job title; one department's people only when $department_id is set.
-- parameters:
--   $department_id  one department's people, or null for everyone
-- scope: department
-- sensitive: none
with final as (
    select e.employee_id, e.employee_name, e.email, e.department_id, d.department_name,
        e.job_title
    from employees e
    join departments d using (department_id)
    where $department_id::varchar is null or e.department_id = $department_id::varchar
)
select * from final
order by employee_name, employee_id
