-- the departments with their head, by name
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select department_id, department_name, head_name
    from departments
)
select * from final
order by department_name
