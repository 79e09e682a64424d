-- whether there is a revenue forecast: one row with its origin month (null when none),
-- the simulation's runs, the earlier origins scored and the sentence saying why there is no
-- forecast ('' when there is one).
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select origin_month, runs, scored_origins, note
    from revenue_forecast_status
)
select * from final
