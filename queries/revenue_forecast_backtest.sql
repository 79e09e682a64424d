-- the revenue forecast's track record: the same forecast made at earlier quarter-ends
-- one row per origin month, quarter ahead and metric whose actual is known: the forecast (median,
-- 80% and 95% intervals), what happened (actual), the error (actual - median) and whether the
-- actual fell inside each interval. the whole customer base: filters do not apply.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select origin_month, quarter, quarter_end_month, metric, median, low_80, high_80, low_95,
        high_95, actual, error, inside_80, inside_95
    from revenue_forecast_backtest
)
select * from final
order by metric, origin_month, quarter
