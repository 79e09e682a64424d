-- rollup: every month that has recurring revenue, with its billed accounts and mrr; read by
-- revenue_months instead of every revenue row.
-- reads: account_mrr_monthly
-- writes: billed_months
create or replace table billed_months as
with final as (
    select month, count(*) as billed_accounts, sum(mrr_usd) as mrr_usd
    from account_mrr_monthly
    group by month
)
select * from final
order by month;
