-- customer advisory board sessions and attendance per period of each of $grains
-- up to $as_of; a session is the cab_session engagements held on one date; columns: grain,
-- period_start, sessions, invitations, attended, attendance_pct (attended / invited). One query
-- for every grain the page shows, so it does not wait for the grain control.
-- parameters:
--   $grains  the periods: any of 'week', 'month', 'quarter'
--   $as_of   the last date counted
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
grains as (
    select distinct unnest($grains::varchar[]) as grain
),
final as (
    select
        g.grain,
        date_trunc(g.grain, i.started_on)::date as period_start,
        count(distinct i.started_on) as sessions,
        count(*) as invitations,
        count(*) filter (where i.attended) as attended,
        100 * count(*) filter (where i.attended) / count(*) as attendance_pct
    from invitations i
    cross join grains g
    group by all
)
select * from final
order by grain, period_start
