-- nps, csat and ces at one department's touchpoints, per program and survey type
-- satisfaction answers (surveys and ticket ratings) whose department_id is $department_id, from
-- accounts in scope, in the period and in the comparison period, with n and the answer tallies
-- the margins of error need.
-- parameters:
--   $department_id          the department
--   $start_date             first day of the period
--   $end_date               last day of the period
--   $comparison_start_date  first day of the comparison period
--   $comparison_end_date    last day of the comparison period
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: department
-- sensitive: none
with answers as (
    select r.program, r.survey_type, r.score,
        case when r.responded_on between $start_date::date and $end_date::date then 'period'
             else 'comparison' end as window_name
    from satisfaction_answers r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.department_id = $department_id
      and (r.responded_on between $start_date::date and $end_date::date
           or r.responded_on between $comparison_start_date::date and $comparison_end_date::date)
),
scores as (
    select program, survey_type, window_name, count(*) as answers,
        100.0 * (avg(nps_promoter(score)::int) - avg(nps_detractor(score)::int)) as nps,
        100.0 * avg(csat_satisfied(score)::int) as csat_pct,
        avg(score) as ces_mean,
        count(*) filter (where nps_promoter(score)) as promoters,
        count(*) filter (where nps_detractor(score)) as detractors,
        count(*) filter (where csat_satisfied(score)) as satisfied,
        sum(score) as score_total,
        sum(score * score) as score_squares_total
    from answers
    group by program, survey_type, window_name
),
final as (
    select p.program, p.survey_type,
        case p.survey_type when 'NPS' then p.nps when 'CSAT' then p.csat_pct else p.ces_mean end as score,
        p.answers,
        case p.survey_type when 'NPS' then c.nps when 'CSAT' then c.csat_pct else c.ces_mean end
            as comparison_score, coalesce(c.answers, 0) as comparison_answers,
        p.promoters, p.detractors, p.satisfied, p.score_total, p.score_squares_total,
        coalesce(c.promoters, 0) as comparison_promoters,
        coalesce(c.detractors, 0) as comparison_detractors,
        coalesce(c.satisfied, 0) as comparison_satisfied,
        coalesce(c.score_total, 0) as comparison_score_total,
        coalesce(c.score_squares_total, 0) as comparison_score_squares_total
    from scores p
    left join scores c
        on c.program = p.program and c.survey_type = p.survey_type and c.window_name = 'comparison'
    where p.window_name = 'period'
)
select * from final
order by survey_type, program
