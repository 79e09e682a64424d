-- executive face-to-face coverage of the top $top_n accounts by arr, per month
-- at each of $end_months (ties at the boundary included), split met / not met (met = an attended
-- executive_meeting in the 12 months up to the month's last day, or $as_of if earlier; a meeting
-- exactly 12 months before counts), with logo churn and nrr over the following 12 months where the
-- data has them.
-- parameters:
--   $top_n       how many of the largest accounts count as top
--   $end_months  the months measured (a list)
--   $as_of       the date of the data, if before a month's last day: meetings count up to it
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with points as (
    select distinct unnest($end_months::date[]) as snapshot_month
),
bounds as (
    select snapshot_month,
        least(last_day(snapshot_month), $as_of::date) as reference_date,
        (snapshot_month + to_months(exec_outcome_months()))::date as outcome_month,
        (snapshot_month + to_months(exec_outcome_months()))::date
            <= date_trunc('month', $as_of::date) as has_outcome
    from points
),
billed as (
    select b.*, c.account_id, c.mrr_usd, c.mrr_12m_later_usd
    from top_account_candidates($end_months, $top_n, $segments::varchar[], $regions::varchar[],
                                $plans::varchar[]) c
    join bounds b on b.snapshot_month = c.month
),
thresholds as (
    -- the $top_n-th largest mrr of each month, from a bounded heap: an account is in the top
    -- $top_n with ties (rank <= $top_n) exactly when its mrr is at least this
    select snapshot_month, list_min(max(mrr_usd, $top_n::integer)) as threshold_mrr_usd
    from billed
    group by snapshot_month
),
top_accounts as (
    select b.*
    from billed b
    join thresholds t using (snapshot_month)
    where b.mrr_usd >= t.threshold_mrr_usd
),
met as (
    select distinct t.snapshot_month, t.account_id
    from top_accounts t
    join engagements e
        on e.account_id = t.account_id
       and e.engagement_type = 'executive_meeting'
       and e.attended
       and e.started_on between (t.reference_date - to_months(exec_meeting_months()))::date
                           and t.reference_date
),
outcomes as (
    select t.*, m.account_id is not null as is_met,
        coalesce(t.mrr_12m_later_usd, 0) as outcome_mrr_usd,
        revenue_movement(true, t.mrr_usd, coalesce(t.mrr_12m_later_usd, 0)) = 'churn' as is_churned
    from top_accounts t
    left join met m using (snapshot_month, account_id)
),
final as (
    select
        snapshot_month,
        is_met,
        count(*) as accounts,
        12 * sum(mrr_usd) as arr_usd,
        any_value(has_outcome) as has_outcome,
        case when any_value(has_outcome)
             then count(*) filter (where is_churned) end as churned_within_12m,
        case when any_value(has_outcome)
             then 100 * count(*) filter (where is_churned) / count(*) end
            as churn_within_12m_pct,
        case when any_value(has_outcome) then 100 * sum(outcome_mrr_usd) / nullif(sum(mrr_usd), 0) end
            as nrr_12m_pct
    from outcomes
    group by snapshot_month, is_met
)
select * from final
order by snapshot_month, is_met desc
