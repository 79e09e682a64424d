-- rollup: the accounts that churned in each window of revenue_window_tallies (a revenue row in
-- the opening month, no revenue in the last), per segment, region, plan, churn reason and
-- competitor, with their opening mrr: churn_reasons sums these for the windows the tallies
-- hold. from the shared window pass (account_month_signals, 02).
-- reads: account_lifetimes, account_month_signals, account_mrr_monthly, accounts
-- writes: revenue_window_churn
create or replace table revenue_window_churn as
with slots as (
    select * from tallied_window_lengths()
),
by_slot as (
    -- each billed month as an opening month: whether the revenue_movement to each window
    -- length's last month is churn
    select account_id, month, segment, region, plan, mrr_usd,
        [revenue_movement(true, mrr_usd, mrr_later_1_usd) = 'churn',
         revenue_movement(true, mrr_usd, mrr_later_2_usd) = 'churn',
         revenue_movement(true, mrr_usd, mrr_later_3_usd) = 'churn',
         revenue_movement(true, mrr_usd, mrr_later_4_usd) = 'churn',
         revenue_movement(true, mrr_usd, mrr_ytd_months_later_usd) = 'churn'] as churned_by_slot
    from account_month_signals
    where has_revenue_row
),
churning as (
    -- opening months after which the revenue stopped for at least one window length
    select * from by_slot
    where list_bool_or(churned_by_slot)
),
windows as (
    select s.window_months, (c.month + to_months(s.window_months))::date as window_end_month,
        c.account_id, c.segment, c.region, c.plan, c.mrr_usd
    from churning c
    cross join slots s
    where c.churned_by_slot[s.slot] and c.month + to_months(s.window_months) <= s.last_month
),
final as (
    select w.window_months::integer as window_months, w.window_end_month,
        w.segment, w.region, w.plan,
        coalesce(a.churn_reason, 'Not recorded') as churn_reason,
        coalesce(a.lost_to_competitor, 'None named') as lost_to_competitor,
        count(*)::integer as churned_accounts,
        sum(w.mrr_usd) as churned_mrr_usd
    from windows w
    join accounts a using (account_id)
    group by all
)
select * from final;

-- without revenue: the accounts that churned in each window by their own dates (as
-- revenue_window_tallies counts them, 06), with no dollars (null, never $0)
insert into revenue_window_churn
with slots as (
    select * from tallied_window_lengths()
),
lifetimes as (
    select * from account_lifetimes
    where not exists (select 1 from account_mrr_monthly)
      and gone_month is not null
),
months as (
    select unnest(generate_series(min(data_first_month), max(data_last_month),
                                  interval 1 month))::date as month
    from account_lifetimes
),
final as (
    select s.window_months::integer as window_months, m.month as window_end_month,
        l.segment, l.region, l.plan,
        coalesce(a.churn_reason, 'Not recorded') as churn_reason,
        coalesce(a.lost_to_competitor, 'None named') as lost_to_competitor,
        count(*)::integer as churned_accounts,
        null as churned_mrr_usd
    from lifetimes l
    join accounts a using (account_id)
    cross join slots s
    join months m
        on l.gone_month <= m.month and l.gone_month > m.month - to_months(s.window_months)
    where l.cohort_month <= m.month - to_months(s.window_months)
    group by all
)
select * from final;
