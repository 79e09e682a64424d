-- support tickets needing follow-up, most urgent first, at most $limit
-- open escalations and tickets open more than $open_ticket_days days at the end of $as_of
-- (whenever opened), and tickets opened between $start_date and $end_date that were reopened or
-- rated csat 1-2; each row carries its reasons and the count of all matching tickets per reason.
-- read from the ticket_follow_up_candidates rollup, the tickets that can need follow-up at the
-- data's as-of date (the $as_of the pages pass).
-- parameters:
--   $limit       at most this many rows
--   $as_of       the day tickets are still open at the end of
--   $open_ticket_days  an open ticket older than this many days needs follow-up
--   $start_date  first day of the period tickets were opened in
--   $end_date    last day of the period tickets were opened in
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account), subject (text)
with candidates as (
    select c.* exclude (segment, region, plan)
    from ticket_follow_up_candidates c
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   c.segment, c.region, c.plan)
),
tickets as (
    select t.* exclude (resolved_at),
        t.resolved_at is null or t.resolved_at >= ($as_of::date + 1)::timestamp as is_open,
        date_diff('day', t.opened_at::date, $as_of::date) as age_days,
        t.opened_at >= $start_date::date::timestamp
            and t.opened_at < ($end_date::date + 1)::timestamp as is_in_period
    from candidates t
    where t.opened_at < ($as_of::date + 1)::timestamp
),
flagged as (
    select *,
        is_open and escalated_at is not null as is_open_escalation,
        is_open and age_days > $open_ticket_days as is_open_too_long,
        is_in_period and reopen_count > 0 as is_reopened,
        is_in_period and coalesce(csat_unhappy(satisfaction_score), false) as is_low_csat
    from tickets
),
needing as (
    select *
    from flagged
    where is_open_escalation or is_open_too_long or is_reopened or is_low_csat
),
tallies as (
    select count(*) as matching_tickets,
        count(*) filter (where is_open_escalation) as open_escalation_tickets,
        count(*) filter (where is_open_too_long) as open_too_long_tickets,
        count(*) filter (where is_reopened) as reopened_tickets,
        count(*) filter (where is_low_csat) as low_csat_tickets
    from needing
),
most_urgent as (
    -- the list is cut before the names are joined on
    select *,
        is_open_escalation::int + is_open_too_long::int + is_reopened::int + is_low_csat::int
            as reasons
    from needing
    order by is_open desc, is_open_escalation desc, reasons desc, opened_at, ticket_id
    limit $limit
),
final as (
    select n.ticket_id, n.account_id, a.account_name, a.segment, n.opened_at, n.status,
        n.priority, n.category, n.age_days, n.is_open, n.reopen_count, n.satisfaction_score,
        n.is_open_escalation, n.is_open_too_long, n.is_reopened, n.is_low_csat,
        n.department_id, d.department_name, e.employee_name as csm_name, a.csm_employee_id,
        n.subject,
        t.matching_tickets, t.open_escalation_tickets, t.open_too_long_tickets,
        t.reopened_tickets, t.low_csat_tickets
    from most_urgent n
    cross join tallies t
    join accounts a using (account_id)
    left join departments d on d.department_id = n.department_id
    left join employees e on e.employee_id = a.csm_employee_id
)
select * from final
order by is_open desc, is_open_escalation desc,
    (is_open_escalation::int + is_open_too_long::int + is_reopened::int + is_low_csat::int) desc,
    opened_at, ticket_id
