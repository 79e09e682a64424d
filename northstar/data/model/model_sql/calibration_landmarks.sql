-- churn model calibration: billed account-months with a full year after them, by covariate
-- pattern
-- each row: a segment, the exposure to every churn driver, how many account-months from
-- $from_month through $through_month had that pattern and how many of them churned within the
-- 12 months after; with the account attributes as in account_patterns.
-- parameters:
--   $from_month     the first month counted (one with a full year of data before it, when
--                   there is one)
--   $through_month  the last month counted; the 12 months after it must be in the data
--   $tenure_edges, $arr_edges  the bands' edges, as in account_patterns
-- scope: aggregate
-- sensitive: none
with final as (
    select * exclude (account_id, month, arr_usd, churned_next_month, churned_within_12m),
        count(*)::bigint as landmarks,
        (count(*) filter (where churned_within_12m))::bigint as churned_within_12m
    from exposures_with_attributes($tenure_edges, $arr_edges)
    where month between $from_month::date and $through_month::date
    group by all
)
select * from final;
