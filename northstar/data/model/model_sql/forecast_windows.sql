-- revenue forecast: what the ARR held at each quarter-end month did over the next 1 to 4
-- quarters. one row per start month (a quarter-end month: March, June, September, December)
-- and quarters ahead (1-4) whose end month is in the data: the accounts billed in the start
-- month and their ARR then; how many of them have no revenue in the end month (churned) and
-- their ARR at the start; the retained accounts' ARR at the start, and their expansion and
-- contraction by the end month (each retained account's ARR then against its ARR at the start);
-- the ARR of all of them in the end month. the forecast's actuals (NRR, GRR, logo churn) and its
-- expansion and contraction rates both come from here.
-- parameters:
--   $quarters  the quarters ahead (4)
-- scope: aggregate
-- sensitive: none
with bounds as (
    select max(month) as last_month from account_month_snapshots
),
starts as (
    select account_id, month as start_month, 12 * mrr_usd as start_arr
    from account_month_snapshots
    where is_billed(mrr_usd) and month(month) in (3, 6, 9, 12)
),
ahead as (
    select unnest(generate_series(1, $quarters::integer)) as quarters_ahead
),
paired as (
    select s.start_month, q.quarters_ahead, s.account_id, s.start_arr,
        (s.start_month + to_months(3 * q.quarters_ahead))::date as end_month
    from starts s cross join ahead q cross join bounds b
    where s.start_month + to_months(3 * q.quarters_ahead) <= b.last_month
),
ended as (
    select p.*, coalesce(case when is_billed(e.mrr_usd) then 12 * e.mrr_usd end, 0) as end_arr
    from paired p
    left join account_month_snapshots e
        on e.account_id = p.account_id and e.month = p.end_month
),
final as (
    select start_month, quarters_ahead, any_value(end_month) as end_month,
        count(*) as opening_accounts, sum(start_arr) as opening_arr_usd,
        count(*) filter (where end_arr = 0) as churned_accounts,
        coalesce(sum(start_arr) filter (where end_arr = 0), 0) as churned_arr_usd,
        coalesce(sum(start_arr) filter (where end_arr > 0), 0) as retained_start_arr_usd,
        coalesce(sum(greatest(end_arr - start_arr, 0)) filter (where end_arr > 0), 0)
            as expansion_arr_usd,
        coalesce(sum(greatest(start_arr - end_arr, 0)) filter (where end_arr > 0), 0)
            as contraction_arr_usd,
        sum(end_arr) as ending_arr_usd
    from ended
    group by start_month, quarters_ahead
)
select * from final
order by start_month, quarters_ahead;
