"""Read one source file into a staging table, every row carrying the line it came from.

CSV/TSV/TXT go through DuckDB's `read_csv` (delimiter, quote, header and preamble sniffing,
UTF-8 byte-order marks, quoted multi-line text, CRLF line endings); malformed lines are kept
aside by DuckDB's `store_rejects` and reported as `malformed_row`. Parquet goes through
`read_parquet`; XLSX sheets through pandas/openpyxl. Everything is read as text (Parquet
keeps its types) so mapping expressions see the values as written.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from northstar.data.importer.mapping import TableMapping

WHITESPACE = "whitespace"  # the delimiter option for columns separated by runs of spaces/tabs
MAX_LINE_BYTES = 16 * 1024 * 1024  # longer lines cannot be read at all
MESSAGE_CHARS = 200  # how much of an offending line or value a message quotes
# before keeping malformed lines aside (DuckDB holds about a kilobyte per bad line in memory),
# a file whose lines are mostly unreadable is refused from a cheap count
HEAD_BYTES = 256 * 1024  # the part of a refused file read again for examples of bad lines


class SourceError(RuntimeError):
    """A source file cannot be read at all."""


class SourceRefused(SourceError):
    """A source file is readable but too much of it is malformed: its rows are refused."""


def shortened(text: str, limit: int = MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _reader_error(file: Path, error: Exception) -> str:
    """DuckDB's reading error in a line or two: the first line of its message, the offending
    line shortened (DuckDB's own line number counts from the sniffer's buffer, so it is
    replaced by the real one when the line is too long)."""
    text = str(error)
    first, _, rest = text.partition("\n")
    if "Maximum line size" in text:
        line, length = _first_long_line(file, MAX_LINE_BYTES)
        return (f"line {line:,} is {length:,} bytes long, more than the {MAX_LINE_BYTES:,} "
                "a line may have")
    original = next((row for row in rest.splitlines() if row.startswith("Original Line:")), "")
    return shortened(first) + (f" ({shortened(original)})" if original else "")


def _first_long_line(file: Path, limit: int) -> tuple[int, int]:
    """The number and length in bytes of the first physical line longer than `limit`."""
    number, length = 1, 0
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                if length + end - start > limit:
                    return number, length + end - start
                number, length, start = number + 1, 0, end + 1
            length += len(chunk) - start
    return number, length


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
) -> tuple[str, int, bool, str]:
    """Delimiter, preamble lines to skip, whether there is a header row, and the quote."""
    options, params = _csv_options(mapping)
    if lenient:
        options += ", ignore_errors = true"
    delimiter, skip, header, quote = con.execute(
        f"select Delimiter, SkipRows, HasHeader, Quote from sniff_csv($path, "
        f"max_line_size = $max_line{options})",
        {"path": str(mapping.file), "max_line": MAX_LINE_BYTES, **params},
    ).fetchone()
    skip = mapping.skip if mapping.skip is not None else int(skip)
    header = mapping.header if mapping.header is not None else bool(header)
    return mapping.delimiter or delimiter, skip, header, "" if quote == "(empty)" else quote


def _newlines(column: str) -> str:
    """SQL counting the line feeds inside one column's value (0 for null)."""
    name = quote_identifier(column)
    return f"coalesce(len({name}) - len(replace({name}, chr(10), '')), 0)"


def _count_lines(file: Path) -> int:
    """Physical lines of a file (a last line without a line end counts)."""
    lines, last = 0, b"\n"
    with file.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _refuse_if_mostly_malformed(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, read: str, params: dict[str, object],
    header_lines: int, max_malformed_pct: float,
) -> None:
    """Raise SourceRefused when more of the file's lines are unreadable than a load allows,
    counted without keeping them (reading past bad lines is cheap; keeping them is not)."""
    lenient = f"{read}, ignore_errors = true)"
    columns = [row[0] for row in con.execute(f"describe {lenient}", params).fetchall()]
    newlines = " + ".join(_newlines(column) for column in columns) or "0"
    readable, newlines = con.execute(
        f"select count(*), coalesce(sum({newlines}), 0) from ({lenient})", params).fetchone()
    lines = max(0, _count_lines(mapping.file) - header_lines)
    # a quoted value spanning lines is one row over several lines: counted generously as good
    malformed = max(0, lines - readable - newlines)
    if not lines or 100 * malformed / lines <= max_malformed_pct:
        return
    examples = _malformed_examples(con, mapping, read, params, header_lines)
    raise SourceRefused(
        f"{mapping.file.name}: {malformed:,} of its {lines:,} data lines cannot be read as "
        f"{_delimiter_name(params.get('delim'))}-separated values "
        f"({100 * malformed / lines:.1f}%), more than the {max_malformed_pct:g}% allowed. "
        f"{examples}Check the file's delimiter, quoting and "
        "encoding (mapping options delimiter and encoding).")


def _delimiter_name(delimiter: object) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}.get(
        str(delimiter), repr(delimiter))


def _malformed_examples(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, read: str, params: dict[str, object],
    header_lines: int,
) -> str:
    """'First unreadable lines: 3 ("…"), 4 ("…"). ' from the first part of the file only."""
    with mapping.file.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    head = head[: head.rfind(b"\n") + 1] or head
    with tempfile.NamedTemporaryFile(suffix=mapping.file.suffix) as sample:
        sample.write(head)
        sample.flush()
        try:
            con.execute(
                f"create or replace temp table head_rows as {read}, store_rejects = true, "
                "rejects_table = 'head_rejects', rejects_scan = 'head_rejects_scan')",
                {**params, "path": sample.name})
            rows = con.execute(
                "select line, any_value(csv_line) from head_rejects group by line order by line "
                "limit 3").fetchall()
        except duckdb.Error:
            return ""
        finally:
            for table in ("head_rows", "head_rejects", "head_rejects_scan"):
                con.execute(f"drop table if exists {table}")
    if not rows:
        return ""
    listed = ", ".join(f"{line:,} ({shortened(str(text).strip(), 60)!r})" for line, text in rows)
    return f"First unreadable lines: {listed}. "


def _stage_csv(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, raw: str, rejects: str,
    max_malformed_pct: float,
) -> tuple[int, bool, str]:
    """Read a delimited file into `raw`; return its header lines, whether it had bad lines and
    the quote character it was read with ('' for none)."""
    options, params = _csv_options(mapping)
    params = {"path": str(mapping.file), "max_line": MAX_LINE_BYTES, **params}
    read = ("select * from read_csv($path, all_varchar = true, max_line_size = $max_line")
    create = f"create or replace temp table {raw} as "
    try:
        con.execute(create + read + options + ")", params)
        if mapping.delimiter or len(con.table(raw).columns) > 1:
            _, skip, header, quote = _sniff(con, mapping, lenient=False)
            return skip + int(header), False, quote
        # one column: a malformed line may have thrown the strict sniffer off its delimiter
        raise duckdb.InvalidInputException("single column")
    except duckdb.Error as strict_error:
        # malformed lines: sniff past them, then read with DuckDB keeping them aside
        try:
            delimiter, skip, header, quote = _sniff(con, mapping, lenient=True)
            params.update(delim=delimiter, skip=skip, header=header)
            dialect = (read + ", delim = $delim, skip = $skip, header = $header"
                       + (", encoding = $encoding" if mapping.encoding else ""))
            _refuse_if_mostly_malformed(con, mapping, dialect, params, skip + int(header),
                                        max_malformed_pct)
            params.update(rejects_table=rejects, rejects_scan=rejects + "_scan")
            con.execute(create + dialect + ", store_rejects = true, rejects_table = "
                        "$rejects_table, rejects_scan = $rejects_scan)", params)
        except SourceRefused:
            raise
        except duckdb.Error as error:
            raise SourceError(f"{mapping.file.name}: cannot be read: "
                              f"{_reader_error(mapping.file, error)}") from strict_error
        return skip + int(header), True, quote


def stage_source(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str,
    max_malformed_pct: float = 100.0,
) -> StagedSource:
    """Read mapping.file into temp table `stage` with a __line column.

    Lines DuckDB cannot parse, and lines whose value opens a quote that never closes, are
    inserted into `reject_sink` (table_name, source_file, line, column_name, value, rule,
    message). A file with more than `max_malformed_pct` % of unreadable lines raises
    SourceRefused before its bad lines are kept.
    """
    file = mapping.file
    if not file.is_file():
        raise SourceError(f"{file.name}: no such file in {file.parent}")
    raw = quote_identifier(stage + "_raw")
    suffix = file.suffix.lower()
    malformed = 0
    if suffix == ".parquet":
        try:
            con.execute(
                f"create or replace temp table {quote_identifier(stage)} as "
                "select * exclude (file_row_number), file_row_number + 1 as __line "
                "from read_parquet($path, file_row_number = true)",
                {"path": str(file)},
            ).fetchall()
        except duckdb.Error as error:
            reason = shortened(str(error).split(": ", 1)[-1].split("\n", 1)[0])
            raise SourceError(f"{file.name}: cannot be read as Parquet: {reason}") from error
    elif mapping.delimiter == WHITESPACE:
        malformed = _stage_whitespace(con, mapping, stage, reject_sink)
    else:
        quote = '"'
        if suffix == ".xlsx":
            header_lines, had_errors = _stage_excel(con, mapping, raw), False
        else:
            header_lines, had_errors, quote = _stage_csv(con, mapping, raw,
                                                         stage + "_csv_rejects", max_malformed_pct)
        kicks = "(select null::bigint as base where false)"
        if had_errors:
            malformed = _record_malformed(con, mapping, stage, header_lines, reject_sink)
            kicks = f"(select base from {quote_identifier(stage + '_kicks')})"
        columns = [row[0] for row in con.execute(f"describe {raw}").fetchall()]
        newlines = " + ".join(_newlines(column) for column in columns) or "0"
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
        if not quote:
            malformed += _refuse_unclosed_quotes(con, mapping, stage, columns, reject_sink)
    columns = tuple(
        row[0] for row in con.execute(f"describe {quote_identifier(stage)}").fetchall()
        if row[0] != "__line"
    )
    (rows,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
    return StagedSource(stage, file.name, columns, rows + malformed, malformed)


def _stage_whitespace(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str,
) -> int:
    """A file whose columns are separated by runs of spaces or tabs (`delimiter =
    "whitespace"`, as fixed-width logs and many older exports are): each line split on
    whitespace, without quoting; blank lines skipped. A line with another number of values
    than the header names is refused as malformed; returns how many were."""
    lines = quote_identifier(stage + "_lines")
    try:
        con.execute(
            f"create or replace temp table {lines} as select line from read_csv($path, "
            "columns = {'line': 'VARCHAR'}, delim = chr(31), quote = '', escape = '', "
            "header = false, auto_detect = false"
            + (", encoding = $encoding" if mapping.encoding else "") + ")",
            {"path": str(mapping.file),
             **({"encoding": mapping.encoding} if mapping.encoding else {})})
    except duckdb.Error as error:
        raise SourceError(f"{mapping.file.name}: cannot be read: "
                          f"{_reader_error(mapping.file, error)}") from error
    split = "regexp_split_to_array(trim(line, ' ' || chr(9) || chr(13) || chr(65279)), '\\s+')"
    numbered = (f"(select rowid + 1 as __line, {split} as parts from {lines} "
                "where trim(coalesce(line, '')) <> '')")
    skip = mapping.skip or 0
    first = con.execute(f"select __line, parts from {numbered} where __line > $skip "
                        "order by __line limit 1", {"skip": skip}).fetchone()
    if first is None:
        con.execute(f"create or replace temp table {quote_identifier(stage)} "
                    "(__line bigint)")
        con.execute(f"drop table {lines}")
        return 0
    header_line, header = first
    names = list(header) if mapping.header is not False else [
        f"column{index + 1}" for index in range(len(header))]
    start = header_line if mapping.header is not False else header_line - 1
    data = f"(select * from {numbered} where __line > {int(start)})"
    con.execute(
        f"insert into {reject_sink} select $table, $file, __line, null, "
        "left(array_to_string(parts, ' '), 200), 'malformed_row', "
        "'has ' || len(parts) || ' whitespace-separated values where the header names ' "
        f"|| {len(names)} from {data} where len(parts) <> {len(names)}",
        {"table": mapping.table, "file": mapping.file.name})
    (malformed,), = con.execute(
        f"select count(*) from {data} where len(parts) <> {len(names)}").fetchall()
    columns = ", ".join(f"parts[{index + 1}] as {quote_identifier(name)}"
                        for index, name in enumerate(names))
    con.execute(f"create or replace temp table {quote_identifier(stage)} as "
                f"select {columns}, __line from {data} where len(parts) = {len(names)} "
                "order by __line")
    con.execute(f"drop table {lines}")
    return malformed


def _refuse_unclosed_quotes(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, columns: list[str],
    reject_sink: str,
) -> int:
    """Rows of a file read without quoting (its quotes did not pair up) whose value starts
    with a double quote: a quote opened and never closed, which would otherwise load as part
    of the value. They go to the rejects as malformed and leave the stage."""
    if not columns:
        return 0
    table = quote_identifier(stage)
    opened = " or ".join(f"starts_with({quote_identifier(column)}, '\"')" for column in columns)
    first = "coalesce(" + ", ".join(
        f"case when starts_with({quote_identifier(column)}, '\"') then "
        f"{quote_identifier(column)} end" for column in columns) + ")"
    named = "coalesce(" + ", ".join(
        f"case when starts_with({quote_identifier(column)}, '\"') then "
        f"{_literal(column)} end" for column in columns) + ")"
    con.execute(
        f"insert into {reject_sink} select $table, $file, __line, {named}, "
        f"left({first}, {MESSAGE_CHARS}), 'malformed_row', "
        "'a quoted value is never closed (an unpaired \"): the line cannot be split reliably' "
        f"from {table} where {opened}",
        {"table": mapping.table, "file": mapping.file.name})
    return con.execute(f"delete from {table} where {opened}").fetchone()[0]


def _literal(text: str) -> str:
    """A SQL string literal for a column name of the source file."""
    return "'" + text.replace("'", "''") + "'"


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


def _encoding_hint(mapping: TableMapping) -> str:
    """What a line that is not in the file's encoding says: a file saved by two programs
    (UTF-8 first, Latin-1 later, or the reverse) reads well at the top and fails further down."""
    encoding = mapping.encoding or "utf-8"
    return (f"The line is not valid {encoding} text, although the lines before it are: the "
            "file's encoding changes part-way through. Re-save the file in one encoding, or "
            "set the mapping option encoding (e.g. encoding = \"latin-1\") to the one most "
            "of the file uses.")


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
        f"left(trim(csv_line, chr(10) || chr(13)), 200), 'malformed_row', "
        f"case when message ilike 'invalid unicode%' then $encoding_hint else message end "
        f"from {kicks}",
        {"table": mapping.table, "file": mapping.file.name,
         "encoding_hint": _encoding_hint(mapping)},
    )
    return con.execute(f"select count(*) from {kicks}").fetchone()[0]
