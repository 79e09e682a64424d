-- low post-engagement csat answers (1 or 2), lowest and newest first
-- csat answers of 1 or 2 to the $program survey after $engagement_type engagements whose answer
-- window ($window_days days after the end) closed between $start_date and $end_date and by $as_of;
-- at most $limit rows: account, engagement end, topic, owner, score, comment.
-- the engagements come from the engagement_survey_outcomes rollup (only those that ended in time
-- for the period are read).
-- parameters:
--   $program          the survey program
--   $engagement_type  the engagement type surveyed
--   $window_days      days after an engagement ends that its answer window stays open
--   $start_date       first day an answer window may close
--   $end_date         last day an answer window may close
--   $as_of            the date of the data: windows must have closed by then
--   $limit            at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: verbatim
-- sensitive: account_name (account), comment (text), topic (text)
with engagements_due as (
    select o.engagement_id, o.ended_on, o.notes, o.owner_employee_id
    from engagement_survey_outcomes o
    where o.engagement_type = $engagement_type and o.program = $program
      and o.ended_on between ($start_date::date - to_days($window_days::integer))::date
                         and (least($end_date::date, $as_of::date)
                              - to_days($window_days::integer))::date
),
low_answers as (
    -- the list is cut before names are joined on (response_id breaks ties)
    select r.account_id, r.score, r.responded_on, r.comment, e.ended_on, e.notes as topic,
        e.owner_employee_id
    from survey_responses r
    join engagements_due e on e.engagement_id = r.engagement_id
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.program = $program and r.survey_type = 'CSAT' and csat_unhappy(r.score)
      and r.responded_on <= $as_of::date
    order by r.score, r.responded_on desc, r.account_id, r.response_id
    limit $limit
),
final as (
    select l.account_id, a.account_name, a.segment, l.ended_on, l.topic,
        o.employee_name as owner_name, l.score, l.responded_on, l.comment
    from low_answers l
    join accounts a on a.account_id = l.account_id
    left join employees o on o.employee_id = l.owner_employee_id
)
select * from final
order by score, responded_on desc, account_id
