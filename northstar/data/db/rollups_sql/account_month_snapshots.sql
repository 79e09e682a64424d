-- rollup: one row per account and month from its first billed month through the month after
-- its last (the churn month), up to the data's last month, with the revenue movement
-- (opening, new, expansion, contraction, flat, churn, reactivation, inactive: revenue_movement
-- of the month against the one before), and whether the
-- month is billed (a revenue row above $0) (months between two billed months are filled in at zero mrr).
-- stored in month order, so a query for a few months (window_movements, executive coverage)
-- reads only those months' row groups; accounts in order within a month, so one account's
-- history (account 360) reads one row group per month instead of comparing every row's id.
-- reads: account_mrr_monthly, accounts, dataset_metadata
-- writes: account_month_snapshots
create or replace table account_month_snapshots as
with bounds as (
    select date_trunc('month', value::date)::date as last_month
    from dataset_metadata where key = 'as_of_date'
),
spans as (
    select m.account_id, min(m.month) as first_month,
        least(max(m.month) + interval 1 month, any_value(b.last_month))::date as through_month
    from account_mrr_monthly m cross join bounds b
    where is_billed(m.mrr_usd)
    group by m.account_id
),
months as (
    select account_id, unnest(generate_series(first_month, through_month, interval 1 month))::date as month
    from spans
),
filled as (
    select s.account_id, s.month, coalesce(m.mrr_usd, 0)::double as mrr_usd,
        -- a month billed at $0 is the same as a month without a row, at either end of a period
        coalesce(is_billed(m.mrr_usd), false) as has_revenue_row
    from months s
    left join account_mrr_monthly m using (account_id, month)
),
with_previous as (
    select *,
        coalesce(lag(mrr_usd) over (partition by account_id order by month), 0) as previous_mrr_usd,
        row_number() over (partition by account_id order by month) = 1 as is_first_month
    from filled
),
final as (
    select
        p.account_id, p.month, p.mrr_usd, p.previous_mrr_usd, p.has_revenue_row,
        case
            -- first month in the data of an account that started earlier: an opening balance
            when p.is_first_month and date_trunc('month', a.start_date) < p.month then 'opening'
            -- else new in its first month (billed, after none), and after it a month against
            -- the month before, where an account billed again had been billed: a reactivation
            else revenue_movement(is_billed(p.previous_mrr_usd), p.previous_mrr_usd, p.mrr_usd,
                                  is_return := not p.is_first_month)
        end as movement,
        a.segment, a.region, a.plan, a.acquisition_channel,
        date_trunc('month', a.start_date)::date as cohort_month
    from with_previous p
    join accounts a using (account_id)
)
select * from final
order by month, account_id;
