-- rollup: the accounts whose cohort month (account_lifetimes: the start month, or an earlier
-- first revenue row) is inside the data, counted per cohort month, age in months, segment,
-- region and plan: members (at age 0) and their starting mrr (at age 0, $0 included), accounts
-- that are customers at that age (with revenue: billed, mrr > 0; without: from the start
-- through the month of the churn date) and their mrr (null without revenue); with the data's
-- first and last month. cohort_retention adds these up into monthly or quarterly cohorts
-- instead of joining every member to every age.
-- reads: account_lifetimes, account_month_snapshots, account_mrr_monthly
-- writes: cohort_month_tallies
create or replace table cohort_month_tallies as
with members as (
    select account_id, cohort_month as start_month, gone_month, segment, region, plan,
        data_first_month, data_last_month
    from account_lifetimes
    where cohort_month >= data_first_month
),
member_rows as (
    select start_month, 0 as age_months, segment, region, plan,
        count(*) as members, 0 as active_accounts
    from members
    group by all
),
revenue_months as (
    -- with revenue: each member's months from its cohort month on, as billed
    select m.start_month, datediff('month', m.start_month, s.month) as age_months,
        m.segment, m.region, m.plan, s.mrr_usd
    from members m
    join account_month_snapshots s using (account_id)
    where s.month >= m.start_month
),
revenue_rows as (
    select start_month, age_months, segment, region, plan,
        sum(mrr_usd) filter (where age_months = 0) as starting_mrr_usd,
        count(*) filter (where is_billed(mrr_usd)) as active_accounts,
        sum(mrr_usd) filter (where is_billed(mrr_usd)) as mrr_usd
    from revenue_months
    group by all
),
customer_rows as (
    -- without revenue: each member is a customer from its cohort month until it is gone
    select start_month, age_months, segment, region, plan, count(*) as active_accounts
    from (
        select start_month, segment, region, plan,
            unnest(range(0, datediff('month', start_month,
                                     coalesce(gone_month, data_last_month + interval 1 month))))
                as age_months
        from members
        where not exists (select 1 from account_mrr_monthly)
    )
    group by all
),
final as (
    select start_month, age_months::integer as age_months, segment, region, plan,
        sum(members)::integer as members,
        sum(starting_mrr_usd) as starting_mrr_usd,
        sum(active_accounts)::integer as active_accounts,
        sum(mrr_usd) as mrr_usd,
        (select min(data_first_month) from members) as data_first_month,
        (select min(data_last_month) from members) as data_last_month
    from (
        select start_month, age_months, segment, region, plan, members, null as starting_mrr_usd,
            active_accounts, null as mrr_usd
        from member_rows
        union all
        select start_month, age_months, segment, region, plan, 0, starting_mrr_usd,
            active_accounts, mrr_usd
        from revenue_rows
        union all
        select start_month, age_months, segment, region, plan, 0, null, active_accounts, null
        from customer_rows
    )
    group by all
)
select * from final;
