-- each churn driver's hazard ratio from the stored churn model, for pages that compare a
-- program's accounts directly and say how that differs from the model
-- one row per driver the model holds: its hazard ratio with its 95% interval (cluster-robust by
-- account; every account and month of the data, the other drivers and the segment held alike),
-- the accounts and churn events the fit saw exposed, and why it could not be estimated (note).
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select level as driver_id, hazard_ratio, hr_low_95, hr_high_95,
        exposed_accounts, exposed_events, note
    from churn_model_terms
    where model = 'current' and kind = 'driver'
)
select * from final
order by driver_id
