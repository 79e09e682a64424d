"""Load a folder of exports into a new database: map, validate, refuse, then swap in atomically.

Every table goes through the same set-based steps in DuckDB SQL:

1. stage the source file (northstar.data.importer.sources) or warehouse table
   (northstar.data.importer.warehouse), each row with its line;
2. compute each canonical column from the mapping's expression, cast to the schema's type;
3. refuse rows with an invalid type, a missing required value or a broken CHECK, then
   duplicate keys, then references to unknown accounts (unknown optional references are
   cleared with a warning instead);
4. count the quality warnings, insert the survivors.

The database is built in `<db>.loading` and moved over the target with `os.replace` only
when everything, rollups included, is complete; any failure leaves the target untouched, and a
target that is not a Northstar database is never replaced (northstar.data.database_file).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb

from northstar.data import write_lock
from northstar.data.addresses import is_mail_address
from northstar.data.build_memory import connect_for_build, remove_spill
from northstar.data.database_file import check_replaceable, replace_database
from northstar.data.datasets import (
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
from northstar.data.flags import FALSE_SPELLINGS, TRUE_SPELLINGS
from northstar.data.formula_guard import neutralise_sql
from northstar.data.importer.changes import file_digest, load_fingerprint
from northstar.data.importer.mapping import Mapping, MappingError, TableMapping, columns_used
from northstar.data.importer.sources import (
    SourceError,
    SourceRefused,
    StagedSource,
    quote_identifier,
    shortened,
    stage_source,
)
from northstar.data.importer.warehouse import (
    Warehouse,
    opened,
    result_digest,
    stage_warehouse,
    updated_digest,
)
from northstar.data.months import last_day
from northstar.data.rollups import build_rollups
from northstar.data.schema import create_schema, insert_reference_rows

DEFAULT_MAX_REJECT_PCT = 10.0
VALUE_CHARS = 200  # offending values are cut to this length in rejects and warnings
MAX_VALUE_CHARS = 1_000_000  # a longer value (a 2 MB "name") refuses its row
# values for NOT NULL columns a source rarely has (beyond the schema's own defaults)
EXTRA_DEFAULTS = {("support_tickets", "department_id"): "'customer_service'"}
_REJECT_COLUMNS = "table_name, source_file, line, column_name, value, rule, message"


MAIL_ADDRESS_FUNCTION = "northstar_is_mail_address"  # the stdlib parser, as a SQL function


def _register_functions(con: duckdb.DuckDBPyConnection) -> None:
    con.create_function(MAIL_ADDRESS_FUNCTION, is_mail_address, ["VARCHAR"],
                        "BOOLEAN", side_effects=False)


class LoadError(RuntimeError):
    """The load was refused; the previous database is unchanged."""


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
        self.file_label = table_mapping.label
        self.digest: dict[str, str] = {}  # what was read, for the load's fingerprint

    def stage(self, warehouse: Warehouse | None = None) -> None:
        """Read the source file, or the warehouse table or query, into the staging table (the
        only step that opens a file or asks the warehouse)."""
        keep = partial(columns_used, self.table_mapping)
        try:
            if self.table_mapping.file is None:
                assert warehouse is not None
                self._stage_warehouse(warehouse)
                return
            if self.table_mapping.file.is_file():  # hashed before it is read (a missing
                # file is stage_source's to report); a change while it is read shows next time
                self.digest = {"source": self.file_label,
                               **file_digest(self.table_mapping.file)}
            # only the columns the mapping reads: a wide export's custom fields stay behind
            self.staged = stage_source(
                self.con, self.table_mapping, self.stage_name, "load_rejects",
                self.max_reject_pct, keep=keep)
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
            return TableResult(self.table, self.file_label, "empty")
        if self.table_mapping.spread_months:
            self._spread()
            staged = StagedSource(staged.stage, staged.file_label, (*staged.columns, "__month"),
                                  staged.rows, staged.malformed, staged.file_columns)
        self._map(staged.columns, staged.file_columns)
        source_rows = staged.malformed + self._count(self.candidates)
        self.con.execute(
            f"create or replace temp table {self.problems} (line bigint, column_name varchar, "
            "value varchar, rule varchar, message varchar, warning boolean)"
        )
        self._refuse_invalid_rows()
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
            f"insert into load_rejects select $table, $file, line, column_name, value, rule, "
            f"message from {self.problems} where not warning",
            {"table": self.table, "file": self.file_label},
        )
        self.con.execute(
            f"insert into load_warnings select $table, $file, line, column_name, value, rule, "
            f"message from {self.problems} where warning",
            {"table": self.table, "file": self.file_label},
        )
        loaded = self.con.execute(
            f"select count(*) from {quote_identifier(self.table)}").fetchone()[0]
        for name in (self.stage_name, f"candidates_{self.table}", f"problems_{self.table}"):
            self._drop(name)
        notes = self._unplayed_roles() if loaded else []
        return TableResult(self.table, self.file_label, "loaded", source_rows, loaded,
                           rejected, counts[1], notes, staged.rows)

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
        line = "min(__line)" if self.table_mapping.aggregate else "__line"
        group = " group by all" if self.table_mapping.aggregate else ""
        sql = f"""create or replace temp table {self.candidates} as
            with mapped as (
                select {line} as __line, {", ".join(raw_selects)}
                from {quote_identifier(self.stage_name)}
                where (\n{where or "true"}\n){group}
            )
            select __line, {", ".join(raw_selects_names(self.rules.columns))},
                {", ".join([*typed_selects, *kept])}
            from mapped"""
        params = {key: value for key, value in
                  {**_format_params(self.table_mapping), **role_params}.items()
                  if f"${key}" in sql}
        try:
            self.con.execute(sql, params)
        except duckdb.Error as error:
            raise MappingError(self._map_failure(error)) from error

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
        used = {name: value for name, value in (params or {}).items() if f"${name}" in condition}
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
        if column.data_type.startswith(("DECIMAL", "DOUBLE", "INTEGER", "BIGINT")):
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
            self._problem("__n > 1", ", ".join(key), value, "duplicate_key",
                          "'duplicate of the row on line ' || __first", source=ranked)
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
    `memory_limit` caps DuckDB's memory (northstar.data.build_memory).

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
        "insert into dataset_metadata values ($key, $value)",
        [{"key": key, "value": value} for key, value in (
            ("as_of_date", result.as_of.isoformat()), ("source", "load"),
            ("source_path", result.source_label), ("mapping", result.mapping),
            ("loaded_at", finished_at.isoformat(timespec="seconds")),
        )],
    )
