-- the customer outcomes kpis can serve, in the reference order
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select outcome_id, outcome_name, description,
        coalesce(list_position(['retention', 'satisfaction', 'effort', 'growth', 'advocacy'], outcome_id), 99)
            as sort_order
    from customer_outcomes
)
select * from final
order by sort_order, outcome_name
