-- which canonical tables hold rows: one row per table_name with has_rows (a page without
-- its data says which export would fill it)
-- parameters: none
-- scope: aggregate
-- sensitive: none
with presence as (
    select 'accounts' as table_name, exists (select 1 from accounts) as has_rows
    union all select 'account_mrr_monthly', exists (select 1 from account_mrr_monthly)
    union all select 'product_usage', exists (select 1 from product_usage)
    union all select 'support_tickets', exists (select 1 from support_tickets)
    union all select 'engagements', exists (select 1 from engagements)
    union all select 'cab_memberships', exists (select 1 from cab_memberships)
    union all select 'survey_responses', exists (select 1 from survey_responses)
    union all select 'department_kpis', exists (select 1 from department_kpis)
    union all select 'kudos', exists (select 1 from kudos)
),
final as (
    select table_name, has_rows from presence
)
select * from final
