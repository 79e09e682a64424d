-- kaplan-meier survival by segment
-- share of accounts still customers k months after their start, for accounts that started inside
-- the data (first churn ends survival; still-active accounts are censored at the data's last
-- month).
-- parameters:
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with event_table as (
    -- ages at which accounts left observation, summed from the survival_event_tallies rollup
    select segment, age_months,
        sum(churned_accounts)::bigint as churned_accounts,
        sum(leaving_accounts)::bigint as leaving_accounts
    from survival_event_tallies
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
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
    select segment, 0 as age_months, sum(leaving_accounts)::bigint as accounts_at_risk,
        0 as churned_accounts, 100.0 as surviving_pct
    from event_table group by segment
    union all
    select * from curve
)
select * from final
order by segment, age_months
