"""Read one source file into a staging table, every row carrying the line it came from.

CSV/TSV/TXT go through DuckDB's `read_csv` (delimiter, quote, header and preamble sniffing,
UTF-8 byte-order marks, quoted multi-line text, CRLF line endings); malformed lines are kept
aside by DuckDB's `store_rejects` and reported as `malformed_row`. Parquet goes through
`read_parquet`; XLSX sheets through pandas/openpyxl. Everything is read as text (Parquet
keeps its types) so mapping expressions see the values as written.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from northstar.importer.mapping import TableMapping

MAX_LINE_BYTES = 16 * 1024 * 1024


class SourceError(RuntimeError):
    """A source file cannot be read at all."""


def quote_identifier(name: str) -> str:
    """A SQL identifier for any column, file or table name (double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class StagedSource:
    stage: str  # staging table: the source columns plus __line
    file_label: str  # the file name shown in rejects
    columns: tuple[str, ...]  # source column names
    rows: int  # data rows read, including malformed ones
    malformed: int  # rows DuckDB's CSV reader could not parse (already in `rejects`)


def _csv_options(mapping: TableMapping) -> tuple[str, dict[str, object]]:
    """Extra read_csv/sniff_csv arguments the mapping sets, as SQL text and bound values."""
    given = {
        "delim": mapping.delimiter, "header": mapping.header, "skip": mapping.skip,
        "encoding": mapping.encoding,
    }
    given = {name: value for name, value in given.items() if value is not None}
    # option names come from the fixed dict above; their values are bound parameters
    return "".join(f", {name} = ${name}" for name in given), given


def _sniff(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, lenient: bool
) -> tuple[str, int, bool]:
    """Delimiter, preamble lines to skip and whether there is a header row."""
    options, params = _csv_options(mapping)
    if lenient:
        options += ", ignore_errors = true"
    delimiter, skip, header = con.execute(
        f"select Delimiter, SkipRows, HasHeader from sniff_csv($path{options})",
        {"path": str(mapping.file), **params},
    ).fetchone()
    skip = mapping.skip if mapping.skip is not None else int(skip)
    header = mapping.header if mapping.header is not None else bool(header)
    return mapping.delimiter or delimiter, skip, header


def _stage_csv(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, raw: str, rejects: str
) -> tuple[int, bool]:
    """Read a delimited file into `raw`; return its header lines and whether it had bad lines."""
    options, params = _csv_options(mapping)
    params = {"path": str(mapping.file), "max_line": MAX_LINE_BYTES, **params}
    read = (f"create or replace temp table {raw} as select * from read_csv($path, "
            f"all_varchar = true, max_line_size = $max_line")
    try:
        con.execute(read + options + ")", params)
        if mapping.delimiter or len(con.table(raw).columns) > 1:
            _, skip, header = _sniff(con, mapping, lenient=False)
            return skip + int(header), False
        # one column: a malformed line may have thrown the strict sniffer off its delimiter
        raise duckdb.InvalidInputException("single column")
    except duckdb.Error as strict_error:
        # malformed lines: sniff past them, then read with DuckDB keeping them aside
        try:
            delimiter, skip, header = _sniff(con, mapping, lenient=True)
            params.update(delim=delimiter, skip=skip, header=header, rejects_table=rejects,
                          rejects_scan=rejects + "_scan")
            con.execute(
                read + ", delim = $delim, skip = $skip, header = $header"
                + (", encoding = $encoding" if mapping.encoding else "")
                + ", store_rejects = true, rejects_table = $rejects_table, "
                "rejects_scan = $rejects_scan)",
                params,
            )
        except duckdb.Error as error:
            raise SourceError(f"{mapping.file.name}: cannot be read: {error}") from strict_error
        return skip + int(header), True


def stage_source(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str
) -> StagedSource:
    """Read mapping.file into temp table `stage` with a __line column.

    Lines DuckDB cannot parse are inserted into `reject_sink` (table_name, source_file, line,
    column_name, value, rule, message).
    """
    file = mapping.file
    if not file.is_file():
        raise SourceError(f"{file.name}: no such file in {file.parent}")
    raw = quote_identifier(stage + "_raw")
    suffix = file.suffix.lower()
    malformed = 0
    if suffix == ".parquet":
        con.execute(
            f"create or replace temp table {quote_identifier(stage)} as "
            "select * exclude (file_row_number), file_row_number + 1 as __line "
            "from read_parquet($path, file_row_number = true)",
            {"path": str(file)},
        )
    else:
        if suffix == ".xlsx":
            header_lines, had_errors = _stage_excel(con, mapping, raw), False
        else:
            header_lines, had_errors = _stage_csv(con, mapping, raw, stage + "_csv_rejects")
        kicks = "(select null::bigint as base where false)"
        if had_errors:
            malformed = _record_malformed(con, mapping, stage, header_lines, reject_sink)
            kicks = f"(select base from {quote_identifier(stage + '_kicks')})"
        columns = [row[0] for row in con.execute(f"describe {raw}").fetchall()]
        newlines = " + ".join(
            f"coalesce(len({quote_identifier(c)}) - len(replace({quote_identifier(c)}, "
            "chr(10), '')), 0)"
            for c in columns
        ) or "0"
        # line = lines before the data + records before (good and malformed) + newlines
        # inside earlier quoted fields; rowid is the file order (insertion order is kept)
        con.execute(f"""
            create or replace temp table {quote_identifier(stage)} as
            with numbered as (
                select *, rowid as __row, {newlines} as __newlines from {raw}
            )
            select * exclude (__row, __newlines),
                {header_lines} + 1 + __row
                + (select count(*) from {kicks} k where k.base <= __row)
                + coalesce(sum(__newlines) over (
                    order by __row rows between unbounded preceding and 1 preceding), 0)
                    as __line
            from numbered
        """)
        con.execute(f"drop table {raw}")
    columns = tuple(
        row[0] for row in con.execute(f"describe {quote_identifier(stage)}").fetchall()
        if row[0] != "__line"
    )
    rows = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchone()[0]
    return StagedSource(stage, file.name, columns, rows + malformed, malformed)


def _stage_excel(con: duckdb.DuckDBPyConnection, mapping: TableMapping, raw: str) -> int:
    import pandas as pd

    header = mapping.header is not False
    skip = mapping.skip or 0
    try:
        frame = pd.read_excel(
            mapping.file, sheet_name=mapping.sheet or 0, dtype=str, skiprows=skip,
            header=0 if header else None,
        )
    except (ValueError, KeyError, OSError) as error:
        raise SourceError(f"{mapping.file.name}: cannot be read as Excel: {error}") from error
    frame.columns = [str(name) for name in frame.columns]
    con.register("excel_frame", frame)
    try:
        con.execute(f"create or replace temp table {raw} as select * from excel_frame")
    finally:
        con.unregister("excel_frame")
    return skip + int(header)


def _record_malformed(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, header_lines: int,
    reject_sink: str,
) -> int:
    errors = quote_identifier(stage + "_csv_rejects")
    kicks = quote_identifier(stage + "_kicks")
    con.execute(f"""
        create or replace temp table {kicks} as
        with bad as (
            select line, any_value(csv_line) as csv_line, any_value(error_message) as message
            from {errors} group by line
        )
        -- a malformed record at data position k shifts every good row from k - (earlier bad)
        select line, csv_line, message,
            line - $header_lines - 1 - (row_number() over (order by line) - 1) as base
        from bad
    """, {"header_lines": header_lines})
    con.execute(
        f"insert into {reject_sink} select $table, $file, line, null, "
        f"left(trim(csv_line, chr(10) || chr(13)), 200), 'malformed_row', message from {kicks}",
        {"table": mapping.table, "file": mapping.file.name},
    )
    return con.execute(f"select count(*) from {kicks}").fetchone()[0]
