-- rollup: health score components (0-100, higher = healthier; null = no signal) for every
-- account in every month it was billed. the weighted score is computed at query time from
-- config/health_score.toml, so weights can change without a rebuild.
--   support_experience: tickets opened in the trailing 6 months: geometric-mean resolution time
--       (8 h or faster = 100, two weeks or slower = 0) minus the escalation rate (escalations per
--       ticket x 100, at most 40) and half the reopen rate (at most 20); null without tickets.
--   survey_sentiment: answers in the trailing 12 months, the mean of the parts available:
--       nps x 10, csat (1-5) as (mean - 1) x 25, ces (1-7) as (mean - 1) / 6 x 100; minus 25
--       when a detractor answer in the trailing 6 months had no follow-up within 14 days.
--   engagement: executive meeting in the trailing 12 months 40, advisory board member 30,
--       qbr in the trailing 6 months 20, professional services or installation in 6 months 10.
--   revenue_trend: mrr now against 6 months earlier (or the first billed month): flat = 50,
--       +20% or more = 100, -20% or worse = 0; null in the first 3 billed months.
create or replace table account_health_monthly as
with active as (
    select account_id, month, mrr_usd,
        first_value(mrr_usd) over (partition by account_id order by month) as first_mrr_usd,
        row_number() over (partition by account_id order by month) as billed_month_number
    from account_month_snapshots
    where mrr_usd > 0
),
tickets as (
    select account_id, date_trunc('month', opened_at)::date as month,
        count(*) as tickets,
        count(resolved_at) as resolved_tickets,
        sum(ln(greatest(datediff('minute', opened_at, resolved_at) / 60.0, 0.1))) as log_resolution_hours_total,
        count(escalated_at) as escalations,
        sum(reopen_count) as reopens
    from support_tickets
    group by all
),
followed_up_detractors as (
    -- detractor answers with a follow-up engagement within 14 days
    select distinct r.response_id
    from survey_responses r
    join engagements f
        on f.account_id = r.account_id
       and f.engagement_type = 'detractor_follow_up'
       and f.started_on between r.responded_on and r.responded_on + interval 14 day
    where r.survey_type = 'NPS' and r.score <= 6
),
surveys as (
    select r.account_id, date_trunc('month', r.responded_on)::date as month,
        sum(r.score) filter (where r.survey_type = 'NPS') as nps_total,
        count(*) filter (where r.survey_type = 'NPS') as nps_answers,
        sum(r.score) filter (where r.survey_type = 'CSAT') as csat_total,
        count(*) filter (where r.survey_type = 'CSAT') as csat_answers,
        sum(r.score) filter (where r.survey_type = 'CES') as ces_total,
        count(*) filter (where r.survey_type = 'CES') as ces_answers,
        count(*) filter (where r.survey_type = 'NPS' and r.score <= 6 and f.response_id is null)
            as detractors_not_followed_up
    from survey_responses r
    left join followed_up_detractors f using (response_id)
    group by all
),
touches as (
    select account_id, date_trunc('month', started_on)::date as month,
        count(*) filter (where engagement_type = 'executive_meeting') as executive_meetings,
        count(*) filter (where engagement_type = 'qbr') as qbrs,
        count(*) filter (where engagement_type in ('professional_services', 'installation')) as services
    from engagements
    where attended
    group by all
),
cab as (
    select a.account_id, a.month
    from active a
    join cab_memberships c
        on c.account_id = a.account_id
       and c.joined_on <= last_day(a.month)
       and (c.left_on is null or c.left_on >= a.month)
    group by all
),
joined as (
    select a.*,
        t.tickets, t.resolved_tickets, t.log_resolution_hours_total, t.escalations, t.reopens,
        s.nps_total, s.nps_answers, s.csat_total, s.csat_answers, s.ces_total, s.ces_answers,
        s.detractors_not_followed_up,
        e.executive_meetings, e.qbrs, e.services,
        c.account_id is not null as is_cab_member
    from active a
    left join tickets t using (account_id, month)
    left join surveys s using (account_id, month)
    left join touches e using (account_id, month)
    left join cab c using (account_id, month)
),
trailing_windows as (
    select account_id, month, mrr_usd, first_mrr_usd, billed_month_number, is_cab_member,
        sum(tickets) over w6 as tickets_6m,
        sum(resolved_tickets) over w6 as resolved_6m,
        sum(log_resolution_hours_total) over w6 as log_resolution_6m,
        sum(escalations) over w6 as escalations_6m,
        sum(reopens) over w6 as reopens_6m,
        sum(nps_total) over w12 as nps_total_12m,
        sum(nps_answers) over w12 as nps_answers_12m,
        sum(csat_total) over w12 as csat_total_12m,
        sum(csat_answers) over w12 as csat_answers_12m,
        sum(ces_total) over w12 as ces_total_12m,
        sum(ces_answers) over w12 as ces_answers_12m,
        sum(detractors_not_followed_up) over w6 as open_detractors_6m,
        sum(executive_meetings) over w12 as executive_meetings_12m,
        sum(qbrs) over w6 as qbrs_6m,
        sum(services) over w6 as services_6m,
        lag(mrr_usd, 6) over (partition by account_id order by month) as mrr_6m_ago_usd
    from joined
    window
        w6 as (partition by account_id order by month range between interval 5 month preceding and current row),
        w12 as (partition by account_id order by month range between interval 11 month preceding and current row)
),
parts as (
    select *,
        case when tickets_6m > 0 then greatest(0,
            case when resolved_6m > 0
                 then 100 * least(1, greatest(0, (ln(336) - log_resolution_6m / resolved_6m) / (ln(336) - ln(8))))
                 else 50 end
            - least(40, 100.0 * coalesce(escalations_6m, 0) / tickets_6m)
            - least(20, 50.0 * coalesce(reopens_6m, 0) / tickets_6m))
        end as support_experience,
        case when nps_answers_12m > 0 then 10.0 * nps_total_12m / nps_answers_12m end as nps_part,
        case when csat_answers_12m > 0 then 25.0 * (csat_total_12m / csat_answers_12m - 1) end as csat_part,
        case when ces_answers_12m > 0 then 100.0 * (ces_total_12m / ces_answers_12m - 1) / 6 end as ces_part,
        least(100, case when coalesce(executive_meetings_12m, 0) > 0 then 40 else 0 end
            + case when is_cab_member then 30 else 0 end
            + case when coalesce(qbrs_6m, 0) > 0 then 20 else 0 end
            + case when coalesce(services_6m, 0) > 0 then 10 else 0 end) as engagement,
        case when billed_month_number > 3 then
            least(100, greatest(0, 50 + 250 * (mrr_usd / coalesce(mrr_6m_ago_usd, first_mrr_usd) - 1)))
        end as revenue_trend
    from trailing_windows
),
final as (
    select account_id, month, mrr_usd,
        round(support_experience, 1) as support_experience,
        round(case when coalesce(nps_part, csat_part, ces_part) is not null then greatest(0,
            (coalesce(nps_part, 0) + coalesce(csat_part, 0) + coalesce(ces_part, 0))
            / ((nps_part is not null)::int + (csat_part is not null)::int + (ces_part is not null)::int)
            - case when coalesce(open_detractors_6m, 0) > 0 then 25 else 0 end)
        end, 1) as survey_sentiment,
        engagement::double as engagement,
        round(revenue_trend, 1) as revenue_trend,
        coalesce(tickets_6m, 0) as tickets_6m,
        coalesce(escalations_6m, 0) as escalations_6m,
        coalesce(executive_meetings_12m, 0) as executive_meetings_12m,
        is_cab_member,
        coalesce(open_detractors_6m, 0) as open_detractors_6m
    from parts
)
select * from final
order by month, account_id;
