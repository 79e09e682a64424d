-- rollup: churn-driver exposure of every account in every month it was billed (a "landmark"),
-- classified only from what was known by the end of that month, with its churn outcome.
-- the driver analysis on the "where to invest" page reads it (landmark / cohort design). a
-- driver is null where it cannot be judged: support drivers without tickets in their window, survey drivers without an answer to that survey in its window, revenue decline without
-- revenue 6 months earlier; those accounts are left out of that driver's comparison.
--   slow_support: more than half of the tickets opened in the trailing 12 months took over
--       72 hours to resolve (median above 72 h; still-open tickets count by their age now)
--   repeated_escalations: 2 or more tickets opened in the trailing 6 months were escalated
--   poor_onboarding: a 30-day post-installation csat answer of 1 or 2, ever
--   poor_services: a post-professional-services csat answer of 1 or 2 in the trailing 12 months
--   detractor_not_followed_up: a relationship nps 0-6 answer in the trailing 6 months (at least
--       14 days old) without a detractor follow-up engagement within 14 days
--   detractor_followed_up: nps 0-6 answers in the trailing 6 months, every one followed up
--   no_executive_meeting: no attended executive meeting in the trailing 12 months
--   not_cab_member: no advisory board membership spell covering the month's last day
--   revenue_decline: mrr at least 10% below 6 months earlier
-- outcome: churned_within_12m = the account's revenue stopped in one of the 12 months after
-- the landmark; churned_next_month = it stopped in the next month; nps_*_next_12m = relationship
-- nps answers in the 12 months after (nps answers are counted 14 days after they were given). is_estimation_landmark
-- marks the rows with a full 12-month look-back and a full 12-month follow-up.
create or replace table account_driver_exposures as
with bounds as (
    select min(month) as first_month, max(month) as last_month from account_month_snapshots
),
active as (
    select account_id, month, mrr_usd, segment
    from account_month_snapshots
    where mrr_usd > 0
),
tickets as (
    select account_id, date_trunc('month', opened_at)::date as month,
        count(*) as tickets,
        count(*) filter (where coalesce(resolved_at, b.as_of_at) > opened_at + interval 72 hour)
            as slow_tickets,
        count(escalated_at) as escalations
    from support_tickets
    cross join (
        select (value::date + interval 1 day)::timestamp as as_of_at
        from dataset_metadata where key = 'as_of_date'
    ) b
    group by all
),
followed_up_detractors as (
    select * from followed_up_detractor_answers()
),
surveys as (
    -- relationship nps answers count once their 14-day follow-up window has passed (in the
    -- month holding the 14th day); post-installation and post-services csat when answered
    select r.account_id,
        case when r.survey_type = 'NPS' then date_trunc('month', r.responded_on + interval 14 day)
             else date_trunc('month', r.responded_on) end::date as month,
        count(*) filter (where r.survey_type = 'NPS') as nps_answers,
        count(*) filter (where r.survey_type = 'NPS' and r.score >= 9) as promoters,
        count(*) filter (where r.survey_type = 'NPS' and r.score <= 6) as detractors,
        count(*) filter (where r.survey_type = 'NPS' and r.score <= 6 and f.response_id is null)
            as detractors_not_followed_up,
        count(*) filter (where r.survey_type = 'NPS' and r.score <= 6 and f.response_id is not null)
            as detractors_followed_up,
        count(*) filter (where r.program = 'post_installation') as installation_answers,
        count(*) filter (where r.program = 'post_installation' and r.score <= 2)
            as poor_installation_answers,
        count(*) filter (where r.program = 'post_professional_services') as services_answers,
        count(*) filter (where r.program = 'post_professional_services' and r.score <= 2)
            as poor_services_answers
    from survey_responses r
    left join followed_up_detractors f using (response_id)
    where (r.survey_type = 'NPS' and r.program = 'relationship')
       or (r.survey_type = 'CSAT' and r.program in ('post_installation', 'post_professional_services'))
    group by all
),
meetings as (
    select account_id, date_trunc('month', started_on)::date as month, count(*) as executive_meetings
    from engagements
    where engagement_type = 'executive_meeting' and attended
    group by all
),
joined as (
    select a.*,
        t.tickets, t.slow_tickets, t.escalations,
        s.nps_answers, s.promoters, s.detractors, s.detractors_not_followed_up, s.detractors_followed_up,
        s.installation_answers, s.poor_installation_answers,
        s.services_answers, s.poor_services_answers,
        m.executive_meetings
    from active a
    left join tickets t using (account_id, month)
    left join surveys s using (account_id, month)
    left join meetings m using (account_id, month)
),
trailing_windows as (
    select account_id, month, mrr_usd, segment,
        coalesce(sum(tickets) over w12, 0) as tickets_12m,
        coalesce(sum(slow_tickets) over w12, 0) as slow_tickets_12m,
        coalesce(sum(tickets) over w6, 0) as tickets_6m,
        coalesce(sum(escalations) over w6, 0) as escalations_6m,
        coalesce(sum(nps_answers) over w6, 0) as nps_answers_6m,
        coalesce(sum(detractors_not_followed_up) over w6, 0) as detractors_not_followed_up_6m,
        coalesce(sum(detractors_followed_up) over w6, 0) as detractors_followed_up_6m,
        coalesce(sum(installation_answers) over wall, 0) as installation_answers,
        coalesce(sum(poor_installation_answers) over wall, 0) as poor_installation_answers,
        coalesce(sum(services_answers) over w12, 0) as services_answers_12m,
        coalesce(sum(poor_services_answers) over w12, 0) as poor_services_answers_12m,
        coalesce(sum(executive_meetings) over w12, 0) as executive_meetings_12m,
        max(mrr_usd) over w6_ago as mrr_6m_ago_usd,
        coalesce(sum(nps_answers) over next12, 0) as nps_answers_next_12m,
        coalesce(sum(promoters) over next12, 0) as nps_promoters_next_12m,
        coalesce(sum(detractors) over next12, 0) as nps_detractors_next_12m
    from joined
    window
        w6 as (partition by account_id order by month
               range between interval 5 month preceding and current row),
        w12 as (partition by account_id order by month
                range between interval 11 month preceding and current row),
        wall as (partition by account_id order by month rows unbounded preceding),
        w6_ago as (partition by account_id order by month
                   range between interval 6 month preceding and interval 6 month preceding),
        next12 as (partition by account_id order by month
                   range between interval 1 month following and interval 12 month following)
),
cab as (
    select t.account_id, t.month
    from trailing_windows t
    join cab_memberships c
        on c.account_id = t.account_id
       and c.joined_on <= last_day(t.month)
       and (c.left_on is null or c.left_on >= last_day(t.month))
    group by all
),
churn_events as (
    select account_id, month as churn_month
    from account_month_snapshots
    where movement = 'churn'
),
outcomes as (
    select t.*, c.churn_month as next_churn_month
    from trailing_windows t
    asof left join churn_events c
        on c.account_id = t.account_id and c.churn_month > t.month
),
classified as (
    select o.account_id, o.month, o.segment, o.mrr_usd, 12 * o.mrr_usd as arr_usd,
        case when o.tickets_12m > 0 then 2 * o.slow_tickets_12m > o.tickets_12m end as slow_support,
        case when o.tickets_6m > 0 then o.escalations_6m >= 2 end as repeated_escalations,
        case when o.installation_answers > 0 then o.poor_installation_answers > 0 end
            as poor_onboarding,
        case when o.services_answers_12m > 0 then o.poor_services_answers_12m > 0 end
            as poor_services,
        case when o.nps_answers_6m > 0 then o.detractors_not_followed_up_6m > 0 end
            as detractor_not_followed_up,
        case when o.nps_answers_6m > 0 then
            o.detractors_followed_up_6m > 0 and o.detractors_not_followed_up_6m = 0
        end as detractor_followed_up,
        o.executive_meetings_12m = 0 as no_executive_meeting,
        c.account_id is null as not_cab_member,
        o.mrr_usd <= 0.9 * o.mrr_6m_ago_usd as revenue_decline,
        o.next_churn_month is not null and o.next_churn_month <= o.month + interval 12 month
            as churned_within_12m,
        o.nps_answers_next_12m::integer as nps_answers_next_12m,
        o.nps_promoters_next_12m::integer as nps_promoters_next_12m,
        o.nps_detractors_next_12m::integer as nps_detractors_next_12m,
        o.next_churn_month is not null and o.next_churn_month = o.month + interval 1 month
            as churned_next_month,
        o.month >= b.first_month + interval 11 month
            and o.month <= b.last_month - interval 12 month as is_estimation_landmark
    from outcomes o
    cross join bounds b
    left join cab c using (account_id, month)
),
final as (
    select * from classified
)
select * from final
order by month, account_id;
