-- rollup: the rows of account_health_monthly for its latest month, which the Health page opens
-- on (health_summary and health_accounts read it through the health_month macro), so that month
-- does not scan every account-month: the big table is stored unsorted (see 03).
-- reads: account_health_monthly
-- writes: account_health_latest
create or replace table account_health_latest as
with final as (
    select *
    from account_health_monthly
    where month = (select max(month) from account_health_monthly)
)
select * from final;
