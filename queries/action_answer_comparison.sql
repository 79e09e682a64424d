-- unhappy answers nobody acted on, by (month, survey, program), and their next answer
-- the unhappy answers nobody acted on, from the same month, survey and program as an actioned one,
-- and what the account answered next. one row per (month, survey, program): comparable answers,
-- those with a later answer to the same survey, and those whose later answer was not unhappy.
-- parameters:
--   $response_ids  the answers actions are about (left out of the comparison)
-- scope: aggregate
-- sensitive: none
with actioned as (
    select date_trunc('month', r.responded_on)::date as answer_month, r.survey_type, r.program
    from survey_responses r
    where list_contains($response_ids::varchar[], r.response_id)
      and unhappy_answer(r.survey_type, r.score)
),
cells as (
    select distinct answer_month, survey_type, program from actioned
),
comparable as (
    select r.response_id, r.account_id, r.survey_type, r.program, r.responded_on,
        date_trunc('month', r.responded_on)::date as answer_month
    from survey_responses r
    semi join cells c
        on c.answer_month = date_trunc('month', r.responded_on)::date
       and c.survey_type = r.survey_type and c.program = r.program
    where unhappy_answer(r.survey_type, r.score)
      and not list_contains($response_ids::varchar[], r.response_id)
),
next_answers as (
    select c.response_id, n.score,
        row_number() over (partition by c.response_id order by n.responded_on, n.response_id)
            as rank
    from comparable c
    join survey_responses n
        on n.account_id = c.account_id and n.survey_type = c.survey_type
       and n.program = c.program and n.responded_on > c.responded_on
),
final as (
    select c.answer_month, c.survey_type, c.program, count(*) as comparable_answers,
        count(n.response_id) as answered_again,
        count(n.response_id) filter (where not unhappy_answer(c.survey_type, n.score))
            as answered_again_not_unhappy
    from comparable c
    left join next_answers n on n.response_id = c.response_id and n.rank = 1
    group by c.answer_month, c.survey_type, c.program
)
select * from final
order by answer_month, survey_type, program
