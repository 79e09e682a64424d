-- the accounts behind the churn model's calibration landmarks: for the calibration's design
-- effect (an account's landmark months share one future, so they are not independent)
-- one row: the landmark account-months and the different accounts among them.
-- parameters:
--   $from_month, $through_month  the landmark months
-- scope: aggregate
-- sensitive: none
with final as (
    select count(*)::bigint as landmarks, count(distinct account_id)::bigint as accounts
    from account_driver_exposures
    where month between $from_month::date and $through_month::date
)
select * from final;
