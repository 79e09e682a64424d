-- rollup: every satisfaction answer the scores count, one row each: the survey answers, and
-- the ticket ratings a helpdesk collects (csat 1-5 on the ticket) as their own source,
-- program 'ticket_rating', dated on the day the ticket was resolved (opened, when it has no
-- resolved time). a rating that a support survey answer about the same ticket already records
-- is counted once, as the survey answer.
-- reads: support_tickets, survey_responses
-- writes: satisfaction_answers
create or replace table satisfaction_answers as
with surveyed_tickets as (
    select distinct ticket_id
    from survey_responses
    where ticket_id is not null and survey_type = 'CSAT'
),
ticket_ratings as (
    select 'ticket:' || t.ticket_id as response_id, t.account_id, 'CSAT' as survey_type,
        'ticket_rating' as program, t.department_id,
        coalesce(t.resolved_at, t.opened_at)::date as responded_on,
        t.satisfaction_score as score, t.ticket_id
    from support_tickets t
    anti join surveyed_tickets s using (ticket_id)
    where t.satisfaction_score is not null
),
final as (
    select response_id, account_id, survey_type, program, department_id, responded_on, score,
        ticket_id
    from survey_responses
    union all
    select * from ticket_ratings
)
select * from final;
