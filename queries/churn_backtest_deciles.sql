-- the churn model's backtest by decile: predicted against observed churn
-- one row per score ('model', 'health') and decile of its predicted chance (1 = lowest): accounts,
-- how many churned within 12 months, the mean predicted chance and the observed churn, in percent.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select score_name, decile, accounts, churned, predicted_pct, observed_pct
    from churn_backtest_deciles
)
select * from final
order by score_name, decile
