-- every month of data without revenue, oldest first: first start month to as-of month
-- (the accounts' own dates stand in for billed months; account_lifetimes)
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select unnest(generate_series(min(data_first_month), max(data_last_month),
                                  interval 1 month))::date as month
    from account_lifetimes
    having count(*) > 0
)
select * from final
order by month
