-- rollup: revenue movement tallies of every window of the lengths the period filter offers
-- ({{period_months}} months, rules.py, in slots 1-4, and the year-to-date length of the data's
-- last month in slot 5), ending in each month,
-- per segment, region and plan. kpi_windows sums these instead of pairing every account's
-- opening and closing revenue at query time.
-- the rule is window_movements' (each account's movement is revenue_movement's, with its
-- retained, expansion, contraction and churned mrr, macros_sql/rules.sql): an account is in a window when it has a revenue row in the
-- window's opening month (the month before it) or in its last month; "at opening" means a
-- revenue row in the opening month, even at zero mrr. per window:
--   closing / opening mrr        revenue rows of the last / opening month
--   new mrr                      closing mrr of accounts without a revenue row at opening
--   gross retained mrr           least(opening, closing) over the accounts at opening
--   expansion / contraction mrr  closing above / below opening, accounts at opening still billed
--   churned mrr / accounts       accounts at opening with no revenue in the last month
--   opening / active accounts    revenue rows at opening / revenue rows above zero at the end
-- (net retained = gross retained + expansion.) each month's revenue l months later and whether
-- there was a revenue row l months before come from the shared window pass
-- (account_month_signals, 02), over the contiguous months of account_month_snapshots.
-- reads: account_lifetimes, account_month_signals, account_mrr_monthly
-- writes: revenue_window_tallies
create or replace table revenue_window_tallies as
with slots as (
    select * from tallied_window_lengths()
),
monthly as (
    -- per month and account group: as an opening month (kept, lost) and as a last month (new)
    select month, segment, region, plan,
        sum(mrr_usd) as mrr_usd,
        count(*) as revenue_rows,
        count(*) filter (where is_billed(mrr_usd)) as active_accounts,
        -- as an opening month: the revenue_movement of each window length's mrr against this
        -- month's (the row is billed here, so at the opening)
        sum(retained_mrr(mrr_usd, mrr_later_1_usd)) as kept_1_mrr_usd,
        sum(retained_mrr(mrr_usd, mrr_later_2_usd)) as kept_2_mrr_usd,
        sum(retained_mrr(mrr_usd, mrr_later_3_usd)) as kept_3_mrr_usd,
        sum(retained_mrr(mrr_usd, mrr_later_4_usd)) as kept_4_mrr_usd,
        sum(retained_mrr(mrr_usd, mrr_ytd_months_later_usd)) as kept_5_mrr_usd,
        sum(expansion_mrr(mrr_usd, mrr_later_1_usd)) as expansion_1_mrr_usd,
        sum(expansion_mrr(mrr_usd, mrr_later_2_usd)) as expansion_2_mrr_usd,
        sum(expansion_mrr(mrr_usd, mrr_later_3_usd)) as expansion_3_mrr_usd,
        sum(expansion_mrr(mrr_usd, mrr_later_4_usd)) as expansion_4_mrr_usd,
        sum(expansion_mrr(mrr_usd, mrr_ytd_months_later_usd)) as expansion_5_mrr_usd,
        sum(contraction_mrr(mrr_usd, mrr_later_1_usd)) as contraction_1_mrr_usd,
        sum(contraction_mrr(mrr_usd, mrr_later_2_usd)) as contraction_2_mrr_usd,
        sum(contraction_mrr(mrr_usd, mrr_later_3_usd)) as contraction_3_mrr_usd,
        sum(contraction_mrr(mrr_usd, mrr_later_4_usd)) as contraction_4_mrr_usd,
        sum(contraction_mrr(mrr_usd, mrr_ytd_months_later_usd)) as contraction_5_mrr_usd,
        sum(churned_mrr(mrr_usd, mrr_later_1_usd)) as lost_1_mrr_usd,
        sum(churned_mrr(mrr_usd, mrr_later_2_usd)) as lost_2_mrr_usd,
        sum(churned_mrr(mrr_usd, mrr_later_3_usd)) as lost_3_mrr_usd,
        sum(churned_mrr(mrr_usd, mrr_later_4_usd)) as lost_4_mrr_usd,
        sum(churned_mrr(mrr_usd, mrr_ytd_months_later_usd)) as lost_5_mrr_usd,
        count(*) filter (where revenue_movement(true, mrr_usd, mrr_later_1_usd) = 'churn')
            as lost_1_accounts,
        count(*) filter (where revenue_movement(true, mrr_usd, mrr_later_2_usd) = 'churn')
            as lost_2_accounts,
        count(*) filter (where revenue_movement(true, mrr_usd, mrr_later_3_usd) = 'churn')
            as lost_3_accounts,
        count(*) filter (where revenue_movement(true, mrr_usd, mrr_later_4_usd) = 'churn')
            as lost_4_accounts,
        count(*) filter (where revenue_movement(true, mrr_usd, mrr_ytd_months_later_usd) = 'churn')
            as lost_5_accounts,
        -- as a last month: new when not billed that many months before
        sum(mrr_usd) filter (where revenue_movement(had_revenue_row_before_1, null, mrr_usd) = 'new')
            as new_1_mrr_usd,
        sum(mrr_usd) filter (where revenue_movement(had_revenue_row_before_2, null, mrr_usd) = 'new')
            as new_2_mrr_usd,
        sum(mrr_usd) filter (where revenue_movement(had_revenue_row_before_3, null, mrr_usd) = 'new')
            as new_3_mrr_usd,
        sum(mrr_usd) filter (where revenue_movement(had_revenue_row_before_4, null, mrr_usd) = 'new')
            as new_4_mrr_usd,
        sum(mrr_usd) filter (where revenue_movement(had_revenue_row_ytd_months_before, null, mrr_usd) = 'new')
            as new_5_mrr_usd
    from account_month_signals
    where has_revenue_row
    group by month, segment, region, plan
),
by_length as (
    select s.window_months, s.last_month, m.month, m.segment, m.region, m.plan,
        m.mrr_usd, m.revenue_rows, m.active_accounts,
        [kept_1_mrr_usd, kept_2_mrr_usd, kept_3_mrr_usd, kept_4_mrr_usd, kept_5_mrr_usd][s.slot]
            as kept_mrr_usd,
        [expansion_1_mrr_usd, expansion_2_mrr_usd, expansion_3_mrr_usd, expansion_4_mrr_usd,
         expansion_5_mrr_usd][s.slot] as expansion_mrr_usd,
        [contraction_1_mrr_usd, contraction_2_mrr_usd, contraction_3_mrr_usd,
         contraction_4_mrr_usd, contraction_5_mrr_usd][s.slot] as contraction_mrr_usd,
        [lost_1_mrr_usd, lost_2_mrr_usd, lost_3_mrr_usd, lost_4_mrr_usd, lost_5_mrr_usd][s.slot]
            as lost_mrr_usd,
        [lost_1_accounts, lost_2_accounts, lost_3_accounts, lost_4_accounts,
         lost_5_accounts][s.slot] as lost_accounts,
        [new_1_mrr_usd, new_2_mrr_usd, new_3_mrr_usd, new_4_mrr_usd, new_5_mrr_usd][s.slot]
            as new_mrr_usd
    from monthly m
    cross join slots s
),
closing_side as (
    select window_months, month as window_end_month, segment, region, plan,
        mrr_usd as closing_mrr_usd, active_accounts, new_mrr_usd
    from by_length
),
opening_side as (
    -- only windows that end by the data's last month
    select window_months, (month + to_months(window_months))::date as window_end_month,
        segment, region, plan,
        mrr_usd as opening_mrr_usd, revenue_rows as opening_accounts,
        kept_mrr_usd as gross_retained_mrr_usd, expansion_mrr_usd, contraction_mrr_usd,
        lost_mrr_usd as churned_mrr_usd,
        lost_accounts as churned_accounts
    from by_length
    where month + to_months(window_months) <= last_month
),
final as (
    select window_months::integer as window_months, window_end_month, segment, region, plan,
        coalesce(c.closing_mrr_usd, 0) as closing_mrr_usd,
        coalesce(o.opening_mrr_usd, 0) as opening_mrr_usd,
        coalesce(c.new_mrr_usd, 0) as new_mrr_usd,
        coalesce(o.gross_retained_mrr_usd, 0) as gross_retained_mrr_usd,
        coalesce(o.expansion_mrr_usd, 0) as expansion_mrr_usd,
        coalesce(o.contraction_mrr_usd, 0) as contraction_mrr_usd,
        coalesce(o.churned_mrr_usd, 0) as churned_mrr_usd,
        coalesce(o.opening_accounts, 0)::integer as opening_accounts,
        coalesce(o.churned_accounts, 0)::integer as churned_accounts,
        coalesce(c.active_accounts, 0)::integer as active_accounts
    from closing_side c
    full join opening_side o using (window_months, window_end_month, segment, region, plan)
)
select * from final;

-- without revenue (no row in account_mrr_monthly, so nothing above): the same windows' account
-- counts from the accounts' own dates (account_lifetimes): a customer from its start month
-- through the month of its churn date, churned in the window when it was a customer in the
-- opening month and gone by the last. every dollar column is null: unknown, never $0.
insert into revenue_window_tallies
with slots as (
    select * from tallied_window_lengths()
),
lifetimes as (
    select * from account_lifetimes
    where not exists (select 1 from account_mrr_monthly)
),
months as (
    select unnest(generate_series(min(data_first_month), max(data_last_month),
                                  interval 1 month))::date as month
    from lifetimes
),
groups as (
    select distinct segment, region, plan from lifetimes
),
customers as (
    select m.month, l.segment, l.region, l.plan, count(*) as accounts
    from lifetimes l
    join months m on m.month >= l.cohort_month and (l.gone_month is null or m.month < l.gone_month)
    group by all
),
churned as (
    select s.window_months, m.month as window_end_month, l.segment, l.region, l.plan,
        count(*) as accounts
    from lifetimes l
    cross join slots s
    join months m
        on l.gone_month <= m.month and l.gone_month > m.month - to_months(s.window_months)
    where l.cohort_month <= m.month - to_months(s.window_months)
    group by all
),
final as (
    select s.window_months::integer as window_months, m.month as window_end_month,
        g.segment, g.region, g.plan,
        null as closing_mrr_usd, null as opening_mrr_usd, null as new_mrr_usd,
        null as gross_retained_mrr_usd, null as expansion_mrr_usd, null as contraction_mrr_usd,
        null as churned_mrr_usd,
        coalesce(o.accounts, 0)::integer as opening_accounts,
        coalesce(ch.accounts, 0)::integer as churned_accounts,
        coalesce(c.accounts, 0)::integer as active_accounts
    from slots s
    cross join months m
    cross join groups g
    left join customers c
        on c.month = m.month and (c.segment, c.region, c.plan) = (g.segment, g.region, g.plan)
    left join customers o
        on o.month = m.month - to_months(s.window_months)
       and (o.segment, o.region, o.plan) = (g.segment, g.region, g.plan)
    left join churned ch
        on ch.window_months = s.window_months and ch.window_end_month = m.month
       and (ch.segment, ch.region, ch.plan) = (g.segment, g.region, g.plan)
    where o.accounts is not null or c.accounts is not null
)
select * from final;
