-- rows per canonical table: one row per table_name with row_count
-- parameters: none
-- scope: admin
-- sensitive: none
with counted as (
    select 'departments' as table_name, count(*) as row_count from departments
    union all select 'customer_outcomes', count(*) from customer_outcomes
    union all select 'employees', count(*) from employees
    union all select 'accounts', count(*) from accounts
    union all select 'account_mrr_monthly', count(*) from account_mrr_monthly
    union all select 'product_usage', count(*) from product_usage
    union all select 'support_tickets', count(*) from support_tickets
    union all select 'engagements', count(*) from engagements
    union all select 'cab_memberships', count(*) from cab_memberships
    union all select 'survey_responses', count(*) from survey_responses
    union all select 'department_kpis', count(*) from department_kpis
    union all select 'kpi_outcomes', count(*) from kpi_outcomes
    union all select 'kpi_actuals', count(*) from kpi_actuals
    union all select 'initiatives', count(*) from initiatives
    union all select 'kudos', count(*) from kudos
    union all select 'employee_engagement', count(*) from employee_engagement
),
final as (
    select table_name, row_count from counted
)
select * from final
