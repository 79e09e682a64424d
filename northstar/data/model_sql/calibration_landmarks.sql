-- churn model calibration: billed account-months with a full year after them, by covariate
-- pattern
-- each row: a segment, the exposure to every churn driver, how many account-months from
-- $from_month through $through_month had that pattern and how many of them churned within the
-- 12 months after; with the account attributes as in account_patterns.
-- parameters:
--   $from_month     the first month counted (one with a full year of data before it, when
--                   there is one)
--   $through_month  the last month counted; the 12 months after it must be in the data
--   $tenure_edges, $arr_edges  the bands' edges, as in account_patterns
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
final as (
    select e.segment, e.slow_support, e.repeated_escalations, e.poor_onboarding,
        e.poor_services, e.detractor_not_followed_up, e.detractor_followed_up,
        e.no_executive_meeting, e.not_cab_member, e.revenue_decline,
        e.plan, a.industry, e.region, coalesce(a.acquisition_channel, 'Not recorded')
            as acquisition_channel,
        len(list_filter($tenure_edges::integer[], lambda edge:
                        edge <= date_diff('month', a.start_date, e.month)))
            as tenure_band,
        len(list_filter($arr_edges::double[], lambda edge: edge <= e.arr_usd)) as arr_band,
        x.extra_attributes,
        count(*)::bigint as landmarks,
        (count(*) filter (where e.churned_within_12m))::bigint as churned_within_12m
    from account_driver_exposures e
    join accounts a using (account_id)
    left join extra x using (account_id)
    where e.month between $from_month::date and $through_month::date
    group by all
)
select * from final;
