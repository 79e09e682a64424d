-- kaplan-meier survival by segment: share of accounts still customers k months after their start, for accounts that started inside the data (first churn ends survival; still-active accounts are censored at the data's last month); filters $segments, $regions, $plans.
with bounds as (
    select max(month) as last_month from account_month_snapshots
),
starts as (
    select s.account_id, s.month as start_month, a.segment
    from account_month_snapshots s
    join scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) a
        using (account_id)
    where s.movement = 'new'
),
first_churn as (
    select account_id, min(month) as churn_month
    from account_month_snapshots where movement = 'churn'
    group by account_id
),
durations as (
    select st.segment,
        datediff('month', st.start_month, coalesce(fc.churn_month, b.last_month + interval 1 month))
            as months_observed,
        fc.churn_month is not null as churned
    from starts st
    cross join bounds b
    left join first_churn fc using (account_id)
),
event_table as (
    select segment, months_observed as age_months,
        count(*) filter (where churned) as churned_accounts,
        count(*) as leaving_accounts
    from durations
    group by all
),
at_risk as (
    select segment, age_months, churned_accounts,
        sum(leaving_accounts) over (partition by segment order by age_months desc
                                    rows between unbounded preceding and current row) as accounts_at_risk
    from event_table
),
curve as (
    select segment, age_months, accounts_at_risk, churned_accounts,
        case
            -- everyone left at risk churned at some age: the curve is zero from there on
            when sum((churned_accounts = accounts_at_risk)::int)
                     over (partition by segment order by age_months) > 0 then 0.0
            else 100 * exp(sum(ln(1 - churned_accounts / accounts_at_risk))
                           over (partition by segment order by age_months))
        end as surviving_pct
    from at_risk
),
final as (
    -- every curve starts at 100% at age 0
    select segment, 0 as age_months, count(*) as accounts_at_risk, 0 as churned_accounts,
        100.0 as surviving_pct
    from durations group by segment
    union all
    select * from curve
)
select * from final
order by segment, age_months
