-- rollup: the accounts that started inside the data (first billed month = start month, movement
-- 'new'), counted per start month, age in months, segment, region and plan: members (at age
-- 0) and their starting mrr, accounts billed (mrr > 0) at that age and their mrr; with the
-- first and last month of account_month_snapshots. cohort_retention adds these up into monthly
-- or quarterly cohorts instead of joining every member to every age.
-- reads: account_month_snapshots
-- writes: cohort_month_tallies
create or replace table cohort_month_tallies as
with bounds as (
    select min(month) as data_first_month, max(month) as data_last_month
    from account_month_snapshots
),
members as (
    select account_id, month as start_month
    from account_month_snapshots
    where movement = 'new'
),
aged as (
    select m.start_month, datediff('month', m.start_month, s.month) as age_months,
        s.segment, s.region, s.plan, s.mrr_usd
    from account_month_snapshots s
    join members m using (account_id)
),
final as (
    select a.start_month, a.age_months::integer as age_months, a.segment, a.region, a.plan,
        (count(*) filter (where a.age_months = 0))::integer as members,
        sum(a.mrr_usd) filter (where a.age_months = 0) as starting_mrr_usd,
        (count(*) filter (where is_billed(a.mrr_usd)))::integer as active_accounts,
        sum(a.mrr_usd) as mrr_usd,
        any_value(b.data_first_month) as data_first_month,
        any_value(b.data_last_month) as data_last_month
    from aged a
    cross join bounds b
    group by a.start_month, a.age_months, a.segment, a.region, a.plan
)
select * from final;
