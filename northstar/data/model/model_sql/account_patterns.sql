-- churn model input: billed account-months grouped by account and covariate pattern
-- each row: an account (account_index numbers them 0, 1, ...), its segment, its exposure to
-- every churn driver, how many billed months through $through_month it spent in that pattern
-- and in how many of them its revenue stopped the month after (churn events); and its account
-- attributes in those months: plan, industry, region, acquisition channel, the tenure band and
-- ARR size band (indexes into $tenure_edges and $arr_edges, 1 for the first band) and the
-- values of the further attributes the mapping kept (extra_attributes, by attribute name).
-- parameters:
--   $through_month  the last month counted; its next month must be in the data
--   $tenure_edges   the tenure bands' first months (rules.TENURE_BAND_EDGES_MONTHS)
--   $arr_edges      the ARR size bands' lowest ARR (rules.ARR_BAND_EDGES_USD)
-- scope: aggregate
-- sensitive: none
with grouped as (
    select * exclude (month, arr_usd, churned_next_month, churned_within_12m),
        count(*)::integer as account_months,
        (count(*) filter (where churned_next_month))::integer as churn_events
    from exposures_with_attributes($tenure_edges, $arr_edges)
    where month <= $through_month::date
    group by all
),
final as (
    select (dense_rank() over (order by account_id) - 1)::integer as account_index,
        * exclude (account_id)
    from grouped
)
select * from final;
