-- the accounts behind one step of a period's revenue bridge
-- each account whose revenue moved the chosen way between $opening_month and $closing_month
-- (churn, contraction, expansion or new), with
-- its arr then and now, the change, and for churned accounts the churn date (its last churn in
-- the period, account_churn_events: the one churn definition) and the reason on record; the
-- largest changes first. the totals of the whole movement (before $limit) ride on every row,
-- so a page can show that the list adds up to the bridge's step.
-- parameters:
--   $movement       churn, contraction, expansion or new
--   $opening_month  the month the period opens at (the month before its first)
--   $closing_month  the period's last month
--   $limit          at most this many accounts
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with moved as (
    select m.account_id, m.segment, 12 * m.opening_mrr_usd as arr_then_usd,
        12 * m.closing_mrr_usd as arr_now_usd,
        12 * (m.closing_mrr_usd - m.opening_mrr_usd) as arr_change_usd
    from window_movements($opening_month::date, $closing_month::date) m
    where m.movement = $movement
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   m.segment, m.region, m.plan)
),
totals as (
    select count(*) as movement_accounts, sum(arr_change_usd) as movement_arr_change_usd
    from moved
),
listed as (
    select *
    from moved
    order by abs(arr_change_usd) desc, account_id
    limit $limit
),
churned as (
    select account_id, max(churned_on) as churned_on
    from account_churn_events
    where account_id in (select account_id from listed)
      and churned_on between $opening_month::date and last_day($closing_month::date)
    group by account_id
),
final as (
    select l.account_id, a.account_name, l.segment, l.arr_then_usd, l.arr_now_usd,
        l.arr_change_usd, c.churned_on, a.churn_reason, t.movement_accounts,
        t.movement_arr_change_usd
    from listed l
    join accounts a using (account_id)
    left join churned c using (account_id)
    cross join totals t
)
select * from final
order by abs(arr_change_usd) desc, account_id
