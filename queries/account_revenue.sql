-- one account's monthly arr history with the movement each month
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: none
with final as (
    select month, 12 * mrr_usd as arr_usd, 12 * (mrr_usd - previous_mrr_usd) as arr_change_usd, movement
    from account_month_snapshots
    where account_id = $account_id
)
select * from final
order by month
