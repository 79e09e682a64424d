-- rollup: for every unhappy survey answer (nps 0-6 or csat 1-2), the first detractor follow-up,
-- qbr or executive meeting with the account on or after the day it was given. the closed loop
-- (unhappy_answers macro, 99_macros_on_rollups.sql) counts an answer followed up within a
-- target of n days when that first one came within n days, the same as looking for one inside
-- the n days, for any target, without a range join of answers and engagements per page call.
create or replace table unhappy_answer_follow_ups as
with unhappy as (
    select response_id, account_id, responded_on
    from survey_responses
    where (survey_type = 'NPS' and score <= 6) or (survey_type = 'CSAT' and score <= 2)
),
final as (
    select u.response_id, min(e.started_on) as first_follow_up_on
    from unhappy u
    join engagements e
        on e.account_id = u.account_id
       and e.engagement_type in ('detractor_follow_up', 'qbr', 'executive_meeting')
       and e.started_on >= u.responded_on
    group by u.response_id
)
select * from final;
