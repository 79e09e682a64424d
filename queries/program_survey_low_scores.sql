-- csat answers of 1 or 2 to the $program survey after $engagement_type engagements whose answer window ($window_days days after the end) closed between $start_date and $end_date and by $as_of, lowest and newest first (at most $limit): account, engagement end, topic, owner, score, comment; params $engagement_type, $program, $window_days, $start_date, $end_date, $as_of, $limit, $segments, $regions, $plans.
with low_answers as (
    select r.account_id, r.engagement_id, r.score, r.responded_on, r.comment
    from survey_responses r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.program = $program and r.survey_type = 'CSAT' and r.score <= 2
      and r.responded_on <= $as_of::date
),
final as (
    select l.account_id, a.account_name, a.segment, e.ended_on, e.notes as topic,
        o.employee_name as owner_name, l.score, l.responded_on, l.comment
    from low_answers l
    join engagements e on e.engagement_id = l.engagement_id
    join accounts a on a.account_id = l.account_id
    left join employees o on o.employee_id = e.owner_employee_id
    where e.engagement_type = $engagement_type
      and (e.ended_on + to_days($window_days::integer))::date
          between $start_date::date and least($end_date::date, $as_of::date)
)
select * from final
order by score, responded_on desc, account_id
limit $limit
