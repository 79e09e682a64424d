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
--       qbr in the trailing 6 months 20, professional services or installation in 6 months 10;
--       null for every account when the data has no engagements and no advisory board at all
--       (nothing recorded is no signal, not an unengaged customer base).
--   revenue_trend: mrr now against 6 months earlier (or the first billed month): flat = 50,
--       +20% or more = 100, -20% or worse = 0; null in the first 3 billed months.
--   product_usage: the mean of the parts the month's product usage has: seat utilisation
--       (seats used / seats paid x 100, at most 100; seats paid above 0) and the active-user
--       trend (active users against the mean of the {{usage_fall_lookback_months}} months before,
--       each with a figure: flat = 50, +20% or more = 100, -20% or worse = 0); null without
--       usage (every account, in a data set without product usage).
-- components_required: how many components an account needs to be scored: two, or one when the
--     data set has only one component at all (a purchase log alone: revenue trend only).
-- the trailing counts come from account_month_signals (02), which blanks the signals of months
-- without revenue. the 6-billed-months-ago mrr of the few accounts with a gap in their revenue
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
        lag(mrr_usd, 6) over (partition by account_id order by month) as mrr_6m_ago_usd
    from account_month_snapshots
    where is_billed(mrr_usd)
      and account_id in (select account_id from account_month_snapshots
                         where movement = 'reactivation')
),
billed as (
    select w.* exclude (mrr_6_rows_ago_usd),
        case when g.account_id is not null then g.mrr_6m_ago_usd else w.mrr_6_rows_ago_usd end
            as mrr_6m_ago_usd,
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
        + exists (select 1 from account_month_signals where is_active and billed_month_number > 3)::int
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
                 50 + 250 * (active_users / prior_mean_active_users - 1))) end as trend_part
    from product_usage_months()
),
parts as (
    select billed.*, recorded.components_in_data,
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
        case when recorded.has_engagement_data then
            least(100, case when coalesce(executive_meetings_12m, 0) > 0 then 40 else 0 end
                + case when is_cab_member then 30 else 0 end
                + case when coalesce(qbrs_6m, 0) > 0 then 20 else 0 end
                + case when coalesce(services_6m, 0) > 0 then 10 else 0 end)
        end as engagement,
        case when billed_month_number > 3 then
            least(100, greatest(0, 50 + 250 * (mrr_usd / coalesce(mrr_6m_ago_usd, first_mrr_usd) - 1)))
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
            - case when coalesce(open_detractors_6m, 0) > 0 then 25 else 0 end)
        end, 1) as survey_sentiment,
        engagement::double as engagement,
        round(revenue_trend, 1) as revenue_trend,
        round(product_usage, 1) as product_usage,
        least(2, greatest(1, components_in_data))::utinyint as components_required,
        coalesce(tickets_6m, 0) as tickets_6m,
        coalesce(escalations_6m, 0) as escalations_6m,
        coalesce(executive_meetings_12m, 0) as executive_meetings_12m,
        is_cab_member,
        coalesce(open_detractors_6m, 0) as open_detractors_6m,
        -- the outcome the health score is checked against (health_band_churn)
        churned_within_12m
    from parts
)
select * from final;
