-- one account's profile
-- firmographics, owner, dates, churn, advisory board membership and current arr.
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: account_name (account), primary_contact_name (contact), primary_contact_email (email)
with latest_revenue as (
    select account_id, max(month) as last_billed_month, arg_max(mrr_usd, month)::double as last_mrr_usd
    from account_mrr_monthly
    where account_id = $account_id
    group by account_id
),
cab as (
    select account_id, min(joined_on) as cab_joined_on,
        bool_or(left_on is null) as is_cab_member_now, max(left_on) as cab_left_on
    from cab_memberships
    where account_id = $account_id
    group by account_id
),
final as (
    select a.account_id, a.account_name, a.segment, a.industry, a.region, a.plan,
        a.acquisition_channel, e.employee_name as csm_name, a.csm_employee_id,
        e.department_id as csm_department_id, a.primary_contact_name,
        a.primary_contact_email, a.start_date, a.renewal_date, a.churn_date, a.churn_reason,
        a.lost_to_competitor, r.last_billed_month, 12 * r.last_mrr_usd as last_arr_usd,
        c.cab_joined_on, coalesce(c.is_cab_member_now, false) as is_cab_member_now, c.cab_left_on
    from accounts a
    left join employees e on e.employee_id = a.csm_employee_id
    left join latest_revenue r using (account_id)
    left join cab c using (account_id)
    where a.account_id = $account_id
)
select * from final
