-- the top $top_n accounts by arr in $as_of's month (ties at the boundary included) with no attended executive meeting in the 12 months up to $as_of, largest first (at most $limit): arr, segment, csm, last executive meeting ever; params $top_n, $as_of, $limit, $segments, $regions, $plans.
with ranked as (
    select r.account_id, 12 * r.mrr_usd::double as arr_usd,
        rank() over (order by r.mrr_usd desc) as arr_rank
    from account_mrr_monthly r
    semi join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        on s.account_id = r.account_id
    where r.month = date_trunc('month', $as_of::date) and r.mrr_usd > 0
),
last_meetings as (
    select account_id, max(started_on) as last_meeting_on
    from engagements
    where engagement_type = 'executive_meeting' and attended and started_on <= $as_of::date
    group by account_id
),
unmet as (
    select r.*, m.last_meeting_on
    from ranked r
    left join last_meetings m using (account_id)
    where r.arr_rank <= $top_n
      and (m.last_meeting_on is null
           or m.last_meeting_on < ($as_of::date - interval 12 month)::date)
),
final as (
    select u.account_id, a.account_name, a.segment, a.region, u.arr_rank, u.arr_usd,
        u.last_meeting_on, e.employee_name as csm_name, a.renewal_date
    from unmet u
    join accounts a using (account_id)
    left join employees e on e.employee_id = a.csm_employee_id
)
select * from final
order by arr_rank, account_id
limit $limit
