-- the churn model's backtest: how well the model and the health score foresaw churn
-- one row per score ('model', 'health'): the landmark month it predicted from (12 months before
-- the data's last month), the last month the model was fitted on, the accounts billed then
-- with a health score and how many churned in the 12 months after, the auc with its 95% interval
-- (hanley-mcneil), the brier score and the mean predicted chance (%).
-- one row with an empty score and a note when there is too little history for a backtest.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select score_name, landmark_month, fitted_through, accounts, churned, auc, auc_low, auc_high,
        brier, predicted_pct, note
    from churn_backtest_summary
)
select * from final
order by score_name desc
