-- the arr at risk in the next 12 months: in total, by segment and by health band
-- over the scored accounts in scope.
-- arr at risk = arr x the account's chance of churning in the next 12 months from the churn model
-- (account_churn_risk); its 95% range adds up the accounts' own ranges (the model's uncertainty
-- is shared by every account, so their ends move together). one row per grouping: level
-- 'total' (one row), 'segment' (one per segment) or 'band' (one per health band, 5 = not scored),
-- with the accounts scored, their arr and the arr at risk with its range.
-- parameters:
--   $as_of_month    the month scored (the data's last month)
--   $w_support      weight of the support experience component in the health score
--   $w_sentiment    weight of the survey sentiment component
--   $w_engagement   weight of the engagement component
--   $w_revenue      weight of the revenue trend component
--   $w_usage        weight of the product usage component (0 or unused without usage)
--   $healthy_from   lowest health score of the healthy band
--   $watch_from     lowest health score of the watch band
--   $at_risk_from   lowest health score of the at risk band
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with risk as (
    select account_id, segment, arr_usd, arr_at_risk_usd, arr_at_risk_low_usd,
        arr_at_risk_high_usd
    from account_churn_risk
    where month = $as_of_month::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
      and arr_at_risk_usd is not null
),
banded as (
    select r.*,
        health_band_order(
            health_score(h.support_experience, h.survey_sentiment, h.engagement,
                         h.revenue_trend, h.components_required, $w_support, $w_sentiment,
                         $w_engagement, $w_revenue,
                         product_usage := h.product_usage, w_usage := $w_usage),
            $healthy_from, $watch_from, $at_risk_from) as band_order
    from risk r
    left join health_month($as_of_month) h using (account_id)
),
grouped as (
    select
        case when grouping(segment) = 0 then 'segment'
             when grouping(band_order) = 0 then 'band'
             else 'total' end as level,
        segment,
        band_order,
        count(*) as accounts,
        sum(arr_usd) as arr_usd,
        sum(arr_at_risk_usd) as arr_at_risk_usd,
        sum(arr_at_risk_low_usd) as arr_at_risk_low_usd,
        sum(arr_at_risk_high_usd) as arr_at_risk_high_usd
    from banded
    group by grouping sets ((), (segment), (band_order))
),
final as (
    select level, segment, band_order,
        case when band_order is not null then health_band_label(band_order) end as band,
        accounts, arr_usd, arr_at_risk_usd, arr_at_risk_low_usd, arr_at_risk_high_usd
    from grouped
)
select * from final
order by case level when 'total' then 0 when 'segment' then 1 else 2 end,
    arr_at_risk_usd desc, segment, band_order
