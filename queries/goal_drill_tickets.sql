-- the tickets behind a ticket kpi in one period, slowest first
-- tickets of accounts in scope opened or resolved between $start_date and $end_date, of
-- $categories; at most $limit rows, with the total.
-- parameters:
--   $basis       'opened' or 'resolved': which date must fall in the period
--   $start_date  first day of the period
--   $end_date    last day of the period
--   $categories  the ticket categories (empty = all)
--   $limit       at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with tickets as (
    select t.*
    from support_tickets t
    where account_in_scope(t.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and (len($categories::varchar[]) = 0 or list_contains($categories::varchar[], t.category))
      and case when $basis = 'resolved' then t.resolved_at else t.opened_at end
          between $start_date::date and $end_date::date + interval 1 day - interval 1 microsecond
),
timed as (
    select t.*,
        datediff('second', t.opened_at, t.first_response_at) / 3600.0 as first_response_hours,
        datediff('second', t.opened_at, t.resolved_at) / 3600.0 as resolution_hours
    from tickets t
),
listed as (
    select *
    from timed
    order by case when $basis = 'resolved' then resolution_hours else first_response_hours end
        desc nulls last, ticket_id
    limit $limit
),
total as (
    select count(*) as total_rows from tickets
),
final as (
    -- names of the listed tickets' accounts and departments only
    select t.ticket_id, t.account_id, a.account_name, t.opened_at, t.resolved_at,
        t.first_response_hours, t.resolution_hours,
        t.category, t.priority, t.status, coalesce(d.department_name, t.department_id) as department_name,
        x.total_rows
    from listed t
    cross join total x
    join accounts a using (account_id)
    left join departments d on d.department_id = t.department_id
)
select * from final
order by case when $basis = 'resolved' then resolution_hours else first_response_hours end desc nulls last,
    ticket_id
