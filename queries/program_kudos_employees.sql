-- employees with the most kudos from customers in scope, at most $limit
-- kudos given between $start_date and $end_date; columns: department, job title, kudos, accounts
-- giving them, latest kudos date.
-- parameters:
--   $start_date  first day kudos were given
--   $end_date    last day kudos were given
--   $limit       at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: none
with given as (
    select k.employee_id, k.department_id, k.account_id, k.given_on
    from kudos k
    where account_in_scope(k.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and k.given_on between $start_date::date and $end_date::date
),
final as (
    select g.employee_id, e.employee_name, coalesce(d.department_name, g.department_id) as department_name,
        e.job_title, count(*) as kudos, count(distinct g.account_id) as accounts,
        max(g.given_on) as latest_given_on
    from given g
    join employees e using (employee_id)
    left join departments d on d.department_id = g.department_id
    group by all
)
select * from final
order by kudos desc, latest_given_on desc, employee_id
limit $limit
