-- the survey answers behind a survey kpi or touchpoint score, lowest score first
-- answers of $survey_types in $programs at $department_ids between $start_date and $end_date, for
-- accounts in scope; at most $limit rows, with the total.
-- parameters:
--   $survey_types    the survey types to include
--   $programs        the programs to include (empty = all)
--   $department_ids  the departments answered at (empty = any)
--   $start_date      first answer date
--   $end_date        last answer date
--   $limit           at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: verbatim
-- sensitive: account_name (account), comment (text)
with answers as (
    select r.*
    from survey_responses r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and list_contains($survey_types::varchar[], r.survey_type)
      and (len($programs::varchar[]) = 0 or list_contains($programs::varchar[], r.program))
      and (len($department_ids::varchar[]) = 0 or list_contains($department_ids::varchar[], r.department_id))
      and r.responded_on between $start_date::date and $end_date::date
),
listed as (
    select *
    from answers
    order by score, responded_on desc, response_id
    limit $limit
),
total as (
    select count(*) as total_rows from answers
),
final as (
    -- names of the listed answers' accounts and departments only
    select r.response_id, r.account_id, a.account_name, r.responded_on, r.survey_type, r.program,
        coalesce(d.department_name, r.department_id) as department_name, r.score, r.comment,
        t.total_rows
    from listed r
    cross join total t
    join accounts a using (account_id)
    left join departments d on d.department_id = r.department_id
)
select * from final
order by score, responded_on desc, response_id
