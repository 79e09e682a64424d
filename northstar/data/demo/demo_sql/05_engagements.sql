-- demo engagements: installations, professional services, qbrs, executive meetings (planted
-- exec-coverage trait) and monthly customer advisory board sessions.
create or replace temp table _staff as
select employee_id, job_title,
    row_number() over (partition by job_title order by employee_id) - 1 as staff_index
from employees;
set variable n_consultants = (select count(*) from _staff where job_title = 'Implementation Consultant');
set variable n_sponsors = (select count(*) from _staff where job_title = 'Executive Sponsor');
set variable n_engineers = (select count(*) from _staff where job_title = 'Support Engineer');

create or replace temp table _engagement as
with installations as (
    select a.n, a.account_id, 'installation' as engagement_type, 'professional_services' as department_id,
        'Implementation Consultant' as staff_title, 0 as seq,
        (a.start_date + to_days(3 + floor(rnd(a.n, 0, 'install_start') * 14)::integer))::date as started_on,
        5 + floor(rnd(a.n, 0, 'install_len') * 25)::integer as length_days,
        8 + round(rnd(a.n, 0, 'install_hours') * 32) as hours, true as attended
    from _acct a
    where a.installed_in_window
),
monthly as (
    select m.*, a.csm_employee_id, a.start_date
    from _acct_month m join accounts a using (account_id)
),
professional_services as (
    select n, account_id, 'professional_services', 'professional_services', 'Implementation Consultant',
        month_index,
        (month + to_days(floor(rnd(n, month_index, 'ps_day') * 27)::integer))::date,
        5 + floor(rnd(n, month_index, 'ps_len') * 55)::integer,
        20 + round(rnd(n, month_index, 'ps_hours') * 140), true
    from monthly
    where rnd(n, month_index, 'ps') < case segment when 'Enterprise' then 0.06
                                                   when 'Mid-Market' then 0.025 else 0.004 end
      and month > start_date + interval 60 day
),
qbrs as (
    select n, account_id, 'qbr', 'customer_service', 'csm', month_index,
        (month + to_days(floor(rnd(n, month_index, 'qbr_day') * 27)::integer))::date, 0,
        2 + round(rnd(n, month_index, 'qbr_hours') * 2), true
    from monthly
    where (month_index + n) % 3 = 0
      and rnd(n, month_index, 'qbr') < case segment when 'Enterprise' then 0.85
                                                    when 'Mid-Market' then 0.4 else 0.05 end
),
executive_meetings as (
    select n, account_id, 'executive_meeting', 'sales', 'Executive Sponsor', month_index,
        (month + to_days(floor(rnd(n, month_index, 'exec_day') * 27)::integer))::date, 0,
        3 + round(rnd(n, month_index, 'exec_hours') * 3), true
    from monthly
    where (month_index + n) % 3 = 1
      and rnd(n, month_index, 'exec') < case when is_exec_covered then 0.45 else 0.01 end
),
cab_sessions as (
    select m.n, m.account_id, 'cab_session', 'marketing', 'Executive Sponsor', m.month_index,
        (m.month + interval 8 day)::date, 0, 2,
        rnd(m.n, m.month_index, 'cab_attend') < case when m.is_unhappy then 0.6 else 0.85 end
    from monthly m
    join cab_memberships c on c.account_id = m.account_id
        and m.month + interval 8 day >= c.joined_on
        and (c.left_on is null or m.month + interval 8 day <= c.left_on)
),
unioned as (
    select * from installations
    union all select * from professional_services
    union all select * from qbrs
    union all select * from executive_meetings
    union all select * from cab_sessions
),
final as (
    select u.*,
        case engagement_type when 'installation' then 'I' when 'professional_services' then 'P'
             when 'qbr' then 'Q' when 'executive_meeting' then 'X' else 'C' end
            || printf('%08d-%02d', n, seq) as engagement_id,
        case when length_days > 0 then (started_on + to_days(length_days))::date end as ended_on_raw
    from unioned u
    where started_on <= getvariable('as_of')
)
select * from final;

insert into engagements
with owners as (
    select e.*,
        case when staff_title = 'csm' then a.csm_employee_id
             when staff_title = 'Implementation Consultant' then consultant.employee_id
             else sponsor.employee_id end as owner_employee_id
    from _engagement e
    join accounts a using (account_id)
    left join _staff consultant on consultant.job_title = 'Implementation Consultant'
        and consultant.staff_index = hash(e.engagement_id, 'owner') % getvariable('n_consultants')
    left join _staff sponsor on sponsor.job_title = 'Executive Sponsor'
        and sponsor.staff_index = hash(e.engagement_id, 'owner') % getvariable('n_sponsors')
),
final as (
    select engagement_id, account_id, engagement_type, department_id, owner_employee_id,
        started_on,
        case when ended_on_raw <= getvariable('as_of') then ended_on_raw
             when length_days = 0 then started_on end as ended_on,
        attended, hours,
        case engagement_type
            when 'installation' then 'Installation and go-live'
            when 'professional_services' then pick(['Workflow redesign', 'Data migration',
                'Integration build', 'Admin training', 'Reporting setup'], rnd(n, seq, 'ps_topic'))
            when 'qbr' then 'Quarterly business review'
            when 'executive_meeting' then 'Executive face-to-face meeting'
            else 'Customer Advisory Board session'
        end as notes
    from owners
)
select * from final;
