-- the last load per canonical table
-- source file, status, rows in the file, rows to load (after the mapping's where, aggregate and
-- spread), loaded, refused and warnings.
-- parameters: none
-- scope: admin
-- sensitive: none
with results as (
    select table_name, source_file, status, file_rows, source_rows, loaded_rows, rejected_rows,
        warnings
    from load_table_results
),
final as (
    select * from results
)
select * from final
order by table_name
