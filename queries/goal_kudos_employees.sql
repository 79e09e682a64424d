-- kudos for one department's employees, per employee, most praised first
-- kudos from accounts in scope between $start_date and $end_date; at most $limit rows.
-- parameters:
--   $start_date     first day kudos were given
--   $end_date       last day kudos were given
--   $limit          at most this many rows
--   $department_id  the department
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: department
-- sensitive: none
with given as (
    select k.employee_id, k.account_id, k.given_on
    from kudos k
    where account_in_scope(k.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and k.department_id = $department_id
      and k.given_on between $start_date::date and $end_date::date
),
final as (
    select g.employee_id, e.employee_name, e.job_title, count(*) as kudos,
        count(distinct g.account_id) as accounts, max(g.given_on) as latest_given_on,
        sum(count(*)) over () as department_kudos
    from given g
    join employees e using (employee_id)
    group by all
)
select * from final
order by kudos desc, latest_given_on desc, employee_id
limit $limit
