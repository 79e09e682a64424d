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
with extra as (
    select * from account_extra_attributes()
),
grouped as (
    select e.account_id, e.segment, e.slow_support, e.repeated_escalations, e.poor_onboarding,
        e.poor_services, e.detractor_not_followed_up, e.detractor_followed_up,
        e.no_executive_meeting, e.not_cab_member, e.revenue_decline, e.usage_fell,
        e.seats_underused,
        e.plan, a.industry, e.region, coalesce(a.acquisition_channel, 'Not recorded')
            as acquisition_channel,
        band_index($tenure_edges::integer[], date_diff('month', a.start_date, e.month))
            as tenure_band,
        band_index($arr_edges::double[], e.arr_usd) as arr_band,
        x.extra_attributes,
        count(*)::integer as account_months,
        (count(*) filter (where e.churned_next_month))::integer as churn_events
    from account_driver_exposures e
    join accounts a using (account_id)
    left join extra x using (account_id)
    where e.month <= $through_month::date
    group by all
),
final as (
    select (dense_rank() over (order by account_id) - 1)::integer as account_index,
        * exclude (account_id)
    from grouped
)
select * from final;
