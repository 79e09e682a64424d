-- what happened after actions on survey answers: the customer's next answer
-- one row per (answer, date) given, with whether the answer is still in the data, its account,
-- survey, program, score and date, whether it was an unhappy answer, and the same account's next
-- answer to the same survey after that date.
-- parameters:
--   $response_ids  the answers the actions are about
--   $after_dates   the date after which the next answer counts (the action's close), same order
-- scope: account
-- sensitive: account_name (account)
with actioned as (
    select distinct response_id, after_date
    from (select unnest($response_ids::varchar[]) as response_id,
                 unnest($after_dates::date[]) as after_date)
),
answers as (
    select x.response_id, x.after_date, r.response_id is not null as in_data, r.account_id,
        r.survey_type, r.program, r.score, r.responded_on,
        unhappy_answer(r.survey_type, r.score) as was_unhappy
    from actioned x
    left join survey_responses r using (response_id)
),
next_answers as (
    select a.response_id, a.after_date, n.score as next_score, n.responded_on as next_responded_on,
        row_number() over (partition by a.response_id, a.after_date
                           order by n.responded_on, n.response_id) as rank
    from answers a
    join survey_responses n
        on n.account_id = a.account_id and n.survey_type = a.survey_type
       and n.program = a.program and n.responded_on > a.after_date
),
final as (
    select a.*, c.account_name, n.next_score, n.next_responded_on,
        unhappy_answer(a.survey_type, n.next_score) as next_unhappy
    from answers a
    left join accounts c using (account_id)
    left join next_answers n
        on n.response_id = a.response_id and n.after_date = a.after_date and n.rank = 1
)
select * from final
order by response_id, after_date
