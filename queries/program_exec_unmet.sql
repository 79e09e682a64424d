-- top accounts by arr with no attended executive meeting in the last 12 months
-- the top $top_n accounts by arr in $as_of's month (ties at the boundary included) with no attended
-- executive meeting in the 12 months up to $as_of, largest first (at most $limit): arr, segment,
-- csm, last executive meeting ever, and whether it is on the advisory board on $as_of (its
-- sessions are not executive meetings, but a reader needs to know the account is not ignored).
-- parameters:
--   $top_n  how many of the largest accounts count as top
--   $as_of  the date measured at
--   $limit  at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with billed as (
    select c.account_id, c.mrr_usd
    from top_account_candidates([date_trunc('month', $as_of::date)::date], $top_n,
                                $segments::varchar[], $regions::varchar[], $plans::varchar[]) c
),
ranked as (
    -- the top $top_n with ties: at least the $top_n-th largest mrr (a bounded heap), ranked
    -- among themselves (every account above one of them is one of them)
    select account_id, 12 * mrr_usd as arr_usd,
        rank() over (order by mrr_usd desc) as arr_rank
    from billed
    where mrr_usd >= (select list_min(max(mrr_usd, $top_n::integer)) from billed)
),
last_meetings as (
    select e.account_id, max(e.started_on) as last_meeting_on
    from engagements e
    semi join ranked r on r.account_id = e.account_id
    where e.engagement_type = 'executive_meeting' and e.attended and e.started_on <= $as_of::date
    group by e.account_id
),
unmet as (
    select r.*, m.last_meeting_on
    from ranked r
    left join last_meetings m using (account_id)
    where (m.last_meeting_on is null
           or m.last_meeting_on < ($as_of::date - to_months(exec_meeting_months()))::date)
),
members as (
    select distinct c.account_id
    from cab_memberships c
    semi join unmet u on u.account_id = c.account_id
    where c.joined_on <= $as_of::date and (c.left_on is null or c.left_on >= $as_of::date)
),
final as (
    select u.account_id, a.account_name, a.segment, a.region, u.arr_rank, u.arr_usd,
        u.last_meeting_on, e.employee_name as csm_name, a.renewal_date,
        m.account_id is not null as is_cab_member
    from unmet u
    join accounts a using (account_id)
    left join employees e on e.employee_id = a.csm_employee_id
    left join members m on m.account_id = u.account_id
)
select * from final
order by arr_rank, account_id
limit $limit
