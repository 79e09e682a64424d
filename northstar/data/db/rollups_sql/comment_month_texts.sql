-- rollup: survey comments counted per month answered, segment, region, plan and text (lower
-- case); comment_theme_months matches each distinct text against the theme rules (which can be
-- edited without a rebuild) and sums these counts, instead of reading every comment.
-- reads: accounts, survey_responses
-- writes: comment_month_texts
create or replace table comment_month_texts as
with final as (
    select date_trunc('month', r.responded_on)::date as month, a.segment, a.region, a.plan,
        lower(r.comment) as comment, count(*) as comments
    from survey_responses r
    join accounts a using (account_id)
    where r.comment is not null
    group by all
)
select * from final;
