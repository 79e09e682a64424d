-- profitability and investment quadrant of the accounts billed in the data's last month
-- arr, revenue, cost to serve and margin, health score, and the motion. cost to serve: tickets by
-- priority at $ticket_costs_usd per $ticket_priorities and engagement hours at $hour_costs_usd per
-- $engagement_types, over the 12 months through that month, from the account_cost_quantities
-- rollup. motion: arr at or above the median of scored accounts = high; health at or above
-- $healthy_from (the healthy band) = healthy.
-- $grain 'account' returns the $limit largest accounts per motion, 'segment' the totals per segment
-- and motion.
-- parameters:
--   $ticket_costs_usd   cost of a ticket, in usd, for each of $ticket_priorities
--   $ticket_priorities  the ticket priorities costed
--   $hour_costs_usd     cost of an engagement hour, in usd, for each of $engagement_types
--   $engagement_types   the engagement types costed
--   $healthy_from       health score from which an account counts as healthy
--   $grain              'account' or 'segment'
--   $limit              accounts per motion when $grain is 'account'
--   $w_support          weight of the support experience component in the health score
--   $w_sentiment        weight of the survey sentiment component
--   $w_engagement       weight of the engagement component
--   $w_revenue          weight of the revenue trend component
--   $w_usage            weight of the product usage component (0 or unused without usage)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: account
-- sensitive: account_name (account)
with quantities as (
    select *
    from account_cost_quantities
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
),
prices as (
    -- unit costs from config/cost_to_serve.toml (0 for a priority or type it does not price)
    select
        coalesce(t[list_position(tp, 'low')], 0) as low_ticket_usd,
        coalesce(t[list_position(tp, 'normal')], 0) as normal_ticket_usd,
        coalesce(t[list_position(tp, 'high')], 0) as high_ticket_usd,
        coalesce(t[list_position(tp, 'urgent')], 0) as urgent_ticket_usd,
        coalesce(h[list_position(et, 'professional_services')], 0) as professional_services_hour_usd,
        coalesce(h[list_position(et, 'installation')], 0) as installation_hour_usd,
        coalesce(h[list_position(et, 'executive_meeting')], 0) as executive_meeting_hour_usd,
        coalesce(h[list_position(et, 'qbr')], 0) as qbr_hour_usd,
        coalesce(h[list_position(et, 'cab_session')], 0) as cab_session_hour_usd,
        coalesce(h[list_position(et, 'detractor_follow_up')], 0) as detractor_follow_up_hour_usd
    from (select $ticket_costs_usd::double[] as t, $ticket_priorities::varchar[] as tp,
                 $hour_costs_usd::double[] as h, $engagement_types::varchar[] as et)
),
costed as (
    select q.account_id, q.segment, 12 * q.mrr_usd as arr_usd,
        health_score(q.support_experience, q.survey_sentiment, q.engagement, q.revenue_trend,
                     q.components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                     product_usage := q.product_usage, w_usage := $w_usage) as health_score,
        q.revenue_12m_usd, q.tickets_12m,
        q.low_priority_tickets_12m * p.low_ticket_usd
            + q.normal_priority_tickets_12m * p.normal_ticket_usd
            + q.high_priority_tickets_12m * p.high_ticket_usd
            + q.urgent_priority_tickets_12m * p.urgent_ticket_usd as support_cost_usd,
        q.staff_hours_12m,
        q.professional_services_hours_12m * p.professional_services_hour_usd
            + q.installation_hours_12m * p.installation_hour_usd as services_cost_usd,
        q.executive_meeting_hours_12m * p.executive_meeting_hour_usd
            + q.qbr_hours_12m * p.qbr_hour_usd
            + q.cab_session_hours_12m * p.cab_session_hour_usd as executive_cost_usd,
        q.detractor_follow_up_hours_12m * p.detractor_follow_up_hour_usd as follow_up_cost_usd
    from quantities q
    cross join prices p
),
thresholds as (
    select median(arr_usd) as arr_threshold_usd from costed where health_score is not null
),
classified as (
    select c.*,
        c.support_cost_usd + c.services_cost_usd + c.executive_cost_usd + c.follow_up_cost_usd
            as cost_to_serve_usd,
        c.revenue_12m_usd - (c.support_cost_usd + c.services_cost_usd + c.executive_cost_usd
            + c.follow_up_cost_usd) as margin_usd,
        t.arr_threshold_usd,
        $healthy_from::double as health_threshold,
        case when c.health_score is null then 'Not scored'
             when c.arr_usd >= t.arr_threshold_usd and c.health_score < $healthy_from then 'Invest'
             when c.arr_usd >= t.arr_threshold_usd then 'Protect'
             when c.health_score >= $healthy_from then 'Maintain'
             else 'Monitor' end as motion
    from costed c
    cross join thresholds t
),
ranks as (
    -- the $limit largest accounts per motion (ties by account id), kept in a bounded heap
    -- instead of sorting every account
    select unnest(top_ids) as account_id, generate_subscripts(top_ids, 1) as motion_rank
    from (
        select min_by(account_id, {'arr_desc': -arr_usd, 'account_id': account_id},
                      greatest($limit::integer, 1)) as top_ids
        from classified
        where $grain = 'account'
        group by motion
    )
),
accounts_ranked as (
    select c.*, a.account_name, r.motion_rank
    from classified c
    join ranks r using (account_id)
    join accounts a using (account_id)
    where r.motion_rank <= $limit
),
account_rows as (
    select 'account' as grain, account_id, account_name, segment, motion, 1 as accounts,
        arr_usd, revenue_12m_usd, cost_to_serve_usd, support_cost_usd, services_cost_usd,
        executive_cost_usd, follow_up_cost_usd, margin_usd, tickets_12m, staff_hours_12m,
        health_score, arr_threshold_usd, health_threshold
    from accounts_ranked
    where $grain = 'account' and motion_rank <= $limit
),
segment_rows as (
    select 'segment', null, null, segment, motion, count(*),
        sum(arr_usd), sum(revenue_12m_usd), sum(cost_to_serve_usd), sum(support_cost_usd),
        sum(services_cost_usd), sum(executive_cost_usd), sum(follow_up_cost_usd), sum(margin_usd),
        sum(tickets_12m), sum(staff_hours_12m), avg(health_score), any_value(arr_threshold_usd),
        any_value(health_threshold)
    from classified
    where $grain = 'segment'
    group by segment, motion
),
final as (
    select * from account_rows
    union all
    select * from segment_rows
)
select * from final
order by segment, motion, arr_usd desc, account_id
