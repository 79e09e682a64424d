-- rollup: cost-to-serve quantities of every account billed in the data's last month (those
-- with a health row), over the 12 months through it, with its health components, segment,
-- region and plan: recurring revenue billed, support tickets opened by priority, and staff hours
-- on attended engagements by type. invest_customers prices them with config/cost_to_serve.toml
-- (so unit costs change without a rebuild) instead of reading a year of revenue, tickets and
-- engagements.
-- reads: account_health_monthly, account_mrr_monthly, accounts, dataset_metadata, engagements
-- reads: support_tickets
-- writes: account_cost_quantities
create or replace table account_cost_quantities as
with bounds as (
    select date_trunc('month', value::date)::date as last_month,
        (date_trunc('month', value::date) - to_months({{cost_to_serve_months}} - 1))::date
            as first_month,
        (date_trunc('month', value::date) + interval 1 month)::timestamp as end_at
    from dataset_metadata
    where key = 'as_of_date'
),
billed as (
    select h.account_id, h.month, h.mrr_usd, h.support_experience, h.survey_sentiment,
        h.engagement, h.revenue_trend, h.product_usage, h.components_required
    from account_health_monthly h
    cross join bounds b
    where h.month = b.last_month
),
revenue as (
    select m.account_id, sum(m.mrr_usd)::double as revenue_12m_usd
    from account_mrr_monthly m
    cross join bounds b
    semi join billed c on c.account_id = m.account_id
    where m.month between b.first_month and b.last_month
    group by all
),
tickets as (
    select t.account_id, count(*) as tickets_12m,
        count(*) filter (where t.priority = 'low') as low_priority_tickets_12m,
        count(*) filter (where t.priority = 'normal') as normal_priority_tickets_12m,
        count(*) filter (where t.priority = 'high') as high_priority_tickets_12m,
        count(*) filter (where t.priority = 'urgent') as urgent_priority_tickets_12m
    from support_tickets t
    cross join bounds b
    semi join billed c on c.account_id = t.account_id
    where t.opened_at >= b.first_month and t.opened_at < b.end_at
    group by all
),
hours as (
    select e.account_id,
        sum(e.hours)::double as staff_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'professional_services')::double
            as professional_services_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'installation')::double
            as installation_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'executive_meeting')::double
            as executive_meeting_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'qbr')::double as qbr_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'cab_session')::double
            as cab_session_hours_12m,
        sum(e.hours) filter (where e.engagement_type = 'detractor_follow_up')::double
            as detractor_follow_up_hours_12m
    from engagements e
    cross join bounds b
    semi join billed c on c.account_id = e.account_id
    where e.started_on between b.first_month and last_day(b.last_month) and e.attended
    group by all
),
final as (
    select c.*, a.segment, a.region, a.plan,
        coalesce(r.revenue_12m_usd, 0) as revenue_12m_usd,
        coalesce(t.tickets_12m, 0) as tickets_12m,
        coalesce(t.low_priority_tickets_12m, 0) as low_priority_tickets_12m,
        coalesce(t.normal_priority_tickets_12m, 0) as normal_priority_tickets_12m,
        coalesce(t.high_priority_tickets_12m, 0) as high_priority_tickets_12m,
        coalesce(t.urgent_priority_tickets_12m, 0) as urgent_priority_tickets_12m,
        coalesce(e.staff_hours_12m, 0) as staff_hours_12m,
        coalesce(e.professional_services_hours_12m, 0) as professional_services_hours_12m,
        coalesce(e.installation_hours_12m, 0) as installation_hours_12m,
        coalesce(e.executive_meeting_hours_12m, 0) as executive_meeting_hours_12m,
        coalesce(e.qbr_hours_12m, 0) as qbr_hours_12m,
        coalesce(e.cab_session_hours_12m, 0) as cab_session_hours_12m,
        coalesce(e.detractor_follow_up_hours_12m, 0) as detractor_follow_up_hours_12m
    from billed c
    join accounts a using (account_id)
    left join revenue r using (account_id)
    left join tickets t using (account_id)
    left join hours e using (account_id)
)
select * from final;
