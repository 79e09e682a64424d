-- rollup: health score components (0-100, higher = healthier; null = no signal) for every
-- account in every month it was billed. the weighted score is computed at query time from
-- config/health_score.toml, so weights can change without a rebuild.
--   (the numbers below are the rules', northstar/data/rules.py: recent = the trailing
--   {{recent_frame_months}} months, long = the trailing {{long_frame_months}} months, the month measured included)
--   support_experience: tickets opened in the trailing {{recent_frame_months}} months:
--       geometric-mean resolution time ({{resolution_best_hours}} h or faster = 100,
--       {{resolution_worst_hours}} h or slower = 0, log scale between; {{no_resolved_ticket_points}}
--       without a resolved ticket) minus the escalation rate (escalations per ticket x
--       {{escalation_points_per_ticket}}, at most {{escalation_cap_points}}) and the reopen rate
--       (reopens per ticket x {{reopen_points_per_ticket}}, at most {{reopen_cap_points}}); null
--       without tickets.
--   survey_sentiment: answers in the trailing {{long_frame_months}} months, the mean of the parts
--       available, each mean answer as 0-100 points on its scale (scale_points: nps
--       {{nps_scale_low}}-{{nps_scale_high}}, csat {{csat_scale_low}}-{{csat_scale_high}}, ces {{ces_scale_low}}-{{ces_scale_high}});
--       minus {{open_detractor_penalty_points}} when a detractor answer in the trailing
--       {{recent_frame_months}} months had no follow-up within {{detractor_follow_up_days}} days.
--   engagement: executive meeting in the trailing {{long_frame_months}} months
--       {{exec_meeting_points}}, advisory board member {{cab_member_points}}, qbr in the trailing
--       {{recent_frame_months}} months {{qbr_points}}, professional services or installation in
--       the trailing {{recent_frame_months}} months {{services_points}} (at most 100);
--       null for every account when the data has no engagements and no advisory board at all
--       (nothing recorded is no signal, not an unengaged customer base).
--   revenue_trend: mrr now against {{revenue_lag_months}} months earlier (or the first billed
--       month): flat = 50, +{{trend_full_scale_pct}}% or more = 100, -{{trend_full_scale_pct}}% or
--       worse = 0 (50 + {{trend_points_per_ratio}} x the relative change); null in the first
--       {{revenue_trend_blank_months}} billed months.
--   product_usage: the mean of the parts the month's product usage has: seat utilisation
--       (seats used / seats paid x 100, at most 100; seats paid above 0) and the active-user
--       trend (active users against the mean of the {{usage_fall_lookback_months}} months before,
--       each with a figure: flat = 50, +{{trend_full_scale_pct}}% or more = 100,
--       -{{trend_full_scale_pct}}% or worse = 0); null without
--       usage (every account, in a data set without product usage).
-- components_required: how many components an account needs to be scored: two, or one when the
--     data set has only one component at all (a purchase log alone: revenue trend only).
-- the trailing counts come from account_month_signals (02), which blanks the signals of months
-- without revenue. the {{revenue_lag_months}}-billed-months-ago mrr of the few accounts with a gap in their revenue
-- (a reactivation) is taken from their billed months alone.
-- stored unsorted: ordering it by month doubled its build time at 1,000,000 accounts (17 of
-- 33 CPU-seconds), while a page's filter on one month scans the column in milliseconds.
-- reads: account_month_signals, account_month_snapshots, cab_memberships, engagements
-- reads: product_usage, support_tickets, survey_responses
-- writes: account_health_monthly
create or replace table account_health_monthly as
with gapped_lag as (
    -- accounts whose revenue restarted after a month without: lag over their billed months
    select account_id, month,
        lag(mrr_usd, {{revenue_lag_months}}) over (partition by account_id order by month)
            as mrr_earlier_usd
    from account_month_snapshots
    where is_billed(mrr_usd)
      and account_id in (select account_id from account_month_snapshots
                         where movement = 'reactivation')
),
billed as (
    select w.* exclude (mrr_rows_earlier_usd),
        case when g.account_id is not null then g.mrr_earlier_usd else w.mrr_rows_earlier_usd end
            as mrr_earlier_usd,
        w.is_cab_member_in_month as is_cab_member
    from account_month_signals w
    left join gapped_lag g on g.account_id = w.account_id and g.month = w.month
    where w.is_active
),
recorded as (
    select exists (select 1 from engagements) or exists (select 1 from cab_memberships)
        as has_engagement_data,
        exists (select 1 from support_tickets)::int
        + exists (select 1 from survey_responses)::int
        + (exists (select 1 from engagements) or exists (select 1 from cab_memberships))::int
        + exists (select 1 from account_month_signals where is_active
                  and billed_month_number > {{revenue_trend_blank_months}})::int
        + exists (select 1 from product_usage)::int
        as components_in_data
),
usage as (
    select account_id, month,
        case when seats_paid > 0 then 100.0 * least(1, seats_used / seats_paid) end
            as seat_part,
        case when prior_months_with_users = {{usage_fall_lookback_months}}
                  and prior_mean_active_users > 0
             then least(100, greatest(0,
                 50 + {{trend_points_per_ratio}} * (active_users / prior_mean_active_users - 1)))
             end as trend_part
    from product_usage_months()
),
parts as (
    select billed.*, recorded.components_in_data,
        case when tickets_recent > 0 then greatest(0,
            case when resolved_recent > 0
                 then 100 * least(1, greatest(0,
                     (ln({{resolution_worst_hours}}) - log_resolution_recent / resolved_recent)
                     / (ln({{resolution_worst_hours}}) - ln({{resolution_best_hours}}))))
                 else {{no_resolved_ticket_points}} end
            - least({{escalation_cap_points}},
                    {{escalation_points_per_ticket}} * coalesce(escalations_recent, 0) / tickets_recent)
            - least({{reopen_cap_points}},
                    {{reopen_points_per_ticket}} * coalesce(reopens_recent, 0) / tickets_recent))
        end as support_experience,
        case when nps_answers_long > 0 then scale_points(nps_total_long / nps_answers_long,
            {{nps_scale_low}}, {{nps_scale_high}}) end as nps_part,
        case when csat_answers_long > 0 then scale_points(csat_total_long / csat_answers_long,
            {{csat_scale_low}}, {{csat_scale_high}}) end as csat_part,
        case when ces_answers_long > 0 then scale_points(ces_total_long / ces_answers_long,
            {{ces_scale_low}}, {{ces_scale_high}}) end as ces_part,
        case when recorded.has_engagement_data then
            least(100,
                case when coalesce(executive_meetings_long, 0) > 0 then {{exec_meeting_points}} else 0 end
                + case when is_cab_member then {{cab_member_points}} else 0 end
                + case when coalesce(qbrs_recent, 0) > 0 then {{qbr_points}} else 0 end
                + case when coalesce(services_recent, 0) > 0 then {{services_points}} else 0 end)
        end as engagement,
        case when billed_month_number > {{revenue_trend_blank_months}} then
            least(100, greatest(0, 50 + {{trend_points_per_ratio}}
                * (mrr_usd / coalesce(mrr_earlier_usd, first_mrr_usd) - 1)))
        end as revenue_trend,
        (coalesce(u.seat_part, 0) + coalesce(u.trend_part, 0))
            / nullif((u.seat_part is not null)::int + (u.trend_part is not null)::int, 0)
            as product_usage
    from billed
    cross join recorded
    left join usage u on u.account_id = billed.account_id and u.month = billed.month
),
final as (
    select account_id, month, mrr_usd,
        round(support_experience, 1) as support_experience,
        round(case when coalesce(nps_part, csat_part, ces_part) is not null then greatest(0,
            (coalesce(nps_part, 0) + coalesce(csat_part, 0) + coalesce(ces_part, 0))
            / ((nps_part is not null)::int + (csat_part is not null)::int + (ces_part is not null)::int)
            - case when coalesce(open_detractors_recent, 0) > 0
                   then {{open_detractor_penalty_points}} else 0 end)
        end, 1) as survey_sentiment,
        engagement::double as engagement,
        round(revenue_trend, 1) as revenue_trend,
        round(product_usage, 1) as product_usage,
        least(2, greatest(1, components_in_data))::utinyint as components_required,
        coalesce(tickets_recent, 0) as tickets_recent,
        coalesce(escalations_recent, 0) as escalations_recent,
        coalesce(executive_meetings_long, 0) as executive_meetings_long,
        is_cab_member,
        coalesce(open_detractors_recent, 0) as open_detractors_recent,
        -- the outcome the health score is checked against (health_band_churn)
        churned_within_12m
    from parts
)
select * from final;
