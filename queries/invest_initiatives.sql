-- initiatives with their department, cost, targeted driver and expected churn reduction
-- for running or completed ones, also the monthly churn of accounts exposed to the driver (and of
-- the others, as a control) in the 12 months before the start and since, through $as_of_month's
-- previous month.
-- parameters:
--   $as_of_month  churn is counted through the month before this one
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with monthly as (
    -- from the driver_month_tallies rollup
    select driver_id, month, exposed,
        sum(account_months)::bigint as account_months,
        sum(churned_next_month)::bigint as churned
    from driver_month_tallies
    where month < $as_of_month::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   segment, region, plan)
    group by all
),
targets as (
    select i.*, d.department_name,
        case i.target_driver when 'cab_member' then 'not_cab_member' else i.target_driver end
            as driver_id,
        date_trunc('month', i.started_on)::date as start_month,
        least(coalesce(date_trunc('month', i.ended_on)::date, $as_of_month::date),
              ($as_of_month::date - interval 1 month)::date) as through_month
    from initiatives i
    join departments d using (department_id)
),
progress as (
    select t.initiative_id,
        datediff('month', t.start_month, $as_of_month::date) as months_since_start,
        coalesce(sum(m.account_months) filter (where m.exposed and m.month < t.start_month), 0)
            as exposed_months_before,
        coalesce(sum(m.churned) filter (where m.exposed and m.month < t.start_month), 0)
            as exposed_churned_before,
        coalesce(sum(m.account_months) filter (where m.exposed and m.month >= t.start_month), 0)
            as exposed_months_since,
        coalesce(sum(m.churned) filter (where m.exposed and m.month >= t.start_month), 0)
            as exposed_churned_since,
        coalesce(sum(m.account_months) filter (where not m.exposed and m.month < t.start_month), 0)
            as control_months_before,
        coalesce(sum(m.churned) filter (where not m.exposed and m.month < t.start_month), 0)
            as control_churned_before,
        coalesce(sum(m.account_months) filter (where not m.exposed and m.month >= t.start_month), 0)
            as control_months_since,
        coalesce(sum(m.churned) filter (where not m.exposed and m.month >= t.start_month), 0)
            as control_churned_since
    from targets t
    left join monthly m
        on m.driver_id = t.driver_id
       and m.month between t.start_month - to_months(initiative_baseline_months())
                       and t.through_month
    where t.status in ('running', 'completed') and t.start_month < $as_of_month::date
    group by all
),
final as (
    select t.initiative_id, t.initiative_name, t.department_id, t.department_name,
        t.target_driver, t.cost_usd::double as cost_usd, t.started_on, t.ended_on,
        t.expected_churn_reduction_pct, t.status,
        p.* exclude (initiative_id)
    from targets t
    left join progress p using (initiative_id)
)
select * from final
order by initiative_id
