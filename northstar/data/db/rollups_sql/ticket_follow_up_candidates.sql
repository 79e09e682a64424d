-- rollup: the support tickets that can need follow-up at the data's as-of date: those still
-- unresolved at its end (open, or open escalations), the reopened and those rated csat 1-2, with
-- their account's segment, region and plan. program_ticket_followups reads them.
-- reads: accounts, dataset_metadata, support_tickets
-- writes: ticket_follow_up_candidates
create or replace table ticket_follow_up_candidates as
with bounds as (
    select (value::date + 1)::timestamp as day_after_as_of
    from dataset_metadata where key = 'as_of_date'
),
final as (
    select t.ticket_id, t.account_id, t.department_id, t.opened_at, t.status, t.priority,
        t.category, t.escalated_at, t.resolved_at, t.reopen_count, t.satisfaction_score,
        t.subject, a.segment, a.region, a.plan
    from support_tickets t
    join accounts a using (account_id)
    cross join bounds b
    where t.resolved_at is null or t.resolved_at >= b.day_after_as_of or t.reopen_count > 0
       or csat_unhappy(t.satisfaction_score)
)
select * from final;
