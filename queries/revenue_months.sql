-- every month that has recurring revenue in the data, oldest first
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select month from billed_months
)
select * from final
order by month
