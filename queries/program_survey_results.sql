-- post-engagement csat survey results for $engagement_type engagements (survey $program)
-- engagements are counted when their answer window ($window_days days after the engagement ended)
-- closed between $start_date and $end_date and by $as_of; rows by $grain: due, answered,
-- completion_pct, csat_pct (4-5), mean score, answers per score; awaiting_answers = windows still
-- open at $as_of.
-- engagements come from the engagement_survey_outcomes rollup with their latest answer by the
-- data's as-of date (which is the $as_of the pages pass), for the surveys of
-- northstar/data/settings.py.
-- parameters:
--   $engagement_type  the engagement type surveyed
--   $program          the survey program
--   $window_days      days after an engagement ends that its answer window stays open
--   $start_date       first day an answer window may close
--   $end_date         last day an answer window may close
--   $as_of            the date of the data: windows must have closed by then
--   $grain            'total', 'quarter' (of the window's close) or 'topic' (= engagement notes)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: topic (text)
with stored as (
    -- ended by $as_of and at most $window_days days before the period or $as_of (in ended
    -- order, so only those are read)
    select o.engagement_id, o.notes, o.ended_on, o.latest_score
    from engagement_survey_outcomes o
    where o.engagement_type = $engagement_type and o.program = $program
      and o.ended_on between (least($start_date::date, $as_of::date)
                              - to_days($window_days::integer))::date
                         and $as_of::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   o.segment, o.region, o.plan)
),
ended as (
    select engagement_id, notes, latest_score,
        (ended_on + to_days($window_days::integer))::date as window_closes_on,
        ended_on <= $as_of::date as has_ended
    from stored
),
due as (
    select *
    from ended
    where window_closes_on between $start_date::date and $end_date::date
      and window_closes_on <= $as_of::date
),
grouped as (
    select
        d.latest_score as score,
        case when $grain = 'quarter' then date_trunc('quarter', d.window_closes_on)::date end
            as quarter_start,
        case when $grain = 'topic' then coalesce(nullif(trim(d.notes), ''), 'Not recorded') end
            as topic
    from due d
),
final as (
    select
        quarter_start,
        topic,
        count(*) as engagements_due,
        count(score) as answered,
        100 * count(score) / count(*) as completion_pct,
        100 * count(*) filter (where csat_satisfied(score)) / nullif(count(score), 0) as csat_pct,
        avg(score) as mean_score,
        count(*) filter (where score = 1) as score_1,
        count(*) filter (where score = 2) as score_2,
        count(*) filter (where score = 3) as score_3,
        count(*) filter (where score = 4) as score_4,
        count(*) filter (where score = 5) as score_5,
        (select count(*) from ended where has_ended and window_closes_on > $as_of::date)
            as awaiting_answers
    from grouped
    group by quarter_start, topic
)
select * from final
order by quarter_start, answered desc, topic
