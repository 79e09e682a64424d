-- profitability and investment quadrant of the accounts billed in $as_of_month: arr, revenue, cost to serve (tickets by priority at $ticket_costs_usd per $ticket_priorities, engagement hours at $hour_costs_usd per $engagement_types, over the 12 months through $as_of_month) and margin, health score, and the motion (arr at or above the median of scored accounts = high; health at or above $watch_from = healthy); $grain 'account' returns the $limit largest accounts per motion, 'segment' the totals per segment and motion; params $w_support, $w_sentiment, $w_engagement, $w_revenue, $watch_from, $segments, $regions, $plans.
with bounds as (
    select $as_of_month::date as last_month,
        ($as_of_month::date - interval 11 month)::date as first_month,
        ($as_of_month::date + interval 1 month)::timestamp as end_at
),
scoped as (
    select s.account_id, s.segment
    from scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) s
),
current_accounts as (
    select h.account_id, s.segment, 12 * h.mrr_usd as arr_usd,
        health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                     $w_support, $w_sentiment, $w_engagement, $w_revenue) as health_score
    from account_health_monthly h
    join scoped s using (account_id)
    cross join bounds b
    where h.month = b.last_month
),
revenue as (
    select m.account_id, sum(m.mrr_usd)::double as revenue_12m_usd
    from account_mrr_monthly m
    cross join bounds b
    semi join current_accounts c on c.account_id = m.account_id
    where m.month between b.first_month and b.last_month
    group by all
),
ticket_costs as (
    select t.account_id, count(*) as tickets_12m,
        sum(coalesce(($ticket_costs_usd::double[])[
            list_position($ticket_priorities::varchar[], t.priority)], 0)) as support_cost_usd
    from support_tickets t
    cross join bounds b
    semi join current_accounts c on c.account_id = t.account_id
    where t.opened_at >= b.first_month and t.opened_at < b.end_at
    group by all
),
engagement_costs as (
    select e.account_id,
        sum(e.hours)::double as staff_hours_12m,
        sum(e.hours * ($hour_costs_usd::double[])[
                list_position($engagement_types::varchar[], e.engagement_type)])
            filter (where e.engagement_type in ('professional_services', 'installation'))
            as services_cost_usd,
        sum(e.hours * ($hour_costs_usd::double[])[
                list_position($engagement_types::varchar[], e.engagement_type)])
            filter (where e.engagement_type in ('executive_meeting', 'qbr', 'cab_session'))
            as executive_cost_usd,
        sum(e.hours * ($hour_costs_usd::double[])[
                list_position($engagement_types::varchar[], e.engagement_type)])
            filter (where e.engagement_type = 'detractor_follow_up') as follow_up_cost_usd
    from engagements e
    cross join bounds b
    semi join current_accounts c on c.account_id = e.account_id
    where e.started_on between b.first_month and last_day(b.last_month) and e.attended
    group by all
),
costed as (
    select c.*,
        coalesce(r.revenue_12m_usd, 0) as revenue_12m_usd,
        coalesce(t.tickets_12m, 0) as tickets_12m,
        coalesce(t.support_cost_usd, 0) as support_cost_usd,
        coalesce(e.staff_hours_12m, 0) as staff_hours_12m,
        coalesce(e.services_cost_usd, 0) as services_cost_usd,
        coalesce(e.executive_cost_usd, 0) as executive_cost_usd,
        coalesce(e.follow_up_cost_usd, 0) as follow_up_cost_usd
    from current_accounts c
    left join revenue r using (account_id)
    left join ticket_costs t using (account_id)
    left join engagement_costs e using (account_id)
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
        $watch_from::double as health_threshold,
        case when c.health_score is null then 'Not scored'
             when c.arr_usd >= t.arr_threshold_usd and c.health_score < $watch_from then 'Invest'
             when c.arr_usd >= t.arr_threshold_usd then 'Protect'
             when c.health_score >= $watch_from then 'Maintain'
             else 'Monitor' end as motion
    from costed c
    cross join thresholds t
),
accounts_ranked as (
    select c.*, a.account_name,
        row_number() over (partition by c.motion order by c.arr_usd desc, c.account_id) as motion_rank
    from classified c
    join accounts a using (account_id)
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
