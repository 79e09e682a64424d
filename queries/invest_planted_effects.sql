-- demo data only: the churn drivers the generator planted
-- and their true monthly hazard ratios (empty for loaded data).
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select driver_id, description, hazard_ratio, exposure_rule
    from demo_planted_effects
)
select * from final
order by driver_id
