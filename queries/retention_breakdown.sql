-- retention by one dimension: churn, nrr, grr and arr impact per value
-- for the period from $opening_month to $closing_month.
-- parameters:
--   $dimension      segment, region, plan, tenure_band or acquisition_channel
--   $opening_month  the month the period opens at
--   $closing_month  the month the period closes at
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with movements as (
    select m.*
    from window_movements($opening_month::date, $closing_month::date) m
    where m.was_active_at_opening
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   m.segment, m.region, m.plan)
),
labelled as (
    select *,
        -- tenure at the opening month, in whole months
        datediff('month', cohort_month, $opening_month::date) as tenure_months
    from movements
),
dimensioned as (
    select *,
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'plan' then plan
            when 'acquisition_channel' then coalesce(acquisition_channel, 'Unknown')
            when 'tenure_band' then case
                when tenure_months < 6 then '0–5 months'
                when tenure_months < 12 then '6–11 months'
                when tenure_months < 24 then '1–2 years'
                when tenure_months < 36 then '2–3 years'
                else '3+ years' end
        end as dimension_value,
        case when $dimension = 'tenure_band' then case
                when tenure_months < 6 then 1 when tenure_months < 12 then 2
                when tenure_months < 24 then 3 when tenure_months < 36 then 4 else 5 end
        end as dimension_order
    from labelled
),
final as (
    select
        dimension_value,
        any_value(dimension_order) as dimension_order,
        count(*) as opening_accounts,
        count(*) filter (where movement = 'churn') as churned_accounts,
        100 * count(*) filter (where movement = 'churn') / count(*) as logo_churn_pct,
        12 * sum(opening_mrr_usd) as starting_arr_usd,
        12 * sum(expansion_mrr(opening_mrr_usd, closing_mrr_usd)) filter (where movement = 'expansion')
            as expansion_arr_usd,
        12 * sum(contraction_mrr(opening_mrr_usd, closing_mrr_usd))
            filter (where movement = 'contraction')
            as contraction_arr_usd,
        12 * sum(churned_mrr(opening_mrr_usd, closing_mrr_usd)) filter (where movement = 'churn')
            as churned_arr_usd,
        12 * sum(closing_mrr_usd) as ending_arr_usd,
        100 * sum(closing_mrr_usd) / nullif(sum(opening_mrr_usd), 0) as nrr_pct,
        100 * sum(retained_mrr(opening_mrr_usd, closing_mrr_usd)) / nullif(sum(opening_mrr_usd), 0)
            as grr_pct,
        -- arr lost to churn and contraction: what the dimension value cost in the period
        12 * (coalesce(sum(churned_mrr(opening_mrr_usd, closing_mrr_usd))
                       filter (where movement = 'churn'), 0)
              + coalesce(sum(contraction_mrr(opening_mrr_usd, closing_mrr_usd))
                         filter (where movement = 'contraction'), 0))
            as lost_arr_usd,
        12 * (sum(closing_mrr_usd) - sum(opening_mrr_usd)) as net_retained_change_usd
    from dimensioned
    group by dimension_value
)
select * from final
order by lost_arr_usd desc, dimension_value
