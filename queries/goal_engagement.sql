-- employee engagement of one department by quarter, oldest first
-- score 0-100, respondents, headcount, response rate.
-- parameters:
--   $department_id  the department
-- scope: department
-- sensitive: none
with final as (
    select quarter_start, engagement_score, respondents, headcount,
        100.0 * respondents / nullif(headcount, 0) as response_rate_pct
    from employee_engagement
    where department_id = $department_id
)
select * from final
order by quarter_start
