-- demo support tickets: volume by segment; accounts with the planted slow-support trait wait
-- about 2.5x longer for a first response and 3x longer for a resolution, and escalate more.
create or replace temp table _ticket as
with counts as (
    select n, account_id, month, month_index, is_slow_support, is_unhappy,
        poisson4(case segment when 'Enterprise' then 0.55 when 'Mid-Market' then 0.22 else 0.09 end
                  * case when is_slow_support then 1.3 else 1 end,
                  rnd(n, month_index, 'ticket_count')) as ticket_count
    from _acct_month
),
tickets as (
    select c.*, unnest(range(ticket_count)) as k
    from counts c
    where ticket_count > 0
),
drawn as (
    select *,
        n * 1000 + month_index * 10 + k as tk,
        (month + to_seconds(floor(rnd(n, month_index * 10 + k, 'opened')
            * 86400 * day(last_day(month)))::bigint))::timestamp as opened_at,
        case when rnd(n, month_index * 10 + k, 'priority') < 0.05 then 'urgent'
             when rnd(n, month_index * 10 + k, 'priority') < 0.25 then 'high'
             when rnd(n, month_index * 10 + k, 'priority') < 0.80 then 'normal'
             else 'low' end as priority,
        pick(['defect', 'defect', 'how-to', 'how-to', 'integration', 'billing', 'performance',
              'access', 'feature request', 'onboarding'], rnd(n, month_index * 10 + k, 'category'))
            as category,
        pick(['email', 'email', 'portal', 'chat', 'chat', 'phone'], rnd(n, month_index * 10 + k, 'channel'))
            as channel
    from tickets
),
durations as (
    select *,
        -- lognormal hours; medians by priority, multiplied for slow-support accounts
        case priority when 'urgent' then 0.5 when 'high' then 1.5 when 'normal' then 4 else 8 end
            * case when is_slow_support then 2.5 else 1 end
            * exp(0.8 * rnorm(n, month_index * 10 + k, 'first_response')) as first_response_hours,
        case priority when 'urgent' then 6 when 'high' then 20 when 'normal' then 40 else 80 end
            * case when is_slow_support then 3 else 1 end
            * exp(0.9 * rnorm(n, month_index * 10 + k, 'resolution')) as base_work_hours,
        rnd(n, month_index * 10 + k, 'escalated')
            < 0.05 + case when is_slow_support then 0.12 else 0 end
                   + case when priority = 'urgent' then 0.10 else 0 end as is_escalated,
        case when rnd(n, month_index * 10 + k, 'reopened')
                  < case when is_slow_support then 0.15 else 0.06 end then 1 else 0 end as reopen_count
    from drawn
),
escalation_delay as (
    -- escalated tickets take four times as long: they are the backlog the cco reviews
    select *, base_work_hours * case when is_escalated then 4 else 1 end as work_hours
    from durations
),
final as (
    select *,
        opened_at + to_seconds((first_response_hours * 3600)::bigint) as first_response_at_raw,
        opened_at + to_seconds(((first_response_hours + work_hours) * 3600)::bigint) as resolved_at_raw,
        opened_at + to_seconds(((first_response_hours + work_hours * 0.3) * 3600)::bigint) as escalated_at_raw,
        (getvariable('as_of') + interval 1 day)::timestamp as data_end
    from escalation_delay
)
select * from final;

insert into support_tickets
with shaped as (
    select *,
        case when first_response_at_raw < data_end then first_response_at_raw end as first_response_at,
        case when resolved_at_raw < data_end then resolved_at_raw end as resolved_at
    from _ticket
),
final as (
    select
        printf('T%010d', tk) as ticket_id,
        account_id,
        case when category in ('defect', 'performance') and rnd(n, tk, 'owner_team') < 0.5
             then 'product_development' else 'customer_service' end as department_id,
        opened_at, first_response_at, resolved_at,
        case when resolved_at is null then
                 case when first_response_at is not null and rnd(n, tk, 'pending') < 0.5
                      then 'pending' else 'open' end
             when resolved_at < data_end - interval 7 day then 'closed'
             else 'solved' end as status,
        priority, category, channel,
        case when is_escalated and escalated_at_raw < data_end then escalated_at_raw end as escalated_at,
        case when resolved_at is not null then reopen_count else 0 end as reopen_count,
        -- ticket csat (1-5) on a quarter of resolved tickets; slower resolutions score lower
        case when resolved_at is not null and rnd(n, tk, 'csat_sampled') < 0.25 then
            least(5, greatest(1, round(4.6 - 0.55 * ln(greatest(1, work_hours) / 24)
                                       - 0.8 * reopen_count + 0.8 * rnorm(n, tk, 'csat'))))::integer
        end as satisfaction_score,
        upper(category[1]) || category[2:] || ': ' || pick(['cannot complete workflow', 'question about setup',
            'error after update', 'request for help', 'unexpected behaviour', 'slow response in app',
            'configuration change'], rnd(n, tk, 'subject')) as subject
    from shaped
)
select * from final;
