-- whether the data has renewal dates, and how many active accounts in scope have one
-- accounts_with_renewal_date counts every account of the load (when none has one, the renewals
-- page names the export that would fill accounts.renewal_date); the rest count the accounts
-- billed in $as_of_month in the filters: all of them, those with a renewal date, and those whose
-- renewal date is before $as_of (passed, not yet updated in the source).
-- parameters:
--   $as_of          the data's as-of date
--   $as_of_month    the data's last month
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with active as (
    select a.renewal_date
    from account_churn_risk r
    join accounts a using (account_id)
    where r.month = $as_of_month::date
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   r.segment, r.region, r.plan)
),
final as (
    select
        (select count(renewal_date) from accounts) as accounts_with_renewal_date,
        count(*) as active_accounts,
        count(renewal_date) as active_with_renewal_date,
        count(*) filter (where renewal_date < $as_of::date) as active_renewal_passed
    from active
)
select * from final
