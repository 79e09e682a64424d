-- every month that has recurring revenue in the data, oldest first; no parameters.
with final as (
    select distinct month from account_mrr_monthly
)
select * from final
order by month
