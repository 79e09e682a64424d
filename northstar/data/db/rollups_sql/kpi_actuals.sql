-- rollup: the actuals of every computed kpi (department_kpis.source = 'computed'), per period of
-- its grain (month or quarter), from the canonical tables. imported kpis' actuals are left as
-- loaded; actuals loaded for a computed kpi are replaced. periods run from the first billed month
-- to the data's last month (a quarter still in progress ends there). a period without the data a
-- computation needs gets no actual (the kpi shows "no data"). computations, per period:
--   first_response_median_hours     median hours opened -> first response, tickets opened in it
--   resolution_median_hours         median hours opened -> resolved, tickets resolved in it
--   support_csat_pct                % of csat answers 4-5, program 'support', answered in it
--   post_ps_csat_pct                the same for program 'post_professional_services'
--   onboarding_csat_pct             the same for program 'post_installation' (30-day survey)
--   defect_tickets_per_1k_accounts  tickets of category 'defect' opened in it x 1000
--                                   / accounts billed (mrr > 0) in any of its months
--   new_arr_usd                     12 x closing mrr of accounts billed in its last month and not
--                                   in the month before it (as the revenue bridge's "new")
--   expansion_arr_usd               12 x (closing - opening mrr) of accounts billed in both months
--                                   whose mrr grew (as the revenue bridge's "expansion")
--   relationship_nps                % promoters (9-10) - % detractors (0-6), relationship nps
--                                   answers in it
--   survey_coverage_pct             % of accounts billed in its last month with a relationship
--                                   nps answer in the {{survey_coverage_months}} months ending with that month
-- reads: account_month_snapshots, account_mrr_monthly, dataset_metadata, department_kpis
-- reads: satisfaction_answers, support_tickets
-- writes: kpi_actuals
delete from kpi_actuals
where kpi_id in (select kpi_id from department_kpis where source = 'computed');

insert into kpi_actuals
with computed_kpis as (
    select kpi_id, period_grain as grain, computation
    from department_kpis
    where source = 'computed' and computation is not null
),
bounds as (
    select min(month) as first_month,
        coalesce((select date_trunc('month', max(value)::date)::date
                  from dataset_metadata where key = 'as_of_date'), max(month)) as last_month
    from account_mrr_monthly
),
months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from bounds
    where first_month is not null
),
month_periods as (
    -- every month of the data with the period (of each grain in use) it falls in
    select g.grain, m.month, date_trunc(g.grain, m.month)::date as period_start
    from months m
    cross join (select distinct grain from computed_kpis) g
),
periods as (
    select grain, period_start, max(month) as closing_month,
        (period_start - interval 1 month)::date as opening_month
    from month_periods
    group by all
),
tickets as (
    select date_trunc('month', opened_at)::date as month, category,
        datediff('second', opened_at, first_response_at) / 3600.0 as first_response_hours
    from support_tickets
),
resolutions as (
    select date_trunc('month', resolved_at)::date as month,
        datediff('second', opened_at, resolved_at) / 3600.0 as resolution_hours
    from support_tickets
    where resolved_at is not null
),
answers as (
    select date_trunc('month', responded_on)::date as month, account_id, survey_type, program, score
    from satisfaction_answers
),
billed as (
    select account_id, month, mrr_usd::double as mrr_usd
    from account_mrr_monthly
    where is_billed(mrr_usd)
),
ticket_measures as (
    select p.grain, p.period_start,
        median(t.first_response_hours) as first_response_median_hours,
        count(*) filter (where t.category = 'defect') as defect_tickets
    from tickets t
    join month_periods p using (month)
    group by all
),
resolution_measures as (
    select p.grain, p.period_start, median(r.resolution_hours) as resolution_median_hours
    from resolutions r
    join month_periods p using (month)
    group by all
),
answer_measures as (
    select p.grain, p.period_start,
        100.0 * avg(csat_satisfied(a.score)::int) filter (where a.survey_type = 'CSAT' and is_support_program(a.program))
            as support_csat_pct,
        100.0 * avg(csat_satisfied(a.score)::int) filter (
            where a.survey_type = 'CSAT' and a.program = 'post_professional_services') as post_ps_csat_pct,
        100.0 * avg(csat_satisfied(a.score)::int) filter (where a.survey_type = 'CSAT' and a.program = 'post_installation')
            as onboarding_csat_pct,
        100.0 * (avg(nps_promoter(a.score)::int) filter (where a.survey_type = 'NPS' and a.program = 'relationship')
                 - avg(nps_detractor(a.score)::int) filter (where a.survey_type = 'NPS' and a.program = 'relationship'))
            as relationship_nps
    from answers a
    join month_periods p using (month)
    group by all
),
billed_accounts as (
    -- accounts billed in any month of the period; (account, month) is unique, so a month
    -- period counts rows and only longer periods need a distinct count
    select 'month' as grain, month as period_start, count(*) as billed_accounts
    from billed
    where 'month' in (select grain from computed_kpis)
    group by all
    union all
    select p.grain, p.period_start, count(distinct b.account_id)
    from billed b
    join month_periods p using (month)
    where p.grain <> 'month'
    group by all
),
closing_balances as (
    -- accounts billed in each period's last month with their mrr then and in the month before
    -- the period (null when not billed then); a month period's opening month is the snapshot's
    -- previous month, a longer period's is looked up
    select p.grain, p.period_start, s.mrr_usd as closing_mrr_usd,
        nullif(s.previous_mrr_usd, 0) as opening_mrr_usd
    from periods p
    join account_month_snapshots s on s.month = p.closing_month and is_billed(s.mrr_usd)
    where p.grain = 'month'
    union all
    select p.grain, p.period_start, s.mrr_usd, o.mrr_usd
    from periods p
    join account_month_snapshots s on s.month = p.closing_month and is_billed(s.mrr_usd)
    left join account_month_snapshots o
        on o.account_id = s.account_id and o.month = p.opening_month and is_billed(o.mrr_usd)
    where p.grain <> 'month'
),
revenue_measures as (
    select grain, period_start,
        12 * coalesce(sum(closing_mrr_usd) filter (where movement = 'new'), 0) as new_arr_usd,
        12 * coalesce(sum(expansion_mrr(opening_mrr_usd, closing_mrr_usd))
                      filter (where movement = 'expansion'), 0) as expansion_arr_usd
    from (select *, revenue_movement(opening_mrr_usd is not null, opening_mrr_usd,
                                     closing_mrr_usd) as movement
          from closing_balances)
    group by all
    -- without the month before the period in the data, "new" cannot be told from "opening"
    having min(period_start) > (select first_month from bounds)
),
covered as (
    -- account-months within the survey coverage window ({{survey_coverage_months}} months: this
    -- and the ones before) of a relationship nps answer
    select distinct a.account_id, (a.month + to_months(o.months_after))::date as month
    from answers a
    cross join range({{survey_coverage_months}}) o(months_after)
    where a.survey_type = 'NPS' and a.program = 'relationship'
),
coverage_measures as (
    select p.grain, p.period_start,
        100.0 * count(c.account_id) / count(*) as survey_coverage_pct
    from periods p
    join billed b on b.month = p.closing_month
    left join covered c on c.account_id = b.account_id and c.month = b.month
    group by all
),
measures as (
    select p.grain, p.period_start,
        t.first_response_median_hours, r.resolution_median_hours,
        a.support_csat_pct, a.post_ps_csat_pct, a.onboarding_csat_pct, a.relationship_nps,
        case when ba.billed_accounts > 0
             then 1000.0 * coalesce(t.defect_tickets, 0) / ba.billed_accounts end
            as defect_tickets_per_1k_accounts,
        v.new_arr_usd, v.expansion_arr_usd, c.survey_coverage_pct
    from periods p
    left join ticket_measures t using (grain, period_start)
    left join resolution_measures r using (grain, period_start)
    left join answer_measures a using (grain, period_start)
    left join billed_accounts ba using (grain, period_start)
    left join revenue_measures v using (grain, period_start)
    left join coverage_measures c using (grain, period_start)
),
final as (
    select k.kpi_id, m.period_start,
        round(case k.computation
            when 'first_response_median_hours' then m.first_response_median_hours
            when 'resolution_median_hours' then m.resolution_median_hours
            when 'support_csat_pct' then m.support_csat_pct
            when 'post_ps_csat_pct' then m.post_ps_csat_pct
            when 'onboarding_csat_pct' then m.onboarding_csat_pct
            when 'defect_tickets_per_1k_accounts' then m.defect_tickets_per_1k_accounts
            when 'new_arr_usd' then m.new_arr_usd
            when 'expansion_arr_usd' then m.expansion_arr_usd
            when 'relationship_nps' then m.relationship_nps
            when 'survey_coverage_pct' then m.survey_coverage_pct
        end, 4) as actual_value
    from computed_kpis k
    join measures m using (grain)
)
select * from final
where actual_value is not null;
