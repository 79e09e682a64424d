-- what happened to the tickets actions are about: resolved, and their rating
-- one row per ticket given, with whether it is still in the data, its account, when it was opened
-- and resolved, and its csat rating (1-5, blank when not rated) and whether that rating counts as
-- unhappy.
-- parameters:
--   $ticket_ids  the tickets the actions are about
-- scope: account
-- sensitive: account_name (account)
with actioned as (
    select distinct unnest($ticket_ids::varchar[]) as ticket_id
),
final as (
    select x.ticket_id, t.ticket_id is not null as in_data, t.account_id, c.account_name,
        t.opened_at, t.resolved_at, t.satisfaction_score,
        csat_unhappy(t.satisfaction_score) as unhappy_rating
    from actioned x
    left join support_tickets t using (ticket_id)
    left join accounts c on c.account_id = t.account_id
)
select * from final
order by ticket_id
