-- customer advisory board sessions and attendance per $grain, up to $as_of
-- a session is the cab_session engagements held on one date; columns: sessions, invitations,
-- attended, attendance_pct (attended / invited).
-- parameters:
--   $grain  'week', 'month' or 'quarter'
--   $as_of  the last date counted
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with invitations as (
    select e.started_on, e.attended
    from engagements e
    where account_in_scope(e.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and e.engagement_type = 'cab_session'
      and e.started_on <= $as_of::date
),
final as (
    select
        date_trunc($grain, started_on)::date as period_start,
        count(distinct started_on) as sessions,
        count(*) as invitations,
        count(*) filter (where attended) as attended,
        100 * count(*) filter (where attended) / count(*) as attendance_pct
    from invitations
    group by all
)
select * from final
order by period_start
