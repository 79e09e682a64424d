-- how many answers gave each score, per survey type, from $start_date to $end_date; filters $segments, $regions, $plans.
with final as (
    select r.survey_type, r.score, count(*) as responses
    from survey_responses r
    semi join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        on s.account_id = r.account_id
    where r.responded_on between $start_date::date and $end_date::date
    group by all
)
select * from final
order by survey_type, score
