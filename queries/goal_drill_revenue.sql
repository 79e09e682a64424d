-- the accounts behind new or expansion arr in one period, largest arr change first
-- accounts in scope whose revenue movement from $opening_month to $closing_month is $movement; at
-- most $limit rows, with the total.
-- parameters:
--   $opening_month  the month the period opens at
--   $closing_month  the month the period closes at
--   $movement       'new' or 'expansion'
--   $limit          at most this many rows
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with moves as (
    select m.*
    from window_movements($opening_month::date, $closing_month::date) m
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[], m.segment, m.region, m.plan)
      and m.movement = $movement
),
final as (
    select m.account_id, a.account_name, m.segment, m.plan,
        12 * m.opening_mrr_usd as opening_arr_usd, 12 * m.closing_mrr_usd as closing_arr_usd,
        12 * (m.closing_mrr_usd - m.opening_mrr_usd) as change_arr_usd,
        count(*) over () as total_rows
    from moves m
    join accounts a using (account_id)
)
select * from final
order by change_arr_usd desc, account_id
limit $limit
