-- current customer advisory board members (a membership open on $as_of)
-- with joined date, arr in $as_of's month, latest relationship nps and cab sessions invited to /
-- attended in the 12 months up to $as_of.
-- parameters:
--   $as_of  the date membership and the figures are taken at
--   $limit  at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account), seat_holder_name (contact)
with members as (
    select c.account_id, min(c.joined_on) as joined_on, any_value(c.seat_holder_name) as seat_holder_name
    from cab_memberships c
    where account_in_scope(c.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and c.joined_on <= $as_of::date
      and (c.left_on is null or c.left_on >= $as_of::date)
    group by c.account_id
),
revenue as (
    -- of the members only, as below
    select r.account_id, 12 * r.mrr_usd as arr_usd
    from account_month_snapshots r
    semi join members m on m.account_id = r.account_id
    where r.month = date_trunc('month', $as_of::date) and r.has_revenue_row
),
latest_nps as (
    select r.account_id, r.score as latest_nps, r.responded_on as latest_nps_on
    from survey_responses r
    semi join members m on m.account_id = r.account_id
    where r.survey_type = 'NPS' and r.program = 'relationship' and r.responded_on <= $as_of::date
    qualify row_number() over (partition by r.account_id
                               order by r.responded_on desc, r.response_id desc) = 1
),
sessions as (
    -- last 12 months: on or after the same date a year before $as_of
    select e.account_id,
        count(*) as sessions_invited,
        count(*) filter (where e.attended) as sessions_attended
    from engagements e
    semi join members m on m.account_id = e.account_id
    where e.engagement_type = 'cab_session'
      and e.started_on between ($as_of::date - to_months(cab_session_months()))::date
                          and $as_of::date
    group by e.account_id
),
final as (
    select
        m.account_id, a.account_name, a.segment, m.joined_on, m.seat_holder_name,
        r.arr_usd, n.latest_nps, n.latest_nps_on,
        coalesce(g.sessions_invited, 0) as sessions_invited,
        coalesce(g.sessions_attended, 0) as sessions_attended,
        e.employee_name as csm_name
    from members m
    join accounts a using (account_id)
    left join revenue r using (account_id)
    left join latest_nps n using (account_id)
    left join sessions g using (account_id)
    left join employees e on e.employee_id = a.csm_employee_id
)
select * from final
order by arr_usd desc nulls last, account_id
limit $limit
