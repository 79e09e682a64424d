"""Load a folder of exports into a new database: map, validate, refuse, then swap in atomically.

Every table goes through the same set-based steps in DuckDB SQL:

1. stage the source file (northstar.data.importer.file_readers) or warehouse table
   (northstar.data.importer.warehouse), each row with its line;
2. compute each canonical column from the mapping's expression, cast to the schema's type;
3. refuse rows with an invalid type, a missing required value or a broken CHECK, then
   duplicate keys, then references to unknown accounts (unknown optional references are
   cleared with a warning instead);
4. count the quality warnings, insert the survivors.

The database is built in `<db>.loading` and moved over the target with `os.replace` only
when everything, rollups included, is complete; any failure leaves the target untouched, and a
target that is not a Northstar database is never replaced (northstar.data.db.database_file).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import duckdb

from northstar.data.addresses import is_mail_address
from northstar.data.db import write_lock
from northstar.data.db.build_memory import connect_for_build, remove_spill
from northstar.data.db.database_file import check_replaceable, replace_database
from northstar.data.db.rollups import build_rollups
from northstar.data.db.schema import create_schema, insert_reference_rows
from northstar.data.flags import FALSE_SPELLINGS, TRUE_SPELLINGS
from northstar.data.formula_guard import neutralise_sql
from northstar.data.importer.changes import files_digest, load_fingerprint
from northstar.data.importer.datasets import (
    AS_OF_DATED,
    AS_OF_MONTH_SHARE,
    DATASETS,
    EVENT_DATES,
    FAR_FUTURE_DATES,
    FAR_FUTURE_YEARS,
    MAIL_ADDRESS_COLUMNS,
    MAIL_ADDRESS_MESSAGE,
    REVENUE_MONTH,
    REVENUE_TABLE,
    ROLES,
    WARNINGS,
    Column,
    table_rules,
)
from northstar.data.importer.file_readers import (
    FILE_KINDS,
    FileLines,
    SourceError,
    SourceRefused,
    StagedSource,
    quote_identifier,
    shortened,
    stage_source,
)
from northstar.data.importer.mapping import (
    JoinMapping,
    Mapping,
    MappingError,
    TableMapping,
    columns_read,
    columns_used,
    joined_columns_read,
    qualified_references,
)
from northstar.data.importer.warehouse import (
    Warehouse,
    opened,
    result_digest,
    stage_warehouse,
    updated_digest,
)
from northstar.data.months import last_day

DEFAULT_MAX_REJECT_PCT = 10.0
VALUE_CHARS = 200  # offending values are cut to this length in rejects and warnings
MAX_VALUE_CHARS = 1_000_000  # a longer value (a 2 MB "name") refuses its row
# values for NOT NULL columns a source rarely has (beyond the schema's own defaults)
EXTRA_DEFAULTS = {("support_tickets", "department_id"): "'customer_service'"}
_REJECT_COLUMNS = "table_name, source_file, line, column_name, value, rule, message"
# a table read from several files numbers the rows of its n-th file (from 0) line + n * this,
# so a staged row's __line names its file and line at once (files_and_lines decodes it)
LINE_STRIDE = 1 << 40


MAIL_ADDRESS_FUNCTION = "northstar_is_mail_address"  # the stdlib parser, as a SQL function


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function(MAIL_ADDRESS_FUNCTION, is_mail_address, ["VARCHAR"],
                        "BOOLEAN", side_effects=False)


# the load's as-of date in mapping expressions (a snapshot export dates its rows from it);
# defined only when the as-of date is given (--as-of or [load] as_of), for the connection only
AS_OF_FUNCTION = "as_of_date"
_USES_AS_OF = re.compile(rf"\b{AS_OF_FUNCTION}\s*\(", re.IGNORECASE)


def _register_as_of(con: duckdb.DuckDBPyConnection, dates: LoadDates) -> None:
    if dates.given and dates.as_of is not None:
        con.execute(f"create or replace temp macro {AS_OF_FUNCTION}() as "
                    f"date '{dates.as_of.isoformat()}'")


class LoadError(RuntimeError):
    """The load was refused; the previous database is unchanged."""


# the terms of a file's account, in the order the summary and the Data page list them
LINE_TERMS = (
    ("preamble", "header and preamble"), ("blank", "blank"), ("quoted", "inside quoted values"),
    ("malformed", "refused while reading"), ("filtered", "left out by where"),
    ("refused", "refused by a rule"), ("unused", "not used (joined file)"), ("loaded", "loaded"),
)


@dataclass(frozen=True)
class FileAccount:
    """Every physical line of one source file a table read (sheet rows for Excel, rows for
    Parquet), accounted for: lines = preamble + blank + quoted + malformed + filtered +
    refused + loaded, the last three counting source rows. The `loaded` source rows became
    `table_rows` rows of the table: more with spread_months, fewer with aggregate."""

    table: str
    file: str
    kind: str  # delimited, whitespace, excel or parquet (file_readers.FILE_KINDS)
    lines: int  # physical lines of the file
    preamble: int  # the header line and the lines skipped above it
    blank: int  # empty lines (Excel: rows with no value in the columns read)
    quoted: int  # lines inside quoted multi-line values, part of the row above them
    malformed: int  # lines refused while reading (rule malformed_row)
    filtered: int  # source rows the mapping's where left out
    refused: int  # source rows refused by a validation rule
    loaded: int  # source rows that reached the table
    table_rows: int  # rows of the table they became
    reshaped: str | None = None  # "aggregate" or "spread" when rows were merged or spread
    # a joined file's rows no main row took: an older row of its key (latest), a blank key, or
    # a key that matches no main row (each a join_unmatched warning)
    unused: int = 0

    @property
    def unaccounted(self) -> int:
        """Lines none of the terms counts: 0 when every line is accounted for."""
        return self.lines - (self.preamble + self.blank + self.quoted + self.malformed
                             + self.filtered + self.refused + self.unused + self.loaded)

    def sentence(self) -> str:
        """'41 lines = 1 header and preamble + 9 inside quoted values + 30 loaded' (terms that
        are 0 left out), then what the loaded rows became when that is another number."""
        terms = [f"{getattr(self, name):,} {label}" for name, label in LINE_TERMS
                 if getattr(self, name) or name == "loaded"]
        if self.unaccounted > 0:
            terms.append(f"{self.unaccounted:,} not accounted for")
        text = f"{self.lines:,} {FILE_KINDS[self.kind]} = " + " + ".join(terms)
        if self.unaccounted < 0:
            text += f" ({-self.unaccounted:,} more than the file has: counted twice)"
        if self.reshaped or self.table_rows != self.loaded:
            text += (f"; {self.reshaped or 'loaded'}: {self.loaded:,} loaded rows became "
                     f"{self.table_rows:,} table row{'s' if self.table_rows != 1 else ''}")
        return text

    @classmethod
    def read(cls, table: str, file: str, lines: FileLines, filtered: int = 0, refused: int = 0,
             loaded: int = 0, table_rows: int = 0, reshaped: str | None = None,
             unused: int = 0) -> FileAccount:
        """The account of a file read as `lines`, its rows split as the load used them."""
        return cls(table, file, lines.kind, lines.physical, lines.preamble, lines.blank,
                   lines.continued, lines.malformed, filtered, refused, loaded, table_rows,
                   reshaped, unused)


@dataclass
class TableResult:
    table: str
    source_file: str | None
    status: str  # loaded, empty, missing or seeded
    source_rows: int = 0
    loaded_rows: int = 0
    rejected_rows: int = 0
    warnings: int = 0
    # what stays empty because no row plays a role Northstar needs, in words
    notes: list[str] = field(default_factory=list)
    file_rows: int = 0  # data rows in the source file, before the where, aggregate or spread
    files: list[FileAccount] = field(default_factory=list)  # each source file's lines


@dataclass
class LoadResult:
    db_path: Path
    source: Path | None  # the folder files came from (None: all from a warehouse)
    mapping: str
    rejects_path: Path
    max_reject_pct: float
    tables: list[TableResult] = field(default_factory=list)
    reject_counts: list[tuple[str, str, int]] = field(default_factory=list)  # table, rule, rows
    warning_counts: list[tuple[str, str, int]] = field(default_factory=list)
    as_of: dt.date | None = None
    as_of_note: str | None = None  # how stray rows after the data's end were treated
    seconds: float = 0.0
    error: str | None = None  # why the load was refused; None when it succeeded
    source_label: str = ""  # where the data came from: the folder, the warehouse, or both
    fingerprint: str | None = None  # what was read, to tell a later change (importer.changes)


@dataclass
class LoadDates:
    """The two days a load checks dates against: the day it runs (nothing can have happened
    after it) and the data's as-of date (given, or the end of the latest month that bills a
    fair share of the accounts, settled when the revenue table is validated)."""

    today: dt.date
    as_of: dt.date | None = None
    given: bool = False  # the as-of date came from --as-of or the mapping
    # months after a settled as-of date that billed only a few accounts: (month, rows)
    stray_months: list[tuple[dt.date, int]] = field(default_factory=list)

    def note(self) -> str | None:
        """What the summary says about rows dated after the data's end, if any."""
        if not self.stray_months or self.as_of is None:
            return None
        rows = sum(count for _, count in self.stray_months)
        months = ", ".join(f"{month:%b %Y}" for month, _ in self.stray_months[:5])
        more = f" and {len(self.stray_months) - 5} more" if len(self.stray_months) > 5 else ""
        return (f"Data as of {self.as_of}: the end of the last month that bills most accounts. "
                f"{rows:,} revenue row(s) dated later ({months}{more}) were refused as stray "
                "(rule after_as_of; see the rejects file). If they are real, load again with "
                "--as-of.")


def _mapping_error(mapping: Mapping, table: str, column: str, message: str) -> MappingError:
    return MappingError(f"{mapping.label}: [{table}] column {column}: {message}")


def _check_expression(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, table: str, column: str,
    expression: str, stage: str, file_columns: tuple[str, ...] | None = None,
    reading: str = "",
) -> str:
    """The DuckDB type of a mapping expression over the staged source, or a MappingError
    (naming `file_columns`, the source file's columns, and `reading`, where their names came
    from, when it names one the file lacks)."""
    # the expression sits on its own lines so a trailing `--` comment cannot eat our SQL
    sql = f"select (\n{expression}\n) as value from {quote_identifier(stage)}"
    try:
        statements = con.extract_statements(sql)
        if len(statements) != 1:
            raise _mapping_error(mapping, table, column,
                                 f"expression {expression!r} must be one SQL expression")
        return con.execute(f"describe {sql}").fetchone()[1]
    except duckdb.ParserException as error:
        raise _mapping_error(mapping, table, column,
                             f"expression {expression!r} does not parse: {error}") from error
    except duckdb.BinderException as error:
        reason = str(error).split("\n", 1)[0]
        if "Referenced column" in reason or "not found" in reason:
            columns = file_columns or tuple(row[0] for row in con.execute(
                f"describe {quote_identifier(stage)}").fetchall() if row[0] != "__line")
            file_label = mapping.tables[table].label if table in mapping.tables else "file"
            raise _mapping_error(
                mapping, table, column,
                f"expression {expression!r} names a column the source file does not have: "
                f"{reason.split(' Candidate bindings')[0]}; {file_label} was read with the "
                f"columns {shortened(', '.join(columns))}{reading}"
                + _one_column_hint(file_label, columns),
            ) from error
        # a type mismatch, a wrong function or argument: DuckDB names the types involved
        raise _mapping_error(
            mapping, table, column,
            f"expression {expression!r} cannot be computed: {reason} (source columns are "
            "text: cast them first, e.g. try_cast(x as double))",
        ) from error
    except duckdb.PermissionException as error:
        raise _mapping_error(
            mapping, table, column,
            f"expression {expression!r} tries to read a file or the network; mapping "
            "expressions compute values from the source file's columns only",
        ) from error
    except duckdb.CatalogException as error:
        if f"{AS_OF_FUNCTION} does not exist" in str(error):
            raise _mapping_error(mapping, table, column,
                                 f"{AS_OF_FUNCTION}() needs the as-of date: set as_of in [load] "
                                 "or pass --as-of") from error
        raise _mapping_error(mapping, table, column,
                             f"expression {expression!r} is invalid: {error}") from error
    except duckdb.Error as error:
        raise _mapping_error(mapping, table, column,
                             f"expression {expression!r} is invalid: {error}") from error


def _typed(column: Column, raw: str, raw_type: str) -> str:
    """SQL turning the raw mapped value into the column's type (NULL when it cannot)."""
    target = column.data_type
    if raw_type != "VARCHAR":
        text = f"nullif(trim({raw}::varchar), '')"
        return text if target == "VARCHAR" else f"try_cast({raw} as {target})"
    text = f"nullif(trim({raw}), '')"
    if target == "VARCHAR":
        return text
    if target == "DATE":
        return (f"coalesce(try_cast({text} as date), try_cast({text} as timestamp)::date, "
                f"try_strptime({text}, $date_format)::date)")
    if target == "TIMESTAMP":
        return (f"coalesce(try_cast({text} as timestamp), "
                f"try_strptime({text}, $timestamp_format), try_strptime({text}, $date_format))")
    if target == "BOOLEAN":
        return (f"case when lower({text}) in ({_spellings(TRUE_SPELLINGS)}) then true "
                f"when lower({text}) in ({_spellings(FALSE_SPELLINGS)}) then false end")
    number = f"replace(replace({text}, $thousands_separator, ''), $decimal_separator, '.')"
    return f"try_cast({number} as {target})"


def _with_roles(text: str, codes: tuple[str, ...], listed: dict[str, tuple[str, ...]],
                params: dict[str, list[str]]) -> str:
    """SQL giving a value its Northstar code: the code the mapping lists it under (any case),
    else the code it is spelled as ('Executive meeting' is executive_meeting), else the value
    itself. The listed values are bound parameters (`params` gains them)."""
    value = f"lower({text})"
    spelled = f"replace(replace({value}, ' ', '_'), '-', '_')"
    whens = []
    for code, values in listed.items():
        name = f"role_{len(params):02d}"
        params[name] = [item.strip().lower() for item in values]
        whens.append(f"when list_contains(${name}, {value}) then {_literal(code)}")
    name = f"role_{len(params):02d}"
    params[name] = list(codes)
    whens.append(f"when list_contains(${name}, {spelled}) then {spelled}")
    return f"case {' '.join(whens)} else {text} end"


def _spellings(words: tuple[str, ...]) -> str:
    """A SQL list of our own fixed yes/no spellings (never loaded data)."""
    return ", ".join(_literal(word) for word in words)


def _format_params(table_mapping: TableMapping) -> dict[str, str]:
    date_format = table_mapping.date_format or "%Y-%m-%d"
    return {
        "date_format": date_format,
        "timestamp_format": table_mapping.timestamp_format or f"{date_format} %H:%M:%S",
        # a separator that cannot occur when none is configured
        "thousands_separator": table_mapping.thousands_separator or chr(0),
        "decimal_separator": table_mapping.decimal_separator or ".",
    }


class TableLoader:
    """Stage, map, validate and insert one canonical table on the loading connection."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, mapping: Mapping, table_mapping: TableMapping,
        dates: LoadDates, max_reject_pct: float = DEFAULT_MAX_REJECT_PCT,
    ) -> None:
        self.con = con
        self.dates = dates
        self.max_reject_pct = max_reject_pct
        self.mapping = mapping
        self.table_mapping = table_mapping
        self.table = table_mapping.table
        self.rules = table_rules(self.table)
        self.stage_name = f"stage_{self.table}"
        self.staged: StagedSource | None = None
        self.candidates = quote_identifier(f"candidates_{self.table}")
        self.problems = quote_identifier(f"problems_{self.table}")
        self.file_names = [file.name for file in table_mapping.all_files] or [table_mapping.label]
        self.file_label = shortened(", ".join(self.file_names), 120)
        self.digest: dict[str, str] = {}  # what was read, for the load's fingerprint
        self.join_warnings = 0  # rows of joined files whose key matches no main row
        # per file (its position among the table's files): the source rows the mapping's where
        # keeps (set by _map)
        self.passed: dict[int, int] = {}
        # each file's lines as read, in the table's file order (set by stage)
        self.file_lines: list[tuple[str, FileLines | None, int]] = []
        # with aggregate = true or subscriptions, each candidate's source lines (__lines)
        self.groups = quote_identifier(f"groups_{self.table}")
        self.join_accounts: list[FileAccount] = []  # each joined file's rows, used or not
        # (column, day) when an undated snapshot's rows were dated on the as-of date
        self.dated_on_as_of: tuple[str, dt.date] | None = None

    def stage(self, warehouse: Warehouse | None = None) -> None:
        """Read the source file, or the warehouse table or query, into the staging table (the
        only step that opens a file or asks the warehouse)."""
        keep = partial(columns_used, self.table_mapping)
        try:
            if self.table_mapping.file is None:
                assert warehouse is not None
                self._stage_warehouse(warehouse)
                self.file_lines = [(self.file_label, self.staged.lines,
                                    self.staged.rows - self.staged.malformed)]
                return
            # hashed before they are read (a missing file is stage_source's to report); a
            # change while one is read shows next time
            self.digest = files_digest(self.table_mapping)
            if self.table_mapping.files:
                self.staged = self._stage_several()
            else:
                # only the columns the mapping reads: a wide export's custom fields stay behind
                self.staged = stage_source(
                    self.con, self.table_mapping, self.stage_name, "load_rejects",
                    self.max_reject_pct, keep=keep)
                self.file_lines = [(self.table_mapping.file.name, self.staged.lines,
                                    self.staged.rows - self.staged.malformed)]
            for join in self.table_mapping.joins:
                self._stage_join(join)
        except SourceRefused as refused:
            raise LoadError(f"{self.table}: {refused}") from refused
        except SourceError as error:
            raise MappingError(f"{self.mapping.label}: [{self.table}] {error}") from error

    def _stage_warehouse(self, warehouse: Warehouse) -> None:
        """Stage a warehouse table or query, and note its digest: the updated column's
        (asked before the rows are read, so a change during the load shows next time) or the
        staged values'."""
        options = self.table_mapping
        if options.updated_column:
            self.digest = {"source": self.file_label,
                           **updated_digest(self.con, warehouse, options)}
        self.staged = stage_warehouse(self.con, warehouse, options, self.stage_name,
                                      keep=partial(columns_used, options))
        if not options.updated_column:
            self.digest = {"source": self.file_label, **result_digest(
                self.con, quote_identifier(self.stage_name), self.staged.columns)}

    def load(self) -> TableResult:
        """Map, validate and insert the staged rows."""
        staged = self.staged
        if not staged.file_columns or staged.rows == staged.malformed == 0:
            self._drop(self.stage_name)
            return TableResult(self.table, self.file_label, "empty", files=[
                FileAccount.read(self.table, name, lines)
                for name, lines, _ in self.file_lines if lines is not None]
                + self.join_accounts)
        if self.table_mapping.spread_months:
            self._spread()
        elif self.table_mapping.subscription_start:
            self._spread_subscriptions()
        if self.table_mapping.spread_months or self.table_mapping.subscription_start:
            staged = replace(staged, columns=(*staged.columns, "__month"))
        self._map(staged.columns, staged.file_columns)
        source_rows = staged.malformed + self._count(self.candidates)
        self.con.execute(
            f"create or replace temp table {self.problems} (line bigint, column_name varchar, "
            "value varchar, rule varchar, message varchar, warning boolean)"
        )
        if self.table_mapping.subscription_start:
            self._record_subscription_problems()
        self._refuse_invalid_rows()
        if self.table_mapping.subscription_start:
            # to load: one row per account and month, plus the subscriptions refused so far
            self._sum_subscriptions()
            source_rows = staged.malformed + self._count(self.candidates) + self.con.execute(
                f"select count(distinct line) from {self.problems} where not warning"
            ).fetchone()[0]
        self._refuse_duplicates()
        self._check_references()
        self._check_mail_addresses()
        if self.table == REVENUE_TABLE:
            self._settle_as_of()
        self._check_dates()
        if self.table == REVENUE_TABLE:
            self._warn_uncounted_churn()
        self._warn()
        self._insert()
        counts = self.con.execute(
            f"select count(distinct line) filter (where not warning), "
            f"count(*) filter (where warning) from {self.problems}"
        ).fetchone()
        rejected = counts[0] + staged.malformed
        self.con.execute(
            f"insert into load_rejects select $table, {files_and_lines('line')}, column_name, "
            f"value, rule, message from {self.problems} where not warning",
            {"table": self.table, "files": self.file_names},
        )
        self.con.execute(
            f"insert into load_warnings select $table, {files_and_lines('line')}, column_name, "
            f"value, rule, message from {self.problems} where warning",
            {"table": self.table, "files": self.file_names},
        )
        loaded = self.con.execute(
            f"select count(*) from {quote_identifier(self.table)}").fetchone()[0]
        accounts = self._accounts()
        for name in (self.stage_name, f"candidates_{self.table}", f"problems_{self.table}",
                     f"groups_{self.table}"):
            self._drop(name)
        notes = self._unplayed_roles() if loaded else []
        expressions = (*self.table_mapping.columns.values(),
                       *self.table_mapping.attributes.values(), self.table_mapping.where or "",
                       self.table_mapping.spread_months or "",
                       self.table_mapping.spread_last_month or "")
        if any(_USES_AS_OF.search(expression) for expression in expressions):
            notes.insert(0, f"{self.table}: dates computed from the as-of date "
                            f"{self.dates.as_of} ({AS_OF_FUNCTION}() in the mapping)")
        if self.dated_on_as_of is not None:
            column, day = self.dated_on_as_of
            what, rows = AS_OF_DATED[(self.table, column)]
            notes.insert(0, f"{self.table}: no {what} ({column}) mapped; {loaded:,} {rows} "
                            f"dated {day.isoformat()}, the as-of date")
        return TableResult(self.table, self.file_label, "loaded", source_rows, loaded,
                           rejected, counts[1] + self.join_warnings, notes, staged.rows,
                           accounts + self.join_accounts)

    def _accounts(self) -> list[FileAccount]:
        """Each file's lines accounted for, once its rows are inserted: the source rows the
        where left out, those refused by a rule (a row merged by aggregate or summed with
        other subscriptions counts with its group; a row spread over months is loaded when one
        of its months is) and those loaded, counted by their lines in the file. A table read
        from several files numbers each file's lines from LINE_STRIDE times its position."""
        options = self.table_mapping
        grouped = options.aggregate or bool(options.subscription_start)
        if grouped:
            loaded_lines = f"(select unnest(__lines) as line from {self.candidates})"
            refused_lines = (f"(select unnest(__lines) as line from {self.groups} where __line in "
                             f"(select line from {self.problems} where not warning) union "
                             f"select line from {self.problems} where not warning)")
        else:
            loaded_lines = f"(select __line as line from {self.candidates})"
            refused_lines = f"(select line from {self.problems} where not warning)"
        part = f"(line // {LINE_STRIDE})::integer"
        loaded = dict(self.con.execute(
            f"select {part}, count(distinct line) from {loaded_lines} group by all").fetchall())
        refused = dict(self.con.execute(
            f"select {part}, count(distinct line) from {refused_lines} where line not in "
            f"(select line from {loaded_lines}) group by all").fetchall())
        # a table row counts for the file of its (first) source line
        table_rows = dict(self.con.execute(
            f"select (__line // {LINE_STRIDE})::integer, count(*) from {self.candidates} "
            "group by all").fetchall())
        reshaped = ("aggregate" if options.aggregate else "subscriptions"
                    if options.subscription_start else "spread" if options.spread_months
                    else None)
        accounts = []
        for index, (name, lines, good) in enumerate(self.file_lines):
            if lines is None:
                continue
            accounts.append(FileAccount.read(
                self.table, name, lines, good - self.passed.get(index, 0),
                refused.get(index, 0), loaded.get(index, 0), table_rows.get(index, 0), reshaped))
        return accounts

    def _as_of_for_undated(self) -> dt.date:
        """The as-of date an undated snapshot row takes: given, or settled by the revenue rows,
        or else (no revenue) the latest day something loaded so far happened, which then stays
        the load's as-of date."""
        if self.dates.as_of is None:
            self.dates.as_of = _latest_event_day(self.con, self.dates.today)
        return self.dates.as_of

    def _unplayed_roles(self) -> list[str]:
        """For each role something depends on that no loaded row plays: what stays empty, the
        values the file does have, and the mapping section that would fill it."""
        notes = []
        for (table, column), roles in ROLES.items():
            if table != self.table:
                continue
            name = quote_identifier(column)
            counts = dict(self.con.execute(
                f"select {name}, count(*) from {quote_identifier(table)} group by all "
                f"order by 2 desc").fetchall())
            codes = {role.code for role in roles}
            others = [value for value in counts if value not in codes]
            for role in roles:
                if not role.fills or role.code in counts:
                    continue
                values = ", ".join(repr(value) for value in others[:8]) or "none"
                notes.append(
                    f"{self.file_label}: no {column.replace('_', ' ')} is mapped to "
                    f"{role.code} ({role.meaning}), so {role.fills} stays empty. Values in the "
                    f"file: {values}. Map one under [{table}.roles.{column}], e.g. "
                    f"{role.code} = [{others[0] if others else 'value'!r}].")
        return notes

    def _drop(self, name: str) -> None:
        self.con.execute(f"drop table if exists {quote_identifier(name)}")

    def _count(self, table: str) -> int:
        return self.con.execute(f"select count(*) from {table}").fetchone()[0]

    def _spread(self) -> None:
        """Each staged row repeated once per month it stands for (`spread_months` of them,
        ending with the month of `spread_last_month`), the month in column __month: a
        subscription table with a tenure and a monthly charge becomes monthly revenue rows.
        A row whose month count or last month cannot be computed is kept once, without a
        month, and refused by the month's own check."""
        options = self.table_mapping
        for name, expression in (("spread_months", options.spread_months),
                                 ("spread_last_month", options.spread_last_month)):
            _check_expression(self.con, self.mapping, self.table, name, expression,
                              self.stage_name, self.staged.file_columns, self.staged.reading)
        stage = quote_identifier(self.stage_name)
        spread = quote_identifier(self.stage_name + "_spread")
        months = f"try_cast((\n{options.spread_months}\n) as integer)"
        last = f"date_trunc('month', try_cast((\n{options.spread_last_month}\n) as date))"
        try:
            self.con.execute(f"""
                create or replace temp table {spread} as
                with counted as (
                    select *, {months} as __months, {last} as __last from {stage}
                ),
                spread as (
                    select * exclude (__months, __last),
                        unnest(case when __months > 0 and __last is not null
                                    then generate_series(1, __months) else [null] end)
                            as __index, __months, __last
                    from counted
                )
                select * exclude (__index, __months, __last),
                    (__last - to_months(__months - __index))::date as __month
                from spread""")
        except duckdb.Error as error:
            raise MappingError(
                f"{self.mapping.label}: [{self.table}] spread_months / spread_last_month cannot "
                f"be computed over {self.file_label}: {str(error).splitlines()[0]}") from error
        self._drop(self.stage_name)
        self.con.execute(f"alter table {spread} rename to {stage}")

    # -- several files, joined files, subscriptions -------------------------------------------

    def _stage_several(self) -> StagedSource:
        """Stage every file of a table read from several (a list or a pattern) and union their
        rows; the files must have the same columns (by name, any order). Each row's __line is
        its line plus LINE_STRIDE times its file's position, so messages name file and line."""
        parts: list[StagedSource] = []
        for index, file in enumerate(self.table_mapping.files):
            one = replace(self.table_mapping, file=file, files=())
            staged = stage_source(self.con, one, f"{self.stage_name}__{index}", "load_rejects",
                                  self.max_reject_pct, keep=partial(columns_used, one))
            first = next((part for part in parts if part.file_columns), None)
            if first is not None and staged.file_columns:
                _check_same_columns(first, staged)
            parts.append(staged)
            self.file_lines.append((file.name, staged.lines, staged.rows - staged.malformed))
        union = " union all by name ".join(
            f"select * replace (__line + {index * LINE_STRIDE} as __line) "
            f"from {quote_identifier(part.stage)}" for index, part in enumerate(parts))
        self.con.execute(
            f"create or replace temp table {quote_identifier(self.stage_name)} as {union}")
        for part in parts:
            self._drop(part.stage)
        model = next((part for part in parts if part.file_columns), parts[0])
        columns = tuple(row[0] for row in self.con.execute(
            f"describe {quote_identifier(self.stage_name)}").fetchall() if row[0] != "__line")
        return StagedSource(self.stage_name, self.file_label, columns,
                            sum(part.rows for part in parts),
                            sum(part.malformed for part in parts), model.file_columns,
                            model.reading)

    def _stage_join(self, join: JoinMapping) -> None:
        """Add the joined file's columns to the staged rows as one column named after the join
        (a struct: `<name>.<column>` reads a field): a left join where the main row's `on`
        equals the file's `key`, so main rows are never lost or duplicated. Several rows for
        one key are refused, or with `latest` the row with the latest value is taken; a key
        that matches no main row is a warning."""
        main = self.staged
        where = f"{self.mapping.label}: {join.label}"
        file = join.reading.file.name
        if join.name.lower() in {column.lower() for column in main.file_columns}:
            raise MappingError(f"{where}: {self.file_label} has a column named {join.name!r}; "
                               "give the join another name")
        expressions = self.table_mapping.expressions()
        latest = [join.latest] if join.latest else []

        def keep(columns: tuple[str, ...]) -> tuple[str, ...]:
            named = joined_columns_read(expressions, join.name, columns)
            ordered = columns_read(latest, columns) if latest else ()
            if named is None or ordered is None:
                return columns
            wanted = {column.lower() for column in (*named, *ordered)} | {join.key.lower()}
            return tuple(column for column in columns if column.lower() in wanted)

        stage = f"join_{self.table}_{join.name}"
        try:
            staged = stage_source(self.con, join.reading, stage, "load_rejects",
                                  self.max_reject_pct, keep=keep)
        except SourceRefused:
            raise
        except SourceError as error:
            raise MappingError(f"{where} {error}") from error
        by_lower = {column.lower(): column for column in staged.file_columns}
        listed = shortened(", ".join(staged.file_columns))
        if join.key.lower() not in by_lower:
            raise MappingError(f"{where}: key {join.key!r} is not a column of {file}; its "
                               f"columns: {listed}{staged.reading}")
        for column in sorted(qualified_references(expressions, join.name)):
            if column.lower() not in by_lower:
                raise MappingError(f"{where}: {join.name}.{column} is used in [{self.table}] but "
                                   f"{file} has no column {column!r}; its columns: {listed}"
                                   f"{staged.reading}")
        _check_expression(self.con, self.mapping, self.table, f"joins.{join.name}.on", join.on,
                          self.stage_name, main.file_columns, main.reading)
        if join.latest:
            _check_expression(self.con, self.mapping, self.table, f"joins.{join.name}.latest",
                              join.latest, stage, staged.file_columns, staged.reading)
        table, key = quote_identifier(stage), quote_identifier(by_lower[join.key.lower()])
        keyed_name = stage + "_keyed"
        keyed = quote_identifier(keyed_name)
        order = f"(\n{join.latest}\n) desc nulls last, " if join.latest else ""
        fields = [column for column in staged.columns if column.lower() != "__line"]
        packed = ", ".join(f"{quote_identifier(column)} := {quote_identifier(column)}"
                           for column in fields)
        try:
            self.con.execute(
                f"create or replace temp table {keyed} as select __line, __key, __value, "
                f"row_number() over (partition by __key order by {order}__line desc) as __rank, "
                f"count(*) over (partition by __key) as __rows from (select *, "
                f"nullif(trim({key}::varchar), '') as __key, struct_pack({packed}) as __value "
                f"from {table})")
        except duckdb.Error as error:
            raise MappingError(f"{where}: {file} cannot be joined: "
                               f"{str(error).splitlines()[0]}") from error
        self._drop(stage)
        if not join.latest:
            self._refuse_several_rows_per_key(join, keyed)
        self.con.execute(f"delete from {keyed} where __rank > 1 or __key is null")
        main_stage = quote_identifier(self.stage_name)
        joined = quote_identifier(self.stage_name + "_joined")
        try:
            self.con.execute(f"""
                create or replace temp table {joined} as
                with keyed_main as (
                    select *, nullif(trim((\n{join.on}\n)::varchar), '') as __join_key
                    from {main_stage}
                )
                select m.* exclude (__join_key), j.__value as {quote_identifier(join.name)}
                from keyed_main m left join {keyed} j on m.__join_key = j.__key""")
            self.join_warnings += self.con.execute(
                f"insert into load_warnings select $table, $file, j.__line, $key, "
                f"left(j.__key, {VALUE_CHARS}), 'join_unmatched', $message from {keyed} j "
                f"where not exists (select 1 from {joined} m where "
                f"nullif(trim((\n{join.on}\n)::varchar), '') = j.__key)",
                {"table": self.table, "file": file, "key": join.key,
                 "message": f"matches no row of {self.file_label} (on = {join.on}): this row "
                            "is not used"}).fetchone()[0]
        except duckdb.Error as error:
            raise MappingError(f"{where}: on = {join.on!r} cannot be computed over "
                               f"{self.file_label}: {str(error).splitlines()[0]}") from error
        if staged.lines is not None:
            used = self.con.execute(
                f"select count(*) from {keyed} j where exists (select 1 from {joined} m where "
                f"nullif(trim((\n{join.on}\n)::varchar), '') = j.__key)").fetchone()[0]
            rows = staged.lines.rows
            self.join_accounts.append(FileAccount.read(
                self.table, f"{file} (joined as {join.name})", staged.lines, loaded=used,
                table_rows=used, unused=rows - used))
        self._drop(keyed_name)
        self._drop(self.stage_name)
        self.con.execute(f"alter table {joined} rename to {main_stage}")
        self.staged = replace(main, columns=(*main.columns, join.name))

    def _refuse_several_rows_per_key(self, join: JoinMapping, keyed: str) -> None:
        """LoadError when a key has several rows in a joined file (without `latest`): the
        first keys with their lines, and how many keys in all."""
        found = self.con.execute(
            f"select __key, list(__line order by __line), count(*) over () from {keyed} "
            "where __rows > 1 and __key is not null group by __key order by min(__line) "
            "limit 3").fetchall()
        if not found:
            return
        listed = "; ".join(f"{shortened(key, 60)!r} on lines "
                           f"{', '.join(f'{line:,}' for line in lines[:5])}"
                           + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
                           for key, lines, _ in found)
        keys = found[0][2]
        raise LoadError(
            f"{self.table}: {join.reading.file.name} has several rows for one {join.key}, and "
            f"each {self.table} row takes at most one ({join.label}): {listed}"
            + (f" ({keys:,} keys in all)" if keys > len(found) else "")
            + f". Keep one row per {join.key} in the file, or set latest = \"<column>\" in "
            f"{join.label} to take the row whose column is the latest (e.g. the latest date).")

    def _spread_subscriptions(self) -> None:
        """Each staged subscription repeated once per month it covers, the month in __month:
        from the month of `subscription_start` through the month of `subscription_end`, or
        the as-of month when the end is empty (an open subscription); months after the as-of
        month are not made. Rows whose dates cannot be read, or that end before they start,
        leave the stage for the subscription problems table."""
        options = self.table_mapping
        types = {}
        for name, expression in (("subscription_start", options.subscription_start),
                                 ("subscription_end", options.subscription_end)):
            types[name] = _check_expression(self.con, self.mapping, self.table, name, expression,
                                            self.stage_name, self.staged.file_columns,
                                            self.staged.reading)
        date = Column("date", "DATE", True, None)
        start = _typed(date, f"(\n{options.subscription_start}\n)", types["subscription_start"])
        end = _typed(date, f"(\n{options.subscription_end}\n)", types["subscription_end"])
        stage = quote_identifier(self.stage_name)
        dated = quote_identifier(self.stage_name + "_dated")
        params = _format_params(options)
        try:
            sql = (f"create or replace temp table {dated} as select *, {start} as __start, "
                   f"{end} as __end, nullif(trim((\n{options.subscription_start}\n)::varchar), "
                   f"'') as __start_text, nullif(trim((\n{options.subscription_end}\n)"
                   f"::varchar), '') as __end_text from {stage}")
            self.con.execute(sql, {key: value for key, value in params.items()
                                   if f"${key}" in sql})
        except duckdb.Error as error:
            raise MappingError(
                f"{self.mapping.label}: [{self.table}] subscription_start / subscription_end "
                f"cannot be computed over {self.file_label}: {str(error).splitlines()[0]}"
            ) from error
        last = self._subscriptions_last_month(dated)
        problems = quote_identifier(f"subscription_problems_{self.table}")
        invalid = self._invalid_type_message(date)
        self.con.execute(f"""
            create or replace temp table {problems} as
            select __line as line, 'subscription_start' as column_name,
                left(coalesce(__start_text, ''), {VALUE_CHARS}) as value,
                case when __start_text is null then 'missing_value' else 'invalid_type' end
                    as rule,
                case when __start_text is null then 'a value is required'
                     else $invalid end as message, false as warning
            from {dated} where __start is null
            union all
            select __line, 'subscription_end', left(__end_text, {VALUE_CHARS}), 'invalid_type',
                $invalid, false
            from {dated} where __start is not null and __end_text is not null and __end is null
            union all
            select __line, 'subscription_end', __end::varchar, 'date_order',
                'the subscription ends (' || __end || ') before it starts (' || __start || ')',
                false
            from {dated} where __end < __start
            union all
            select __line, 'subscription_start', __start::varchar, 'subscription_after_as_of',
                'starts after ' || strftime($last, '%B %Y') || ', the last month of the data: '
                || 'no revenue from it yet', true
            from {dated} where __start is not null and (__end is not null or __end_text is null)
                and coalesce(__end >= __start, true) and date_trunc('month', __start) > $last""",
            {"invalid": invalid, "last": last})
        spread = quote_identifier(self.stage_name + "_spread")
        self.con.execute(f"""
            create or replace temp table {spread} as
            select * exclude (__start, __end, __start_text, __end_text, __months),
                unnest(__months)::date as __month
            from (select *, generate_series(date_trunc('month', __start)::timestamp,
                                            least(date_trunc('month', coalesce(__end, $last)),
                                                  $last)::timestamp,
                                            interval 1 month) as __months
                  from {dated} where __line not in (select line from {problems}))""",
            {"last": last})
        self._drop(self.stage_name + "_dated")
        self._drop(self.stage_name)
        self.con.execute(f"alter table {spread} rename to {stage}")

    def _subscriptions_last_month(self, dated: str) -> dt.date:
        """The last month subscriptions make revenue for: the as-of month when one is given,
        else the latest month a subscription starts or ends in, not after the load day's."""
        today = self.dates.today.replace(day=1)
        if self.dates.given and self.dates.as_of is not None:
            return self.dates.as_of.replace(day=1)
        latest = self.con.execute(
            f"select max(greatest(date_trunc('month', __start), "
            f"coalesce(date_trunc('month', __end), date_trunc('month', __start))))::date "
            f"from {dated}").fetchone()[0]
        return min(latest, today) if latest is not None else today

    def _record_subscription_problems(self) -> None:
        """The subscriptions refused (or warned) while spreading, into the problems table."""
        problems = f"subscription_problems_{self.table}"
        self.con.execute(f"insert into {self.problems} select * from "
                         f"{quote_identifier(problems)}")
        self._drop(problems)

    def _sum_subscriptions(self) -> None:
        """The monthly rows of overlapping subscriptions summed per key (account and month):
        numbers added up, other values taken from the first line; $0 months stay as $0."""
        key = self.rules.keys[0]
        selects = ["min(__line) as __line", "list(distinct __line) as __lines"]
        for column in self.rules.columns:
            name, raw = quote_identifier(column.name), quote_identifier(f"raw__{column.name}")
            if column.name in key:
                selects += [f"arg_min({raw}, __line) as {raw}", name]
            elif column.data_type.startswith(NUMBER_TYPES):
                selects += [f"sum({name})::varchar as {raw}", f"sum({name}) as {name}"]
            else:
                selects += [f"arg_min({raw}, __line) as {raw}",
                            f"arg_min({name}, __line) as {name}"]
        group = ", ".join(quote_identifier(column) for column in key)
        summed = quote_identifier(f"candidates_{self.table}_summed")
        self.con.execute(f"create or replace temp table {summed} as select {', '.join(selects)} "
                         f"from {self.candidates} group by {group}")
        self._drop(f"candidates_{self.table}")
        self.con.execute(f"alter table {summed} rename to {self.candidates}")
        self.con.execute(f"create or replace temp table {self.groups} as "
                         f"select __line, __lines from {self.candidates}")

    def _map(self, source_columns: tuple[str, ...], file_columns: tuple[str, ...]) -> None:
        """candidates_<table>: __line, raw__<column> (the mapped value) and the typed column.
        `source_columns` are the staged ones, `file_columns` all the file has (for messages)."""
        by_lower = {name.lower(): name for name in source_columns}
        raw_selects, typed_selects = [], []
        role_params: dict[str, list[str]] = {}
        for column in self.rules.columns:
            expression = self.table_mapping.columns.get(column.name)
            if expression is None and column.name == REVENUE_MONTH and "__month" in by_lower:
                expression = "__month"  # the month a spread row stands for
            if expression is not None:
                raw_type = _check_expression(self.con, self.mapping, self.table, column.name,
                                             expression, self.stage_name, file_columns,
                                             self.staged.reading)
            elif column.name.lower() in by_lower:
                expression = quote_identifier(by_lower[column.name.lower()])
                file = self.table_mapping.file
                raw_type = None if file is not None and file.suffix == ".parquet" else "VARCHAR"
            elif (self.table, column.name) in AS_OF_DATED:
                # a snapshot export without the date: every row is dated on the as-of date
                self.dated_on_as_of = (column.name, self._as_of_for_undated())
                expression, raw_type = f"'{self.dated_on_as_of[1].isoformat()}'", "VARCHAR"
            else:
                expression, raw_type = "null::varchar", "VARCHAR"
                default = column.default or EXTRA_DEFAULTS.get((self.table, column.name))
                if default is None and not column.nullable:
                    raise _mapping_error(
                        self.mapping, self.table, column.name,
                        f"required column is not mapped and {self.file_label} has no column "
                        f"named {column.name}; columns in the file: "
                        f"{shortened(', '.join(file_columns))}{self.staged.reading}"
                        + _one_column_hint(self.file_label, file_columns),
                    )
            if raw_type is None:
                raw_type = _check_expression(self.con, self.mapping, self.table, column.name,
                                             expression, self.stage_name, file_columns,
                                             self.staged.reading)
            self._refuse_text_order(column, expression, raw_type)
            self._refuse_text_number_order(column, expression, raw_type)
            raw = quote_identifier(f"raw__{column.name}")
            raw_selects.append(f"(\n{expression}\n) as {raw}")
            typed = _typed(column, raw, raw_type)
            roles = ROLES.get((self.table, column.name))
            if roles:
                typed = _with_roles(typed, tuple(role.code for role in roles),
                                    self.table_mapping.roles.get(column.name, {}), role_params)
            default = column.default or EXTRA_DEFAULTS.get((self.table, column.name))
            if default is not None:
                typed = f"coalesce({typed}, {default})"
            typed_selects.append(f"{typed} as {quote_identifier(column.name)}")
        kept = []  # the further attributes, as text (accounts only)
        for index, (name, expression) in enumerate(self.table_mapping.attributes.items()):
            _check_expression(self.con, self.mapping, self.table, f"attributes.{name}",
                              expression, self.stage_name, file_columns, self.staged.reading)
            raw_selects.append(f"(\n{expression}\n) as {quote_identifier(f'attribute__{index}')}")
            kept.append(f"nullif(trim({quote_identifier(f'attribute__{index}')}::varchar), '') "
                        f"as {quote_identifier(f'attribute__{index}')}")
        where = self.table_mapping.where
        if where:
            _check_expression(self.con, self.mapping, self.table, "where", where, self.stage_name,
                              file_columns, self.staged.reading)
        # with aggregate, a row stands for its group: its first line, and every line in __lines
        aggregate = self.table_mapping.aggregate
        line = "min(__line) as __line, list(__line) as __lines" if aggregate \
            else "__line as __line"
        group = " group by all" if aggregate else ""
        sql = f"""create or replace temp table {self.candidates} as
            with mapped as (
                select {line}, {", ".join(raw_selects)}
                from {quote_identifier(self.stage_name)}
                where (\n{where or "true"}\n){group}
            )
            select __line, {"__lines, " if aggregate else ""}
                {", ".join(raw_selects_names(self.rules.columns))},
                {", ".join([*typed_selects, *kept])}
            from mapped"""
        params = {key: value for key, value in
                  {**_format_params(self.table_mapping), **role_params}.items()
                  if f"${key}" in sql}
        try:
            self.con.execute(sql, params)
            # the source rows the where keeps (a spread row counts once, however many months)
            self.passed = dict(self.con.execute(
                f"select (__line // {LINE_STRIDE})::integer, count(distinct __line) from "
                f"{quote_identifier(self.stage_name)} where (\n{where or 'true'}\n) "
                "group by all").fetchall())
        except duckdb.Error as error:
            raise MappingError(self._map_failure(error)) from error
        if aggregate:
            self.con.execute(f"create or replace temp table {self.groups} as "
                             f"select __line, __lines from {self.candidates}")

    def _refuse_text_order(self, column: Column, expression: str, raw_type: str) -> None:
        """With aggregate = true, a date column computed as min/max of text takes the first
        text, not the earliest date, whenever the date format does not sort as text (day
        first, month names, ...): refused, saying how to parse the date inside the aggregate."""
        options = self.table_mapping
        date_format = _format_params(options)["date_format"]
        if (not options.aggregate or raw_type != "VARCHAR"
                or column.data_type not in ("DATE", "TIMESTAMP")
                or sorts_as_text(date_format)):
            return
        found = ordering_aggregates(expression)
        if not found:
            return
        name = found[0]
        simple = re.fullmatch(r"\s*(?:min|max)\s*\((.*)\)\s*", expression, re.DOTALL | re.I)
        argument = simple.group(1).strip() if simple else "<the column>"
        raise _mapping_error(
            self.mapping, self.table, column.name,
            f"expression {expression!r} takes the {name} of the text, not of the dates: with "
            f"date_format {date_format} the text order is not the date order. Parse the date "
            f"inside the aggregate: {name}(strptime({argument}, {_literal(date_format)}))")

    def _refuse_text_number_order(self, column: Column, expression: str, raw_type: str) -> None:
        """With aggregate = true, a number column computed as min/max of text takes the last
        text, not the largest number ('9' comes after '12'): refused, saying how to read the
        numbers inside the aggregate."""
        if (not self.table_mapping.aggregate or raw_type != "VARCHAR"
                or not column.data_type.startswith(NUMBER_TYPES)):
            return
        found = ordering_aggregates(expression)
        if not found:
            return
        name = found[0]
        simple = re.fullmatch(r"\s*(?:min|max)\s*\((.*)\)\s*", expression, re.DOTALL | re.I)
        argument = simple.group(1).strip() if simple else "<the column>"
        number = "integer" if column.data_type in ("INTEGER", "BIGINT") else "double"
        raise _mapping_error(
            self.mapping, self.table, column.name,
            f"expression {expression!r} takes the {name} of the text, not of the numbers: '9' "
            f"comes after '12' as text. Read the numbers inside the aggregate: "
            f"{name}(try_cast({argument} as {number}))")

    def _map_failure(self, error: duckdb.Error) -> str:
        """Why the mapped columns could not be computed together, in words."""
        reason = str(error).split("\n", 1)[0]
        options = self.table_mapping
        hint = ""
        if options.aggregate and "UNNEST" in reason.upper():
            hint = (" With aggregate = true the rows are grouped by every column that is not a "
                    "sum or count, and unnest cannot be grouped: spread rows out with unnest in "
                    "a table without aggregate, or aggregate without unnest.")
        elif "format" in reason.lower():
            hint = (f" The formats in use: date_format {options.date_format!r}, "
                    f"timestamp_format {options.timestamp_format!r}.")
        return (f"{self.mapping.label}: [{self.table}] the mapped columns cannot be computed "
                f"over {self.file_label}: {reason}.{hint}")

    def _problem(self, condition: str, column_name: str, value: str, rule: str,
                 message: str, warning: bool = False, source: str | None = None,
                 params: dict[str, object] | None = None) -> None:
        """Record one rule's problems, set-based; message and rule are bound values, as are
        the `params` the condition names."""
        used = {name: value for name, value in (params or {}).items()
                if f"${name}" in condition + message}
        self.con.execute(
            f"insert into {self.problems} select __line, $column_name, left({value}, "
            f"{VALUE_CHARS}), $rule, {message}, $warning from {source or self.candidates} s "
            f"where {condition}",
            {"column_name": column_name, "rule": rule, "warning": warning, **used},
        )

    def _refuse_invalid_rows(self) -> None:
        for column in self.rules.columns:
            name = quote_identifier(column.name)
            raw = f"nullif(trim({quote_identifier('raw__' + column.name)}::varchar), '')"
            self._problem(f"len({raw}) > {MAX_VALUE_CHARS}", column.name, raw, "value_too_long",
                          f"'the value has ' || format('{{:,}}', len({raw})) || "
                          f"' characters, more than the {MAX_VALUE_CHARS:,} a value may have'")
            self._problem(f"{raw} is not null and {name} is null", column.name, raw,
                          "invalid_type", _literal(self._invalid_type_message(column)))
            if not column.nullable:
                self._problem(f"{name} is null and {raw} is null", column.name, "null",
                              "missing_value", "'a value is required'")
        for check in self.rules.checks:
            if len(check.columns) == 1:
                value = f"{quote_identifier('raw__' + check.columns[0])}::varchar"  # as written
            else:
                value = "concat_ws('; ', " + ", ".join(
                    f"'{c}=' || coalesce({quote_identifier(c)}::varchar, 'null')"
                    for c in check.columns) + ")"
            self._problem(f"not coalesce({check.expression}, true)", check.columns[0], value,
                          check.rule, _literal(check.message))
        self._remove_refused()

    def _invalid_type_message(self, column: Column) -> str:
        """Why a value is not of the column's type, naming the formats tried for a date."""
        formats = _format_params(self.table_mapping)
        if column.data_type == "DATE":
            return (f"not a valid date: tried ISO (2025-01-31) and date_format "
                    f"{formats['date_format']}; set date_format to how the file writes dates, "
                    "e.g. %d/%m/%Y or %Y%m%d")
        if column.data_type == "TIMESTAMP":
            return (f"not a valid timestamp: tried ISO (2025-01-31 09:30:00), timestamp_format "
                    f"{formats['timestamp_format']} and date_format {formats['date_format']}; "
                    "set timestamp_format to how the file writes times")
        if column.data_type.startswith(NUMBER_TYPES):
            return (f"not a valid number ({column.data_type.lower()}); thousands and decimal "
                    "separators are set with thousands_separator and decimal_separator")
        return f"not a valid {column.data_type.lower()}"

    def _remove_refused(self) -> None:
        self.con.execute(
            f"delete from {self.candidates} where __line in "
            f"(select line from {self.problems} where not warning)"
        )

    def _refuse_duplicates(self) -> None:
        for key in self.rules.keys:
            columns = ", ".join(quote_identifier(c) for c in key)
            value = " || ' / ' || ".join(f"{quote_identifier(c)}::varchar" for c in key)
            ranked = (
                f"(select *, row_number() over (partition by {columns} order by __line) as __n, "
                f"min(__line) over (partition by {columns}) as __first "
                f"from {self.candidates} "
                f"where {' and '.join(f'{quote_identifier(c)} is not null' for c in key)})"
            )
            first = ("'duplicate of the row on line ' || __first" if not self.table_mapping.files
                     else f"'duplicate of the row on line ' || (__first % {LINE_STRIDE}) || "
                          f"' of ' || $files[(__first // {LINE_STRIDE})::integer + 1]")
            self._problem("__n > 1", ", ".join(key), value, "duplicate_key", first,
                          source=ranked, params={"files": self.file_names})
            self._remove_refused()

    def _check_references(self) -> None:
        types = {column.name: column for column in self.rules.columns}
        for reference in self.rules.references:
            column = quote_identifier(reference.column)
            unknown = (
                f"{column} is not null and not exists (select 1 from "
                f"{quote_identifier(reference.table)} r where "
                f"r.{quote_identifier(reference.target_column)} = s.{column})"
            )
            message = f"'not in {reference.table}'"
            optional = types[reference.column].nullable
            self._problem(unknown, reference.column, f"{column}::varchar",
                          reference.rule, message, warning=optional)
            if optional:  # an unknown optional reference is cleared, the row is kept
                self.con.execute(f"update {self.candidates} as s set {column} = null "
                                 f"where {unknown}")
            else:
                self._remove_refused()

    def _check_mail_addresses(self) -> None:
        """A mail address column holds one plain address or nothing: another value (a list, a
        display name, a line break) is warned and cleared, the row kept."""
        for column_name in MAIL_ADDRESS_COLUMNS.get(self.table, ()):
            column = f"s.{quote_identifier(column_name)}"
            invalid = f"{column} is not null and not {MAIL_ADDRESS_FUNCTION}({column})"
            self._problem(invalid, column_name, f"{column}::varchar", "invalid_email",
                          _literal(MAIL_ADDRESS_MESSAGE), warning=True)
            self.con.execute(f"update {self.candidates} as s set {quote_identifier(column_name)} "
                             f"= null where {invalid}")

    def _settle_as_of(self) -> None:
        """The data's as-of date from the validated revenue rows (unless given), and a given
        one checked against them."""
        month = quote_identifier(REVENUE_MONTH)
        months = self.con.execute(
            f"select {month}, count(*) from {self.candidates} where {month} is not null "
            f"and {month} <= $today group by all order by 1",
            {"today": self.dates.today},
        ).fetchall()
        if not months:
            return  # nothing billed: the load is refused for its required table
        if self.dates.given:
            if self.dates.as_of < months[0][0]:
                raise MappingError(
                    f"{self.mapping.label}: the as-of date {self.dates.as_of} is before the first "
                    f"billed month, {months[0][0]:%B %Y}: nothing would be shown. Give an as-of "
                    "date within the data, or none to use the end of its last month.")
            return
        typical = statistics.median(count for _, count in months)
        settled = max(month for month, count in months if count >= AS_OF_MONTH_SHARE * typical)
        self.dates.as_of = last_day(settled)
        self.dates.stray_months = [(month, count) for month, count in months if month > settled]

    def _check_dates(self) -> None:
        """Dates after the day of the load (refused, or warned where they may be planned), after
        the as-of date (warned; revenue refused) and absurdly far ahead (warned)."""
        dates = {"today": self.dates.today, "as_of": self.dates.as_of,
                 "far": self.dates.today.replace(year=self.dates.today.year + FAR_FUTURE_YEARS)}
        for event in EVENT_DATES.get(self.table, ()):
            column = f"s.{quote_identifier(event.column)}"
            self._problem(
                f"{column}::date > $today", event.column, f"{column}::varchar", "future_date",
                _literal(f"dated after the day of the load ({self.dates.today})"
                         + ("" if event.refuse_future else ": kept as planned")),
                warning=not event.refuse_future, params=dates)
            if self.dates.as_of is None:
                continue
            revenue = self.table == REVENUE_TABLE
            self._problem(
                f"{column}::date > $as_of and {column}::date <= $today", event.column,
                f"{column}::varchar", "after_as_of",
                _literal(f"after the data's as-of date ({self.dates.as_of})"
                         + ("" if revenue else ": kept; periods end at the as-of date")),
                warning=not revenue, params=dates)
        for column_name in FAR_FUTURE_DATES.get(self.table, ()):
            column = f"s.{quote_identifier(column_name)}"
            self._problem(
                f"{column}::date > $far", column_name, f"{column}::varchar", "far_future_date",
                _literal(f"more than {FAR_FUTURE_YEARS} years after the day of the load"),
                warning=True, params=dates)
        self._remove_refused()

    def _warn_uncounted_churn(self) -> None:
        """Churn counts in the first month without revenue. An account billed in the month of
        its churn date, when that month is the data's last, has no such month in the data: it
        shows as churned on Account 360 but in no churn figure. Warned on its revenue row."""
        if self.dates.as_of is None:
            return
        self._problem(
            "s.month = date_trunc('month', $as_of::date) and exists (select 1 from accounts a "
            "where a.account_id = s.account_id and date_trunc('month', a.churn_date) = s.month)",
            REVENUE_MONTH, "s.account_id || ' ' || s.month::varchar", "churn_not_counted",
            _literal("billed in the month of the account's churn date, the data's last month: "
                     "churn counts in the first month without revenue, which is after the "
                     "as-of date, so no churn figure counts this account yet. End its revenue "
                     "the month before the churn date, or load again once the next month is "
                     "in the data"),
            warning=True, params={"as_of": self.dates.as_of})

    def _warn(self) -> None:
        for check in WARNINGS.get(self.table, ()):
            self._problem(check.condition, check.column,
                          f"s.{quote_identifier(check.column)}::varchar", check.rule,
                          _literal(check.message), warning=True)

    def _insert(self) -> None:
        columns = ", ".join(quote_identifier(c.name) for c in self.rules.columns)
        try:
            self.con.execute(
                f"insert into {quote_identifier(self.table)} ({columns}) "
                f"select {columns} from {self.candidates}"
            )
        except duckdb.Error as error:
            raise LoadError(f"{self.table}: rows passed validation but the database refused "
                            f"them: {error}") from error
        for index, name in enumerate(self.table_mapping.attributes):
            # the attribute names come from the mapping: passed as a parameter, never spliced
            self.con.execute(
                f"insert into account_attributes (account_id, attribute, value) "
                f"select account_id, $name, {quote_identifier(f'attribute__{index}')} "
                f"from {self.candidates} "
                f"where {quote_identifier(f'attribute__{index}')} is not null",
                {"name": name.strip()})


NUMBER_TYPES = ("DECIMAL", "DOUBLE", "INTEGER", "BIGINT")  # the schema's number types
# aggregates that pick a value by its order: over text they compare the text, not the date
ORDERING_AGGREGATES = ("min", "max", "arg_min", "arg_max", "min_by", "max_by")
# strptime fields that sort as text in this order, zero-padded (as ISO dates do)
_TEXT_SORTED_FIELDS = ("%Y", "%m", "%d", "%H", "%M", "%S", "%f")


def sorts_as_text(date_format: str) -> bool:
    """Whether dates written in `date_format` sort as text as they do as dates (year first,
    then month, day, hour, ... each zero-padded)."""
    fields = re.findall(r"%-?.", date_format)
    return fields == list(_TEXT_SORTED_FIELDS[:len(fields)])


def ordering_aggregates(expression: str) -> list[str]:
    """The min/max-like aggregates an expression calls (empty when it does not parse)."""
    with duckdb.connect(config={"autoinstall_known_extensions": False,
                                "autoload_known_extensions": False}) as con:
        try:
            tree = json.loads(con.execute(
                "select json_serialize_sql($sql)",
                {"sql": f"select (\n{expression}\n) from source"}).fetchone()[0])
        except (duckdb.Error, ValueError):
            return []
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            name = str(node.get("function_name", "")).lower()
            if node.get("class") == "FUNCTION" and name in ORDERING_AGGREGATES:
                found.append(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree.get("statements"))
    return found


def files_and_lines(line: str) -> str:
    """SQL for the source file and line of a staged `line` (numbered by LINE_STRIDE per file),
    as two columns; the table's file names are bound as $files."""
    return f"$files[({line} // {LINE_STRIDE})::integer + 1], {line} % {LINE_STRIDE}"


def _check_same_columns(first: StagedSource, other: StagedSource) -> None:
    """SourceError when two files of one table do not have the same columns (by name)."""
    names = {column.lower() for column in first.file_columns}
    others = {column.lower() for column in other.file_columns}
    if names == others:
        return
    missing = [column for column in first.file_columns if column.lower() not in others]
    extra = [column for column in other.file_columns if column.lower() not in names]
    raise SourceError(
        f"{other.file_label} does not have the same columns as {first.file_label}"
        + (f": it lacks {shortened(', '.join(missing), 120)}" if missing else "")
        + (f"{';' if missing else ':'} it has {shortened(', '.join(extra), 120)} that "
           f"{first.file_label} has not" if extra else "")
        + ". The files of one table must have the same columns (by name): re-save them with one "
          "header")


def _one_column_hint(file_label: str, source_columns: tuple[str, ...]) -> str:
    """Why a file may have been read as one column: its header holds another delimiter."""
    if len(source_columns) != 1:
        return ""
    found = [name for mark, name in ((",", "comma"), (";", "semicolon"), ("\t", "tab"),
                                      ("|", "pipe")) if mark in source_columns[0]]
    if not found:
        return ""
    return (f". {file_label} was read as a single column whose name holds a {found[0]}: set "
            f"the mapping's delimiter to the one the file uses")


def raw_selects_names(columns: tuple[Column, ...]) -> list[str]:
    return [quote_identifier(f"raw__{column.name}") for column in columns]


def _literal(text: str) -> str:
    """A SQL string literal for our own fixed message texts (never for loaded data)."""
    return "'" + text.replace("'", "''") + "'"


def _temporary_paths(db_path: Path) -> tuple[Path, Path]:
    loading = db_path.with_name(db_path.name + ".loading")
    return loading, loading.with_name(loading.name + ".wal")


def default_rejects_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + ".rejects.csv")


def run_load(
    source: Path | None,
    mapping: Mapping,
    db_path: Path,
    rejects_path: Path | None = None,
    max_reject_pct: float | None = None,
    as_of: dt.date | None = None,
    progress: Callable[[str, float], None] | None = None,
    today: dt.date | None = None,
    rollups: bool = True,
    memory_limit: str | None = None,
) -> LoadResult:
    """Build a database from `source` next to `db_path` and swap it in when complete.

    `progress(message, fraction_done)`, when given, is called after every table and rollup.
    Without `rollups` the derived tables are not computed (a dry run checks the data only).
    `memory_limit` caps DuckDB's memory (northstar.data.db.build_memory).

    Raises MappingError for an unusable mapping or file, LoadError when the data is refused
    (the result, with its counts, is attached as `error.result`), NotNorthstarDatabase when
    `db_path` is a file that is not a Northstar database; `db_path` is untouched then.
    """
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    given = as_of or mapping.as_of
    if given is not None and given > today:
        raise MappingError(f"The as-of date {given} is after today ({today}): data cannot be "
                           "as of a day that has not happened.")
    dates = LoadDates(today, given, given is not None)
    with write_lock.exclusive(db_path, "load"):
        return _run_load(source, mapping, db_path, rejects_path, max_reject_pct, dates, progress,
                         rollups, memory_limit)


def _run_load(
    source: Path | None, mapping: Mapping, db_path: Path, rejects_path: Path | None,
    max_reject_pct: float | None, dates: LoadDates,
    progress: Callable[[str, float], None] | None, rollups: bool, memory_limit: str | None,
) -> LoadResult:
    # the write lock is held: a leftover loading file is a crashed load's, never a live one's
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    threshold = next(
        value for value in (max_reject_pct, mapping.max_reject_pct, DEFAULT_MAX_REJECT_PCT)
        if value is not None
    )
    result = LoadResult(db_path, source, mapping.label, rejects_path or default_rejects_path(
        db_path), float(threshold))
    check_replaceable(db_path)  # checked again when the new database is moved over it
    loading, wal = _temporary_paths(db_path)
    for stale in (loading, wal):
        stale.unlink(missing_ok=True)
    con = connect_for_build(loading, memory_limit)
    built = loading.stat().st_ino  # the file this load builds, and the only one it may move
    try:
        create_schema(con, key_indexes=False)
        insert_reference_rows(con)
        _register_functions(con)
        _register_as_of(con, dates)
        # progress: the tables, then the rollups (counted as one step per table's worth)
        steps = len(DATASETS) + 2
        step = 0

        def report(message: str) -> None:
            nonlocal step
            step += 1
            if progress is not None:
                progress(f"{message} ({time.perf_counter() - started:.1f} s)",
                         min(1.0, step / steps))

        loaders = {name: TableLoader(con, mapping, table_mapping, dates, result.max_reject_pct)
                   for name, table_mapping in mapping.tables.items()}
        try:
            with opened(mapping) as warehouse:
                result.source_label = source_label(source, warehouse)
                for dataset in DATASETS:
                    if dataset.name in loaders:
                        loaders[dataset.name].stage(warehouse)
        except SourceError as error:  # the warehouse cannot be reached
            raise MappingError(f"{mapping.label}: {error}") from error
        result.fingerprint = load_fingerprint(
            mapping, {name: loaders[name].digest for name in sorted(loaders)},
            dates.as_of if dates.given else None, max_reject_pct)
        # every file is read: mapping expressions, evaluated from here on, cannot open any
        con.execute("set enable_external_access = false")
        for dataset in DATASETS:
            table_mapping = mapping.tables.get(dataset.name)
            if table_mapping is None:
                status = "seeded" if dataset.seeded else "missing"
                rows = con.execute(f"select count(*) from {quote_identifier(dataset.name)}")
                count = rows.fetchone()[0]
                result.tables.append(TableResult(dataset.name, None, status, 0, count))
                report(f"{dataset.name}: {status}")
                continue
            if dataset.seeded:  # the source's own reference rows replace the defaults
                con.execute(f"delete from {quote_identifier(dataset.name)}")
            result.tables.append(loaders[dataset.name].load())
            loaded = result.tables[-1]
            report(f"{dataset.name}: {loaded.status}, {loaded.loaded_rows:,} of "
                   f"{loaded.source_rows:,} rows")
        result.reject_counts = _counts(con, "load_rejects")
        result.warning_counts = _counts(con, "load_warnings")
        _write_rejects(con, result.rejects_path)
        result.error = _refusal(result, _main_refusals(con))
        if result.error:
            raise LoadError(result.error)
        result.as_of = dates.as_of or _latest_event_day(con, dates.today)
        result.as_of_note = dates.note()
        result.seconds = time.perf_counter() - started
        _record_run(con, result, started_at)
        report("checked and recorded the load")
        if rollups:
            build_rollups(con, progress=lambda name, seconds: (
                progress(f"rollup {name} {seconds:.1f} s", min(1.0, step / steps))
                if progress is not None else None))
            report("rollups built")
        con.execute("checkpoint")
        con.close()
        remove_spill(loading)
        if loading.stat().st_ino != built:
            raise LoadError(f"{loading} was replaced by another process during the load; the "
                            "database is left as it was")
        replace_database(loading, db_path)
        wal.unlink(missing_ok=True)
    except BaseException as error:
        con.close()
        remove_spill(loading)
        for leftover in (loading, wal):
            leftover.unlink(missing_ok=True)
        if isinstance(error, LoadError):
            error.result = result  # type: ignore[attr-defined]
        raise
    result.seconds = time.perf_counter() - started
    return result


def source_label(source: Path | None, warehouse: Warehouse | None) -> str:
    """Where a load's data comes from, as stored and shown: the folder, the warehouse (never
    its credentials), or both."""
    parts = [str(source.resolve())] if source is not None else []
    if warehouse is not None:
        parts.append(warehouse.label)
    return " and ".join(parts) or "(no source)"


def _latest_event_day(con: duckdb.DuckDBPyConnection, today: dt.date) -> dt.date:
    """The as-of date of a load without revenue: the latest day on which something happened
    (a ticket opened, an answer given, ...) up to today; today when nothing is dated."""
    latest = [
        con.execute(f"select max({quote_identifier(event.column)})::date from "
                    f"{quote_identifier(table)} where {quote_identifier(event.column)}::date "
                    "<= $today", {"today": today}).fetchone()[0]
        for table, events in EVENT_DATES.items() for event in events
    ]
    return max((day for day in latest if day is not None), default=today)


def _counts(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, int]]:
    # table is one of our own fixed names
    return [
        (name, rule, count) for name, rule, count in con.execute(
            f"select table_name, rule, count(*) from {table} group by all order by all"
        ).fetchall()
    ]


def _main_refusals(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per table, its most frequent refusal in words: 'start_date: not a valid date: … (2
    rows, e.g. line 3: '13/02/2025')'."""
    rows = con.execute(
        "with counted as (select table_name, column_name, message, count(*) as n, min(line) "
        "as line, arg_min(value, line) as value from load_rejects group by all) "
        "select table_name, column_name, message, n, line, value from counted "
        "qualify row_number() over (partition by table_name order by n desc, line) = 1"
    ).fetchall()
    return {
        table: f"most often {column + ': ' if column else ''}{message} ({count:,} row"
               f"{'s' if count != 1 else ''}, e.g. line {line}: {shortened(str(value), 60)!r})"
        for table, column, message, count, line, value in rows
    }


def _refusal(result: LoadResult, causes: dict[str, str] | None = None) -> str | None:
    """Why the load must not replace the database, or None; `causes` gives each table's most
    frequent refusal."""
    causes = causes or {}
    reasons = []
    by_table = {table.table: table for table in result.tables}
    for dataset in DATASETS:
        table = by_table[dataset.name]
        if dataset.required and table.loaded_rows == 0:
            why = {"missing": "the source has no file for it",
                   "empty": f"{table.source_file} has no data rows"}.get(
                table.status, f"none of the {table.source_rows:,} rows of "
                f"{table.source_file} could be loaded")
            cause = f" ({causes[dataset.name]})" if dataset.name in causes else ""
            reasons.append(f"required table {dataset.name} is unusable: {why}{cause}")
        elif table.source_rows and (
            100 * table.rejected_rows / table.source_rows > result.max_reject_pct
        ):
            reasons.append(
                f"{dataset.name}: {table.rejected_rows:,} of {table.source_rows:,} rows refused "
                f"({100 * table.rejected_rows / table.source_rows:.1f}%), more than the "
                f"{result.max_reject_pct:g}% allowed (--max-reject-pct)"
                + (f"; {causes[dataset.name]}" if dataset.name in causes else ""))
    return "; ".join(reasons) or None


def _write_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """The refused rows as CSV; text a spreadsheet would run as a formula starts with `'`.
    Written from Python: the loading connection may no longer open files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = _REJECT_COLUMNS.split(", ")
    columns = ", ".join(
        column if column == "line" else f"{neutralise_sql(column)} as {column}"
        for column in names
    )
    cursor = con.execute(
        f"select {columns} from load_rejects order by table_name, line, rule")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(names)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)


def _record_run(con: duckdb.DuckDBPyConnection, result: LoadResult, started_at: dt.datetime
                ) -> None:
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    loaded = [table for table in result.tables if table.status == "loaded"]
    totals = [sum(getattr(table, name) for table in loaded)
              for name in ("source_rows", "loaded_rows", "rejected_rows", "warnings")]
    con.execute(
        "insert into load_runs (source_path, mapping_path, started_at, finished_at, "
        "max_reject_pct, source_rows, loaded_rows, rejected_rows, warnings, source_fingerprint) "
        "values ($source, $mapping, $started, $finished, $threshold, $source_rows, "
        "$loaded_rows, $rejected_rows, $warnings, $fingerprint)",
        {"source": result.source_label, "fingerprint": result.fingerprint,
         "mapping": result.mapping, "started": started_at, "finished": finished_at,
         "threshold": result.max_reject_pct,
         "source_rows": totals[0], "loaded_rows": totals[1], "rejected_rows": totals[2],
         "warnings": totals[3]},
    )
    con.executemany(
        "insert into load_table_results values ($1, $2, $3, $4, $5, $6, $7, $8)",
        [(t.table, t.source_file, t.status, t.source_rows, t.loaded_rows, t.rejected_rows,
          t.warnings, t.file_rows) for t in result.tables],
    )
    con.executemany(
        "insert into load_file_lines values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
        "$13, $14)",
        [(f.table, f.file, f.kind, f.lines, f.preamble, f.blank, f.quoted, f.malformed,
          f.filtered, f.refused, f.loaded, f.table_rows, f.reshaped, f.unused)
         for t in result.tables for f in t.files],
    )
    con.executemany(
        "insert into dataset_metadata values ($key, $value)",
        [{"key": key, "value": value} for key, value in (
            ("as_of_date", result.as_of.isoformat()), ("source", "load"),
            ("source_path", result.source_label), ("mapping", result.mapping),
            ("loaded_at", finished_at.isoformat(timespec="seconds")),
        )],
    )
