-- comments per theme ($theme_names / $theme_patterns) and month over the whole history, for trends and spike detection; filters $segments, $regions, $plans.
with rules as (
    select unnest($theme_names::varchar[]) as theme, unnest($theme_patterns::varchar[]) as pattern
),
comments as (
    select date_trunc('month', r.responded_on)::date as month, lower(r.comment) as comment
    from survey_responses r
    semi join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        on s.account_id = r.account_id
    where r.comment is not null
),
final as (
    select ru.theme, c.month, count(*) as comments
    from comments c
    join rules ru on regexp_matches(c.comment, ru.pattern)
    group by all
)
select * from final
order by theme, month
