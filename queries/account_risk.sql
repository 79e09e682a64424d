-- one account's churn risk from the stored churn model, in the data's last month
-- at most one row: its chance of churning in the next 12 months with the 95% range, arr at risk
-- (arr x that chance) with its range, and its main reasons (driver ids, most first) with the arr
-- at risk each adds. no row when the account was not billed in the last month.
-- parameters:
--   $account_id  the account
-- scope: account
-- sensitive: none
with final as (
    select account_id, month, arr_usd,
        100 * churn_probability_12m as churn_risk_pct,
        100 * churn_probability_low_12m as churn_risk_low_pct,
        100 * churn_probability_high_12m as churn_risk_high_pct,
        arr_at_risk_usd, arr_at_risk_low_usd, arr_at_risk_high_usd,
        reasons, reason_arr_at_risk_usd
    from account_churn_risk
    where account_id = $account_id
)
select * from final
