-- post-engagement csat survey results for $engagement_type engagements (survey $program)
-- engagements are counted when their answer window ($window_days days after the engagement ended)
-- closed between $start_date and $end_date and by $as_of; rows by $grain: due, answered,
-- completion_pct, csat_pct (4-5), mean score, answers per score; awaiting_answers = windows still
-- open at $as_of.
-- engagements come from the engagement_survey_outcomes rollup with their latest answer; one whose
-- latest answer is after $as_of has its answer looked up live, and when the rollup does not hold
-- this engagement type and survey every engagement is read live (the empty joins keep either from
-- reading anything otherwise).
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
with live_gate as (
    select true as is_live where not survey_outcomes_held($engagement_type, $program)
),
stored as (
    -- ended by $as_of and at most $window_days days before the period or $as_of (in ended
    -- order, so only those are read)
    select o.engagement_id, o.notes, o.ended_on, o.latest_score,
        o.latest_answer_on > $as_of::date as needs_lookup
    from engagement_survey_outcomes o
    where o.engagement_type = $engagement_type and o.program = $program
      and o.ended_on between (least($start_date::date, $as_of::date)
                              - to_days($window_days::integer))::date
                         and $as_of::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   o.segment, o.region, o.plan)
),
read_live as (
    select e.engagement_id, e.notes, e.ended_on, null::integer as latest_score,
        true as needs_lookup
    from engagements e
    join live_gate g on g.is_live = (e.engagement_id is not null)
    where account_in_scope(e.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and e.engagement_type = $engagement_type and e.ended_on is not null
),
ended as (
    select engagement_id, notes, latest_score, needs_lookup,
        (ended_on + to_days($window_days::integer))::date as window_closes_on,
        ended_on <= $as_of::date as has_ended
    from (select * from stored union all select * from read_live)
),
due as (
    select *
    from ended
    where window_closes_on between $start_date::date and $end_date::date
      and window_closes_on <= $as_of::date
),
looked_up as (
    -- an answer belongs to the engagement it names; one per engagement (the latest by $as_of)
    select r.engagement_id, r.score
    from survey_responses r
    semi join (select engagement_id from due where needs_lookup) d
        on d.engagement_id = r.engagement_id
    where r.program = $program and r.survey_type = 'CSAT' and r.engagement_id is not null
      and r.responded_on <= $as_of::date
    qualify row_number() over (partition by r.engagement_id
                               order by r.responded_on desc, r.response_id desc) = 1
),
grouped as (
    select
        case when d.needs_lookup then l.score else d.latest_score end as score,
        case when $grain = 'quarter' then date_trunc('quarter', d.window_closes_on)::date end
            as quarter_start,
        case when $grain = 'topic' then coalesce(nullif(trim(d.notes), ''), 'Not recorded') end
            as topic
    from due d
    left join looked_up l using (engagement_id)
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
