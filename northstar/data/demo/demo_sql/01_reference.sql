-- demo reference data: the departments' heads, employees and planted churn drivers (departments
-- and customer outcomes come from data/reference.sql, inserted by northstar.data.demo.generator before this
-- runs, with no heads named).
update departments set head_name = h.head_name
from (values
    ('marketing', 'Grace Holloway'),
    ('sales', 'Marcus Bell'),
    ('customer_service', 'Irene Vasquez'),
    ('professional_services', 'Tom Adeyemi'),
    ('product_development', 'Sanjay Rao'),
    ('market_research', 'Helen Strauss')
) as h(department_id, head_name)
where departments.department_id = h.department_id;

-- headcount scales with the customer base
insert into employees
with roles as (
    select * from (values
        ('customer_service', 'Customer Success Manager', greatest(5, getvariable('n_accounts') // 150)),
        ('customer_service', 'Support Engineer', greatest(5, getvariable('n_accounts') // 250)),
        ('professional_services', 'Implementation Consultant', greatest(3, getvariable('n_accounts') // 500)),
        ('sales', 'Account Executive', greatest(3, getvariable('n_accounts') // 400)),
        ('sales', 'Executive Sponsor', 4),
        ('marketing', 'Marketing Manager', 6),
        ('product_development', 'Product Manager', 8),
        ('market_research', 'Research Analyst', 3)
    ) as r(department_id, job_title, headcount)
),
numbered as (
    select department_id, job_title, i,
        row_number() over (order by department_id, job_title, i) as n
    from roles, range(headcount) as t(i)
),
named as (
    select n, person_name(n, 0, 'employee') as employee_name, department_id, job_title
    from numbered
),
final as (
    -- a work address from the name; namesakes get a number (ann.lee2@...)
    select printf('E%05d', n) as employee_id, employee_name, department_id, job_title,
        lower(regexp_replace(employee_name, '[^A-Za-z]+', '.', 'g'))
            || case when row_number() over (partition by employee_name order by n) = 1 then ''
                    else (row_number() over (partition by employee_name order by n))::varchar
               end
            || '@northstar-demo.example' as email
    from named
    order by n
)
select * from final;

-- the churn drivers the generator plants (08_churn), each a hazard ratio on the monthly churn
-- hazard of an account-month exposed to it, exposure as account_driver_exposures shows it (in
-- the words of northstar/data/model/drivers.py, with the rules' numbers)
insert into demo_planted_effects values
    ('slow_support', 'Slow ticket resolution', 1.8,
     'more than half of the tickets opened in the last {{long_frame_months}} months took over '
     || '{{slow_ticket_hours}} hours to resolve'),
    ('poor_onboarding', 'Poor onboarding (30-day survey)', 1.7,
     'a 30-day post-installation CSAT answer of 1 or 2'),
    ('no_executive_meeting', 'No executive meeting in {{long_frame_months}} months', 1.5,
     'no attended executive meeting in the last {{long_frame_months}} months'),
    ('detractor_not_followed_up', 'Detractor not followed up', 2.0,
     'a relationship NPS answer of 0-{{nps_detractor_to}} in the last {{recent_frame_months}} months '
     || 'not followed up within {{detractor_follow_up_days}} days'),
    ('detractor_followed_up', 'Detractor, followed up', 1.2,
     'relationship NPS answers of 0-{{nps_detractor_to}} in the last {{recent_frame_months}} months, '
     || 'every one followed up within {{detractor_follow_up_days}} days'),
    ('not_cab_member', 'Not on the advisory board', 2.0,
     'no advisory board membership on the last day of the month (members churn at half the rate)');
