-- rollup (build-time only, a temp table): for every account and snapshot month, the trailing
-- and following counts that the health score (03) and the churn-driver exposures (04) are
-- computed from, in one window pass.
-- the rows of account_month_snapshots are contiguous months per account (first billed month
-- through the month after the last), so a frame of n rows is exactly n calendar months.
-- signals of months without revenue are blanked first, so a trailing window counts only
-- billed months (as a range frame over billed months would). event months:
--   tickets by the month opened; surveys by the month answered, except that relationship nps
--   answers count for the driver analysis in the month holding their {{detractor_follow_up_days}}th day (their follow-up
--   window has passed by then); engagements (attended) by their start month.
-- frames (rules.py): recent = the {{recent_frame_months}} months ending with this one (the
-- *_recent columns), long = the {{long_frame_months}} months ending with this one (the *_long
-- columns); wall = every month so far; next12 = the churn horizon's {{churn_horizon_months}}
-- months after this one. mrr_rows_earlier_usd = the mrr {{revenue_lag_months}} months earlier.
-- for the revenue window tallies (06): the mrr each period length later (slot i = the i-th of
-- the lengths {{period_months}}: mrr_later_i_usd; and ytd months later, ytd = the month number
-- of the data's last month, the year-to-date period's length; 0 when the account had stopped
-- billing by then) and whether the account had a revenue row that many months before.
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
        lag(mrr_usd, {{revenue_lag_months}}) over r as mrr_rows_earlier_usd,
        -- support
        (sum(tickets) over recent)::integer as tickets_recent,
        (sum(tickets) over long)::integer as tickets_long,
        (sum(slow_tickets) over long)::integer as slow_tickets_long,
        (sum(resolved_tickets) over recent)::integer as resolved_recent,
        sum(log_resolution_hours_total) over recent as log_resolution_recent,
        (sum(escalations) over recent)::integer as escalations_recent,
        (sum(reopens) over recent)::integer as reopens_recent,
        -- surveys
        (sum(nps_total) over long)::integer as nps_total_long,
        (sum(nps_answers) over long)::integer as nps_answers_long,
        (sum(csat_total) over long)::integer as csat_total_long,
        (sum(csat_answers) over long)::integer as csat_answers_long,
        (sum(ces_total) over long)::integer as ces_total_long,
        (sum(ces_answers) over long)::integer as ces_answers_long,
        (sum(open_detractors) over recent)::integer as open_detractors_recent,
        (sum(installation_answers) over wall)::integer as installation_answers,
        (sum(poor_installation_answers) over wall)::integer as poor_installation_answers,
        (sum(services_answers) over long)::integer as services_answers_long,
        (sum(poor_services_answers) over long)::integer as poor_services_answers_long,
        (sum(relationship_nps_answers) over recent)::integer as relationship_nps_answers_recent,
        (sum(relationship_detractors_not_followed_up) over recent)::integer
            as relationship_detractors_not_followed_up_recent,
        (sum(relationship_detractors_followed_up) over recent)::integer
            as relationship_detractors_followed_up_recent,
        -- engagement
        (sum(executive_meetings) over long)::integer as executive_meetings_long,
        (sum(qbrs) over recent)::integer as qbrs_recent,
        (sum(services) over recent)::integer as services_recent,
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
        coalesce(lead(mrr_usd, {{period_months}}[1]) over r, 0) as mrr_later_1_usd,
        coalesce(lead(mrr_usd, {{period_months}}[2]) over r, 0) as mrr_later_2_usd,
        coalesce(lead(mrr_usd, {{period_months}}[3]) over r, 0) as mrr_later_3_usd,
        coalesce(lead(mrr_usd, {{period_months}}[4]) over r, 0) as mrr_later_4_usd,
        coalesce(lead(mrr_usd, ytd_months) over r, 0) as mrr_ytd_months_later_usd,
        coalesce(lag(has_revenue_row, {{period_months}}[1]) over r, false)
            as had_revenue_row_before_1,
        coalesce(lag(has_revenue_row, {{period_months}}[2]) over r, false)
            as had_revenue_row_before_2,
        coalesce(lag(has_revenue_row, {{period_months}}[3]) over r, false)
            as had_revenue_row_before_3,
        coalesce(lag(has_revenue_row, {{period_months}}[4]) over r, false)
            as had_revenue_row_before_4,
        coalesce(lag(has_revenue_row, ytd_months) over r, false)
            as had_revenue_row_ytd_months_before
    from joined
    window
        r as (partition by account_id order by month),
        recent as (partition by account_id order by month
                   rows between {{recent_frame_months}} - 1 preceding and current row),
        long as (partition by account_id order by month
                 rows between {{long_frame_months}} - 1 preceding and current row),
        wall as (partition by account_id order by month
                 rows between unbounded preceding and current row),
        next12 as (partition by account_id order by month
                   rows between 1 following and {{churn_horizon_months}} following)
),
final as (
    select * from windowed
)
select * from final;
