-- demo revenue: one mrr row per account-month through the last month (08_churn removes the
-- months after an account churns); expansion and contraction steps depend on the latent traits
-- (exposed accounts contract more, healthy ones expand more).
create or replace temp table _acct_month as
with spans as (
    select n, account_id, segment, first_window_month,
        getvariable('last_month')::date as last_active_month,
        is_slow_support, is_poor_onboarding, is_exec_covered, is_unhappy, is_cab_member,
        (is_slow_support::int + is_poor_onboarding::int + (not is_exec_covered)::int
            + is_unhappy::int) as exposure_count,
        opening_mrr_usd
    from _acct
),
months as (
    select s.*, unnest(generate_series(first_window_month, last_active_month, interval 1 month))::date
        as month
    from spans s
),
final as (
    select *, datediff('month', getvariable('window_start'), month) as month_index
    from months
)
select * from final;

insert into account_mrr_monthly
with steps as (
    select account_id, month, opening_mrr_usd, month_index,
        first_window_month,
        rnd(n, month_index, 'mrr_step') as u_step,
        rnd(n, month_index, 'mrr_size') as u_size,
        0.030 * case when segment = 'SMB' then 0.7 else 1.2 end
              * case when exposure_count = 0 then 1.4 else 1 end
              * case when is_cab_member then 1.5 else 1 end as p_expand,
        0.010 * (1 + 0.6 * exposure_count) as p_contract
    from _acct_month
),
log_factors as (
    select account_id, month, opening_mrr_usd,
        case
            when month = first_window_month then 0
            when u_step < p_expand then ln(1.05 + 0.30 * u_size)
            when u_step < p_expand + p_contract then ln(0.95 - 0.30 * u_size)
            else 0
        end as log_factor
    from steps
),
final as (
    select account_id, month,
        round(opening_mrr_usd * exp(sum(log_factor) over (
            partition by account_id order by month rows unbounded preceding)), 2)::decimal(14, 2)
            as mrr_usd
    from log_factors
)
select * from final;
