-- rollup: satisfaction answers (survey answers and ticket ratings) counted per month answered, segment, region, plan, survey type,
-- program, department of the touchpoint and score: survey_scores and survey_distribution sum
-- these for periods of whole months instead of reading every answer.
-- reads: accounts, satisfaction_answers
-- writes: survey_month_tallies
create or replace table survey_month_tallies as
with final as (
    select date_trunc('month', r.responded_on)::date as month, a.segment, a.region, a.plan,
        r.survey_type, r.program, r.department_id, r.score,
        count(*)::integer as answers
    from satisfaction_answers r
    join accounts a using (account_id)
    group by all
)
select * from final;
