-- demo goals: the kpi catalogue with targets, owners and the outcomes each kpi serves, the
-- imported kpis' monthly actuals (a drifting series: they would come from marketing and sales
-- systems), initiatives and quarterly employee engagement. the computed kpis' actuals are not
-- made here: the rollup northstar/data/db/rollups_sql/03_kpi_actuals.sql computes them from the tickets,
-- surveys and revenue, the same way for demo data and for loaded data.
insert into department_kpis
with catalogue as (
    select * from (values
        ('cs_first_response_hours', 'customer_service', 'Median first response time',
         'Median hours from a ticket being opened to the first response, tickets opened in the period.',
         'hours', 'lower_is_better', 4.0, 'month', 'first_response_median_hours'),
        ('cs_resolution_hours', 'customer_service', 'Median resolution time',
         'Median hours from a ticket being opened to it being resolved, tickets resolved in the period.',
         'hours', 'lower_is_better', 60.0, 'month', 'resolution_median_hours'),
        ('cs_support_csat_pct', 'customer_service', 'Support CSAT',
         'Share of post-support CSAT answers that are 4 or 5, answers in the period.',
         'pct', 'higher_is_better', 70.0, 'month', 'support_csat_pct'),
        ('ps_post_ps_csat_pct', 'professional_services', 'Post-engagement CSAT',
         'Share of post-professional-services CSAT answers that are 4 or 5, answers in the period.',
         'pct', 'higher_is_better', 75.0, 'month', 'post_ps_csat_pct'),
        ('ps_onboarding_csat_pct', 'professional_services', '30-day onboarding CSAT',
         'Share of 30-day post-installation CSAT answers that are 4 or 5, answers in the period.',
         'pct', 'higher_is_better', 80.0, 'month', 'onboarding_csat_pct'),
        ('pd_defect_tickets_per_1k', 'product_development', 'Defect tickets per 1,000 accounts',
         'Tickets in the defect category opened in the period per 1,000 accounts billed in it.',
         'count', 'lower_is_better', 40.0, 'month', 'defect_tickets_per_1k_accounts'),
        ('pd_feature_adoption_pct', 'product_development', 'Feature adoption',
         'Share of active accounts using the features released in the last two quarters.',
         'pct', 'higher_is_better', 40.0, 'month', null),
        ('sales_new_arr_usd', 'sales', 'New ARR',
         'ARR of accounts billed at the end of the period that were not billed just before it.',
         'usd', 'higher_is_better', 0, 'month', 'new_arr_usd'),
        ('sales_expansion_arr_usd', 'sales', 'Expansion ARR',
         'ARR added by accounts billed just before the period that grew their subscription by its end.',
         'usd', 'higher_is_better', 0, 'month', 'expansion_arr_usd'),
        ('sales_win_rate_pct', 'sales', 'Win rate',
         'Share of qualified opportunities closed won in the period.',
         'pct', 'higher_is_better', 28.0, 'month', null),
        ('mr_relationship_nps', 'market_research', 'Relationship NPS',
         'NPS of relationship survey answers in the period (% promoters - % detractors).',
         'score', 'higher_is_better', 20.0, 'month', 'relationship_nps'),
        ('mr_survey_coverage_pct', 'market_research', 'Survey coverage',
         'Share of accounts billed at the end of the quarter with a relationship survey answer in the six months to then.',
         'pct', 'higher_is_better', 30.0, 'quarter', 'survey_coverage_pct'),
        ('mkt_customer_references', 'marketing', 'Customer references',
         'Customers who took part in a reference call, case study or event in the period.',
         'count', 'higher_is_better', 12.0, 'month', null),
        ('mkt_marketing_qualified_leads', 'marketing', 'Marketing qualified leads',
         'New leads that meet the marketing qualification bar in the period.',
         'count', 'higher_is_better', 400.0, 'month', null)
    ) as c(kpi_id, department_id, kpi_name, definition, unit, direction, target_value, period_grain,
           computation)
),
final as (
    select c.kpi_id, c.department_id, c.kpi_name, c.definition, c.unit, c.direction,
        c.target_value, c.period_grain,
        (select min(employee_id) from employees e where e.department_id = c.department_id) as owner_employee_id,
        case when c.computation is null then 'imported' else 'computed' end as source,
        (getvariable('last_month') + interval 1 month
            + to_days(7 * (hash(c.kpi_id) % 8)::integer))::date as next_review_on,
        c.computation
    from catalogue c
)
select * from final;

-- revenue targets follow the demo's size: new and expansion arr 15% above their monthly mean in
-- the window's first year (month-on-month movements, as the rollup computes them)
update department_kpis set target_value = (
    with moves as (
        select month, mrr_usd,
            lag(mrr_usd) over (partition by account_id order by month) as previous_mrr_usd,
            lag(month) over (partition by account_id order by month) as previous_month
        from account_mrr_monthly
    ),
    first_year as (
        select
            12 * sum(mrr_usd) filter (where previous_month is distinct from month - interval 1 month)
                as new_arr_usd,
            12 * sum(mrr_usd - previous_mrr_usd) filter (
                where previous_month = month - interval 1 month and mrr_usd > previous_mrr_usd)
                as expansion_arr_usd
        from moves
        where month > getvariable('window_start')
          and month <= getvariable('window_start') + interval 12 month
    )
    select round(1.15 * case department_kpis.computation when 'new_arr_usd' then new_arr_usd
                             else expansion_arr_usd end / 12, -3)
    from first_year
)
where computation in ('new_arr_usd', 'expansion_arr_usd');

insert into kpi_outcomes values
    ('cs_first_response_hours', 'effort'), ('cs_first_response_hours', 'satisfaction'),
    ('cs_resolution_hours', 'effort'), ('cs_resolution_hours', 'retention'),
    ('cs_support_csat_pct', 'satisfaction'),
    ('ps_post_ps_csat_pct', 'satisfaction'),
    ('ps_onboarding_csat_pct', 'retention'), ('ps_onboarding_csat_pct', 'satisfaction'),
    ('pd_defect_tickets_per_1k', 'effort'), ('pd_defect_tickets_per_1k', 'retention'),
    ('pd_feature_adoption_pct', 'retention'),
    ('sales_expansion_arr_usd', 'growth'),
    ('sales_win_rate_pct', 'growth'),
    ('mr_relationship_nps', 'satisfaction'), ('mr_relationship_nps', 'advocacy'),
    ('mr_survey_coverage_pct', 'satisfaction'),
    ('mkt_customer_references', 'advocacy');
    -- sales_new_arr_usd and mkt_marketing_qualified_leads serve no customer outcome, on purpose:
    -- winning new logos grows the company, not the existing customers' outcomes

-- imported kpis: a monthly series drifting around the target
insert into kpi_actuals
with months as (
    select unnest(generate_series(getvariable('window_start'), getvariable('last_month'), interval 1 month))::date
        as period_start
),
imported as (
    select period_start, kpi_id,
        target_value * (drift_start + (drift_end - drift_start) * month_share
                        + 0.06 * rnorm(hash(kpi_id), datediff('month', getvariable('window_start'), period_start), 'kpi')) as actual_value
    from months
    cross join (select kpi_id, target_value,
                    case kpi_id when 'pd_feature_adoption_pct' then 0.8 when 'sales_win_rate_pct' then 1.05
                                when 'mkt_customer_references' then 0.9 else 1.1 end as drift_start,
                    case kpi_id when 'pd_feature_adoption_pct' then 0.9 when 'sales_win_rate_pct' then 0.92
                                when 'mkt_customer_references' then 1.1 else 1.2 end as drift_end
                from department_kpis where source = 'imported') k
    cross join lateral (select datediff('month', getvariable('window_start'), period_start) / 35.0 as month_share)
),
final as (
    select kpi_id, period_start, round(actual_value, 2) as actual_value from imported
)
select * from final;

insert into initiatives
select * from (values
    ('INI-01', 'Support follow-the-sun staffing', 'customer_service', 'slow_support', 420000.0,
     (getvariable('last_month') - interval 8 month)::date, null::date, 35.0, 'running'),
    ('INI-02', 'Onboarding playbook and go-live reviews', 'professional_services', 'poor_onboarding', 180000.0,
     (getvariable('last_month') - interval 5 month)::date, null, 30.0, 'running'),
    ('INI-03', 'Executive sponsor program for top accounts', 'sales', 'no_executive_meeting', 150000.0,
     (getvariable('last_month') - interval 14 month)::date, (getvariable('last_month') - interval 2 month)::date,
     40.0, 'completed'),
    ('INI-04', 'Detractor call-back within 14 days', 'customer_service', 'detractor_not_followed_up', 90000.0,
     (getvariable('last_month') - interval 3 month)::date, null, 50.0, 'running'),
    ('INI-05', 'Expand the Customer Advisory Board', 'marketing', 'not_cab_member', 120000.0,
     (getvariable('last_month') + interval 2 month)::date, null, 20.0, 'proposed'),
    ('INI-06', 'Self-service knowledge base', 'product_development', 'slow_support', 260000.0,
     (getvariable('last_month') + interval 1 month)::date, null, 15.0, 'proposed')
) as t(initiative_id, initiative_name, department_id, target_driver, cost_usd, started_on,
       ended_on, expected_churn_reduction_pct, status);

insert into employee_engagement
with quarters as (
    select unnest(generate_series(date_trunc('quarter', getvariable('window_start'))::date,
                                  date_trunc('quarter', getvariable('last_month'))::date,
                                  interval 3 month))::date as quarter_start
),
headcount as (
    select department_id, count(*) + 4 as headcount from employees group by all
),
final as (
    select h.department_id, q.quarter_start,
        round(least(100, greatest(0,
            case h.department_id when 'customer_service' then 66 when 'professional_services' then 72
                 when 'sales' then 70 when 'marketing' then 74 when 'product_development' then 76 else 71 end
            + 0.25 * datediff('month', getvariable('window_start'), q.quarter_start)
                  * case when h.department_id = 'customer_service' then -1 else 1 end
            + 3 * rnorm(hash(h.department_id), datediff('month', getvariable('window_start'), q.quarter_start), 'eng'))), 1)
            as engagement_score,
        floor(h.headcount * (0.7 + 0.25 * rnd(hash(h.department_id), hash(q.quarter_start), 'resp')))::integer
            as respondents,
        h.headcount
    from headcount h cross join quarters q
)
select * from final;
