-- rollup (build-time only, a temp table): for every account and snapshot month, the trailing
-- and following counts that the health score (03) and the churn-driver exposures (04) are
-- computed from, in one window pass.
-- the rows of account_month_snapshots are contiguous months per account (first billed month
-- through the month after the last), so a frame of n rows is exactly n calendar months.
-- signals of months without revenue are blanked first, so a trailing window counts only
-- billed months (as a range frame over billed months would). event months:
--   tickets by the month opened; surveys by the month answered, except that relationship nps
--   answers count for the driver analysis in the month holding their 14th day (their follow-up
--   window has passed by then); engagements (attended) by their start month.
-- frames: w6 / w12 = this month and the 5 / 11 before; wall = every month so far;
-- next12 = the churn horizon's {{churn_horizon_months}} months after this one (rules.py).
-- for the revenue window tallies (06): the mrr 1, 3, 6, 12 and ytd months later (ytd = the
-- month number of the data's last month, the year-to-date period's length; 0 when the account
-- had stopped billing by then) and whether the account had a revenue row that many months before.
-- reads: account_month_snapshots, cab_memberships, dataset_metadata, engagements, support_tickets
-- reads: survey_responses
-- writes: account_month_signals
create or replace temp table account_month_signals as
with snapshots as (
    select account_id, month, segment, region, plan, mrr_usd, has_revenue_row, movement,
        is_billed(mrr_usd) as is_active
    from account_month_snapshots
),
as_of as (
    select (value::date + interval 1 day)::timestamp as as_of_at
    from dataset_metadata where key = 'as_of_date'
),
tickets as (
    select t.account_id, date_trunc('month', t.opened_at)::date as month,
        count(*) as tickets,
        count(t.resolved_at) as resolved_tickets,
        sum(ln(greatest(datediff('minute', t.opened_at, t.resolved_at) / 60.0, 0.1)))
            as log_resolution_hours_total,
        count(t.escalated_at) as escalations,
        sum(t.reopen_count) as reopens,
        -- open tickets count by their age on the as-of date
        count(*) filter (where coalesce(t.resolved_at, a.as_of_at)
                                > t.opened_at + interval {{slow_ticket_hours}} hour)
            as slow_tickets
    from support_tickets t
    cross join as_of a
    group by all
),
followed_up_detractors as (
    select * from followed_up_detractor_answers()
),
answers as (
    select r.account_id, r.survey_type, r.program, r.score, r.responded_on,
        f.response_id is not null as is_followed_up
    from survey_responses r
    left join followed_up_detractors f using (response_id)
),
surveys as (
    select account_id, date_trunc('month', responded_on)::date as month,
        sum(score) filter (where survey_type = 'NPS') as nps_total,
        count(*) filter (where survey_type = 'NPS') as nps_answers,
        sum(score) filter (where survey_type = 'CSAT') as csat_total,
        count(*) filter (where survey_type = 'CSAT') as csat_answers,
        sum(score) filter (where survey_type = 'CES') as ces_total,
        count(*) filter (where survey_type = 'CES') as ces_answers,
        count(*) filter (where survey_type = 'NPS' and nps_detractor(score) and not is_followed_up)
            as detractors_not_followed_up,
        count(*) filter (where program = 'post_installation' and survey_type = 'CSAT')
            as installation_answers,
        count(*) filter (where program = 'post_installation' and survey_type = 'CSAT'
                         and csat_unhappy(score)) as poor_installation_answers,
        count(*) filter (where program = 'post_professional_services' and survey_type = 'CSAT')
            as services_answers,
        count(*) filter (where program = 'post_professional_services' and survey_type = 'CSAT'
                         and csat_unhappy(score)) as poor_services_answers
    from answers
    group by all
),
relationship_nps as (
    select account_id, date_trunc('month', responded_on + interval {{detractor_follow_up_days}} day)::date as month,
        count(*) as answers,
        count(*) filter (where nps_promoter(score)) as promoters,
        count(*) filter (where nps_detractor(score)) as detractors,
        count(*) filter (where nps_detractor(score) and not is_followed_up) as detractors_not_followed_up,
        count(*) filter (where nps_detractor(score) and is_followed_up) as detractors_followed_up
    from answers
    where survey_type = 'NPS' and program = 'relationship'
    group by all
),
touches as (
    select account_id, date_trunc('month', started_on)::date as month,
        count(*) filter (where engagement_type = 'executive_meeting') as executive_meetings,
        count(*) filter (where engagement_type = 'qbr') as qbrs,
        count(*) filter (where engagement_type in ('professional_services', 'installation'))
            as services
    from engagements
    where attended
    group by all
),
cab as (
    -- advisory board membership in billed months: at any time in the month (the health score's
    -- rule) and on the month's last day (the driver analysis's rule)
    select s.account_id, s.month,
        bool_or(c.left_on is null or c.left_on >= last_day(s.month)) as is_member_at_month_end
    from snapshots s
    join cab_memberships c
        on c.account_id = s.account_id
       and c.joined_on <= last_day(s.month)
       and (c.left_on is null or c.left_on >= s.month)
    where s.is_active
    group by all
),
joined as (
    -- every snapshot month; signals only in months with revenue (0 elsewhere)
    select s.account_id, s.month, s.segment, s.region, s.plan, s.mrr_usd, s.has_revenue_row,
        s.movement, s.is_active,
        (select month(value::date) from dataset_metadata where key = 'as_of_date') as ytd_months,
        coalesce(t.tickets, 0)::integer as tickets,
        coalesce(t.resolved_tickets, 0)::integer as resolved_tickets,
        t.log_resolution_hours_total,
        coalesce(t.escalations, 0)::integer as escalations,
        coalesce(t.reopens, 0)::integer as reopens,
        coalesce(t.slow_tickets, 0)::integer as slow_tickets,
        coalesce(u.nps_total, 0)::integer as nps_total,
        coalesce(u.nps_answers, 0)::integer as nps_answers,
        coalesce(u.csat_total, 0)::integer as csat_total,
        coalesce(u.csat_answers, 0)::integer as csat_answers,
        coalesce(u.ces_total, 0)::integer as ces_total,
        coalesce(u.ces_answers, 0)::integer as ces_answers,
        coalesce(u.detractors_not_followed_up, 0)::integer as open_detractors,
        coalesce(u.installation_answers, 0)::integer as installation_answers,
        coalesce(u.poor_installation_answers, 0)::integer as poor_installation_answers,
        coalesce(u.services_answers, 0)::integer as services_answers,
        coalesce(u.poor_services_answers, 0)::integer as poor_services_answers,
        coalesce(n.answers, 0)::integer as relationship_nps_answers,
        coalesce(n.promoters, 0)::integer as relationship_nps_promoters,
        coalesce(n.detractors, 0)::integer as relationship_nps_detractors,
        coalesce(n.detractors_not_followed_up, 0)::integer
            as relationship_detractors_not_followed_up,
        coalesce(n.detractors_followed_up, 0)::integer as relationship_detractors_followed_up,
        coalesce(e.executive_meetings, 0)::integer as executive_meetings,
        coalesce(e.qbrs, 0)::integer as qbrs,
        coalesce(e.services, 0)::integer as services,
        k.account_id is not null as is_cab_member_in_month,
        coalesce(k.is_member_at_month_end, false) as is_cab_member_at_month_end
    from snapshots s
    left join tickets t on t.account_id = s.account_id and t.month = s.month and s.is_active
    left join surveys u on u.account_id = s.account_id and u.month = s.month and s.is_active
    left join relationship_nps n
        on n.account_id = s.account_id and n.month = s.month and s.is_active
    left join touches e on e.account_id = s.account_id and e.month = s.month and s.is_active
    left join cab k on k.account_id = s.account_id and k.month = s.month
),
windowed as (
    select account_id, month, segment, region, plan, mrr_usd, has_revenue_row, is_active,
        is_cab_member_in_month, is_cab_member_at_month_end,
        -- revenue
        first_value(case when is_active then mrr_usd end ignore nulls) over wall as first_mrr_usd,
        (sum(is_active::integer) over wall)::integer as billed_month_number,
        lag(mrr_usd, 6) over r as mrr_6_rows_ago_usd,
        -- support
        (sum(tickets) over w6)::integer as tickets_6m,
        (sum(tickets) over w12)::integer as tickets_12m,
        (sum(slow_tickets) over w12)::integer as slow_tickets_12m,
        (sum(resolved_tickets) over w6)::integer as resolved_6m,
        sum(log_resolution_hours_total) over w6 as log_resolution_6m,
        (sum(escalations) over w6)::integer as escalations_6m,
        (sum(reopens) over w6)::integer as reopens_6m,
        -- surveys
        (sum(nps_total) over w12)::integer as nps_total_12m,
        (sum(nps_answers) over w12)::integer as nps_answers_12m,
        (sum(csat_total) over w12)::integer as csat_total_12m,
        (sum(csat_answers) over w12)::integer as csat_answers_12m,
        (sum(ces_total) over w12)::integer as ces_total_12m,
        (sum(ces_answers) over w12)::integer as ces_answers_12m,
        (sum(open_detractors) over w6)::integer as open_detractors_6m,
        (sum(installation_answers) over wall)::integer as installation_answers,
        (sum(poor_installation_answers) over wall)::integer as poor_installation_answers,
        (sum(services_answers) over w12)::integer as services_answers_12m,
        (sum(poor_services_answers) over w12)::integer as poor_services_answers_12m,
        (sum(relationship_nps_answers) over w6)::integer as relationship_nps_answers_6m,
        (sum(relationship_detractors_not_followed_up) over w6)::integer
            as relationship_detractors_not_followed_up_6m,
        (sum(relationship_detractors_followed_up) over w6)::integer
            as relationship_detractors_followed_up_6m,
        -- engagement
        (sum(executive_meetings) over w12)::integer as executive_meetings_12m,
        (sum(qbrs) over w6)::integer as qbrs_6m,
        (sum(services) over w6)::integer as services_6m,
        -- what followed
        coalesce(sum(relationship_nps_answers) over next12, 0)::integer
            as nps_answers_next_12m,
        coalesce(sum(relationship_nps_promoters) over next12, 0)::integer
            as nps_promoters_next_12m,
        coalesce(sum(relationship_nps_detractors) over next12, 0)::integer
            as nps_detractors_next_12m,
        coalesce(bool_or(movement = 'churn') over next12, false) as churned_within_12m,
        coalesce(lead(movement) over r = 'churn', false) as churned_next_month,
        -- revenue windows
        coalesce(lead(mrr_usd, 1) over r, 0) as mrr_1m_later_usd,
        coalesce(lead(mrr_usd, 3) over r, 0) as mrr_3m_later_usd,
        coalesce(lead(mrr_usd, 6) over r, 0) as mrr_6m_later_usd,
        coalesce(lead(mrr_usd, 12) over r, 0) as mrr_12m_later_usd,
        coalesce(lead(mrr_usd, ytd_months) over r, 0) as mrr_ytd_months_later_usd,
        coalesce(lag(has_revenue_row, 1) over r, false) as had_revenue_row_1m_before,
        coalesce(lag(has_revenue_row, 3) over r, false) as had_revenue_row_3m_before,
        coalesce(lag(has_revenue_row, 6) over r, false) as had_revenue_row_6m_before,
        coalesce(lag(has_revenue_row, 12) over r, false) as had_revenue_row_12m_before,
        coalesce(lag(has_revenue_row, ytd_months) over r, false)
            as had_revenue_row_ytd_months_before
    from joined
    window
        r as (partition by account_id order by month),
        w6 as (partition by account_id order by month rows between 5 preceding and current row),
        w12 as (partition by account_id order by month rows between 11 preceding and current row),
        wall as (partition by account_id order by month
                 rows between unbounded preceding and current row),
        next12 as (partition by account_id order by month
                   rows between 1 following and {{churn_horizon_months}} following)
),
final as (
    select * from windowed
)
select * from final;
