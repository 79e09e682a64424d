-- shared definitions used by the named queries, stored in the database so every query reads
-- them from one place.

-- revenue movement of every account between an opening month and a closing month:
-- opening mrr (month before the period), closing mrr (period's last month), and the class.
create or replace macro window_movements(opening_month, closing_month) as table
with opening as (
    select account_id, mrr_usd::double as mrr_usd
    from account_mrr_monthly where month = opening_month
),
closing as (
    select account_id, mrr_usd::double as mrr_usd
    from account_mrr_monthly where month = closing_month
),
final as (
    select
        coalesce(o.account_id, c.account_id) as account_id,
        coalesce(o.mrr_usd, 0) as opening_mrr_usd,
        coalesce(c.mrr_usd, 0) as closing_mrr_usd,
        o.account_id is not null as was_active_at_opening,
        case
            when o.account_id is null then 'new'
            when c.account_id is null then 'churn'
            when c.mrr_usd > o.mrr_usd then 'expansion'
            when c.mrr_usd < o.mrr_usd then 'contraction'
            else 'flat'
        end as movement
    from opening o
    full outer join closing c on c.account_id = o.account_id
)
select * from final;

-- accounts that pass the global filters (an empty list means no filter on that dimension)
create or replace macro scoped_accounts(segments, regions, plans) as table
select account_id, segment, region, plan, acquisition_channel, start_date
from accounts
where (len(segments) = 0 or list_contains(segments, segment))
  and (len(regions) = 0 or list_contains(regions, region))
  and (len(plans) = 0 or list_contains(plans, plan));
