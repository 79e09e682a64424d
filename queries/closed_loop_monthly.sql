-- closed-loop follow-up of unhappy answers, one row per month of the answer
-- over the whole history: unhappy answers (nps 0-6, csat 1-2), followed up within $target_days
-- days, overdue, still due on $as_of_date, and the follow-up rate.
-- parameters:
--   $target_days  days an answer has to be followed up in
--   $as_of_date   the date an answer not followed up is overdue or still due on
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with answers as (
    select date_trunc('month', u.responded_on)::date as month, u.follow_up_status,
        u.days_to_follow_up
    from unhappy_answers($target_days, $as_of_date) u
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   u.segment, u.region, u.plan)
),
final as (
    select month,
        count(*) as unhappy_answers,
        count(*) filter (where follow_up_status = 'followed up') as followed_up,
        count(*) filter (where follow_up_status = 'overdue') as overdue,
        count(*) filter (where follow_up_status = 'due') as due,
        100 * count(*) filter (where follow_up_status = 'followed up')
            / nullif(count(*) filter (where follow_up_status <> 'due'), 0) as follow_up_rate_pct,
        median(days_to_follow_up) as median_days_to_follow_up
    from answers
    group by month
)
select * from final
order by month
