-- shared definitions used by the named queries, stored in the database so every query reads
-- them from one place.

-- accounts that pass the global filters (an empty list means no filter on that dimension)
create or replace macro in_scope(segments, regions, plans, segment, region, plan) as
    (len(segments) = 0 or list_contains(segments, segment))
    and (len(regions) = 0 or list_contains(regions, region))
    and (len(plans) = 0 or list_contains(plans, plan));

-- whether a row's account passes the global filters: with no filter every row does, without a
-- lookup (a load refuses rows whose account is unknown, so none is left out that a lookup would
-- drop; the subquery is empty then); otherwise its account must pass them. a condition, where
-- a semi join with every account cost 3-4 times as much at 1,000,000 accounts.
create or replace macro account_in_scope(id, segments, regions, plans) as
    (len(segments) = 0 and len(regions) = 0 and len(plans) = 0)
    or id in (select a.account_id from accounts a
              where not (len(segments) = 0 and len(regions) = 0 and len(plans) = 0)
                and in_scope(segments, regions, plans, a.segment, a.region, a.plan));

create or replace macro scoped_accounts(segments, regions, plans) as table
select account_id, segment, region, plan, acquisition_channel, start_date
from accounts
where in_scope(segments, regions, plans, segment, region, plan);

-- a mean answer on a survey's scale (low to high) as 0-100 points: the health score's survey
-- sentiment puts nps, csat and ces on one footing this way
create or replace macro scale_points(mean, low, high) as 100.0 * (mean - low) / (high - low);

-- health score: weighted mean of the components that have a signal (null components are left
-- out and the remaining weights re-normalised); null when fewer than components_required
-- components have a signal (two, or one in a data set that has only one component at all:
-- account_health_monthly's components_required); weights come from config/health_score.toml.
-- product usage is a component only in a data set with product usage: without it (or with
-- w_usage 0) the score is the four others' as it always was.
-- A whole number of points, so the score a page shows is the score its band was judged on.
create or replace macro health_score(support_experience, survey_sentiment, engagement, revenue_trend,
                                     components_required,
                                     w_support, w_sentiment, w_engagement, w_revenue,
                                     product_usage := null, w_usage := 0) as
    case when (support_experience is not null)::int + (survey_sentiment is not null)::int
              + (engagement is not null)::int + (revenue_trend is not null)::int
              + (product_usage is not null and w_usage > 0)::int
              < components_required then null
    else round((coalesce(w_support * support_experience, 0) + coalesce(w_sentiment * survey_sentiment, 0)
     + coalesce(w_engagement * engagement, 0) + coalesce(w_revenue * revenue_trend, 0)
     + coalesce(w_usage * product_usage, 0))
    / nullif(case when support_experience is null then 0 else w_support end
             + case when survey_sentiment is null then 0 else w_sentiment end
             + case when engagement is null then 0 else w_engagement end
             + case when revenue_trend is null then 0 else w_revenue end
             + case when product_usage is null then 0 else w_usage end, 0)) end;

-- product usage per account and month with the active users' look-back: the mean of the
-- {{usage_fall_lookback_months}} calendar months before and how many of them have an
-- active-user figure (the usage drivers, 04, and the health component, 03, read it)
create or replace macro product_usage_months() as table
select account_id, month, active_users, seats_paid, seats_used,
    avg(active_users) over lookback as prior_mean_active_users,
    count(active_users) over lookback as prior_months_with_users
from product_usage
window lookback as (
    partition by account_id order by month
    range between interval {{usage_fall_lookback_months}} month preceding
        and interval 1 month preceding);

-- health band of a score: 1 healthy, 2 watch, 3 at risk, 4 critical, 5 not scored (lower bounds
-- as parameters)
create or replace macro health_band_order(score, healthy_from, watch_from, at_risk_from) as
    case when score is null then 5 when score >= healthy_from then 1 when score >= watch_from then 2
         when score >= at_risk_from then 3 else 4 end;

create or replace macro health_band_label(band_order) as
    {{health_band_labels}}[band_order];

-- survey answers (the numbers come from northstar/data/rules.py): on the 0-10 nps scale
-- promoters answer 9-10 and detractors 0-6; on the 1-5 csat scale satisfied answers are 4-5 and
-- unhappy ones 1-2; an unhappy answer (an nps detractor or an unhappy csat) needs follow-up
create or replace macro nps_promoter(score) as score >= {{nps_promoter_from}};
create or replace macro nps_detractor(score) as score <= {{nps_detractor_to}};
create or replace macro nps_passive(score) as
    score > {{nps_detractor_to}} and score < {{nps_promoter_from}};
create or replace macro csat_satisfied(score) as score >= {{csat_satisfied_from}};
create or replace macro csat_unhappy(score) as score <= {{csat_unhappy_to}};
-- the support touchpoint's csat: the survey after a ticket, and the rating on the ticket itself
create or replace macro is_support_program(program) as program in ('support', 'ticket_rating');
create or replace macro unhappy_answer(survey_type, score) as
    (survey_type = 'NPS' and nps_detractor(score)) or (survey_type = 'CSAT' and csat_unhappy(score));

-- revenue: an account is billed in a month when its mrr is above zero
create or replace macro is_billed(mrr_usd) as coalesce(mrr_usd, 0) > 0;

-- revenue movement of an account from an opening mrr to a closing mrr, the one rule every
-- rollup and query classifies revenue by (a month against the month before it in
-- account_month_snapshots; a period's opening month, the month before it, against its last
-- month in window_movements and the revenue window tallies): not billed at the opening and
-- billed at the close is new (a reactivation when is_return: billed some earlier month), billed
-- at the opening and not at the close is churn, billed at neither is inactive, else expansion,
-- contraction or flat. "billed" is is_billed: a revenue row at zero is no revenue.
create or replace macro revenue_movement(was_billed_at_opening, opening_mrr_usd, closing_mrr_usd,
                                         is_return := false) as
    case
        when not was_billed_at_opening and is_billed(closing_mrr_usd) then
            case when is_return then 'reactivation' else 'new' end
        when was_billed_at_opening and not is_billed(closing_mrr_usd) then 'churn'
        when not was_billed_at_opening then 'inactive'
        when closing_mrr_usd > opening_mrr_usd then 'expansion'
        when closing_mrr_usd < opening_mrr_usd then 'contraction'
        else 'flat'
    end;

-- logo churn from account dates, for data without revenue: the same classes from whether the
-- account was a customer by its own start and churn dates (account_lifetimes) in the opening
-- and the closing month: new, churn or flat (no dollars, so no expansion or contraction)
create or replace macro customer_movement(was_customer_at_opening, is_customer_at_closing) as
    case
        when not was_customer_at_opening then 'new'
        when not is_customer_at_closing then 'churn'
        else 'flat'
    end;

-- the mrr an account billed at the opening keeps, gains, loses by contraction and loses by
-- churn by the close, by its revenue_movement (the bridge: opening + expansion - contraction -
-- churned = the kept accounts' closing; retained = opening - contraction - churned)
create or replace macro retained_mrr(opening_mrr_usd, closing_mrr_usd) as
    case when revenue_movement(true, opening_mrr_usd, closing_mrr_usd) = 'churn' then 0
         else least(opening_mrr_usd, closing_mrr_usd) end;
create or replace macro expansion_mrr(opening_mrr_usd, closing_mrr_usd) as
    case when revenue_movement(true, opening_mrr_usd, closing_mrr_usd) = 'expansion'
         then closing_mrr_usd - opening_mrr_usd else 0 end;
create or replace macro contraction_mrr(opening_mrr_usd, closing_mrr_usd) as
    case when revenue_movement(true, opening_mrr_usd, closing_mrr_usd) = 'contraction'
         then opening_mrr_usd - closing_mrr_usd else 0 end;
create or replace macro churned_mrr(opening_mrr_usd, closing_mrr_usd) as
    case when revenue_movement(true, opening_mrr_usd, closing_mrr_usd) = 'churn'
         then opening_mrr_usd else 0 end;

-- detractor answers (nps up to {{nps_detractor_to}}) that a detractor follow-up engagement
-- reached within {{detractor_follow_up_days}} days; the health score and the driver analysis both
-- use this rule
create or replace macro followed_up_detractor_answers() as table
select distinct r.response_id
from survey_responses r
join engagements f
    on f.account_id = r.account_id
   and f.engagement_type = 'detractor_follow_up'
   and f.started_on between r.responded_on and r.responded_on + interval {{detractor_follow_up_days}} day
where r.survey_type = 'NPS' and nps_detractor(r.score);

-- the rules' windows the named queries read (northstar/data/rules.py)
create or replace macro exec_meeting_months() as {{exec_meeting_months}};
create or replace macro exec_outcome_months() as {{exec_outcome_months}};
create or replace macro cab_session_months() as {{cab_session_months}};
create or replace macro survey_coverage_months() as {{survey_coverage_months}};
create or replace macro initiative_baseline_months() as {{initiative_baseline_months}};

-- the window lengths the revenue tallies hold (06, 15): the period lengths {{period_months}}
-- (rules.py) and the year-to-date length of the data's last month (left out when it equals
-- another); slot = the length's place among the per-length columns of account_month_signals (02)
create or replace macro tallied_window_lengths() as table
select distinct on (window_months)
    unnest(list_append({{period_months}}, month(value::date))) as window_months,
    generate_subscripts(list_append({{period_months}}, month(value::date)), 1) as slot,
    date_trunc('month', value::date)::date as last_month
from dataset_metadata
where key = 'as_of_date'
order by window_months, slot;
