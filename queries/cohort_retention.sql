-- cohort retention: one row per start cohort and age
-- per start cohort and age (in the same unit): cohort size, starting mrr, members active and their
-- mrr, logo and revenue retention; only cohorts that start inside the data and ages already
-- observed.
-- added up from the cohort_month_tallies rollup (members by start month and age in months).
-- parameters:
--   $cohort_grain  'month' or 'quarter': the unit of cohorts and ages
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with tallies as (
    select start_month, age_months,
        sum(members)::bigint as members,
        sum(starting_mrr_usd) as starting_mrr_usd,
        sum(active_accounts)::bigint as active_accounts,
        sum(mrr_usd) as mrr_usd
    from cohort_month_tallies
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by start_month, age_months
),
bounds as (
    select any_value(data_first_month) as first_month, any_value(data_last_month) as last_month
    from cohort_month_tallies
),
grain as (
    select case when $cohort_grain = 'quarter' then 3 else 1 end as months_per_age
),
members as (
    -- start months with members (accounts whose first billed month is their start month)
    select start_month, members, starting_mrr_usd,
        date_trunc(case when $cohort_grain = 'quarter' then 'quarter' else 'month' end,
                   start_month)::date as cohort_start
    from tallies
    where age_months = 0 and members > 0
),
cohorts as (
    select m.cohort_start, sum(m.members)::bigint as cohort_size,
        sum(m.starting_mrr_usd) as starting_mrr_usd,
        max(m.start_month) as last_member_start
    from members m cross join bounds b
    -- a cohort that began before the data does not hold all its members: left out
    where m.cohort_start >= b.first_month
    group by m.cohort_start
),
ages as (
    -- every age at which the cohort's youngest member has been observed
    select c.*, unnest(range(0, 1 + datediff('month', c.last_member_start, b.last_month)
        // g.months_per_age)) as age
    from cohorts c cross join bounds b cross join grain g
),
activity as (
    select a.cohort_start, a.age,
        coalesce(sum(t.active_accounts), 0)::bigint as active_accounts,
        coalesce(sum(t.mrr_usd), 0) as mrr_usd
    from ages a
    cross join grain g
    join members m using (cohort_start)
    left join tallies t
        on t.start_month = m.start_month
       and t.age_months = a.age * g.months_per_age
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
