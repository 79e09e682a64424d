-- the account attributes as churn drivers, from the stored churn model: each level of the
-- segment and of every attribute the model took (plan, industry, region, acquisition channel,
-- tenure band, ARR size band and the attributes the mapping kept) against its reference level
-- one row per level: the attribute's name, the level and the reference level it is compared
-- with, the hazard ratio with its 95% interval (cluster-robust by account; the drivers and the
-- other attributes held alike), the accounts and churn events the fit saw at that level, and
-- why an attribute could not be estimated (note; level is empty then).
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select attribute, level, reference_level, hazard_ratio, hr_low_95, hr_high_95,
        exposed_accounts, exposed_events, note
    from churn_model_terms
    where model = 'current' and kind in ('segment', 'attribute')
)
select * from final
order by attribute, level
