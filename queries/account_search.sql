-- accounts matching a search, best matches first, at most $limit rows
-- an account matches when its id, or its name when $match_names, contains $search
-- (case-insensitive). is_active counts churn as Retention does: an account with revenue is
-- active when billed in the data's last month (revenue churn); one without (or in data without
-- revenue) while it has no churn date (logo churn from account dates).
-- parameters:
--   $match_names  whether account names are searched too, not only ids
--   $search       the text to look for (case-insensitive)
--   $limit        at most this many rows
-- scope: account_detail
-- sensitive: account_name (account)
-- when masked: match_names = false
with last_month as (
    select date_trunc('month', value::date)::date as month
    from dataset_metadata where key = 'as_of_date'
),
billed_now as (
    select s.account_id
    from account_month_snapshots s
    where s.month = (select month from last_month) and s.has_revenue_row
),
matches as (
    select a.account_id, a.account_name, a.segment, a.region,
        case when l.account_id is not null then b.account_id is not null
             else a.churn_date is null end as is_active,
        ($match_names and lower(a.account_name) = lower($search))
            or lower(a.account_id) = lower($search) as is_exact,
        $match_names and starts_with(lower(a.account_name), lower($search)) as is_prefix
    from accounts a
    -- accounts with revenue (account_lifetimes holds every account by its dates without it)
    left join account_lifetimes l
        on l.account_id = a.account_id and exists (select 1 from account_mrr_monthly)
    left join billed_now b on b.account_id = a.account_id
    where ($match_names and contains(lower(a.account_name), lower($search)))
       or contains(lower(a.account_id), lower($search))
),
final as (
    select account_id, account_name, segment, region, is_active
    from matches
    order by is_exact desc, is_prefix desc, is_active desc, account_name, account_id
    limit $limit
)
select * from final
