-- kpi wall: one row per window (the $window_months months ending at each of $end_months) with arr, revenue movement, nrr/grr/logo churn, nps/csat/ces with n, and open escalations at the window's end; filters $segments, $regions, $plans (empty list = all).
with windows as (
    select distinct unnest($end_months::date[]) as window_end_month
),
bounds as (
    select
        window_end_month,
        (window_end_month - to_months($window_months::integer - 1))::date as window_start_month,
        (window_end_month - to_months($window_months::integer))::date as opening_month,
        last_day(window_end_month) as window_end_date,
        (last_day(window_end_month) + interval 1 day)::timestamp as window_end_at
    from windows
),
scoped as (
    select account_id
    from scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[])
),
sides as (
    -- every window's opening-month and closing-month revenue rows, read in one pass
    select b.window_end_month, m.account_id, m.mrr_usd::double as mrr_usd, b.is_opening
    from account_mrr_monthly m
    join (select window_end_month, opening_month as month, true as is_opening from bounds
          union all
          select window_end_month, window_end_month, false from bounds) b using (month)
    semi join scoped s on s.account_id = m.account_id
),
movements as (
    -- as window_movements(opening_month, window_end_month), for every window at once
    select window_end_month, account_id,
        coalesce(sum(mrr_usd) filter (where is_opening), 0) as opening_mrr_usd,
        coalesce(sum(mrr_usd) filter (where not is_opening), 0) as closing_mrr_usd,
        bool_or(is_opening) as was_active_at_opening
    from sides
    group by all
),
revenue as (
    select
        window_end_month,
        12 * sum(closing_mrr_usd) as arr_usd,
        12 * sum(opening_mrr_usd) as starting_arr_usd,
        12 * sum(closing_mrr_usd) filter (where not was_active_at_opening) as new_arr_usd,
        12 * sum(greatest(closing_mrr_usd - opening_mrr_usd, 0))
            filter (where was_active_at_opening and closing_mrr_usd > 0) as expansion_arr_usd,
        12 * sum(greatest(opening_mrr_usd - closing_mrr_usd, 0))
            filter (where was_active_at_opening and closing_mrr_usd > 0) as contraction_arr_usd,
        12 * sum(opening_mrr_usd) filter (where was_active_at_opening and closing_mrr_usd = 0)
            as churned_arr_usd,
        12 * sum(closing_mrr_usd) filter (where was_active_at_opening) as retained_arr_usd,
        12 * sum(least(opening_mrr_usd, closing_mrr_usd)) filter (where was_active_at_opening)
            as gross_retained_arr_usd,
        count(*) filter (where was_active_at_opening) as opening_accounts,
        count(*) filter (where was_active_at_opening and closing_mrr_usd = 0) as churned_accounts,
        count(*) filter (where closing_mrr_usd > 0) as active_accounts
    from movements
    group by window_end_month
),
survey_months as (
    -- monthly survey tallies first, so each window sums a handful of rows
    select
        date_trunc('month', r.responded_on)::date as month,
        count(*) filter (where r.survey_type = 'NPS') as nps_responses,
        count(*) filter (where r.survey_type = 'NPS' and r.score >= 9) as nps_promoters,
        count(*) filter (where r.survey_type = 'NPS' and r.score <= 6) as nps_detractors,
        count(*) filter (where r.survey_type = 'CSAT') as csat_responses,
        count(*) filter (where r.survey_type = 'CSAT' and r.score >= 4) as csat_satisfied,
        count(*) filter (where r.survey_type = 'CES') as ces_responses,
        sum(r.score) filter (where r.survey_type = 'CES') as ces_score_total
    from survey_responses r
    semi join scoped s on s.account_id = r.account_id
    group by all
),
surveys as (
    select
        b.window_end_month,
        coalesce(sum(nps_responses), 0) as nps_responses,
        coalesce(sum(nps_promoters), 0) as nps_promoters,
        coalesce(sum(nps_detractors), 0) as nps_detractors,
        coalesce(sum(csat_responses), 0) as csat_responses,
        coalesce(sum(csat_satisfied), 0) as csat_satisfied,
        coalesce(sum(ces_responses), 0) as ces_responses,
        sum(ces_score_total) as ces_score_total
    from bounds b
    left join survey_months m on m.month between b.window_start_month and b.window_end_month
    group by b.window_end_month
),
escalated_tickets as (
    select t.escalated_at, t.resolved_at
    from support_tickets t
    semi join scoped s on s.account_id = t.account_id
    where t.escalated_at is not null
),
escalations as (
    -- escalated tickets still unresolved at the end of the window's last day
    select b.window_end_month, count(t.escalated_at) as open_escalations
    from bounds b
    left join escalated_tickets t
        on t.escalated_at < b.window_end_at
       and (t.resolved_at is null or t.resolved_at >= b.window_end_at)
    group by b.window_end_month
),
final as (
    select
        b.window_end_month,
        b.window_start_month,
        b.opening_month,
        coalesce(r.arr_usd, 0) as arr_usd,
        coalesce(r.starting_arr_usd, 0) as starting_arr_usd,
        coalesce(r.new_arr_usd, 0) as new_arr_usd,
        coalesce(r.expansion_arr_usd, 0) as expansion_arr_usd,
        coalesce(r.contraction_arr_usd, 0) as contraction_arr_usd,
        coalesce(r.churned_arr_usd, 0) as churned_arr_usd,
        coalesce(r.opening_accounts, 0) as opening_accounts,
        coalesce(r.churned_accounts, 0) as churned_accounts,
        coalesce(r.active_accounts, 0) as active_accounts,
        100 * r.retained_arr_usd / nullif(r.starting_arr_usd, 0) as nrr_pct,
        100 * r.gross_retained_arr_usd / nullif(r.starting_arr_usd, 0) as grr_pct,
        100 * r.churned_accounts / nullif(r.opening_accounts, 0) as logo_churn_pct,
        100 * (s.nps_promoters - s.nps_detractors) / nullif(s.nps_responses, 0) as nps,
        s.nps_responses,
        s.nps_promoters,
        s.nps_detractors,
        100 * s.csat_satisfied / nullif(s.csat_responses, 0) as csat_pct,
        s.csat_responses,
        s.ces_score_total / nullif(s.ces_responses, 0) as ces_mean,
        s.ces_responses,
        e.open_escalations
    from bounds b
    left join revenue r using (window_end_month)
    left join surveys s using (window_end_month)
    left join escalations e using (window_end_month)
)
select * from final
order by window_end_month
