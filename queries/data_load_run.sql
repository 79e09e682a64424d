-- the load that built this database (no rows for demo data)
-- source, mapping, times, totals, threshold.
-- parameters: none
-- scope: admin
-- sensitive: none
with runs as (
    select source_path, mapping_path, started_at, finished_at,
        datediff('millisecond', started_at, finished_at) / 1000.0 as duration_seconds,
        max_reject_pct, source_rows, loaded_rows, rejected_rows, warnings
    from load_runs
),
final as (
    select * from runs
)
select * from final
order by finished_at desc
