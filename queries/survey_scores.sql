-- survey answer tallies (n, promoters, passives, detractors, satisfied, score sums) per survey type and group ($group_by: none, month, program, department, segment or plan) for answers from $start_date to $end_date; filters $segments, $regions, $plans.
with answers as (
    select r.survey_type, r.score, r.responded_on, r.program,
        coalesce(d.department_name, 'Not recorded') as department_name, s.segment, s.plan
    from survey_responses r
    join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        using (account_id)
    left join departments d on d.department_id = r.department_id
    where r.responded_on between $start_date::date and $end_date::date
),
grouped as (
    select *,
        case $group_by
            when 'month' then strftime(date_trunc('month', responded_on), '%Y-%m-%d')
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
        count(*) as responses,
        count(*) filter (where survey_type = 'NPS' and score >= 9) as promoters,
        count(*) filter (where survey_type = 'NPS' and score between 7 and 8) as passives,
        count(*) filter (where survey_type = 'NPS' and score <= 6) as detractors,
        count(*) filter (where survey_type = 'CSAT' and score >= 4) as satisfied,
        sum(score)::double as score_total,
        sum(score * score)::double as score_squares_total
    from grouped
    group by all
)
select * from final
order by group_value, survey_type
