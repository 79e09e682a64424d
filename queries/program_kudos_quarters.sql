-- kudos given by customers in scope per calendar quarter and department, up to $as_of
-- parameters:
--   $as_of  the last date counted
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with given as (
    select k.department_id, date_trunc('quarter', k.given_on)::date as quarter_start
    from kudos k
    where account_in_scope(k.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and k.given_on <= $as_of::date
),
final as (
    select g.quarter_start, coalesce(d.department_name, g.department_id) as department_name,
        count(*) as kudos
    from given g
    left join departments d using (department_id)
    group by all
)
select * from final
order by quarter_start, department_name
