-- shared definitions over rollup tables, created after them (a macro is checked against the
-- tables it reads when it is created); northstar.source loads them with 00_macros.sql.

-- closed loop: every unhappy answer (nps 0-6 or csat 1-2) with its follow-up, the first
-- detractor follow-up, qbr or executive meeting with the account within target_days days, and
-- its status on as_of_date: followed up, overdue, or due (still inside the target). the first
-- follow-up on or after each answer comes from the unhappy_answer_follow_ups rollup.
create or replace macro unhappy_answers(target_days, as_of_date) as table
with unhappy as (
    select response_id, account_id, responded_on, survey_type, program, score, comment
    from survey_responses
    where (survey_type = 'NPS' and score <= 6) or (survey_type = 'CSAT' and score <= 2)
),
follow_ups as (
    select u.response_id, f.first_follow_up_on as followed_up_on
    from unhappy u
    join unhappy_answer_follow_ups f using (response_id)
    where f.first_follow_up_on <= u.responded_on + to_days(target_days::integer)
),
final as (
    select u.*, f.followed_up_on,
        datediff('day', u.responded_on, f.followed_up_on) as days_to_follow_up,
        case
            when f.followed_up_on is not null then 'followed up'
            when u.responded_on + to_days(target_days::integer) < as_of_date::date then 'overdue'
            else 'due'
        end as follow_up_status
    from unhappy u
    left join follow_ups f using (response_id)
)
select * from final;

-- the end months, among end_months, of the windows of length_months months that
-- revenue_window_tallies holds (kpi_windows and churn_reasons sum these; the rest they pair
-- live)
create or replace macro tallied_window_ends(length_months, end_months) as table
select distinct window_end_month
from revenue_window_tallies
where window_months = length_months::integer
  and list_contains(end_months::date[], window_end_month);

-- the account_health_monthly rows of one month: from account_health_latest when it holds that
-- month (the Health page's default), else from the whole table, which the join with an empty
-- month list keeps from being read when it is not needed
create or replace macro health_month(as_of_month) as table
with stored as (
    select * from account_health_latest where month = as_of_month::date
),
other_months as (
    select as_of_month::date as month
    where not exists (select 1 from stored)
),
final as (
    select * from stored
    union all
    select h.* from account_health_monthly h join other_months using (month)
)
select * from final;
