-- support tickets still open at the end of $as_of, by age
-- age is whole days from the day opened to $as_of (0-2, 3-7, 8-30, over 30); every bucket is listed
-- even when empty: open, escalated, urgent or high priority.
-- parameters:
--   $as_of  the day tickets are still open at the end of
--   $segments, $regions, $plans  the global filters (empty list = all)
-- scope: aggregate
-- sensitive: none
with open_tickets as (
    select t.ticket_id, t.escalated_at, t.priority,
        date_diff('day', t.opened_at::date, $as_of::date) as age_days
    from support_tickets t
    where account_in_scope(t.account_id, $segments::varchar[], $regions::varchar[], $plans::varchar[])
      and t.opened_at < ($as_of::date + 1)::timestamp
      and (t.resolved_at is null or t.resolved_at >= ($as_of::date + 1)::timestamp)
),
buckets as (
    select * from (values
        (1, '0–2 days', 0, 2),
        (2, '3–7 days', 3, 7),
        (3, '8–30 days', 8, 30),
        (4, 'Over 30 days', 31, null)
    ) b(bucket_order, age_bucket, min_age_days, max_age_days)
),
final as (
    select
        b.bucket_order,
        b.age_bucket,
        count(o.ticket_id) as open_tickets,
        count(o.escalated_at) as escalated_tickets,
        count(o.ticket_id) filter (where o.priority in ('urgent', 'high')) as urgent_or_high_tickets
    from buckets b
    left join open_tickets o
        on o.age_days >= b.min_age_days
       and (b.max_age_days is null or o.age_days <= b.max_age_days)
    group by b.bucket_order, b.age_bucket
)
select * from final
order by bucket_order
