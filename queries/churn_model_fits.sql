-- the stored churn model fits: the current one and the backtest's
-- one row per fit: 'current' (every month whose next month is known) or 'backtest' (months up to
-- 12 months before the data's last month): the last month fitted, the reference segment,
-- accounts, account-months and churn events, whether it converged, why not, and the 12-month
-- calibration's intercept and slope.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select model, through_month, reference_segment, accounts, account_months, churn_events,
        converged, note, calibration_intercept, calibration_slope
    from churn_model_fits
)
select * from final
order by model desc
