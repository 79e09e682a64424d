-- how many answers gave each score, per survey type, from $start_date to $end_date; filters $segments, $regions, $plans.
with final as (
    select r.survey_type, r.score, count(*) as responses
    from survey_responses r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.responded_on between $start_date::date and $end_date::date
    group by all
)
select * from final
order by survey_type, score
