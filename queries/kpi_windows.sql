-- kpi wall: one row per window of $window_months months ending at each of $end_months
-- each row: arr, revenue movement, nrr/grr/logo churn, nps/csat/ces with n, and open escalations at
-- the window's end.
-- summed from the rollups' tallies (revenue_window_tallies, kpi_month_tallies), which hold every
-- window the period filter offers (1, 3, 6 and 12 months and year to date) ending in any month of
-- the data; windows of another length have no tally and come back empty.
-- the measures (northstar/data/measures.toml) with an sql expression are selected at the end of
-- final, each under its key.
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
        (window_end_month - to_months($window_months::integer))::date as opening_month
    from windows
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
      and window_end_month in (select window_end_month from windows)
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by window_end_month
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
        sum(ces_score_total)::bigint as ces_score_total,
        sum(ces_score_squares_total)::bigint as ces_score_squares_total
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
        sum(ces_score_total)::bigint as ces_score_total,
        sum(ces_score_squares_total)::bigint as ces_score_squares_total
    from bounds b
    left join survey_months m on m.month between b.window_start_month and b.window_end_month
    group by b.window_end_month
),
escalations as (
    -- escalated tickets still unresolved at the end of the window's last day
    select b.window_end_month, coalesce(sum(m.open_escalations), 0)::bigint as open_escalations
    from bounds b
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
        coalesce(r.new_arr_usd, 0) as new_arr_usd,
        coalesce(r.expansion_arr_usd, 0) as expansion_arr_usd,
        coalesce(r.contraction_arr_usd, 0) as contraction_arr_usd,
        coalesce(r.churned_arr_usd, 0) as churned_arr_usd,
        coalesce(r.opening_accounts, 0) as opening_accounts,
        coalesce(r.churned_accounts, 0) as churned_accounts,
        coalesce(r.active_accounts, 0) as active_accounts,
        s.nps_responses,
        s.nps_promoters,
        s.nps_detractors,
        s.csat_responses,
        s.ces_responses,
        s.csat_satisfied,
        s.ces_score_total,
        s.ces_score_squares_total,
        {{measure_columns}}
    from bounds b
    left join tallied_revenue r using (window_end_month)
    left join surveys s using (window_end_month)
    left join escalations e using (window_end_month)
)
select * from final
order by window_end_month
