-- current customer advisory board members (a membership open on $as_of) with joined date, arr in $as_of's month, latest relationship nps and cab sessions invited to / attended in the 12 months up to $as_of; params $as_of, $limit, $segments, $regions, $plans.
with members as (
    select c.account_id, min(c.joined_on) as joined_on, any_value(c.seat_holder_name) as seat_holder_name
    from cab_memberships c
    where account_in_scope(c.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and c.joined_on <= $as_of::date
      and (c.left_on is null or c.left_on >= $as_of::date)
    group by c.account_id
),
revenue as (
    select account_id, 12 * mrr_usd::double as arr_usd
    from account_mrr_monthly
    where month = date_trunc('month', $as_of::date)
),
latest_nps as (
    select account_id, score as latest_nps, responded_on as latest_nps_on
    from survey_responses
    where survey_type = 'NPS' and program = 'relationship' and responded_on <= $as_of::date
    qualify row_number() over (partition by account_id order by responded_on desc, response_id desc) = 1
),
sessions as (
    -- last 12 months: on or after the same date a year before $as_of
    select account_id,
        count(*) as sessions_invited,
        count(*) filter (where attended) as sessions_attended
    from engagements
    where engagement_type = 'cab_session'
      and started_on between ($as_of::date - interval 12 month)::date and $as_of::date
    group by account_id
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
