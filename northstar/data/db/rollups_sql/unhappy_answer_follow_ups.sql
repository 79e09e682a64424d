-- rollup: every unhappy survey answer (nps 0-6 or csat 1-2) with its account's segment, region,
-- plan and churn date, and the first detractor follow-up, qbr or executive meeting with the
-- account on or after the day it was given (null when none). the closed loop (unhappy_answers
-- macro, macros_sql/on_rollups.sql) counts an answer followed up within a target of n days when
-- that first one came within n days, the same as looking for one inside the n days, for any
-- target, without a range join of answers and engagements, nor a scan of every answer, per page
-- call.
-- reads: accounts, engagements, survey_responses
-- writes: unhappy_answer_follow_ups
create or replace table unhappy_answer_follow_ups as
with unhappy as (
    select response_id, account_id, responded_on, survey_type, program, score
    from survey_responses
    where unhappy_answer(survey_type, score)
),
first_follow_ups as (
    select u.response_id, min(e.started_on) as first_follow_up_on
    from unhappy u
    join engagements e
        on e.account_id = u.account_id
       and e.engagement_type in ('detractor_follow_up', 'qbr', 'executive_meeting')
       and e.started_on >= u.responded_on
    group by u.response_id
),
final as (
    select u.*, a.segment, a.region, a.plan, a.churn_date, f.first_follow_up_on
    from unhappy u
    join accounts a using (account_id)
    left join first_follow_ups f using (response_id)
)
select * from final;
