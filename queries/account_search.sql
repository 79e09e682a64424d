-- accounts matching a search, best matches first, at most $limit rows
-- an account matches when its id, or its name when $match_names, contains $search
-- (case-insensitive).
-- parameters:
--   $match_names  whether account names are searched too, not only ids
--   $search       the text to look for (case-insensitive)
--   $limit        at most this many rows
-- scope: account_detail
-- sensitive: account_name (account)
-- when masked: match_names = false
with matches as (
    select a.account_id, a.account_name, a.segment, a.region,
        a.churn_date is null as is_active,
        ($match_names and lower(a.account_name) = lower($search))
            or lower(a.account_id) = lower($search) as is_exact,
        $match_names and starts_with(lower(a.account_name), lower($search)) as is_prefix
    from accounts a
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
