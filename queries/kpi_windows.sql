-- kpi wall: one row per window of $window_months months ending at each of $end_months
-- each row: arr, revenue movement, nrr/grr/logo churn, nps/csat/ces with n, and open escalations at
-- the window's end.
-- windows the rollups tally (revenue_window_tallies, kpi_month_tallies) are summed from them; any
-- other window pairs each account's opening and closing revenue and reads answers and tickets live,
-- by the same rules.
-- parameters:
--   $window_months  length of each window, in months
--   $end_months     the month each window ends at (a list, one window each)
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
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
tallied_revenue_windows as (
    select * from tallied_window_ends($window_months, $end_months)
),
live_revenue_bounds as (
    select * from bounds
    anti join tallied_revenue_windows using (window_end_month)
),
tallied_escalation_bounds as (
    -- window ends up to the data's last month, through which kpi_month_tallies counts them
    select b.*
    from bounds b
    where b.window_end_month <= (select date_trunc('month', value::date)::date
                                 from dataset_metadata where key = 'as_of_date')
),
live_escalation_bounds as (
    select * from bounds
    anti join tallied_escalation_bounds using (window_end_month)
),
live_gate as (
    -- one row when some window is read live, none otherwise: joined on, it keeps the live
    -- parts from reading accounts and tickets at all
    select true as is_live
    where exists (select 1 from live_revenue_bounds)
       or exists (select 1 from live_escalation_bounds)
),
scoped as (
    select a.account_id
    from scoped_accounts($segments::varchar[], $regions::varchar[], $plans::varchar[]) a
    join live_gate g on g.is_live = (a.account_id is not null)
),
sides as (
    -- untallied windows' opening-month and closing-month revenue rows, read in one pass
    select b.window_end_month, m.account_id, m.mrr_usd::double as mrr_usd, b.is_opening
    from account_mrr_monthly m
    join (select window_end_month, opening_month as month, true as is_opening
          from live_revenue_bounds
          union all
          select window_end_month, window_end_month, false from live_revenue_bounds) b
        using (month)
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
live_revenue as (
    select
        window_end_month,
        12 * sum(closing_mrr_usd) as arr_usd,
        12 * sum(opening_mrr_usd) as starting_arr_usd,
        12 * sum(closing_mrr_usd) filter (where not was_active_at_opening) as new_arr_usd,
        12 * sum(greatest(closing_mrr_usd - opening_mrr_usd, 0))
            filter (where was_active_at_opening and is_billed(closing_mrr_usd)) as expansion_arr_usd,
        12 * sum(greatest(opening_mrr_usd - closing_mrr_usd, 0))
            filter (where was_active_at_opening and is_billed(closing_mrr_usd)) as contraction_arr_usd,
        12 * sum(opening_mrr_usd) filter (where was_active_at_opening and not is_billed(closing_mrr_usd))
            as churned_arr_usd,
        12 * sum(closing_mrr_usd) filter (where was_active_at_opening) as retained_arr_usd,
        12 * sum(least(opening_mrr_usd, closing_mrr_usd)) filter (where was_active_at_opening)
            as gross_retained_arr_usd,
        count(*) filter (where was_active_at_opening) as opening_accounts,
        count(*) filter (where was_active_at_opening and not is_billed(closing_mrr_usd)) as churned_accounts,
        count(*) filter (where is_billed(closing_mrr_usd)) as active_accounts
    from movements
    group by window_end_month
),
tallied_revenue as (
    select
        window_end_month,
        12 * sum(closing_mrr_usd) as arr_usd,
        12 * sum(opening_mrr_usd) as starting_arr_usd,
        12 * sum(new_mrr_usd) as new_arr_usd,
        12 * sum(expansion_mrr_usd) as expansion_arr_usd,
        12 * sum(contraction_mrr_usd) as contraction_arr_usd,
        12 * sum(churned_mrr_usd) as churned_arr_usd,
        12 * (sum(gross_retained_mrr_usd) + sum(expansion_mrr_usd)) as retained_arr_usd,
        12 * sum(gross_retained_mrr_usd) as gross_retained_arr_usd,
        sum(opening_accounts)::bigint as opening_accounts,
        sum(churned_accounts)::bigint as churned_accounts,
        sum(active_accounts)::bigint as active_accounts
    from revenue_window_tallies
    where window_months = $window_months::integer
      and window_end_month in (select window_end_month from tallied_revenue_windows)
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by window_end_month
),
revenue as (
    select * from live_revenue
    union all by name
    select * from tallied_revenue
),
survey_months as (
    -- monthly survey tallies, so each window sums a handful of rows
    select month,
        sum(nps_responses)::bigint as nps_responses,
        sum(nps_promoters)::bigint as nps_promoters,
        sum(nps_detractors)::bigint as nps_detractors,
        sum(csat_responses)::bigint as csat_responses,
        sum(csat_satisfied)::bigint as csat_satisfied,
        sum(ces_responses)::bigint as ces_responses,
        sum(ces_score_total)::bigint as ces_score_total
    from kpi_month_tallies
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by month
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
        sum(ces_score_total)::bigint as ces_score_total
    from bounds b
    left join survey_months m on m.month between b.window_start_month and b.window_end_month
    group by b.window_end_month
),
escalated_tickets as (
    select t.escalated_at, t.resolved_at
    from support_tickets t
    join live_gate g on g.is_live = (t.escalated_at is not null)
    semi join scoped s on s.account_id = t.account_id
),
escalations as (
    -- escalated tickets still unresolved at the end of the window's last day
    select b.window_end_month, count(t.escalated_at) as open_escalations
    from live_escalation_bounds b
    left join escalated_tickets t
        on t.escalated_at < b.window_end_at
       and (t.resolved_at is null or t.resolved_at >= b.window_end_at)
    group by b.window_end_month
    union all
    select b.window_end_month, coalesce(sum(m.open_escalations), 0)::bigint as open_escalations
    from tallied_escalation_bounds b
    left join kpi_month_tallies m
        on m.month = b.window_end_month
       and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                    m.segment, m.region, m.plan)
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
