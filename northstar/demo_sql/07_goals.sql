-- demo goals: the kpi catalogue with targets and outcomes, monthly actuals (computed from the
-- generated data where it holds them, a drifting series where they would be imported),
-- initiatives and quarterly employee engagement.
insert into department_kpis
with catalogue as (
    select * from (values
        ('cs_first_response_hours', 'customer_service', 'Median first response time',
         'Median hours from a ticket being opened to the first response, tickets opened in the month.',
         'hours', 'lower_is_better', 4.0, 'month', 'computed'),
        ('cs_resolution_hours', 'customer_service', 'Median resolution time',
         'Median hours from a ticket being opened to it being resolved, tickets resolved in the month.',
         'hours', 'lower_is_better', 60.0, 'month', 'computed'),
        ('cs_support_csat_pct', 'customer_service', 'Support CSAT',
         'Share of post-support CSAT answers that are 4 or 5, answers in the month.',
         'pct', 'higher_is_better', 72.0, 'month', 'computed'),
        ('ps_post_ps_csat_pct', 'professional_services', 'Post-engagement CSAT',
         'Share of post-professional-services CSAT answers that are 4 or 5, answers in the month.',
         'pct', 'higher_is_better', 80.0, 'month', 'computed'),
        ('ps_onboarding_csat_pct', 'professional_services', '30-day onboarding CSAT',
         'Share of 30-day post-installation CSAT answers that are 4 or 5, answers in the month.',
         'pct', 'higher_is_better', 80.0, 'month', 'computed'),
        ('pd_defect_tickets_per_1k', 'product_development', 'Defect tickets per 1,000 accounts',
         'Tickets in the defect category opened in the month per 1,000 active accounts.',
         'count', 'lower_is_better', 40.0, 'month', 'computed'),
        ('pd_feature_adoption_pct', 'product_development', 'Feature adoption',
         'Share of active accounts using the features released in the last two quarters.',
         'pct', 'higher_is_better', 40.0, 'month', 'imported'),
        ('sales_expansion_arr_usd', 'sales', 'Expansion ARR',
         'ARR added by existing accounts growing their subscription in the month.',
         'usd', 'higher_is_better', 0, 'month', 'computed'),
        ('sales_win_rate_pct', 'sales', 'Win rate',
         'Share of qualified opportunities closed won in the month.',
         'pct', 'higher_is_better', 28.0, 'month', 'imported'),
        ('mr_relationship_nps', 'market_research', 'Relationship NPS',
         'NPS of relationship survey answers in the month (% promoters - % detractors).',
         'score', 'higher_is_better', 20.0, 'month', 'computed'),
        ('mr_survey_coverage_pct', 'market_research', 'Survey coverage',
         'Share of active accounts with a relationship survey answer in the last six months.',
         'pct', 'higher_is_better', 30.0, 'month', 'computed'),
        ('mkt_customer_references', 'marketing', 'Customer references',
         'Customers who took part in a reference call, case study or event in the month.',
         'count', 'higher_is_better', 12.0, 'month', 'imported'),
        ('mkt_marketing_qualified_leads', 'marketing', 'Marketing qualified leads',
         'New leads that meet the marketing qualification bar in the month.',
         'count', 'higher_is_better', 400.0, 'month', 'imported')
    ) as c(kpi_id, department_id, kpi_name, definition, unit, direction, target_value, period_grain, source)
),
owners as (
    select c.*, d.head_name,
        (getvariable('last_month') + interval 1 month
            + to_days(7 * (hash(c.kpi_id) % 8)::integer))::date as next_review_on
    from catalogue c join departments d using (department_id)
),
final as (
    select o.kpi_id, o.department_id, o.kpi_name, o.definition, o.unit, o.direction,
        o.target_value, o.period_grain,
        (select min(employee_id) from employees e where e.department_id = o.department_id) as owner_employee_id,
        o.source, o.next_review_on
    from owners o
)
select * from final;

-- expansion target: 10% above the average monthly expansion of the window's first year
update department_kpis set target_value = (
    with moves as (
        select month, mrr_usd - lag(mrr_usd) over (partition by account_id order by month) as change_usd
        from account_mrr_monthly
    )
    select round(12 * 1.1 * sum(change_usd) filter (where change_usd > 0) / 12, -3)
    from moves where month < getvariable('window_start') + interval 12 month
)
where kpi_id = 'sales_expansion_arr_usd';

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
    -- mkt_marketing_qualified_leads serves no customer outcome, on purpose

insert into kpi_actuals
with months as (
    select unnest(generate_series(getvariable('window_start'), getvariable('last_month'), interval 1 month))::date
        as period_start
),
active as (
    select month as period_start, count(*) as active_accounts from account_mrr_monthly group by all
),
tickets_opened as (
    select date_trunc('month', opened_at)::date as period_start,
        median(datediff('second', opened_at, first_response_at) / 3600.0) as first_response_hours,
        count(*) filter (where category = 'defect') as defect_tickets
    from support_tickets group by all
),
tickets_resolved as (
    select date_trunc('month', resolved_at)::date as period_start,
        median(datediff('second', opened_at, resolved_at) / 3600.0) as resolution_hours
    from support_tickets where resolved_at is not null group by all
),
surveys as (
    select date_trunc('month', responded_on)::date as period_start,
        100.0 * avg((score >= 4)::int) filter (where survey_type = 'CSAT' and program = 'support') as support_csat_pct,
        100.0 * avg((score >= 4)::int) filter (where survey_type = 'CSAT' and program = 'post_professional_services') as post_ps_csat_pct,
        100.0 * avg((score >= 4)::int) filter (where survey_type = 'CSAT' and program = 'post_installation') as onboarding_csat_pct,
        100.0 * (avg((score >= 9)::int) filter (where survey_type = 'NPS')
                 - avg((score <= 6)::int) filter (where survey_type = 'NPS')) as relationship_nps
    from survey_responses group by all
),
coverage as (
    select m.period_start,
        100.0 * count(distinct s.account_id) / any_value(a.active_accounts) as survey_coverage_pct
    from months m
    join active a using (period_start)
    left join survey_responses s on s.survey_type = 'NPS'
        and s.responded_on > m.period_start + interval 1 month - interval 6 month
        and s.responded_on < m.period_start + interval 1 month
    group by all
),
expansion as (
    select month as period_start, 12 * sum(change_usd) filter (where change_usd > 0) as expansion_arr_usd
    from (
        select month, mrr_usd - lag(mrr_usd) over (partition by account_id order by month) as change_usd
        from account_mrr_monthly
    ) group by all
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
computed as (
    select m.period_start, kpi_id, actual_value
    from months m
    left join active using (period_start)
    left join tickets_opened using (period_start)
    left join tickets_resolved using (period_start)
    left join surveys using (period_start)
    left join coverage using (period_start)
    left join expansion using (period_start)
    cross join lateral (values
        ('cs_first_response_hours', first_response_hours),
        ('cs_resolution_hours', resolution_hours),
        ('cs_support_csat_pct', support_csat_pct),
        ('ps_post_ps_csat_pct', post_ps_csat_pct),
        ('ps_onboarding_csat_pct', onboarding_csat_pct),
        ('pd_defect_tickets_per_1k', 1000.0 * defect_tickets / active_accounts),
        ('sales_expansion_arr_usd', expansion_arr_usd),
        ('mr_relationship_nps', relationship_nps),
        ('mr_survey_coverage_pct', survey_coverage_pct)
    ) as v(kpi_id, actual_value)
),
final as (
    select kpi_id, period_start, round(actual_value, 2) as actual_value
    from computed where actual_value is not null
    union all
    select kpi_id, period_start, round(actual_value, 2) from imported
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
    ('INI-04', 'Detractor call-back within 7 days', 'customer_service', 'detractor_not_followed_up', 90000.0,
     (getvariable('last_month') - interval 3 month)::date, null, 50.0, 'running'),
    ('INI-05', 'Expand the Customer Advisory Board', 'marketing', 'cab_member', 120000.0,
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
