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
with attribute_names as (
    select distinct attribute from account_attributes
),
extra as (
    select a.account_id,
        list(coalesce(v.value, 'Not recorded') order by n.attribute) as extra_attributes
    from accounts a
    cross join attribute_names n
    left join account_attributes v on v.account_id = a.account_id and v.attribute = n.attribute
    group by a.account_id
),
grouped as (
    select e.account_id, e.segment, e.slow_support, e.repeated_escalations, e.poor_onboarding,
        e.poor_services, e.detractor_not_followed_up, e.detractor_followed_up,
        e.no_executive_meeting, e.not_cab_member, e.revenue_decline,
        e.plan, a.industry, e.region, coalesce(a.acquisition_channel, 'Not recorded')
            as acquisition_channel,
        len(list_filter($tenure_edges::integer[], lambda edge:
                        edge <= date_diff('month', a.start_date, e.month)))
            as tenure_band,
        len(list_filter($arr_edges::double[], lambda edge: edge <= e.arr_usd)) as arr_band,
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
