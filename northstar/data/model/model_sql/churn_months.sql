-- the months with churn: for the churn model's checks
-- one row per billed month whose next month had an account's revenue stop: the month and the
-- churn events in it.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select month, (count(*) filter (where churned_next_month))::integer as churn_events
    from account_driver_exposures
    group by month
    having count(*) filter (where churned_next_month) > 0
)
select * from final
order by month;
