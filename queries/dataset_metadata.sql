-- dataset facts (as_of_date, source, seed, ...) as key/value rows
-- parameters: none
-- scope: aggregate
-- sensitive: none
with final as (
    select key, value from dataset_metadata
)
select * from final
order by key
