-- the accounts whose 12-month churn chance is above $level_pct in the month scored
-- the month the churn model scored is the data's last month.
-- one row per account: its chance from the stored churn model with the 95% range, in percent,
-- and its arr that month; highest chance first. no row when the model scored no account (it
-- failed its checks): read churn_model_checks for why.
-- parameters:
--   $level_pct      the churn chance, in percent, an account's chance must be above
--   $as_of_month    the month scored (the data's last month)
-- scope: account
-- sensitive: account_name (account)
with final as (
    select r.account_id, a.account_name, r.month, r.arr_usd,
        100 * r.churn_probability_12m as churn_risk_pct,
        100 * r.churn_probability_low_12m as churn_risk_low_pct,
        100 * r.churn_probability_high_12m as churn_risk_high_pct
    from account_churn_risk r
    join accounts a using (account_id)
    where r.month = $as_of_month::date
      and 100 * r.churn_probability_12m > $level_pct::double
)
select * from final
order by churn_risk_pct desc, account_id
