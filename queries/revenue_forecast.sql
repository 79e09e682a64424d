-- the revenue forecast: the ARR held at the last quarter-end, over the next four quarters
-- one row per quarter ahead (1-4) and metric (arr_usd, nrr_pct, grr_pct, logo_churn_pct): the
-- origin month, the quarter's end month, the median of the simulation and the ends of its 80%
-- and 95% intervals, the ARR and accounts at the origin. no rows when there is no forecast
-- (revenue_forecast_status says why). the whole customer base: filters do not apply.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select origin_month, quarter, quarter_end_month, metric, median, low_80, high_80, low_95,
        high_95, opening_arr_usd, opening_accounts
    from revenue_forecast
)
select * from final
order by metric, quarter
