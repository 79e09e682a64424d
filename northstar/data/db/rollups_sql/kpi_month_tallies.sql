-- rollup: per month and segment, region and plan, the satisfaction answers of the month (nps, csat
-- and ces counts and totals) and the escalated tickets still unresolved at the end of the
-- month's last day: what kpi_windows sums instead of reading every answer and ticket.
-- escalations are counted for months up to the data's last month.
-- reads: accounts, dataset_metadata, satisfaction_answers, support_tickets
-- writes: kpi_month_tallies
create or replace table kpi_month_tallies as
with last_month as (
    select date_trunc('month', value::date)::date as last_month
    from dataset_metadata where key = 'as_of_date'
),
surveys as (
    select date_trunc('month', r.responded_on)::date as month, a.segment, a.region, a.plan,
        count(*) filter (where r.survey_type = 'NPS') as nps_responses,
        count(*) filter (where r.survey_type = 'NPS' and nps_promoter(r.score)) as nps_promoters,
        count(*) filter (where r.survey_type = 'NPS' and nps_detractor(r.score)) as nps_detractors,
        count(*) filter (where r.survey_type = 'CSAT') as csat_responses,
        count(*) filter (where r.survey_type = 'CSAT' and csat_satisfied(r.score)) as csat_satisfied,
        count(*) filter (where r.survey_type = 'CES') as ces_responses,
        sum(r.score) filter (where r.survey_type = 'CES') as ces_score_total,
        sum(r.score * r.score) filter (where r.survey_type = 'CES') as ces_score_squares_total
    from satisfaction_answers r
    join accounts a using (account_id)
    group by all
),
escalated as (
    -- open at the end of month m: escalated before it ends, not resolved before it ends
    select a.segment, a.region, a.plan,
        date_trunc('month', t.escalated_at)::date as first_month,
        least(coalesce((date_trunc('month', t.resolved_at) - interval 1 month)::date,
                       l.last_month), l.last_month) as through_month
    from support_tickets t
    join accounts a using (account_id)
    cross join last_month l
    where t.escalated_at is not null
),
escalation_months as (
    select unnest(generate_series(first_month, through_month, interval 1 month))::date as month,
        segment, region, plan
    from escalated
    where first_month <= through_month
),
escalations as (
    select month, segment, region, plan, count(*) as open_escalations
    from escalation_months
    group by all
),
final as (
    select month, segment, region, plan,
        coalesce(s.nps_responses, 0)::integer as nps_responses,
        coalesce(s.nps_promoters, 0)::integer as nps_promoters,
        coalesce(s.nps_detractors, 0)::integer as nps_detractors,
        coalesce(s.csat_responses, 0)::integer as csat_responses,
        coalesce(s.csat_satisfied, 0)::integer as csat_satisfied,
        coalesce(s.ces_responses, 0)::integer as ces_responses,
        s.ces_score_total::bigint as ces_score_total,
        s.ces_score_squares_total::bigint as ces_score_squares_total,
        coalesce(e.open_escalations, 0)::integer as open_escalations
    from surveys s
    full join escalations e using (month, segment, region, plan)
)
select * from final;
