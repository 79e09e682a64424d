-- the newest kudos from customers in scope, at most $limit
-- kudos given between $start_date and $end_date: date, employee, department, account, comment (free
-- text).
-- parameters:
--   $start_date  first day kudos were given
--   $end_date    last day kudos were given
--   $limit       at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: verbatim
-- sensitive: account_name (account), comment (text)
with given as (
    -- the list is cut before names are joined on (kudos_id breaks ties, so the cut is exact)
    select k.*
    from kudos k
    where account_in_scope(k.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and k.given_on between $start_date::date and $end_date::date
    order by k.given_on desc, k.kudos_id desc
    limit $limit
),
final as (
    select g.kudos_id, g.given_on, e.employee_name, coalesce(d.department_name, g.department_id) as department_name,
        g.account_id, a.account_name, g.comment
    from given g
    join employees e using (employee_id)
    join accounts a on a.account_id = g.account_id
    left join departments d on d.department_id = g.department_id
)
select * from final
order by given_on desc, kudos_id desc
