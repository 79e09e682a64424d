-- cohort retention: per start cohort ($cohort_grain 'month' or 'quarter') and age (in the same unit), cohort size, starting mrr, members active and their mrr, logo and revenue retention; only cohorts that start inside the data and ages already observed; filters $segments, $regions, $plans.
with bounds as (
    select min(month) as first_month, max(month) as last_month from account_month_snapshots
),
members as (
    -- accounts whose first billed month is their start month (started inside the data)
    select s.account_id, s.month as start_month, s.mrr_usd as starting_mrr_usd,
        date_trunc(case when $cohort_grain = 'quarter' then 'quarter' else 'month' end, s.month)::date
            as cohort_start
    from account_month_snapshots s
    where account_in_scope(s.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and s.movement = 'new'
),
cohorts as (
    select m.cohort_start, count(*) as cohort_size, sum(m.starting_mrr_usd) as starting_mrr_usd,
        max(m.start_month) as last_member_start
    from members m cross join bounds b
    -- a cohort that began before the data does not hold all its members: left out
    where m.cohort_start >= b.first_month
    group by m.cohort_start
),
ages as (
    -- every age at which the cohort's youngest member has been observed
    select c.*, unnest(range(0, 1 + datediff('month', c.last_member_start, b.last_month)
        // case when $cohort_grain = 'quarter' then 3 else 1 end)) as age
    from cohorts c cross join bounds b
),
activity as (
    select m.cohort_start, a.age,
        count(s.account_id) filter (where s.mrr_usd > 0) as active_accounts,
        coalesce(sum(s.mrr_usd), 0) as mrr_usd
    from ages a
    join members m using (cohort_start)
    left join account_month_snapshots s
        on s.account_id = m.account_id
       and s.month = m.start_month
           + to_months(a.age * case when $cohort_grain = 'quarter' then 3 else 1 end)
    group by all
),
final as (
    select
        c.cohort_start, c.cohort_size, c.starting_mrr_usd, a.age,
        a.active_accounts, a.mrr_usd,
        100 * a.active_accounts / c.cohort_size as logo_retention_pct,
        100 * a.mrr_usd / nullif(c.starting_mrr_usd, 0) as revenue_retention_pct
    from activity a
    join cohorts c using (cohort_start)
)
select * from final
order by cohort_start, age
