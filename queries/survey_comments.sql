-- survey comments (with their response_id), newest first, at most $limit
-- comments from $start_date to $end_date, with the themes each falls under ($theme_names /
-- $theme_patterns, in rule order), narrowed by program, survey type, score, text and theme.
-- parameters:
--   $start_date      first answer date
--   $end_date        last answer date
--   $limit           at most this many comments
--   $theme_names     the themes' names, in rule order
--   $theme_patterns  each theme's regular expression, in the order of $theme_names
--   $programs        the programs (empty = all)
--   $survey_types    the survey types (empty = all)
--   $min_score       lowest score included
--   $max_score       highest score included
--   $search          text the comment must contain ('' = any)
--   $theme           the theme the comment must fall under ('' = any)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: verbatim
-- sensitive: account_name (account), comment (text)
-- when masked: search = ''
with rules as (
    select unnest($theme_names::varchar[]) as theme, unnest($theme_patterns::varchar[]) as pattern
),
comments as (
    select r.response_id, r.responded_on, r.account_id, r.survey_type, r.program, r.score,
        r.comment
    from survey_responses r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.comment is not null
      and r.responded_on between $start_date::date and $end_date::date
      and (len($programs::varchar[]) = 0 or list_contains($programs::varchar[], r.program))
      and (len($survey_types::varchar[]) = 0 or list_contains($survey_types::varchar[], r.survey_type))
      and r.score between $min_score and $max_score
      and ($search = '' or contains(lower(r.comment), lower($search)))
),
newest as (
    select * from comments
    where $theme = ''
    order by responded_on desc, account_id, response_id
    limit $limit
),
candidates as (
    -- with no theme chosen, the newest $limit are listed and only their texts are matched; with
    -- one, every comment's text is matched first
    select * from newest
    union all
    select * from comments
    where $theme <> ''
),
texts as (
    -- each distinct text is matched against the rules once
    select distinct comment from candidates
),
themed as (
    select t.comment, list(ru.theme order by ru.theme) filter (where ru.theme is not null) as themes
    from texts t
    left join rules ru on regexp_matches(lower(t.comment), ru.pattern)
    group by t.comment
),
listed as (
    select c.*, coalesce(t.themes, []) as themes
    from candidates c
    join themed t on t.comment = c.comment
    where $theme = '' or list_contains(t.themes, $theme)
    order by c.responded_on desc, c.account_id, c.response_id
    limit $limit
),
final as (
    -- names and segments of the listed comments' accounts only
    select l.response_id, l.responded_on, l.account_id, a.account_name, a.segment,
        l.survey_type, l.program, l.score, l.comment, l.themes
    from listed l
    join accounts a using (account_id)
)
select * from final
order by responded_on desc, account_id, response_id
