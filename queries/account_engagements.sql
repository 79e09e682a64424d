-- one account's engagements, newest first
-- advisory board, executive meetings, qbrs, services, installation and follow-ups.
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: notes (text)
with final as (
    select g.started_on, g.ended_on, g.engagement_type, d.department_name,
        e.employee_name as owner_name, g.attended, g.hours, g.notes
    from engagements g
    left join departments d using (department_id)
    left join employees e on e.employee_id = g.owner_employee_id
    where g.account_id = $account_id
)
select * from final
order by started_on desc, engagement_type
