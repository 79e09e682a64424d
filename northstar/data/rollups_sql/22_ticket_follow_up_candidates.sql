-- rollup: the support tickets that can need follow-up on or after the last day any ticket was
-- resolved: the unresolved (open, or open escalations, on any such day), the reopened and those
-- rated csat 1-2, with their account's segment, region and plan; resolved_through is that last
-- day. program_ticket_followups reads them for an as-of date from resolved_through on, and
-- every ticket otherwise.
create or replace table ticket_follow_up_candidates as
with resolved as (
    select max(resolved_at)::date as resolved_through from support_tickets
),
final as (
    select t.ticket_id, t.account_id, t.department_id, t.opened_at, t.status, t.priority,
        t.category, t.escalated_at, t.resolved_at, t.reopen_count, t.satisfaction_score,
        t.subject, a.segment, a.region, a.plan, r.resolved_through
    from support_tickets t
    join accounts a using (account_id)
    cross join resolved r
    where t.resolved_at is null or t.reopen_count > 0 or csat_unhappy(t.satisfaction_score)
)
select * from final;
