-- comments per theme ($theme_names / $theme_patterns) and month over the whole history, for trends and spike detection; filters $segments, $regions, $plans.
with rules as (
    select unnest($theme_names::varchar[]) as theme, unnest($theme_patterns::varchar[]) as pattern
),
comments as (
    -- comments per month and text: each distinct text is matched against the rules once
    select date_trunc('month', r.responded_on)::date as month, lower(r.comment) as comment,
        count(*) as comments
    from survey_responses r
    where account_in_scope(r.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and r.comment is not null
    group by all
),
texts as (
    select distinct comment from comments
),
matched as (
    select ru.theme, t.comment
    from texts t
    join rules ru on regexp_matches(t.comment, ru.pattern)
),
final as (
    select m.theme, c.month, sum(c.comments)::bigint as comments
    from comments c
    join matched m using (comment)
    group by all
)
select * from final
order by theme, month
