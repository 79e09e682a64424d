-- how many answers gave each score, per survey type, from $start_date to $end_date
-- a range of whole months is summed from the survey_month_tallies rollup; any other is read answer
-- by answer (the empty join keeps that from reading anything otherwise).
-- parameters:
--   $start_date  first answer date
--   $end_date    last answer date
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with whole_months as (
    select is_whole_months($start_date, $end_date) as is_whole_months
),
live_gate as (
    select true as is_live where not (select is_whole_months from whole_months)
),
tallied as (
    select t.survey_type, t.score, t.answers
    from survey_month_tallies t
    where (select is_whole_months from whole_months)
      and t.month between $start_date::date and $end_date::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   t.segment, t.region, t.plan)
),
live as (
    select r.survey_type, r.score, 1 as answers
    from survey_responses r
    join live_gate g on g.is_live = (r.response_id is not null)
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.responded_on between $start_date::date and $end_date::date
),
final as (
    select survey_type, score, sum(answers)::bigint as responses
    from (select * from tallied union all select * from live)
    group by all
)
select * from final
order by survey_type, score
