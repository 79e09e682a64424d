-- one account's support tickets with first response and resolution hours, newest first
-- parameters:
--   $account_id  the account
-- scope: account_detail
-- sensitive: subject (text)
with final as (
    select ticket_id, opened_at, status, priority, category, channel,
        datediff('minute', opened_at, first_response_at) / 60.0 as first_response_hours,
        datediff('minute', opened_at, resolved_at) / 60.0 as resolution_hours,
        escalated_at is not null as is_escalated, reopen_count, satisfaction_score, subject
    from support_tickets
    where account_id = $account_id
)
select * from final
order by opened_at desc
