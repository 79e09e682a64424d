-- churned accounts and churned arr (their arr at the opening month, as in the arr bridge) by reason and competitor, for each window of $window_months months ending at $end_months; filters $segments, $regions, $plans.
with windows as (
    select distinct unnest($end_months::date[]) as window_end_month
),
bounds as (
    select window_end_month,
        (window_end_month - to_months($window_months::integer))::date as opening_month
    from windows
),
churned as (
    select b.window_end_month, m.account_id, m.opening_mrr_usd
    from bounds b,
        lateral (from window_movements(b.opening_month, b.window_end_month)) m
    where m.movement = 'churn'
),
final as (
    select
        c.window_end_month,
        coalesce(a.churn_reason, 'Not recorded') as churn_reason,
        coalesce(a.lost_to_competitor, 'None named') as lost_to_competitor,
        count(*) as churned_accounts,
        12 * sum(c.opening_mrr_usd) as churned_arr_usd
    from churned c
    join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
        using (account_id)
    join accounts a using (account_id)
    group by all
)
select * from final
order by window_end_month, churned_arr_usd desc
