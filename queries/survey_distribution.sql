-- how many answers gave each score, per survey type, from $start_date to $end_date
-- summed from the survey_month_tallies rollup, by whole months: the months of $start_date to
-- $end_date (the pages ask for whole months).
-- parameters:
--   $start_date  first answer date
--   $end_date    last answer date
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with tallied as (
    select t.survey_type, t.score, t.answers
    from survey_month_tallies t
    where t.month between date_trunc('month', $start_date::date) and $end_date::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   t.segment, t.region, t.plan)
),
final as (
    select survey_type, score, sum(answers)::bigint as responses
    from tallied
    group by all
)
select * from final
order by survey_type, score
