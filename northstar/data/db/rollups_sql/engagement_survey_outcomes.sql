-- rollup: every ended engagement of a type with a post-engagement survey (the pairs
-- northstar.data.settings defines, written to program_survey_settings), with its account's segment,
-- region and plan, owner and its latest csat answer to that survey by the data's as-of date (score
-- and day; null when none),
-- stored in order of the day it ended, so a period reads only its own engagements.
-- program_survey_results reads it instead of every engagement and answer.
-- reads: accounts, dataset_metadata, engagements, program_survey_settings, survey_responses
-- writes: engagement_survey_outcomes
create or replace table engagement_survey_outcomes as
with ended as (
    select e.engagement_id, e.engagement_type, s.program, e.ended_on, e.notes,
        e.owner_employee_id, a.segment, a.region, a.plan
    from engagements e
    join program_survey_settings s using (engagement_type)
    join accounts a using (account_id)
    where e.ended_on is not null
),
latest_answers as (
    select r.engagement_id, r.program, r.score, r.responded_on
    from survey_responses r
    semi join ended d on d.engagement_id = r.engagement_id and d.program = r.program
    where r.survey_type = 'CSAT' and r.engagement_id is not null
      and r.responded_on <= (select value::date from dataset_metadata where key = 'as_of_date')
    qualify row_number() over (partition by r.engagement_id, r.program
                               order by r.responded_on desc, r.response_id desc) = 1
),
final as (
    select d.*, l.score as latest_score, l.responded_on as latest_answer_on
    from ended d
    left join latest_answers l on l.engagement_id = d.engagement_id and l.program = d.program
)
select * from final
order by ended_on;
