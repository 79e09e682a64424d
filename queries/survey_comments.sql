-- survey comments (with their response_id) from $start_date to $end_date, newest first, at most $limit, with the themes each falls under ($theme_names / $theme_patterns, in rule order); narrowed by $programs (empty = all), $survey_types (empty = all), score from $min_score to $max_score, text $search ('' = any) and $theme ('' = any); filters $segments, $regions, $plans.
with rules as (
    select unnest($theme_names::varchar[]) as theme, unnest($theme_patterns::varchar[]) as pattern
),
comments as (
    select r.response_id, r.responded_on, r.account_id, s.segment, r.survey_type, r.program,
        r.score, r.comment
    from survey_responses r
    join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        using (account_id)
    where r.comment is not null
      and r.responded_on between $start_date::date and $end_date::date
      and (len($programs::varchar[]) = 0 or list_contains($programs::varchar[], r.program))
      and (len($survey_types::varchar[]) = 0 or list_contains($survey_types::varchar[], r.survey_type))
      and r.score between $min_score and $max_score
      and ($search = '' or contains(lower(r.comment), lower($search)))
),
texts as (
    -- each distinct text is matched against the rules once
    select distinct comment from comments
),
themed as (
    select t.comment, list(ru.theme order by ru.theme) filter (where ru.theme is not null) as themes
    from texts t
    left join rules ru on regexp_matches(lower(t.comment), ru.pattern)
    group by t.comment
),
final as (
    select c.response_id, c.responded_on, c.account_id, a.account_name, c.segment, c.survey_type, c.program,
        c.score, c.comment, coalesce(t.themes, []) as themes
    from comments c
    join themed t on t.comment = c.comment
    join accounts a using (account_id)
    where $theme = '' or list_contains(t.themes, $theme)
)
select * from final
order by responded_on desc, account_id, response_id
limit $limit
