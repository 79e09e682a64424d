-- one account's survey answers with comments, newest first
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: respondent_name (contact), comment (text)
with final as (
    select r.responded_on, r.survey_type, r.program, d.department_name, r.score,
        r.respondent_name, r.comment
    from survey_responses r
    left join departments d using (department_id)
    where r.account_id = $account_id
)
select * from final
order by responded_on desc, survey_type
