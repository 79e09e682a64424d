-- demo survey answers: relationship nps (twice a year, planted unhappy and slow-support traits),
-- 30-day post-installation csat (planted poor-onboarding trait), post-professional-services csat,
-- post-support csat + ces; then detractor follow-ups and kudos.
create or replace temp macro comment_for(theme, u) as
    case theme
        when 'support' then pick(['Support took days to get back to us.',
            'Tickets sit open far too long and we have to chase them.',
            'We had to escalate again just to get an answer from support.'], u)
        when 'onboarding' then pick(['Onboarding was confusing and took far too long.',
            'The installation missed our go-live date.',
            'Our team never got proper training during setup.'], u)
        when 'price' then pick(['Too expensive for what we actually use.',
            'The renewal price increase was hard to justify.'], u)
        when 'product' then pick(['Missing the integrations we need.',
            'Reporting is too limited for our team.', 'Dashboards are slow to load at month end.'], u)
        when 'performance' then pick(['The app has been very slow since the last release.',
            'Pages time out since the update; please fix performance.',
            'Reports got sluggish after the new version.'], u)
        when 'mixed' then pick(['Good product, but reporting could be better.',
            'Works well overall; support could be quicker.', 'Solid, though pricing is steep.'], u)
        when 'praise_support' then pick(['Support resolved our issue within the hour, great job.',
            'Quick, friendly answer from support.'], u)
        when 'praise_post_installation' then pick(['The installation went smoothly, great job.',
            'Go-live was on time and the training was excellent.'], u)
        when 'praise_post_professional_services' then pick([
            'The implementation consultants were excellent.',
            'The workshop gave us exactly what we needed.'], u)
        else pick(['Our account team is fantastic.', 'Easy to use and very reliable.',
            'The advisory board really listens to us.'], u)
    end;

create or replace temp table _survey as
with relationship as (
    select m.n, m.account_id, m.month_index, m.is_unhappy, m.is_slow_support, m.is_poor_onboarding,
        m.is_cab_member,
        'NPS' as survey_type, 'relationship' as program, 'market_research' as department_id,
        (m.month + to_days(floor(rnd(m.n, m.month_index, 'nps_day') * 27)::integer))::date as responded_on,
        rnd(m.n, m.month_index, 'nps_band') as u_band,
        rnd(m.n, m.month_index, 'nps_score') as u_score,
        null::varchar as ticket_id, null::varchar as engagement_id,
        'R' || printf('%08d-%02d', m.n, m.month_index) as response_id
    from _acct_month m
    where (m.month_index + m.n) % 6 = 0 and rnd(m.n, m.month_index, 'nps_respond') < 0.3
),
relationship_scored as (
    select *,
        case when is_unhappy then 0.75 else 0.10 + case when is_slow_support then 0.10 else 0 end end
            as p_detractor,
        case when is_unhappy then 0.05
             else 0.50 + case when is_cab_member then 0.15 else 0 end
                  - case when is_slow_support then 0.10 else 0 end end as p_promoter
    from relationship
),
relationship_final as (
    select response_id, n, account_id, survey_type, program, department_id, responded_on,
        case when u_band < p_detractor then floor(7 * sqrt(u_score))::integer
             when u_band < 1 - p_promoter then 7 + floor(2 * u_score)::integer
             else 9 + floor(2 * u_score)::integer end as score,
        ticket_id, engagement_id,
        case when is_slow_support then 'support' when is_poor_onboarding then 'onboarding'
             else pick(['price', 'product', 'product', 'support'], rnd(n, month_index, 'nps_theme')) end
            as complaint_theme
    from relationship_scored
),
installation as (
    select 'N' || substr(e.engagement_id, 2) as response_id, a.n, e.account_id, 'CSAT', 'post_installation',
        'professional_services',
        (e.ended_on + to_days(30 + floor(rnd(a.n, 0, 'install_survey_day') * 7)::integer))::date,
        case when a.is_poor_onboarding then
                 case when rnd(a.n, 0, 'install_score') < 0.85 then 1 + floor(2 * rnd(a.n, 1, 'install_score'))::integer
                      else 3 end
             when rnd(a.n, 0, 'install_score') < 0.12 then 3
             when rnd(a.n, 0, 'install_score') < 0.55 then 4
             else 5 end,
        null, e.engagement_id, 'onboarding'
    from engagements e join _acct a using (account_id)
    where e.engagement_type = 'installation' and e.ended_on is not null
      and rnd(a.n, 0, 'install_respond') < 0.65
),
professional_services as (
    select 'S' || substr(e.engagement_id, 2), a.n, e.account_id, 'CSAT', 'post_professional_services',
        'professional_services',
        (e.ended_on + to_days(7 + floor(rnd(a.n, hash(e.engagement_id), 'ps_survey_day') * 7)::integer))::date,
        case when rnd(a.n, hash(e.engagement_id), 'ps_score') < 0.03 + case when a.is_unhappy then 0.1 else 0 end then 1
             when rnd(a.n, hash(e.engagement_id), 'ps_score') < 0.08 + case when a.is_unhappy then 0.2 else 0 end then 2
             when rnd(a.n, hash(e.engagement_id), 'ps_score') < 0.20 + case when a.is_unhappy then 0.2 else 0 end then 3
             when rnd(a.n, hash(e.engagement_id), 'ps_score') < 0.55 then 4
             else 5 end,
        null, e.engagement_id, 'product'
    from engagements e join _acct a using (account_id)
    where e.engagement_type = 'professional_services' and e.ended_on is not null
      and rnd(a.n, hash(e.engagement_id), 'ps_respond') < 0.5
),
support_csat as (
    select 'U' || substr(t.ticket_id, 2), a.n, t.account_id, 'CSAT', 'support', t.department_id,
        (t.resolved_at::date + to_days(floor(rnd(a.n, hash(t.ticket_id), 'support_day') * 3)::integer))::date,
        t.satisfaction_score, t.ticket_id, null, 'support'
    from support_tickets t join _acct a using (account_id)
    where t.satisfaction_score is not null
),
support_ces as (
    select 'F' || substr(t.ticket_id, 2), a.n, t.account_id, 'CES', 'support', t.department_id,
        (t.resolved_at::date + to_days(floor(rnd(a.n, hash(t.ticket_id), 'support_day') * 3)::integer))::date,
        least(7, greatest(1, round(6.3 - 0.7 * ln(greatest(1, datediff('minute', t.opened_at, t.resolved_at) / 60.0) / 24)
                                   - 1.0 * t.reopen_count + 0.9 * rnorm(a.n, hash(t.ticket_id), 'ces'))))::integer,
        t.ticket_id, null, 'support'
    from support_tickets t join _acct a using (account_id)
    where t.satisfaction_score is not null
),
unioned as (
    select * from relationship_final
    union all select * from installation
    union all select * from professional_services
    union all select * from support_csat
    union all select * from support_ces
),
final as (
    select u.*,
        case when survey_type = 'NPS' and nps_detractor(score) or survey_type = 'CSAT' and csat_unhappy(score)
                  or survey_type = 'CES' and score <= 3 then
                 -- planted: a release in the last two months made the product slow, and
                 -- complaints about it spike well above their usual level
                 case when u.responded_on >= getvariable('last_month') - interval 1 month
                           and rnd(u.n, hash(u.response_id), 'release') < 0.4 then 'performance'
                      else complaint_theme end
             when survey_type = 'NPS' and score <= 8 or survey_type = 'CSAT' and score = 3 then 'mixed'
             else 'praise_' || program end as comment_theme
    from unioned u
    join _acct a using (account_id)
    where u.responded_on <= getvariable('as_of')
)
select * from final;

insert into survey_responses
select response_id, s.account_id, survey_type, program, department_id, responded_on, score,
    a.primary_contact_name as respondent_name,
    case when rnd(s.n, hash(response_id), 'has_comment') < 0.45
         then comment_for(comment_theme, rnd(s.n, hash(response_id), 'comment')) end as comment,
    ticket_id, engagement_id
from _survey s join accounts a using (account_id);

-- closed loop: detractors are followed up quickly for accounts with the followed-up trait
insert into engagements
with detractors as (
    select s.response_id, s.n, s.account_id, s.responded_on, a.is_detractor_followed_up
    from _survey s join _acct a using (account_id)
    where s.survey_type = 'NPS' and nps_detractor(s.score)
),
follow_ups as (
    select *,
        (responded_on + to_days(case when is_detractor_followed_up
            then 1 + floor(rnd(n, hash(response_id), 'fu_day') * 11)
            else 15 + floor(rnd(n, hash(response_id), 'fu_day') * 25) end::integer))::date as started_on
    from detractors
    where rnd(n, hash(response_id), 'fu') < case when is_detractor_followed_up then 0.85 else 0.12 end
),
final as (
    select 'D' || substr(response_id, 2) as engagement_id, f.account_id, 'detractor_follow_up',
        'customer_service', a.csm_employee_id, started_on, started_on, true, 1.5,
        'Follow-up call on NPS feedback'
    from follow_ups f join accounts a using (account_id)
    where started_on <= getvariable('as_of')
)
select * from final;

-- kudos: promoters praise their csm; 5/5 service answers praise the consultant or engineer
insert into kudos
with praise as (
    select s.response_id, s.n, s.account_id, s.responded_on, s.program, a.csm_employee_id
    from _survey s join accounts a using (account_id)
    where (s.survey_type = 'NPS' and nps_promoter(s.score) and rnd(s.n, hash(s.response_id), 'kudos') < 0.2)
       or (s.survey_type = 'CSAT' and s.score = 5 and s.program = 'post_professional_services'
           and rnd(s.n, hash(s.response_id), 'kudos') < 0.3)
       or (s.survey_type = 'CSAT' and s.score = 5 and s.program = 'support'
           and rnd(s.n, hash(s.response_id), 'kudos') < 0.15)
),
praised as (
    select p.*,
        case p.program when 'relationship' then p.csm_employee_id
             when 'post_professional_services' then consultant.employee_id
             else engineer.employee_id end as employee_id
    from praise p
    left join _staff consultant on consultant.job_title = 'Implementation Consultant'
        and consultant.staff_index = hash(p.response_id, 'kudos') % getvariable('n_consultants')
    left join _staff engineer on engineer.job_title = 'Support Engineer'
        and engineer.staff_index = hash(p.response_id, 'kudos') % getvariable('n_engineers')
),
final as (
    select 'K' || response_id as kudos_id, p.employee_id, e.department_id, p.account_id,
        responded_on as given_on,
        pick(['Went above and beyond for our team.', 'Always quick, clear and friendly.',
              'Solved a problem nobody else could.', 'A true partner to our business.'],
             rnd(n, hash(response_id), 'kudos_text')) as comment
    from praised p join employees e using (employee_id)
)
select * from final;
