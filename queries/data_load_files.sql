-- the last load per source file: what each of its physical lines became
-- table, file, kind, lines, the header and preamble, blank lines, lines inside quoted values,
-- lines refused while reading, rows left out by the mapping's where, rows refused by a rule,
-- rows loaded, and the table rows those became (fewer with aggregate, more with spread); a
-- joined file's rows no main row took.
-- parameters: none
-- scope: admin
-- sensitive: none
with files as (
    select table_name, source_file, kind, lines, preamble_lines, blank_lines, quoted_lines,
        malformed_lines, filtered_rows, refused_rows, loaded_rows, table_rows, reshaped,
        unused_rows
    from load_file_lines
),
final as (
    select * from files
)
select * from final
order by table_name, source_file
