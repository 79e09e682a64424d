-- demo churn, drawn from what the data shows: runs after the rollups account_month_snapshots,
-- account_month_signals and account_driver_exposures were built on the generated records (every
-- account billed through the last month), so each account-month's exposures are exactly those
-- the driver analysis computes. an account billed in month m churns in month m + 1 with the
-- discrete-time proportional hazard 1 - exp(-exp(eta)), where eta = log(-log(1 - baseline of
-- its segment)) + the sum of log hazard ratios (demo_planted_effects) of the drivers it is
-- exposed to in month m. the first month drawn wins; everything dated from that month on is
-- then removed (revenue, tickets, engagements, answers, kudos), so the months before keep the
-- exposures the hazard was drawn from.
create or replace temp table _churn as
with effects as (
    select
        ln(max(hazard_ratio) filter (where driver_id = 'slow_support')) as slow_support,
        ln(max(hazard_ratio) filter (where driver_id = 'poor_onboarding')) as poor_onboarding,
        ln(max(hazard_ratio) filter (where driver_id = 'no_executive_meeting'))
            as no_executive_meeting,
        ln(max(hazard_ratio) filter (where driver_id = 'detractor_not_followed_up'))
            as detractor_not_followed_up,
        ln(max(hazard_ratio) filter (where driver_id = 'detractor_followed_up'))
            as detractor_followed_up,
        ln(max(hazard_ratio) filter (where driver_id = 'not_cab_member')) as not_cab_member
    from demo_planted_effects
),
hazards as (
    select a.n, e.account_id, e.month,
        ln(-ln(1 - case a.segment when 'Enterprise' then 0.002 when 'Mid-Market' then 0.004
                                  else 0.0075 end))
        + e.slow_support::integer * f.slow_support
        + e.poor_onboarding::integer * f.poor_onboarding
        + e.no_executive_meeting::integer * f.no_executive_meeting
        + e.detractor_not_followed_up::integer * f.detractor_not_followed_up
        + e.detractor_followed_up::integer * f.detractor_followed_up
        + e.not_cab_member::integer * f.not_cab_member as log_cumulative_hazard
    from account_driver_exposures e
    join _acct a using (account_id)
    cross join effects f
    where e.month < getvariable('last_month')
),
final as (
    select account_id, (min(month) + interval 1 month)::date as churn_month
    from hazards
    where rnd(n, datediff('month', getvariable('window_start'), month), 'churn')
        < 1 - exp(-exp(log_cumulative_hazard))
    group by account_id
)
select * from final;

update _acct set churn_month = c.churn_month
from _churn c
where _acct.account_id = c.account_id;

-- why they left: slow-support and poorly onboarded accounts name those reasons more often
update accounts set
    churn_date = (c.churn_month - interval 1 day)::date,
    renewal_date = null,
    churn_reason = c.churn_reason,
    lost_to_competitor = c.lost_to_competitor
from (
    select account_id, churn_month, churn_reason,
        case when churn_reason = 'Switched to competitor'
              or (churn_reason = 'Missing features' and rnd(n, 0, 'competitor_named') < 0.4)
            then pick(['Vantage CX', 'Clearpath', 'Orbitly', 'HelioSuite', 'Pulsewise'],
                      rnd(n, 0, 'competitor'))
        end as lost_to_competitor
    from (
        select account_id, n, churn_month,
            case when is_slow_support and rnd(n, 0, 'reason') < 0.5 then 'Poor support experience'
                 when is_poor_onboarding and rnd(n, 0, 'reason') < 0.5 then 'Failed onboarding'
                 else pick(['Price', 'Missing features', 'Switched to competitor', 'Budget cuts',
                            'Acquired or merged', 'Low adoption', 'Switched to competitor'],
                           rnd(n, 0, 'reason2'))
            end as churn_reason
        from _acct
        where churn_month is not null
    )
) c
where accounts.account_id = c.account_id;

delete from account_mrr_monthly m using _churn c
where m.account_id = c.account_id and m.month >= c.churn_month;

delete from support_tickets t using _churn c
where t.account_id = c.account_id and t.opened_at >= c.churn_month;

delete from engagements e using _churn c
where e.account_id = c.account_id and e.started_on >= c.churn_month;

delete from survey_responses r using _churn c
where r.account_id = c.account_id and r.responded_on >= c.churn_month;

delete from kudos k using _churn c
where k.account_id = c.account_id and k.given_on >= c.churn_month;

delete from cab_memberships m using _churn c
where m.account_id = c.account_id and m.joined_on >= c.churn_month;

update cab_memberships set left_on = (c.churn_month - interval 1 day)::date
from _churn c
where cab_memberships.account_id = c.account_id;
