-- advisory board members vs comparable non-members over one period
-- from $opening_month to $closing_month, by group_order (1 cab, 2 comparable, 3 all other
-- accounts): accounts active at the opening, logo churn, nrr, grr, relationship nps with n between
-- $start_date and $end_date, and the arr floor per segment that defines "comparable"; with the
-- per-account sums of squares nrr's standard error needs.
-- parameters:
--   $opening_month  the month the period opens at
--   $closing_month  the month the period closes at
--   $start_date     first answer date for the nps
--   $end_date       last answer date for the nps
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
members_at_opening as (
    -- a membership spell covering the opening month's last day
    select distinct account_id
    from cab_memberships
    where joined_on <= last_day($opening_month::date)
      and (left_on is null or left_on >= last_day($opening_month::date))
),
joined_in_period as (
    -- joined during the period: neither member at the start nor a fair comparison, left out
    select distinct account_id
    from cab_memberships
    where joined_on > last_day($opening_month::date)
      and joined_on <= last_day($closing_month::date)
),
cab_floors as (
    -- the smallest member's opening mrr in each segment that has members
    select m.segment, min(m.opening_mrr_usd) as floor_mrr_usd
    from movements m
    semi join members_at_opening c using (account_id)
    group by m.segment
),
grouped as (
    select m.*,
        case when c.account_id is not null then 1
             when j.account_id is not null then null
             when m.opening_mrr_usd >= f.floor_mrr_usd then 2
             else 3 end as group_order
    from movements m
    left join members_at_opening c using (account_id)
    left join joined_in_period j using (account_id)
    left join cab_floors f using (segment)
),
revenue as (
    select group_order,
        count(*) as opening_accounts,
        count(*) filter (where movement = 'churn') as churned_accounts,
        12 * sum(opening_mrr_usd) as starting_arr_usd,
        12 * sum(closing_mrr_usd) as retained_arr_usd,
        100 * sum(closing_mrr_usd) / nullif(sum(opening_mrr_usd), 0) as nrr_pct,
        100 * sum(retained_mrr(opening_mrr_usd, closing_mrr_usd)) / nullif(sum(opening_mrr_usd), 0)
            as grr_pct,
        sum(opening_mrr_usd * opening_mrr_usd) as opening_mrr_squares_usd2,
        sum(closing_mrr_usd * closing_mrr_usd) as closing_mrr_squares_usd2,
        sum(opening_mrr_usd * closing_mrr_usd) as opening_closing_mrr_products_usd2
    from grouped
    where group_order is not null
    group by group_order
),
nps as (
    select g.group_order,
        count(*) as nps_responses,
        count(*) filter (where nps_promoter(r.score)) as nps_promoters,
        count(*) filter (where nps_detractor(r.score)) as nps_detractors
    from survey_responses r
    join grouped g using (account_id)
    where r.survey_type = 'NPS' and r.program = 'relationship'
      and r.responded_on between $start_date::date and $end_date::date
      and g.group_order is not null
    group by g.group_order
),
floors as (
    select list({'segment': segment, 'floor_arr_usd': 12 * floor_mrr_usd} order by segment)
        as comparable_floors
    from cab_floors
),
final as (
    select
        g.group_order,
        coalesce(r.opening_accounts, 0) as opening_accounts,
        coalesce(r.churned_accounts, 0) as churned_accounts,
        100 * r.churned_accounts / nullif(r.opening_accounts, 0) as logo_churn_pct,
        coalesce(r.starting_arr_usd, 0) as starting_arr_usd,
        coalesce(r.retained_arr_usd, 0) as retained_arr_usd,
        r.nrr_pct,
        r.grr_pct,
        r.opening_mrr_squares_usd2,
        r.closing_mrr_squares_usd2,
        r.opening_closing_mrr_products_usd2,
        100 * (n.nps_promoters - n.nps_detractors) / nullif(n.nps_responses, 0) as nps,
        coalesce(n.nps_responses, 0) as nps_responses,
        coalesce(n.nps_promoters, 0) as nps_promoters,
        coalesce(n.nps_detractors, 0) as nps_detractors,
        f.comparable_floors
    from (values (1), (2), (3)) g(group_order)
    left join revenue r using (group_order)
    left join nps n using (group_order)
    cross join floors f
)
select * from final
order by group_order
