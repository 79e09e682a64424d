-- kudos for one department's employees from accounts in scope between $start_date and $end_date, per employee (at most $limit, most praised first); params $department_id, $start_date, $end_date, $limit, $segments, $regions, $plans.
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
