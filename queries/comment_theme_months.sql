-- comments per theme and month over the whole history, for trends and spike detection
-- parameters:
--   $theme_names     the themes' names
--   $theme_patterns  each theme's regular expression, in the order of $theme_names
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with rules as (
    select unnest($theme_names::varchar[]) as theme, unnest($theme_patterns::varchar[]) as pattern
),
comments as (
    -- comments per month and text, summed from the comment_month_texts rollup: each distinct
    -- text is matched against the rules once
    select month, comment, sum(comments)::bigint as comments
    from comment_month_texts
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
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
