-- the checks the churn model had to pass before any risk number is shown, and its verdict
-- one row per check, in the order they are read: what it requires, what the data gave, whether
-- it passed (null: not reached, an earlier check failed) and, for the check that failed, the
-- sentence the pages show instead of a churn chance. the model is shown only when every row
-- passed.
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select position, check_id, label, requirement, result, passed, reason
    from churn_model_checks
)
select * from final
order by position
