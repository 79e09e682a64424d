-- survey answer tallies per survey type and group, from $start_date to $end_date
-- tallies: n, promoters, passives, detractors, satisfied, score sums.
-- summed from the survey_month_tallies rollup, by whole months: the months of $start_date to
-- $end_date (the pages ask for whole months).
-- parameters:
--   $group_by    none, month, program, department, segment or plan
--   $start_date  first answer date
--   $end_date    last answer date
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with tallied as (
    select t.survey_type, t.score, t.month, t.program, t.department_id, t.segment, t.plan,
        t.answers
    from survey_month_tallies t
    where t.month between date_trunc('month', $start_date::date) and $end_date::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   t.segment, t.region, t.plan)
),
answers as (
    select a.*, coalesce(d.department_name, 'Not recorded') as department_name
    from tallied a
    left join departments d on d.department_id = a.department_id
),
grouped as (
    select *,
        case $group_by
            when 'month' then strftime(month, '%Y-%m-%d')
            when 'program' then program
            when 'department' then department_name
            when 'segment' then segment
            when 'plan' then plan
            else 'All'
        end as group_value
    from answers
),
final as (
    select group_value, survey_type,
        sum(answers)::bigint as responses,
        coalesce(sum(answers) filter (where survey_type = 'NPS' and nps_promoter(score)), 0)::bigint
            as promoters,
        coalesce(sum(answers) filter (where survey_type = 'NPS' and nps_passive(score)), 0)::bigint
            as passives,
        coalesce(sum(answers) filter (where survey_type = 'NPS' and nps_detractor(score)), 0)::bigint
            as detractors,
        coalesce(sum(answers) filter (where survey_type = 'CSAT' and csat_satisfied(score)), 0)::bigint
            as satisfied,
        sum(score * answers)::double as score_total,
        sum(score * score * answers)::double as score_squares_total
    from grouped
    group by all
)
select * from final
order by group_value, survey_type
