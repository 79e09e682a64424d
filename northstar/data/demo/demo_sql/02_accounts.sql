-- demo accounts: firmographics and latent traits (which shape the tickets, meetings and survey
-- answers generated next). churn is drawn later (08_churn), from what those records show.
create or replace temp table _acct as
with base as (
    select range + 1 as n, printf('A%07d', range + 1) as account_id
    from range(getvariable('n_accounts'))
),
firmographics as (
    select n, account_id,
        case when rnd(n, 0, 'segment') < 0.10 then 'Enterprise'
             when rnd(n, 0, 'segment') < 0.40 then 'Mid-Market'
             else 'SMB' end as segment,
        pick(['Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail',
              'Education', 'Logistics', 'Media'], rnd(n, 0, 'industry')) as industry,
        case when rnd(n, 0, 'region') < 0.45 then 'North America'
             when rnd(n, 0, 'region') < 0.75 then 'EMEA'
             when rnd(n, 0, 'region') < 0.92 then 'APAC'
             else 'LATAM' end as region,
        case when rnd(n, 0, 'channel') < 0.35 then 'Inbound'
             when rnd(n, 0, 'channel') < 0.60 then 'Outbound'
             when rnd(n, 0, 'channel') < 0.75 then 'Partner'
             when rnd(n, 0, 'channel') < 0.90 then 'Referral'
             else 'Event' end as acquisition_channel,
        -- start: uniform over the 60 months before the last month; ~40% predate the window
        (getvariable('last_month') - to_months(floor(rnd(n, 0, 'start') * 60)::integer)
            + to_days(floor(rnd(n, 0, 'start_day') * 28)::integer))::date as start_date
    from base
),
plans as (
    select *,
        case segment
            when 'Enterprise' then case when rnd(n, 0, 'plan') < 0.8 then 'Enterprise' else 'Professional' end
            when 'Mid-Market' then case when rnd(n, 0, 'plan') < 0.15 then 'Enterprise'
                                        when rnd(n, 0, 'plan') < 0.85 then 'Professional'
                                        else 'Starter' end
            else case when rnd(n, 0, 'plan') < 0.65 then 'Starter' else 'Professional' end
        end as plan,
        date_trunc('month', start_date)::date as start_month
    from firmographics
),
traits as (
    select *,
        greatest(start_month, getvariable('window_start'))::date as first_window_month,
        start_month >= getvariable('window_start') as installed_in_window,
        -- opening mrr: lognormal by segment and plan
        round(case segment when 'Enterprise' then 9000 when 'Mid-Market' then 2000 else 400 end
              * case plan when 'Enterprise' then 1.4 when 'Professional' then 1.0 else 0.7 end
              * exp(0.6 * rnorm(n, 0, 'mrr')), 2) as opening_mrr_usd,
        rnd(n, 0, 'slow') < 0.22 as is_slow_support,
        rnd(n, 0, 'exec') < case segment when 'Enterprise' then 0.75 when 'Mid-Market' then 0.35 else 0.05 end
            as is_exec_covered,
        rnd(n, 0, 'followup') < 0.5 as is_detractor_followed_up
    from plans
),
traits2 as (
    select *,
        installed_in_window and rnd(n, 0, 'onboarding') < 0.18 as is_poor_onboarding,
        rnd(n, 0, 'unhappy') < case when is_slow_support then 0.35 else 0.17 end as is_unhappy
    from traits
),
cab as (
    -- the advisory board: the largest enterprise and mid-market accounts by opening mrr
    select account_id, true as is_cab_member
    from traits2
    where segment in ('Enterprise', 'Mid-Market')
    order by opening_mrr_usd desc, account_id
    limit least(150, greatest(10, round(getvariable('n_accounts') * 0.02)::integer))
),
final as (
    select t.*, coalesce(cab.is_cab_member, false) as is_cab_member,
        null::date as churn_month  -- set by 08_churn
    from traits2 t left join cab using (account_id)
)
select * from final;

insert into accounts
with named as (
    select a.*,
        pick(['Blue', 'North', 'Silver', 'Bright', 'Summit', 'Cedar', 'Harbor', 'Iron', 'Crystal',
              'Granite', 'Maple', 'Falcon', 'Orbit', 'Pioneer', 'Quantum', 'River', 'Stone',
              'Sun', 'Vertex', 'Willow', 'Atlas', 'Beacon', 'Coral', 'Delta', 'Ember', 'Fjord',
              'Golden', 'Horizon', 'Lumen', 'Nimbus'], rnd(n, 0, 'name1'))
        || pick(['peak', 'field', 'wave', 'path', 'gate', 'stone', 'light', 'bridge', 'point',
                 'works', 'line', 'forge', 'view', 'crest', 'port', 'wood'], rnd(n, 0, 'name2'))
        || ' '
        || pick(['Logistics', 'Health', 'Analytics', 'Foods', 'Capital', 'Labs', 'Systems',
                 'Retail', 'Energy', 'Media', 'Partners', 'Manufacturing', 'Learning', 'Group'],
                rnd(n, 0, 'name3')) as base_name
    from _acct a
),
deduplicated as (
    select *, row_number() over (partition by base_name order by n) as name_rank
    from named
),
csms as (
    select employee_id, row_number() over (order by employee_id) - 1 as csm_index
    from employees where job_title = 'Customer Success Manager'
),
csm_pool as (
    select count(*) as csm_count from csms
),
final as (
    select
        account_id,
        base_name || case when name_rank > 1 then ' ' || name_rank::varchar else '' end as account_name,
        segment, industry, region, plan, acquisition_channel,
        csm.employee_id as csm_employee_id,
        contact_name(n, 0, 'contact') as primary_contact_name,
        lower(replace(contact_name(n, 0, 'contact'), ' ', '.')) || '@'
            || lower(replace(base_name, ' ', '')) || '.example' as primary_contact_email,
        start_date,
        (start_date + to_years(1 + date_sub('year', start_date, getvariable('as_of'))))::date
            as renewal_date,
        null::date as churn_date,  -- churn_date, churn_reason and lost_to_competitor: 08_churn
        null::varchar as churn_reason,
        null::varchar as lost_to_competitor
    from deduplicated
    cross join csm_pool
    left join csms csm on csm.csm_index = hash(deduplicated.account_id, 'csm') % csm_pool.csm_count
)
select * from final;

insert into cab_memberships
with joined as (
    select account_id, n,
        greatest(start_date + interval 60 day,
                 getvariable('window_start') - to_days(floor(rnd(n, 0, 'cab_join') * 400)::integer))::date
            as joined_on
    from _acct where is_cab_member
),
final as (
    -- left_on is set, and memberships joined after churning are removed, by 08_churn
    select account_id, joined_on, null::date as left_on,
        contact_name(n, 0, 'cab_seat') as seat_holder_name
    from joined
    where joined_on <= getvariable('as_of')
)
select * from final;
