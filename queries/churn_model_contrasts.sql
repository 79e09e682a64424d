-- comparisons between two churn drivers from the stored churn model
-- one row per comparison: its name, the hazard ratio of the first driver against the second with
-- its 95% interval (cluster-robust by account). detractor_followed_up_vs_not: detractors whose
-- answers were all followed up within 14 days against detractors not followed up.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select level as contrast, hazard_ratio, hr_low_95, hr_high_95
    from churn_model_terms
    where model = 'current' and kind = 'contrast'
)
select * from final
order by contrast
