"""Read one source file into a staging table, every row carrying the line it came from.

CSV/TSV/TXT go through DuckDB's `read_csv` (delimiter, quote, header and preamble sniffing,
UTF-8 byte-order marks, quoted multi-line text, CRLF line endings); malformed lines are kept
aside by DuckDB's `store_rejects` and reported as `malformed_row`. Parquet goes through
`read_parquet`; XLSX sheets are streamed row by row through openpyxl (read-only), within
MAX_EXCEL_XML_BYTES. Everything is read as text (Parquet keeps its types) so mapping
expressions see the values as written.

Only the columns a load needs are staged (`keep`): an export with a thousand custom fields is
read with the handful its mapping names. Line numbers still count every column's line breaks.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from northstar.data.importer.mapping import TableMapping

WHITESPACE = "whitespace"  # the delimiter option for columns separated by runs of spaces/tabs
MAX_LINE_BYTES = 16 * 1024 * 1024  # longer lines cannot be read at all
MESSAGE_CHARS = 200  # how much of an offending line or value a message quotes
# before keeping malformed lines aside (DuckDB holds about a kilobyte per bad line in memory),
# a file whose lines are mostly unreadable is refused from a cheap count
HEAD_BYTES = 256 * 1024  # the part of a refused file read again for examples of bad lines
# the first lines looked at for where the rows begin when the reader, thrown off by a preamble
# and a malformed line together, reads a delimited file as one column
PREAMBLE_LINES = 100
# the most XML one part of a workbook (a sheet, its shared strings) may hold uncompressed: about
# 25 million filled cells. A larger sheet, or a small file that unpacks to more (a zip bomb),
# is refused before it is read; save such a sheet as CSV instead.
MAX_EXCEL_XML_BYTES = 1024 ** 3
EXCEL_COLUMNS = 16_384  # columns an Excel sheet can have (A to XFD)
EXCEL_HEADER_ROWS = 1_000  # the header is the first row with a value among this many
EXCEL_BATCH_ROWS = 50_000  # sheet rows held in memory at once on their way to the stage
# cell texts read as missing, as pandas' Excel reader did, plus Excel's error values
EXCEL_MISSING = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
})
Keep = Callable[[tuple[str, ...]], tuple[str, ...]]  # the file's columns -> those to stage


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
class FileLines:
    """What every physical line of a source file was, as read: the sheet's rows for Excel
    (from row 1 to the last the sheet holds), the rows for Parquet. `physical` = `preamble` +
    `blank` + `continued` + `malformed` + `rows`."""

    kind: str  # one of FILE_KINDS
    physical: int  # lines in the file (sheet rows for Excel, rows for Parquet)
    preamble: int  # the header line and the lines skipped above it
    blank: int  # empty lines (Excel: rows with no value in the columns read)
    continued: int  # lines inside quoted multi-line values, read as part of the row above
    malformed: int  # lines refused while reading (in the rejects as malformed_row)
    rows: int  # data rows read

    @property
    def unaccounted(self) -> int:
        """Physical lines none of the terms counts (0 when the reading is complete)."""
        return self.physical - (self.preamble + self.blank + self.continued + self.malformed
                                + self.rows)


# kind of source -> what its physical units are
FILE_KINDS = {"delimited": "lines", "whitespace": "lines", "excel": "sheet rows",
              "parquet": "rows", "warehouse": "rows"}


@dataclass(frozen=True)
class StagedSource:
    stage: str  # staging table: the source columns kept plus __line
    file_label: str  # the file name shown in rejects
    columns: tuple[str, ...]  # source column names staged
    rows: int  # data rows read, including malformed ones
    malformed: int  # rows DuckDB's CSV reader could not parse (already in `rejects`)
    file_columns: tuple[str, ...] = ()  # every column of the file, for messages
    # where a delimited file's column names came from when the reader guessed it, for messages
    # about a column the file lacks ('' when line 1 holds them or the mapping said where)
    reading: str = ""
    lines: FileLines | None = None  # what each physical line of the file was


def _kept(keep: Keep | None, columns: Sequence[str]) -> tuple[str, ...]:
    return tuple(columns) if keep is None else keep(tuple(columns))


def _selected(columns: Sequence[str]) -> str:
    """A select list of quoted columns, with a trailing comma when not empty."""
    return "".join(f"{quote_identifier(column)}, " for column in columns)


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


def _newlines(columns: Sequence[str]) -> str:
    """SQL counting the line feeds inside a row's values (0 when there are none). One flat
    expression however many columns the file has (a sum of one term per column would be as
    deep as the file is wide, and DuckDB refuses expressions over 1,000 deep)."""
    if not columns:
        return "0"
    text = "concat(" + ", ".join(quote_identifier(column) for column in columns) + ")"
    return f"(len({text}) - len(replace({text}, chr(10), '')))"


def _opened_quote(columns: Sequence[str]) -> str:
    """SQL for the first column whose value starts with a double quote, and that value: what
    a file read without quoting holds where a quote was opened and never closed. Flat for any
    number of columns, like _newlines."""
    if not columns:
        return "null::varchar as __opened_column, null::varchar as __opened_value"
    starts = [(quote_identifier(column), _literal(column)) for column in columns]
    name = ", ".join(f"case when starts_with({q}, '\"') then {lit} end" for q, lit in starts)
    value = ", ".join(f"case when starts_with({q}, '\"') then {q} end" for q, _ in starts)
    return f"coalesce({name}) as __opened_column, coalesce({value}) as __opened_value"


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
    newlines = _newlines(columns)
    readable, newlines = con.execute(
        f"select count(*), coalesce(sum({newlines}), 0) from ({lenient})", params).fetchone()
    lines = max(0, _count_lines(mapping.file) - header_lines)
    # a quoted value spanning lines is one row over several lines: counted generously as good
    malformed = max(0, lines - readable - newlines)
    if not lines or 100 * malformed / lines <= max_malformed_pct:
        return
    examples, rows = _malformed_examples(con, mapping, read, params, header_lines)
    raise SourceRefused(
        f"{mapping.file.name}: {malformed:,} of its {lines:,} data lines cannot be read as "
        f"{_delimiter_name(params.get('delim'))}-separated values "
        f"({100 * malformed / lines:.1f}%), more than the {max_malformed_pct:g}% allowed. "
        f"{examples}"
        + (_header_delimiter_hint(mapping, str(params.get("delim")), header_lines, rows)
           or "Check the file's delimiter, quoting and encoding (mapping options delimiter "
              "and encoding)."))


def _header_delimiter_hint(
    mapping: TableMapping, delimiter: str, header_lines: int, rows: Sequence[str],
) -> str:
    """When the unreadable lines all split into the same number of values but the header
    line into another, because the header uses another delimiter: that, in words."""
    if not header_lines or not rows:
        return ""
    counts = {_values(row, delimiter) for row in rows}
    header = _head_lines(mapping, header_lines)[-1]
    names = _values(header, delimiter)
    if len(counts) != 1 or names == (width := counts.pop()) or width < 2:
        return ""
    other = next((mark for mark in DELIMITERS if mark != delimiter
                  and _values(header, mark) == width), None)
    if other is None:
        return ""
    used = _delimiter_name(delimiter)
    return (f"The header (line {header_lines:,}: {shortened(header, 120)!r}) holds {names} "
            f"{used}-separated value{'s' if names != 1 else ''} where these lines hold {width}: "
            f"it uses another delimiter ({_delimiter_name(other)}) than the rows. Re-save the "
            f"file with one delimiter, or set skip to the number of lines above the first "
            f"{used}-separated line (with header = false when that line is data).")


def _delimiter_name(delimiter: object) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}.get(
        str(delimiter), repr(delimiter))


def _malformed_examples(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, read: str, params: dict[str, object],
    header_lines: int,
) -> tuple[str, list[str]]:
    """'First unreadable lines: 3 ("…"), 4 ("…"). ' from the first part of the file only, and
    those lines."""
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
            return "", []
        finally:
            for table in ("head_rows", "head_rejects", "head_rejects_scan"):
                con.execute(f"drop table if exists {table}")
    if not rows:
        return "", []
    listed = ", ".join(f"{line:,} ({shortened(str(text).strip(), 60)!r})" for line, text in rows)
    return f"First unreadable lines: {listed}. ", [str(text).strip() for _, text in rows]


def _bound(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters a statement names (DuckDB refuses values it has no place for)."""
    return {key: value for key, value in params.items() if f"${key}" in sql}


@dataclass(frozen=True)
class _CsvRead:
    """How a delimited file was read."""

    skip: int  # lines skipped above the header (or above the data, without a header)
    header: bool  # whether the line after them held the column names
    delimiter: str
    had_errors: bool  # whether malformed lines were kept aside
    quote: str  # the quote character ('' for none)
    columns: tuple[str, ...]  # every column of the file

    @property
    def header_lines(self) -> int:
        return self.skip + int(self.header)


def _stage_csv(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, raw: str, rejects: str,
    max_malformed_pct: float, keep: Keep | None,
) -> _CsvRead:
    """Read a delimited file into `raw`: the columns `keep` picks from the file's, the line
    feeds inside each row's values (__newlines) and, for a file read without quoting, the first
    value that opens a quote (__opened_column, __opened_value). Return how it was read."""
    options, params = _csv_options(mapping)
    params = {"path": str(mapping.file), "max_line": MAX_LINE_BYTES, **params}
    source = "from read_csv($path, all_varchar = true, max_line_size = $max_line"

    def columns_of(tail: str) -> tuple[str, ...]:
        sql = f"describe select * {source}{tail})"
        return tuple(row[0] for row in con.execute(sql, _bound(sql, params)).fetchall())

    def read(columns: tuple[str, ...], tail: str, quote: str) -> None:
        opened = "" if quote else f", {_opened_quote(columns)}"
        sql = (f"create or replace temp table {raw} as select {_selected(_kept(keep, columns))}"
               f"{_newlines(columns)} as __newlines{opened} {source}{tail})")
        con.execute(sql, _bound(sql, params))

    try:
        columns = columns_of(options)
        if not mapping.delimiter and len(columns) <= 1:
            # one column: a malformed line may have thrown the strict sniffer off its delimiter
            raise duckdb.InvalidInputException("single column")
        delimiter, skip, header, quote = _sniff(con, mapping, lenient=False)
        read(columns, options, quote)
        return _CsvRead(skip, header, delimiter, False, quote, columns)
    except duckdb.Error as strict_error:
        # malformed lines: sniff past them, then read with DuckDB keeping them aside
        try:
            delimiter, skip, header, quote = _sniff(con, mapping, lenient=True)
            params.update(delim=delimiter, skip=skip, header=header)
            dialect = (", delim = $delim, skip = $skip, header = $header"
                       + (", encoding = $encoding" if mapping.encoding else ""))
            if mapping.skip is None and len(columns_of(dialect + ", ignore_errors = true")) <= 1:
                guess = _rows_start(mapping)
                if guess is not None:  # read from where the rows begin; the lines above are
                    # then checked as any guessed preamble is (_refuse_data_in_preamble)
                    delimiter, skip, header, quote = _sniff(
                        con, replace(mapping, delimiter=guess[0], skip=guess[1]), lenient=True)
                    params.update(delim=delimiter, skip=skip, header=header)
            _refuse_if_mostly_malformed(con, mapping, f"select * {source}{dialect}",
                                        _bound(source + dialect, params), skip + int(header),
                                        max_malformed_pct)
            columns = columns_of(dialect + ", ignore_errors = true")
            params.update(rejects_table=rejects, rejects_scan=rejects + "_scan")
            read(columns, dialect + ", store_rejects = true, rejects_table = $rejects_table, "
                 "rejects_scan = $rejects_scan", quote)
        except SourceRefused:
            raise
        except duckdb.Error as error:
            raise SourceError(f"{mapping.file.name}: cannot be read: "
                              f"{_reader_error(mapping.file, error)}") from strict_error
        return _CsvRead(skip, header, delimiter, True, quote, columns)


def stage_source(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str,
    max_malformed_pct: float = 100.0, keep: Keep | None = None,
) -> StagedSource:
    """Read mapping.file into temp table `stage` with a __line column: the columns `keep`
    picks from the file's (all of them without it).

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
    malformed, reading = 0, ""
    if suffix == ".parquet":
        file_columns = _stage_parquet(con, mapping, stage, keep)
        (count,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
        lines = FileLines("parquet", count, 0, 0, 0, 0, count)
    elif suffix == ".xlsx":
        file_columns, lines = _stage_excel(con, mapping, stage, keep)
    elif mapping.delimiter == WHITESPACE:
        malformed, file_columns, lines = _stage_whitespace(con, mapping, stage, reject_sink, keep)
    else:
        csv_read = _stage_csv(con, mapping, raw, stage + "_csv_rejects", max_malformed_pct, keep)
        file_columns, header_lines, quote = csv_read.columns, csv_read.header_lines, csv_read.quote
        _refuse_data_in_preamble(mapping, csv_read)
        records, read_lines = con.execute(
            f"select count(*), count(*) + coalesce(sum(__newlines), 0) from {raw}").fetchone()
        errors = quote_identifier(stage + "_csv_rejects")
        bad = [line for line, in con.execute(
            f"select distinct line from {errors} order by line").fetchall()
        ] if csv_read.had_errors else []
        # rowid is the file order (insertion order is kept)
        multi = con.execute(f"select rowid, __newlines from {raw} where __newlines > 0 "
                            "order by rowid").fetchall()
        physical = _count_lines(file)
        empty, blank = _blank_lines(file, header_lines)
        # a file read as one column reads its empty lines as rows, others pass over them
        walk = _walk_records(header_lines, physical, empty if len(file_columns) > 1 else [],
                             multi, bad, records)
        kicks = "(select null::bigint as base where false)"
        if csv_read.had_errors:
            malformed = _record_malformed(con, mapping, stage, header_lines, reject_sink,
                                          walk.malformed if walk else None)
            kicks = f"(select base from {quote_identifier(stage + '_kicks')})"
        if walk is not None:
            # line = the first line of the run of rows it belongs to + its place in the run
            con.execute(f"""
                create or replace temp table {quote_identifier(stage)} as
                with numbered as (
                    select *, rowid as __row from {raw}
                ),
                runs as (
                    select unnest($rows::bigint[]) as __start,
                        unnest($offsets::bigint[]) as __offset
                )
                select * exclude (__row, __newlines, __start, __offset),
                    {header_lines} + 1 + __row + __offset as __line
                from numbered asof join runs on numbered.__row >= runs.__start
                order by __row
            """, {"rows": walk.rows, "offsets": walk.offsets})
        else:
            # line = lines before the data + records before (good and malformed) + newlines
            # inside earlier quoted fields (the blank lines between rows are not known)
            con.execute(f"""
                create or replace temp table {quote_identifier(stage)} as
                with numbered as (
                    select *, rowid as __row from {raw}
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
        blank = _refuse_unread_lines(mapping, header_lines, read_lines + malformed, physical,
                                     blank)
        reading = _reading(mapping, csv_read)
        if not quote:
            malformed += _refuse_unclosed_quotes(con, mapping, stage, reject_sink)
        (good,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
        lines = FileLines("delimited", physical, header_lines, blank, read_lines - records,
                          malformed, good)
    columns = tuple(
        row[0] for row in con.execute(f"describe {quote_identifier(stage)}").fetchall()
        if row[0] != "__line"
    )
    (rows,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
    return StagedSource(stage, file.name, columns, rows + malformed, malformed, file_columns,
                        reading, lines)


DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}  # tried on a preamble


def _rows_start(mapping: TableMapping) -> tuple[str, int] | None:
    """The delimiter and the lines above the header, from the first PREAMBLE_LINES lines: the
    delimiter (the mapping's, else a common one) that splits most lines into the same number
    of values (two or more), and the first line that splits so. None when that is line 1 or
    no delimiter splits two lines alike."""
    lines = _head_lines(mapping, PREAMBLE_LINES)
    best: tuple[int, str, int] | None = None  # lines alike, delimiter, lines above the first
    for mark in [mapping.delimiter] if mapping.delimiter else DELIMITERS:
        widths = [_values(line, mark) if line.strip() else 0 for line in lines]
        counted = Counter(width for width in widths if width >= 2)
        if not counted:
            continue
        width, alike = max(counted.items(), key=lambda item: (item[1], item[0]))
        if best is None or alike > best[0]:
            best = (alike, mark, widths.index(width))
    if best is None or best[0] < 2 or best[2] == 0:
        return None
    return best[1], best[2]


def _head_lines(mapping: TableMapping, count: int) -> list[str]:
    """The first `count` physical lines of a file as text (a byte-order mark and line ends
    removed; bytes not in its encoding replaced)."""
    encoding = mapping.encoding or "utf-8"
    with mapping.file.open("rb") as handle:
        lines = [line for _, line in zip(range(count), handle, strict=False)]
    texts = [line.decode(encoding, errors="replace").rstrip("\r\n") for line in lines]
    if texts:
        texts[0] = texts[0].removeprefix("\ufeff")
    return texts


def _values(line: str, delimiter: str) -> int:
    """How many values a line holds when split on `delimiter` (quotes respected)."""
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _spans(numbers: Sequence[int]) -> str:
    """'1–9, 12' for line numbers 1 to 9 and 12."""
    spans = []
    for _, group in itertools.groupby(enumerate(numbers), lambda pair: pair[1] - pair[0]):
        run = [number for _, number in group]
        spans.append(f"{run[0]:,}" if len(run) == 1 else f"{run[0]:,}–{run[-1]:,}")
    return ", ".join(spans)


def _refuse_data_in_preamble(mapping: TableMapping, read: _CsvRead) -> None:
    """SourceError when the reader, left to guess, skipped lines above the data that look
    like rows: as many values as the file's columns, split on its delimiter or on another
    common one (a file whose header and first rows use semicolons and the rest commas loses
    those rows otherwise, in silence). A preamble the mapping's `skip` names is skipped on
    purpose and not checked."""
    width = len(read.columns)
    if mapping.skip is not None or read.skip == 0 or width < 2:
        return
    skipped = _head_lines(mapping, read.skip)
    looking: dict[str, list[int]] = {}
    for number, line in enumerate(skipped, start=1):
        marks = [read.delimiter, *(mark for mark in DELIMITERS if mark != read.delimiter)]
        mark = next((mark for mark in marks if line.strip() and _values(line, mark) == width),
                    None)
        if mark is not None:
            looking.setdefault(mark, []).append(number)
    if not looking:
        return
    mark, numbers = max(looking.items(), key=lambda item: len(item[1]))
    first_read = read.skip + 1
    used = _delimiter_name(read.delimiter)
    where = f"lines 1–{read.skip:,}" if read.skip > 1 else "line 1"
    if mark != read.delimiter:
        name = _delimiter_name(mark)
        raise SourceError(
            f"{mapping.file.name}: {where} were skipped as a preamble, but they look like a "
            f"header and rows written with {name}s (lines {_spans(numbers)} hold {width} "
            f"{name}-separated values, as many as the {width} columns read from line "
            f"{first_read:,} on, which use {used}s): loading would lose them. A file uses one "
            f"delimiter: re-save {where} with {used}s. If they are not data, set "
            f"skip = {read.skip} in [{mapping.table}] to skip them on purpose.")
    raise SourceError(
        f"{mapping.file.name}: {where} were skipped as a preamble, but lines {_spans(numbers)} "
        f"hold {width} {used}-separated values, as many as the file's {width} columns: they "
        f"look like rows, and loading would lose them. If the file's column names are on line "
        f"1, set skip = 0 and header = true in [{mapping.table}]; if these lines are not data, "
        f"set skip = {read.skip} to skip them on purpose.")


def _refuse_unread_lines(mapping: TableMapping, header_lines: int, read_lines: int,
                         physical: int, blank: int) -> int:
    """How many of a delimited file's `physical` lines are blank lines read as nothing (of the
    `blank` ones after the header); SourceError when fewer of its lines were read than it has:
    every line is a header or preamble line, a row (with the line feeds quoted inside its
    values), a malformed line kept aside, or blank. Lines the reader dropped on its own (for
    example lines starting with '#', taken for comments) would otherwise vanish in silence."""
    # the lines read as nothing, each one of the blank lines counted (a whitespace-only line
    # may also be read as a malformed line, an empty one inside a quoted value as part of it)
    passed = max(0, physical - header_lines - read_lines)
    missing = passed - blank
    if missing <= 0:
        return passed
    raise SourceError(
        f"{mapping.file.name}: {missing:,} of its {physical:,} lines were not read (neither "
        f"header, preamble, row, refused line nor blank): the reader dropped them, for example "
        "as comments. Check the lines after the header; set the mapping's delimiter, header "
        "and skip to how the file is written, or re-save it as plain comma-separated values.")


def _blank_lines(file: Path, after: int) -> tuple[list[int], int]:
    """After the first `after` physical lines: the numbers of the empty ones, and how many
    are empty or hold only whitespace."""
    empty: list[int] = []
    blank = 0
    with file.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number > after and not line.strip():
                blank += 1
                if not line.rstrip(b"\r\n"):
                    empty.append(number)
    return empty, blank


@dataclass(frozen=True)
class _Walk:
    """Where the rows of a delimited file start: row `rows[i]` and the good rows after it, up
    to the next start, sit `offsets[i]` lines further down than one line per row would put
    them; `malformed` maps DuckDB's number of each malformed line to its line in the file."""

    rows: list[int]
    offsets: list[int]
    malformed: dict[int, int]


def _walk_records(
    header_lines: int, physical: int, empty: Sequence[int], multi: Sequence[tuple[int, int]],
    bad: Sequence[int], goods: int,
) -> _Walk | None:
    """Place every record of a delimited file on its line: the good rows in order (`multi`:
    (row, line feeds inside its values) for those spanning several lines), the malformed lines
    at DuckDB's numbers (`bad`: DuckDB counts the empty lines between rows but not the lines
    inside quoted values), the `empty` lines between rows passed over. Goes from one of these
    to the next, not line by line. None when they do not fit the file's `physical` lines (an
    empty line inside a quoted value, for one): the rows are then numbered without the empty
    lines."""
    infinity = physical + len(bad) + goods + 2
    line = seen = header_lines + 1  # the file's line, and DuckDB's (without quoted lines)
    row, at_empty, at_bad, at_multi = 0, 0, 0, 0
    rows: list[int] = []
    offsets: list[int] = []
    malformed: dict[int, int] = {}
    while row < goods or at_bad < len(bad):
        while at_empty < len(empty) and empty[at_empty] < line:
            at_empty += 1  # inside the quoted values of the row before
        if at_bad < len(bad) and bad[at_bad] < seen:
            return None
        if at_empty < len(empty) and empty[at_empty] == line:
            line, seen, at_empty = line + 1, seen + 1, at_empty + 1
            continue
        if at_bad < len(bad) and bad[at_bad] == seen:
            malformed[seen] = line
            line, seen, at_bad = line + 1, seen + 1, at_bad + 1
            continue
        if row >= goods:
            return None
        offset = line - (header_lines + 1 + row)
        if not offsets or offsets[-1] != offset:
            rows.append(row)
            offsets.append(offset)
        next_multi = multi[at_multi][0] if at_multi < len(multi) else infinity
        run = min(goods - row, next_multi - row,
                  (empty[at_empty] if at_empty < len(empty) else infinity) - line,
                  (bad[at_bad] if at_bad < len(bad) else infinity) - seen)
        if run > 0:  # rows on one line each, up to the next empty, malformed or long row
            line, seen, row = line + run, seen + run, row + run
            continue
        line, seen, row = line + 1 + multi[at_multi][1], seen + 1, row + 1
        at_multi += 1
    trailing = [number for number in empty[at_empty:] if number >= line]
    if line + len(trailing) != physical + 1:
        return None
    return _Walk(rows, offsets, malformed)


def _reading(mapping: TableMapping, read: _CsvRead) -> str:
    """Where the column names came from when the reader guessed it otherwise than line 1."""
    if read.header and read.skip and mapping.skip is None:
        return (f", named on line {read.skip + 1:,} after {read.skip:,} lines skipped as a "
                "preamble: if the column names are on another line, set skip to the number of "
                "lines above them (and header = true)")
    if not read.header and mapping.header is None:
        return (" (no line was taken for column names, so they are numbered): if the file has "
                "a header, set header = true, and skip to the number of lines above it")
    return ""


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, keep: Keep | None,
) -> tuple[str, ...]:
    """A Parquet file's columns `keep` picks, each row numbered from 1; every column's name."""
    read = "from read_parquet($path, file_row_number = true)"
    params = {"path": str(mapping.file)}
    try:
        columns = tuple(row[0] for row in con.execute(
            f"describe select * exclude (file_row_number) {read}", params).fetchall())
        con.execute(
            f"create or replace temp table {quote_identifier(stage)} as select "
            f"{_selected(_kept(keep, columns))}file_row_number + 1 as __line {read}", params,
        ).fetchall()
    except duckdb.Error as error:
        reason = shortened(str(error).split(": ", 1)[-1].split("\n", 1)[0])
        raise SourceError(f"{mapping.file.name}: cannot be read as Parquet: {reason}"
                          ) from error
    return columns


def _stage_whitespace(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str,
    keep: Keep | None,
) -> tuple[int, tuple[str, ...], FileLines]:
    """A file whose columns are separated by runs of spaces or tabs (`delimiter =
    "whitespace"`, as fixed-width logs and many older exports are): each line split on
    whitespace, without quoting; blank lines skipped. A line with another number of values
    than the header names is refused as malformed; returns how many were, the file's
    columns (the stage holds those `keep` picks) and what each line was."""
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
    trimmed = "trim(coalesce(line, ''), ' ' || chr(9) || chr(13) || chr(65279))"
    split = f"regexp_split_to_array({trimmed}, '\\s+')"
    numbered = (f"(select rowid + 1 as __line, {split} as parts from {lines} "
                f"where {trimmed} <> '')")
    skip = mapping.skip or 0
    physical, blank = con.execute(
        f"select count(*), count(*) filter (where rowid >= $skip and {trimmed} = '') "
        f"from {lines}", {"skip": skip}).fetchone()
    first = con.execute(f"select __line, parts from {numbered} where __line > $skip "
                        "order by __line limit 1", {"skip": skip}).fetchone()
    if first is None:
        con.execute(f"create or replace temp table {quote_identifier(stage)} "
                    "(__line bigint)")
        con.execute(f"drop table {lines}")
        skipped = min(skip, physical)
        return 0, (), FileLines("whitespace", physical, skipped, physical - skipped, 0, 0, 0)
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
    kept = set(_kept(keep, names))
    columns = "".join(f"parts[{index + 1}] as {quote_identifier(name)}, "
                      for index, name in enumerate(names) if name in kept)
    con.execute(f"create or replace temp table {quote_identifier(stage)} as "
                f"select {columns}__line from {data} where len(parts) = {len(names)} "
                "order by __line")
    con.execute(f"drop table {lines}")
    (rows,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
    preamble = skip + int(mapping.header is not False)
    return malformed, tuple(names), FileLines("whitespace", physical, preamble, blank, 0,
                                              malformed, rows)


def _refuse_unclosed_quotes(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, reject_sink: str,
) -> int:
    """Rows of a file read without quoting (its quotes did not pair up) with a value that
    starts with a double quote (__opened_column, in any of the file's columns): a quote
    opened and never closed, which would otherwise load as part of the value. They go to the
    rejects as malformed and leave the stage."""
    table = quote_identifier(stage)
    con.execute(
        f"insert into {reject_sink} select $table, $file, __line, __opened_column, "
        f"left(__opened_value, {MESSAGE_CHARS}), 'malformed_row', "
        "'a quoted value is never closed (an unpaired \"): the line cannot be split reliably' "
        f"from {table} where __opened_column is not null",
        {"table": mapping.table, "file": mapping.file.name})
    refused = con.execute(f"delete from {table} where __opened_column is not null"
                          ).fetchone()[0]
    for column in ("__opened_column", "__opened_value"):
        con.execute(f"alter table {table} drop column {column}")
    return refused


def _literal(text: str) -> str:
    """A SQL string literal for a column name of the source file."""
    return "'" + text.replace("'", "''") + "'"


def _excel_text(value: object) -> str | None:
    """A cell's value as text, as pandas' Excel reader wrote it: whole numbers without a
    decimal point, dates as 2026-01-31 00:00:00; blanks, error values and the usual spellings
    of "no value" are missing."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta | bool | int | float):
        return str(value)
    text = str(value)
    return None if text in EXCEL_MISSING else text


def _excel_header(cells: Sequence[object]) -> list[str]:
    """Column names from a header row, up to its last named column: an empty cell is
    'Unnamed: <position>', a repeated name gets '.1', '.2' (as pandas named them)."""
    texts = [_excel_text(cell) for cell in cells]
    while texts and texts[-1] is None:
        texts.pop()
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, text in enumerate(texts):
        name = text if text is not None else f"Unnamed: {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _check_excel_size(file: Path, sheet_part: str | None, sheet: str) -> None:
    """SourceError when a part of the workbook unpacks to more than MAX_EXCEL_XML_BYTES (the
    sheet read, or a part every sheet needs), before anything is parsed."""
    with zipfile.ZipFile(file) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    shared = {name: size for name, size in sizes.items()
              if not name.startswith("xl/worksheets/") and name.endswith(".xml")}
    parts = {**shared, **({sheet_part: sizes.get(sheet_part, 0)} if sheet_part else {})}
    for name, size in parts.items():
        if size > MAX_EXCEL_XML_BYTES:
            what = "the sheet holds" if name == sheet_part else f"its part {name} holds"
            raise SourceError(
                f"{file.name}, sheet {sheet}: {what} {size:,} bytes of XML when unpacked, more "
                f"than the {MAX_EXCEL_XML_BYTES:,} bytes Northstar reads from a workbook; save "
                "the sheet as CSV and load that file instead")


def _excel_rows(sheet: object, first_row: int, positions: Sequence[int],
                last_row: int | None = None, seen: list[int] | None = None
                ) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, its values) for every row from `first_row` (to `last_row`) with a
    value in one of the columns at `positions` (0 = A); values right of the last of them are
    not read. `seen`, when given, holds the number of the last sheet row gone through."""
    width = max(positions, default=0) + 1
    blank = None
    for number, cells in enumerate(sheet.iter_rows(  # type: ignore[attr-defined]
            min_row=first_row, max_row=last_row, max_col=width, values_only=True),
            start=first_row):
        if seen is not None:
            seen[:] = [number]
        if cells is blank:  # openpyxl hands out one shared tuple for rows the file leaves out
            continue
        if any(cells[position] is not None and cells[position] != ""
               for position in positions):
            yield number, cells
        else:
            blank = cells


def _stage_excel(
    con: duckdb.DuckDBPyConnection, mapping: TableMapping, stage: str, keep: Keep | None,
) -> tuple[tuple[str, ...], FileLines]:
    """Stream one sheet into `stage`, row by row: the columns its header row names (the first
    row with a value after `skip` rows; without a header, as many as that row fills, named
    0, 1, ...) that `keep` picks, each row numbered as in the sheet. Blank rows and values
    beyond the header's last column are not read, so a stray value in cell XFD1048576 costs
    nothing; a workbook that unpacks to more than MAX_EXCEL_XML_BYTES is refused. A row with
    no value in the columns kept is skipped, and counted as blank. Returns the header's
    columns and what each sheet row was."""
    # imported here, not at the top: the app imports this module and never reads Excel
    import openpyxl
    import pandas as pd

    file, table = mapping.file, quote_identifier(stage)
    try:
        _check_excel_size(file, None, mapping.sheet or "1")
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except SourceError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise SourceError(f"{file.name}: cannot be read as Excel: {error}") from error
    try:
        if mapping.sheet is not None and mapping.sheet not in book.sheetnames:
            raise SourceError(f"{file.name}: cannot be read as Excel: Worksheet named "
                              f"{mapping.sheet!r} not found (sheets: "
                              f"{', '.join(book.sheetnames)})")
        sheet = book[mapping.sheet] if mapping.sheet is not None else book.worksheets[0]
        _check_excel_size(file, getattr(sheet, "_worksheet_path", None), sheet.title)
        start = (mapping.skip or 0) + 1
        first = next(_excel_rows(sheet, start, range(EXCEL_COLUMNS),
                                 start + EXCEL_HEADER_ROWS - 1), None)
        if first is None:
            if (sheet.max_row or 0) >= start + EXCEL_HEADER_ROWS:
                raise SourceError(
                    f"{file.name}, sheet {sheet.title}: rows {start:,} to "
                    f"{start + EXCEL_HEADER_ROWS - 1:,} are empty, and the header must be among "
                    "them: set the mapping's skip to the number of rows above the header")
            con.execute(f"create or replace temp table {table} (__line bigint)")
            physical = sheet.max_row or 0
            skipped = min(start - 1, physical)
            return (), FileLines("excel", physical, skipped, physical - skipped, 0, 0, 0)
        header_row, cells = first
        names = _excel_header(cells)
        if mapping.header is False:
            names = [str(position) for position in range(len(names))]
            header_row -= 1
        kept = _kept(keep, names)
        positions = [names.index(name) for name in kept]
        con.execute(f"create or replace temp table {table} ("
                    + "".join(f"{quote_identifier(name)} varchar, " for name in kept)
                    + "__line bigint)")
        batch: list[list[object]] = []

        def flush() -> None:
            frame = pd.DataFrame(batch, columns=[*kept, "__line"], dtype=object)
            con.register("excel_rows", frame)
            try:
                con.execute(f"insert into {table} select * from excel_rows")
            finally:
                con.unregister("excel_rows")
            batch.clear()

        # rows are told from blanks by the kept columns (by all when none is kept)
        scanned = positions or range(len(names))
        seen, rows = [header_row], 0
        for number, cells in _excel_rows(sheet, header_row + 1, scanned, seen=seen):
            batch.append([_excel_text(cells[position]) for position in positions] + [number])
            rows += 1
            if len(batch) >= EXCEL_BATCH_ROWS:
                flush()
        if batch:
            flush()
        # the rows above the header's are skipped or blank (it is the first with a value)
        preamble = start - 1 + int(mapping.header is not False)
        physical = max(seen[0], header_row)
        return tuple(names), FileLines("excel", physical, preamble,
                                       physical - preamble - rows, 0, 0, rows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise SourceError(f"{file.name}: cannot be read as Excel: {error}") from error
    finally:
        book.close()


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
    reject_sink: str, placed: dict[int, int] | None = None,
) -> int:
    """Insert the lines DuckDB could not parse into the rejects, at their line in the file
    (`placed`: DuckDB's line number, which leaves out the lines inside quoted values, -> the
    file's; as DuckDB numbers them without it), and return how many there were."""
    errors = quote_identifier(stage + "_csv_rejects")
    kicks = quote_identifier(stage + "_kicks")
    placed = placed or {}
    con.execute(f"""
        create or replace temp table {kicks} as
        with bad as (
            select line, any_value(csv_line) as csv_line, any_value(error_message) as message
            from {errors} group by line
        ),
        placed as (
            select unnest($read::bigint[]) as line, unnest($physical::bigint[]) as physical
        )
        -- a malformed record at data position k shifts every good row from k - (earlier bad)
        select coalesce(physical, bad.line) as line, csv_line, message,
            bad.line - $header_lines - 1 - (row_number() over (order by bad.line) - 1) as base
        from bad left join placed using (line)
    """, {"header_lines": header_lines, "read": list(placed), "physical": list(placed.values())})
    con.execute(
        f"insert into {reject_sink} select $table, $file, line, null, "
        f"left(trim(csv_line, chr(10) || chr(13)), 200), 'malformed_row', "
        f"case when message ilike 'invalid unicode%' then $encoding_hint else message end "
        f"from {kicks}",
        {"table": mapping.table, "file": mapping.file.name,
         "encoding_hint": _encoding_hint(mapping)},
    )
    return con.execute(f"select count(*) from {kicks}").fetchone()[0]
