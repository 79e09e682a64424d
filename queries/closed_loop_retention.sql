-- do follow-ups keep detractors: churn of detractors followed up or not
-- nps detractor answers given at least $horizon_days days before $as_of_date, followed up within
-- $target_days days or not, and the share of each whose account churned within $horizon_days days
-- after the answer (account_churn_events: revenue churn, or logo churn from account dates in data
-- without revenue, as Retention counts it).
-- parameters:
--   $horizon_days  days after the answer in which a churn counts
--   $as_of_date    answers must be given at least $horizon_days days before this date
--   $target_days   days an answer has to be followed up in
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with detractors as (
    select u.response_id, u.account_id, u.responded_on,
        u.follow_up_status = 'followed up' as was_followed_up
    from unhappy_answers($target_days, $as_of_date) u
    where in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   u.segment, u.region, u.plan)
      and u.survey_type = 'NPS'
      and u.responded_on <= $as_of_date::date - to_days($horizon_days::integer)
),
churned_answers as (
    select distinct d.response_id
    from detractors d
    join account_churn_events e
        on e.account_id = d.account_id
       and e.churned_on between d.responded_on
                            and d.responded_on + to_days($horizon_days::integer)
),
outcomes as (
    select d.*, c.response_id is not null as churned
    from detractors d
    left join churned_answers c using (response_id)
),
final as (
    select was_followed_up,
        count(*) as detractor_answers,
        count(*) filter (where churned) as churned_within_horizon,
        100 * count(*) filter (where churned) / count(*) as churn_pct
    from outcomes
    group by was_followed_up
)
select * from final
order by was_followed_up desc
