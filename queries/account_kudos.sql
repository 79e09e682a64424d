-- kudos the account's people gave our employees, newest first
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: none
with final as (
    select k.given_on, e.employee_name, d.department_name, k.comment
    from kudos k
    join employees e using (employee_id)
    left join departments d on d.department_id = k.department_id
    where k.account_id = $account_id
)
select * from final
order by given_on desc
