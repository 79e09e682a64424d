-- unhappy answers still waiting for a follow-up, newest first, at most $limit
-- unhappy answers (nps 0-6, csat 1-2) from $start_date to $end_date that nobody followed up within
-- $target_days days (overdue) or still can be (due on $as_of_date).
-- parameters:
--   $start_date   first answer date
--   $end_date     last answer date
--   $target_days  days an answer has to be followed up in
--   $as_of_date   the date an answer is overdue or still due on
--   $limit        at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: verbatim
-- sensitive: account_name (account), comment (text)
with open_answers as (
    -- the list is cut before names and comments are joined on
    select u.*
    from unhappy_answers($target_days, $as_of_date) u
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   u.segment, u.region, u.plan)
      and u.responded_on between $start_date::date and $end_date::date
      and u.follow_up_status <> 'followed up'
    order by u.follow_up_status = 'overdue' desc, u.responded_on desc, u.account_id
    limit $limit
),
comments as (
    select r.response_id, r.comment
    from survey_responses r
    semi join open_answers o on o.response_id = r.response_id
),
final as (
    select o.response_id, o.responded_on, o.account_id, a.account_name, o.segment,
        o.survey_type, o.program, o.score, o.follow_up_status,
        (o.responded_on + to_days($target_days::integer))::date as follow_up_due_on,
        e.employee_name as csm_name, a.csm_employee_id, e.department_id as csm_department_id,
        o.churn_date, c.comment
    from open_answers o
    join accounts a using (account_id)
    left join employees e on e.employee_id = a.csm_employee_id
    left join comments c using (response_id)
)
select * from final
order by follow_up_status = 'overdue' desc, responded_on desc, account_id
limit $limit
