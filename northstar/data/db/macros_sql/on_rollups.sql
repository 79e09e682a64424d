-- shared definitions over rollup tables, created after them (a macro is checked against the
-- tables it reads when it is created); northstar.data.db.data_source loads them with macros_sql/rules.sql.

-- revenue movement of every account between an opening month and a closing month:
-- opening mrr (month before the period), closing mrr (period's last month), and the class,
-- with the account's segment, region, plan, acquisition channel and cohort month. an account is
-- in it when it is billed in either month (has_revenue_row: a $0 month counts as no revenue at
-- both ends of the period); read from account_month_snapshots, which is stored in month order,
-- so only the two months' row groups are read.
-- in data without revenue, an account is in it when it was a customer in either month by its
-- own dates (account_lifetimes): new, churn or flat, with no mrr (null, never $0).
create or replace macro window_movements(opening_month, closing_month) as table
with by_dates as (
    select account_id, null::double as mrr_usd, segment, region, plan, acquisition_channel,
        cohort_month, gone_month
    from account_lifetimes
    where not exists (select 1 from account_mrr_monthly)
),
opening as (
    select account_id, mrr_usd, segment, region, plan, acquisition_channel, cohort_month,
        false as from_dates
    from account_month_snapshots
    where month = opening_month and has_revenue_row
    union all
    select account_id, mrr_usd, segment, region, plan, acquisition_channel, cohort_month, true
    from by_dates
    where cohort_month <= opening_month and (gone_month is null or gone_month > opening_month)
),
closing as (
    select account_id, mrr_usd, segment, region, plan, acquisition_channel, cohort_month,
        false as from_dates
    from account_month_snapshots
    where month = closing_month and has_revenue_row
    union all
    select account_id, mrr_usd, segment, region, plan, acquisition_channel, cohort_month, true
    from by_dates
    where cohort_month <= closing_month and (gone_month is null or gone_month > closing_month)
),
final as (
    select
        coalesce(o.account_id, c.account_id) as account_id,
        coalesce(o.segment, c.segment) as segment,
        coalesce(o.region, c.region) as region,
        coalesce(o.plan, c.plan) as plan,
        coalesce(o.acquisition_channel, c.acquisition_channel) as acquisition_channel,
        coalesce(o.cohort_month, c.cohort_month) as cohort_month,
        case when coalesce(o.from_dates, c.from_dates) then null
             else coalesce(o.mrr_usd, 0) end as opening_mrr_usd,
        case when coalesce(o.from_dates, c.from_dates) then null
             else coalesce(c.mrr_usd, 0) end as closing_mrr_usd,
        o.account_id is not null as was_active_at_opening,
        -- no revenue row in the closing month, or one at zero, is churn
        case when coalesce(o.from_dates, c.from_dates) then
                 customer_movement(o.account_id is not null, c.account_id is not null)
             else revenue_movement(o.account_id is not null, coalesce(o.mrr_usd, 0),
                                   coalesce(c.mrr_usd, 0))
        end as movement
    from opening o
    full outer join closing c on c.account_id = o.account_id
)
select * from final;

-- closed loop: every unhappy answer (nps 0-6 or csat 1-2) with its follow-up, the first
-- detractor follow-up, qbr or executive meeting with the account within target_days days, and
-- its status on as_of_date: followed up, overdue, or due (still inside the target); with the
-- account's segment, region, plan and churn date. read from the unhappy_answer_follow_ups
-- rollup alone (the comment is in survey_responses, by response_id).
create or replace macro unhappy_answers(target_days, as_of_date) as table
with answers as (
    select response_id, account_id, responded_on, survey_type, program, score,
        segment, region, plan, churn_date,
        -- the first follow-up, when it came within the target
        case when first_follow_up_on <= responded_on + to_days(target_days::integer)
             then first_follow_up_on end as followed_up_on
    from unhappy_answer_follow_ups
),
final as (
    select *,
        datediff('day', responded_on, followed_up_on) as days_to_follow_up,
        case
            when followed_up_on is not null then 'followed up'
            when responded_on + to_days(target_days::integer) < as_of_date::date then 'overdue'
            else 'due'
        end as follow_up_status
    from answers
)
select * from final;

-- the account_health_monthly rows of the latest month, which the pages show (stored apart in
-- account_health_latest so they are read without the whole history)
create or replace macro health_month(as_of_month) as table
select * from account_health_latest where month = as_of_month::date;

-- how many of each month's largest accounts per segment, region and plan top_accounts_monthly
-- keeps (rollups_sql/top_accounts_monthly.sql): at least the largest top n the CCO programs page
-- offers (TOP_ACCOUNTS_KEPT and TOP_N_OPTIONS in northstar/data/rules.py)
create or replace macro top_accounts_kept() as {{top_accounts_kept}};

-- the accounts among which the top_n largest (top_n up to top_accounts_kept()) of each of months
-- are, within the global filters: the rows top_accounts_monthly keeps, with the mrr 12 months
-- later; the table is in month order, so only those months are read
create or replace macro top_account_candidates(months, top_n, segments, regions, plans) as table
select t.month, t.account_id, t.mrr_usd, t.mrr_12m_later_usd
from top_accounts_monthly t
where t.month in (select unnest(months::date[]))
  and in_scope(segments, regions, plans, t.segment, t.region, t.plan);

-- the further account attributes a mapping kept ([accounts.attributes]), one list per account
-- in attribute-name order, 'Not recorded' where an account has no value (the churn model's
-- frames read it; one home for the shape)
create or replace macro account_extra_attributes() as table
with attribute_names as (
    select distinct attribute from account_attributes
),
final as (
    select a.account_id,
        list(coalesce(v.value, 'Not recorded') order by n.attribute) as extra_attributes
    from accounts a
    cross join attribute_names n
    left join account_attributes v on v.account_id = a.account_id and v.attribute = n.attribute
    group by a.account_id
)
select * from final;

-- which band a value falls in, given the bands' lower edges in order: 1 for the first band
-- (0 below it); the churn model's tenure and ARR size bands
create or replace macro band_index(edges, value) as
    len(list_filter(edges, lambda edge: edge <= value));

-- every billed account-month with its exposure to every churn driver, its outcomes and its
-- account attributes (industry, channel, the tenure and ARR size bands, the further attributes
-- a mapping kept): the rows the churn model's frames group or list (one home for their shape)
create or replace macro exposures_with_attributes(tenure_edges, arr_edges) as table
with final as (
    select e.account_id, e.month, e.segment, e.region, e.plan, e.arr_usd,
        e.slow_support, e.repeated_escalations, e.poor_onboarding, e.poor_services,
        e.detractor_not_followed_up, e.detractor_followed_up, e.no_executive_meeting,
        e.not_cab_member, e.revenue_decline, e.usage_fell, e.seats_underused,
        a.industry, coalesce(a.acquisition_channel, 'Not recorded') as acquisition_channel,
        band_index(tenure_edges::integer[], date_diff('month', a.start_date, e.month))
            as tenure_band,
        band_index(arr_edges::double[], e.arr_usd) as arr_band,
        x.extra_attributes,
        e.churned_next_month, e.churned_within_12m
    from account_driver_exposures e
    join accounts a using (account_id)
    left join account_extra_attributes() x using (account_id)
)
select * from final;
