-- support tickets opened between $start_date and $end_date, by category
-- plus an all-categories row (category null): opened, solved and still open at the end of $as_of,
-- escalated, reopened, median and p90 first response and resolution hours.
-- parameters:
--   $start_date  first day tickets were opened
--   $end_date    last day tickets were opened
--   $as_of       the day solved and still open are judged at the end of
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with tickets as (
    select t.category, t.escalated_at, t.reopen_count,
        t.resolved_at is not null and t.resolved_at < ($as_of::date + 1)::timestamp as is_solved,
        -- seconds -> hours
        date_diff('second', t.opened_at, t.first_response_at) / 3600.0 as first_response_hours,
        date_diff('second', t.opened_at, t.resolved_at) / 3600.0 as resolution_hours
    from support_tickets t
    where account_in_scope(t.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and t.opened_at >= $start_date::date::timestamp
      and t.opened_at < ($end_date::date + 1)::timestamp
),
quantiles as (
    select
        category,
        grouping(category) = 1 as is_total,
        count(*) as opened_tickets,
        count(*) filter (where is_solved) as solved_tickets,
        count(*) filter (where not is_solved) as open_tickets,
        count(escalated_at) as escalated_tickets,
        count(*) filter (where reopen_count > 0) as reopened_tickets,
        -- the median and p90 from one sort each
        quantile_cont(first_response_hours, [0.5, 0.9]) as first_response_hours,
        quantile_cont(resolution_hours, [0.5, 0.9]) filter (where is_solved) as resolution_hours
    from tickets
    group by grouping sets ((category), ())
),
final as (
    select category, is_total, opened_tickets, solved_tickets, open_tickets, escalated_tickets,
        reopened_tickets,
        first_response_hours[1] as median_first_response_hours,
        first_response_hours[2] as p90_first_response_hours,
        resolution_hours[1] as median_resolution_hours,
        resolution_hours[2] as p90_resolution_hours
    from quantiles
)
select * from final
order by is_total desc, opened_tickets desc, category
