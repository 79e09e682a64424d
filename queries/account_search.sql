-- accounts whose name or id contains $search (case-insensitive), best matches first, at most $limit rows; params $search, $limit.
with matches as (
    select a.account_id, a.account_name, a.segment, a.region,
        a.churn_date is null as is_active,
        lower(a.account_name) = lower($search) or lower(a.account_id) = lower($search) as is_exact,
        starts_with(lower(a.account_name), lower($search)) as is_prefix
    from accounts a
    where contains(lower(a.account_name), lower($search))
       or contains(lower(a.account_id), lower($search))
),
final as (
    select account_id, account_name, segment, region, is_active
    from matches
    order by is_exact desc, is_prefix desc, is_active desc, account_name, account_id
    limit $limit
)
select * from final
