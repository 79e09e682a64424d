-- tickets nobody acted on, by (month, priority) of actioned tickets, resolved or not
-- tickets nobody acted on, opened in the same month with the same priority as an actioned ticket.
-- one row per (month, priority): comparable tickets, those resolved by $as_of_date, and those
-- resolved without an unhappy csat rating.
-- parameters:
--   $ticket_ids  the tickets actions are about (left out of the comparison)
--   $as_of_date  the data's last day
-- scope: aggregate
-- sensitive: none
with cells as (
    select distinct date_trunc('month', t.opened_at)::date as opened_month, t.priority
    from support_tickets t
    where list_contains($ticket_ids::varchar[], t.ticket_id)
),
final as (
    select c.opened_month, c.priority, count(t.ticket_id) as comparable_tickets,
        count(t.ticket_id) filter (where t.resolved_at::date <= $as_of_date::date)
            as comparable_resolved,
        count(t.ticket_id) filter (where t.resolved_at::date <= $as_of_date::date
                                     and not coalesce(csat_unhappy(t.satisfaction_score), false))
            as comparable_resolved_not_unhappy
    from cells c
    left join support_tickets t
        on date_trunc('month', t.opened_at)::date = c.opened_month and t.priority = c.priority
       and not list_contains($ticket_ids::varchar[], t.ticket_id)
    group by c.opened_month, c.priority
)
select * from final
order by opened_month, priority
