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
-- performance: the trailing windows run over account_month_snapshots, whose rows are contiguous
-- months per account, so n rows back is exactly n calendar months back (signals of months
-- without revenue are blanked first, as the original range frames over billed months left them
-- out). trailing totals are running totals minus the running total 6 (12) rows earlier, which
-- is exact for the integer counts; every window partitions by account and orders by month. the
-- 6-billed-months-ago mrr of the few accounts with a gap in their revenue (a reactivation) is
-- taken from their billed months alone. null and 0 totals are used alike below (coalesced or
-- compared with > 0).
create or replace table account_health_monthly as
with snapshots as (
    select account_id, month, mrr_usd, mrr_usd > 0 as is_active
    from account_month_snapshots
),
active as (
    select account_id, month from snapshots where is_active
),
gapped_lag as (
    -- accounts whose revenue restarted after a month without: lag over their billed months
    select account_id, month,
        lag(mrr_usd, 6) over (partition by account_id order by month) as mrr_6m_ago_usd
    from account_month_snapshots
    where mrr_usd > 0
      and account_id in (select account_id from account_month_snapshots
                         where movement = 'reactivation')
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
    select * from followed_up_detractor_answers()
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
    -- every snapshot month; signals only in months with revenue
    select s.account_id, s.month, s.mrr_usd, s.is_active,
        t.tickets, t.resolved_tickets, t.log_resolution_hours_total, t.escalations, t.reopens,
        u.nps_total, u.nps_answers, u.csat_total, u.csat_answers, u.ces_total, u.ces_answers,
        u.detractors_not_followed_up,
        e.executive_meetings, e.qbrs, e.services,
        c.account_id is not null as is_cab_member
    from snapshots s
    left join tickets t on t.account_id = s.account_id and t.month = s.month and s.is_active
    left join surveys u on u.account_id = s.account_id and u.month = s.month and s.is_active
    left join touches e on e.account_id = s.account_id and e.month = s.month and s.is_active
    left join cab c on c.account_id = s.account_id and c.month = s.month
),
cumulative as (
    -- running totals per account (one streaming window pass); a trailing n-month total is
    -- the running total now minus the one n rows (= months) earlier. integer counts are exact
    -- this way; the one double (log resolution hours) keeps its own frame.
    select account_id, month, mrr_usd, is_active, is_cab_member,
        first_value(case when is_active then mrr_usd end ignore nulls) over w as first_mrr_usd,
        count(*) filter (where is_active) over w as billed_month_number,
        sum(coalesce(tickets, 0)) over w as tickets_c,
        sum(coalesce(resolved_tickets, 0)) over w as resolved_c,
        sum(log_resolution_hours_total) over w6 as log_resolution_6m,
        sum(coalesce(escalations, 0)) over w as escalations_c,
        sum(coalesce(reopens, 0)) over w as reopens_c,
        sum(coalesce(nps_total, 0)) over w as nps_total_c,
        sum(coalesce(nps_answers, 0)) over w as nps_answers_c,
        sum(coalesce(csat_total, 0)) over w as csat_total_c,
        sum(coalesce(csat_answers, 0)) over w as csat_answers_c,
        sum(coalesce(ces_total, 0)) over w as ces_total_c,
        sum(coalesce(ces_answers, 0)) over w as ces_answers_c,
        sum(coalesce(detractors_not_followed_up, 0)) over w as open_detractors_c,
        sum(coalesce(executive_meetings, 0)) over w as executive_meetings_c,
        sum(coalesce(qbrs, 0)) over w as qbrs_c,
        sum(coalesce(services, 0)) over w as services_c,
        lag(mrr_usd, 6) over (partition by account_id order by month) as mrr_6_rows_ago_usd
    from joined
    window
        w as (partition by account_id order by month rows between unbounded preceding and current row),
        w6 as (partition by account_id order by month rows between 5 preceding and current row)
),
trailing_windows as (
    select account_id, month, mrr_usd, is_active, is_cab_member, first_mrr_usd,
        billed_month_number, log_resolution_6m, mrr_6_rows_ago_usd,
        tickets_c - coalesce(lag(tickets_c, 6) over r, 0) as tickets_6m,
        resolved_c - coalesce(lag(resolved_c, 6) over r, 0) as resolved_6m,
        escalations_c - coalesce(lag(escalations_c, 6) over r, 0) as escalations_6m,
        reopens_c - coalesce(lag(reopens_c, 6) over r, 0) as reopens_6m,
        nps_total_c - coalesce(lag(nps_total_c, 12) over r, 0) as nps_total_12m,
        nps_answers_c - coalesce(lag(nps_answers_c, 12) over r, 0) as nps_answers_12m,
        csat_total_c - coalesce(lag(csat_total_c, 12) over r, 0) as csat_total_12m,
        csat_answers_c - coalesce(lag(csat_answers_c, 12) over r, 0) as csat_answers_12m,
        ces_total_c - coalesce(lag(ces_total_c, 12) over r, 0) as ces_total_12m,
        ces_answers_c - coalesce(lag(ces_answers_c, 12) over r, 0) as ces_answers_12m,
        open_detractors_c - coalesce(lag(open_detractors_c, 6) over r, 0) as open_detractors_6m,
        executive_meetings_c - coalesce(lag(executive_meetings_c, 12) over r, 0)
            as executive_meetings_12m,
        qbrs_c - coalesce(lag(qbrs_c, 6) over r, 0) as qbrs_6m,
        services_c - coalesce(lag(services_c, 6) over r, 0) as services_6m
    from cumulative
    window r as (partition by account_id order by month)
),
billed as (
    select w.* exclude (mrr_6_rows_ago_usd),
        case when g.account_id is not null then g.mrr_6m_ago_usd else w.mrr_6_rows_ago_usd end
            as mrr_6m_ago_usd
    from trailing_windows w
    left join gapped_lag g on g.account_id = w.account_id and g.month = w.month
    where w.is_active
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
    from billed
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
