-- demo reference data: employees and planted churn drivers (departments and customer outcomes
-- come from data/reference.sql, inserted by northstar.data.demo before this runs).
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
final as (
    select printf('E%05d', n) as employee_id,
        person_name(n, 0, 'employee') as employee_name,
        department_id, job_title
    from numbered
)
select * from final;

insert into demo_planted_effects values
    ('slow_support', 'Support tickets take about three times longer to resolve', 1.8,
     'median ticket resolution time of the account above 72 hours'),
    ('poor_onboarding', 'A poor installation: low 30-day post-installation survey score', 1.7,
     'post-installation CSAT of 1 or 2'),
    ('no_executive_meeting', 'No executive face-to-face meeting in the last 12 months', 1.5,
     'no executive_meeting engagement in the 12 months before'),
    ('detractor_not_followed_up', 'Detractor NPS answers that were not followed up', 2.0,
     'NPS 0-6 with no detractor_follow_up engagement within 14 days'),
    ('detractor_followed_up', 'Detractor NPS answers that were followed up within 14 days', 1.2,
     'NPS 0-6 with a detractor_follow_up engagement within 14 days'),
    ('cab_member', 'Member of the Customer Advisory Board (protective)', 0.5,
     'a cab_memberships row');
