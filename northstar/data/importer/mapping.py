"""Mapping files: which source file feeds each canonical table, and how each column is computed.

A mapping is TOML. `[load]` holds load-wide settings; every other section is a canonical
table with its `file`, optional reading options, and `[<table>.columns]`: canonical column =
DuckDB SQL expression over the source's columns. See the README, "Loading your own data".

With `[load] database = "postgresql"` (or another WAREHOUSE_KINDS entry) a table may be read
from a warehouse instead: `table = "schema.name"` or `query = "select ..."`. The connection
string never sits in the mapping (northstar.data.importer.warehouse reads it).
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from northstar.data.importer.datasets import (
    DATASETS,
    DATASETS_BY_NAME,
    REVENUE_MONTH,
    REVENUE_TABLE,
    ROLES,
    table_rules,
)

WAREHOUSE_URL_VARIABLE = "NORTHSTAR_WAREHOUSE_URL"  # the warehouse connection string
# a connection string with a password: scheme://user:password@host or user:password@account
_URL_WITH_PASSWORD = re.compile(r"(?:^|[/\s])[^\s/:@]+:[^\s/@]+@[^\s]")
SOURCE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx")
_TABLE_OPTIONS = {
    "file": (str, list), "sheet": str, "delimiter": str, "header": bool, "skip": int,
    "encoding": str, "date_format": str, "timestamp_format": str, "thousands_separator": str,
    "decimal_separator": str, "where": str, "aggregate": bool, "columns": dict, "roles": dict,
    "spread_months": str, "spread_last_month": str, "attributes": dict,
    # several files, joined files and subscriptions: see read_files, read_joins, read_subscriptions
    "joins": dict, "subscription_start": str, "subscription_end": str,
    **{"table": str, "query": str, "updated_column": str},  # warehouse tables
}
# the settings of `[<table>.joins.<name>]`: the joined file, how to read it, how rows meet
_JOIN_OPTIONS = {
    "file": str, "key": str, "on": str, "latest": str, "sheet": str, "delimiter": str,
    "header": bool, "skip": int, "encoding": str,
}
_JOIN_READING = ("sheet", "delimiter", "header", "skip", "encoding")
_GLOB_MARKS = ("*", "?", "[")
_TYPE_NAMES = {(str, list): "file name or a list of file names"}
_LOAD_OPTIONS = {"max_reject_pct": (int, float), "as_of": (str, dt.date), "database": str}
# warehouse kinds a mapping's [load] database may name (their drivers: importer.warehouse)
WAREHOUSE_KINDS = ("postgresql", "snowflake", "bigquery")
# mapping settings that would hold a credential: refused wherever they appear
_CREDENTIAL_KEYS = ("password", "passwd", "pwd", "secret", "token", "url", "uri",
                    "connection", "dsn", "private_key", "credentials")
# `*` as a whole argument, as in struct_pack(*) or hash(*): every column (count(*) reads none)
_STAR_ARGUMENT = re.compile(r"[(,]\s*\*\s*[),]")
_COUNT_STAR = re.compile(r"count\s*\(\s*\*\s*\)", re.IGNORECASE)


class MappingError(ValueError):
    """The mapping file is unusable; the message names the file, table and column."""


@dataclass(frozen=True)
class TableMapping:
    table: str
    file: Path | None  # None for a warehouse table (source_table or query)
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> SQL expression
    sheet: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    skip: int | None = None
    encoding: str | None = None
    date_format: str | None = None
    timestamp_format: str | None = None
    thousands_separator: str | None = None
    decimal_separator: str | None = None
    where: str | None = None
    aggregate: bool = False
    # one source row becomes `spread_months` rows, one per month ending at `spread_last_month`
    # (both SQL expressions); the month of each is the column __month
    spread_months: str | None = None
    spread_last_month: str | None = None
    # column -> {Northstar code: source values that play it}, see datasets.ROLES
    roles: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # accounts only: further attributes to keep, name -> SQL expression (account_attributes)
    attributes: dict[str, str] = field(default_factory=dict)
    # every file when the mapping names several (a list or a pattern); `file` is the first
    files: tuple[Path, ...] = ()
    # files whose columns join the main file's rows on a key, referenced as <name>.<column>
    joins: tuple[JoinMapping, ...] = ()
    # revenue only: each row is a subscription running from the month of `subscription_start`
    # through that of `subscription_end` (open when null: through the as-of month)
    subscription_start: str | None = None
    subscription_end: str | None = None
    # warehouse tables ([load] database): a table name or a query instead of a file, and the
    # column whose latest value (with the row count) tells a changed table from an unchanged one
    source_table: str | None = None
    query: str | None = None
    updated_column: str | None = None

    @property
    def label(self) -> str:
        """How messages and rejects name the source: the file's name, the warehouse table's,
        or 'query for <table>'."""
        if self.file is not None:
            return self.file.name
        return self.source_table or f"query for {self.table}"

    @property
    def from_warehouse(self) -> bool:
        return self.file is None

    def expressions(self) -> list[str]:
        """Every SQL expression the mapping evaluates over the source file's columns."""
        return [expression for expression in (*self.columns.values(),
                                              *self.attributes.values(), self.where,
                                              self.spread_months, self.spread_last_month,
                                              self.subscription_start, self.subscription_end,
                                              *(join.on for join in self.joins))
                if expression]

    @property
    def all_files(self) -> tuple[Path, ...]:
        """The files whose rows make the table, in the order they are read."""
        return self.files or ((self.file,) if self.file is not None else ())


@dataclass(frozen=True)
class JoinMapping:
    """`[<table>.joins.<name>]`: a file whose columns join each main row (a left join: main rows
    are never lost or duplicated) where the main row's `on` equals the file's `key`."""

    name: str
    reading: TableMapping  # the joined file, with its reading options (table: the main one)
    key: str  # the joined file's column holding the key
    on: str  # SQL expression over the main file's columns giving the key
    latest: str | None = None  # several rows per key: take the one with the latest value

    @property
    def label(self) -> str:
        return f"[{self.reading.table}.joins.{self.name}]"


@dataclass(frozen=True)
class Mapping:
    path: Path | None  # None: the default mapping (files named after the tables)
    tables: dict[str, TableMapping]
    max_reject_pct: float | None = None
    as_of: dt.date | None = None
    database: str | None = None  # the warehouse kind tables with `table`/`query` come from

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "default mapping"


def _column_references(node: object) -> Iterable[tuple[str, ...]]:
    """Every column reference of a serialized SQL tree as its name parts; a star (`*`,
    COLUMNS(...)) as ('*',)."""
    if isinstance(node, dict):
        if node.get("class") == "STAR":
            yield ("*",)
        if node.get("class") == "COLUMN_REF":
            yield tuple(str(part) for part in node.get("column_names", ()))
        for value in node.values():
            yield from _column_references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _column_references(value)


def _references(expressions: Sequence[str]) -> list[list[tuple[str, ...]] | None]:
    """Per SQL expression, the column references it makes (DuckDB's own parser), or None when
    it does not parse."""
    found: list[list[tuple[str, ...]] | None] = []
    with duckdb.connect(config={"autoinstall_known_extensions": False,
                                "autoload_known_extensions": False}) as con:
        for expression in expressions:
            try:
                tree = json.loads(con.execute(
                    "select json_serialize_sql($sql)",
                    {"sql": f"select (\n{expression}\n) from source"}).fetchone()[0])
            except (duckdb.Error, ValueError):
                found.append(None)
                continue
            found.append(None if tree.get("error")
                         else list(_column_references(tree.get("statements"))))
    return found


def columns_read(expressions: Sequence[str], file_columns: Sequence[str]
                 ) -> tuple[str, ...] | None:
    """The file columns SQL expressions name (DuckDB names are case-insensitive), in file
    order; None when they may read every column (a star, or an expression that does not
    parse, which the load then reports)."""
    if any(_STAR_ARGUMENT.search(_COUNT_STAR.sub("", expression)) for expression in expressions):
        return None
    names: set[str] = set()
    for references in _references(expressions):
        if references is None:
            return None
        found = {part.lower() for parts in references for part in parts}
        if "*" in found:
            return None
        names |= found
    return tuple(column for column in file_columns if column.lower() in names)


def joined_columns_read(expressions: Sequence[str], name: str, file_columns: Sequence[str]
                        ) -> tuple[str, ...] | None:
    """The columns of the joined file `name` that expressions name as `<name>.<column>` (in
    file order; any case), or None when they may read every column (a star, or an expression
    that does not parse, which the load then reports)."""
    wanted: set[str] = set()
    for references in _references(expressions):
        if references is None or ("*",) in references:
            return None
        wanted |= {parts[1].lower() for parts in references
                   if len(parts) >= 2 and parts[0].lower() == name.lower()}
    return tuple(column for column in file_columns if column.lower() in wanted)


def qualified_references(expressions: Sequence[str], name: str) -> set[str]:
    """The column names expressions qualify with `name` (`<name>.<column>`), as written."""
    return {parts[1] for references in _references(expressions) if references is not None
            for parts in references if len(parts) >= 2 and parts[0].lower() == name.lower()}


def columns_used(mapping: TableMapping, file_columns: Sequence[str]) -> tuple[str, ...]:
    """The columns of a source file a table's load reads, in file order: those its mapping's
    expressions name, and those named like a canonical column the mapping leaves unmapped.
    A wide export (a CRM with a thousand custom fields) is staged with these alone."""
    read = columns_read(mapping.expressions(), file_columns)
    if read is None:
        return tuple(file_columns)
    unmapped = {column.name.lower() for column in table_rules(mapping.table).columns
                if column.name not in mapping.columns}
    return tuple(column for column in file_columns
                 if column in read or column.lower() in unmapped)


def check_time_format(text: str, where: str) -> None:
    """Refuse a date or timestamp format DuckDB's strptime does not know, naming it."""
    try:
        duckdb.execute("select try_strptime('2001-02-03', $format)", {"format": text}).fetchall()
    except duckdb.Error as error:
        reason = str(error).split(": ", 1)[-1].split("\n", 1)[0]
        raise MappingError(f"{where}: {text!r} is not a strptime format ({reason}); for example "
                           "\"%d/%m/%Y\" or \"%Y-%m-%d %H:%M\"") from error


def inside_source(source: Path, name: str, where: str) -> Path:
    """The file `name` of the source folder, resolved (links followed); a name that is
    absolute or leads out of the folder, directly, through '..' or through a link, is refused
    with a MappingError naming it."""
    folder = source.resolve()
    if Path(name).is_absolute():
        raise MappingError(f"{where}: file {name!r} is an absolute path; a mapping names files "
                           f"inside the source folder {source}")
    resolved = (folder / name).resolve()
    if not resolved.is_relative_to(folder):
        raise MappingError(f"{where}: file {name!r} leads outside the source folder {source} "
                           f"(to {resolved}); a mapping reads only files inside it")
    return resolved


def find_table_file(source: Path, table: str) -> Path | None:
    """The file named after a table in the source folder (accounts.csv, accounts.xlsx, ...)."""
    for suffix in SOURCE_SUFFIXES:
        candidate = source / f"{table}{suffix}"
        if candidate.is_file():
            return inside_source(source, candidate.name, f"default mapping: [{table}]")
    return None


def default_mapping(source: Path) -> Mapping:
    """Every canonical table from the file named after it, columns by the same names."""
    tables = {}
    for dataset in DATASETS:
        found = find_table_file(source, dataset.name)
        if found:
            tables[dataset.name] = TableMapping(dataset.name, found)
    return Mapping(None, tables)


def _check_type(where: str, key: str, value: Any, expected: Any) -> None:
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        names = expected.__name__ if isinstance(expected, type) else _TYPE_NAMES.get(
            expected, "number or date")
        raise MappingError(f"{where}: {key} must be a {names}, not {value!r}")


def _read_roles(table: str, roles: dict[str, Any], where: str
                ) -> dict[str, dict[str, tuple[str, ...]]]:
    """`[<table>.roles.<column>]`: Northstar code = source value or list of values."""
    checked: dict[str, dict[str, tuple[str, ...]]] = {}
    for column, codes in roles.items():
        known = ROLES.get((table, column))
        if known is None:
            columns = [name for owner, name in ROLES if owner == table]
            raise MappingError(
                f"{where}.roles: {table}.{column} has no values with a meaning to map"
                + (f"; columns with roles: {', '.join(columns)}" if columns else ""))
        if not isinstance(codes, dict):
            raise MappingError(f"{where}.roles.{column}: must be a table of "
                               "code = [\"source value\", ...]")
        valid = [role.code for role in known]
        checked[column] = {}
        for code, values in codes.items():
            if code not in valid:
                raise MappingError(f"{where}.roles.{column}: {code!r} is not a role Northstar "
                                   f"knows; roles: {', '.join(valid)}")
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise MappingError(f"{where}.roles.{column}.{code}: must be a source value or "
                                   "a list of them")
            checked[column][code] = tuple(values)
        seen: dict[str, str] = {}
        for code, values in checked[column].items():
            for value in values:
                other = seen.setdefault(value.strip().lower(), code)
                if other != code:
                    raise MappingError(f"{where}.roles.{column}: {value!r} is listed for both "
                                       f"{other} and {code}")
    return checked


def read_mapping(path: Path, source: Path | None) -> Mapping:
    """Parse and check a mapping file; source files are resolved against the source folder
    (None: a mapping whose tables all come from a warehouse)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as error:
        raise MappingError(f"Mapping file {path} does not exist") from error
    except IsADirectoryError as error:
        raise MappingError(f"Mapping file {path} is a folder; name the .toml file") from error
    except UnicodeDecodeError as error:
        raise MappingError(f"{path}: not UTF-8 text (byte {error.start}); save the mapping "
                           "as UTF-8") from error
    except OSError as error:
        raise MappingError(f"Mapping file {path} cannot be read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"{path}: not valid TOML: {error}") from error
    settings = document.pop("load", {})
    _refuse_credentials(path, document, settings)
    for key, value in settings.items():
        if key not in _LOAD_OPTIONS:
            raise MappingError(f"{path}: [load] has unknown setting {key!r}; "
                               f"known: {', '.join(_LOAD_OPTIONS)}")
        _check_type(f"{path}: [load]", key, value, _LOAD_OPTIONS[key])
    tables = {}
    for table, options in document.items():
        where = f"{path}: [{table}]"
        if table not in DATASETS_BY_NAME:
            raise MappingError(f"{where}: no canonical table {table!r}; tables: "
                               f"{', '.join(DATASETS_BY_NAME)}")
        if not isinstance(options, dict):
            raise MappingError(f"{where}: must be a table of settings")
        for key, value in options.items():
            if key not in _TABLE_OPTIONS:
                raise MappingError(f"{where}: unknown setting {key!r}; known: "
                                   f"{', '.join(_TABLE_OPTIONS)}")
            _check_type(where, key, value, _TABLE_OPTIONS[key])
        warehouse = _read_warehouse_table(where, options, settings.get("database"))
        known_columns = {column.name for column in table_rules(table).columns}
        columns = options.pop("columns", {})
        for column, expression in columns.items():
            if column not in known_columns:
                raise MappingError(f"{where}.columns: {table} has no column {column!r}; "
                                   f"columns: {', '.join(sorted(known_columns))}")
            if not isinstance(expression, str) or not expression.strip():
                raise MappingError(f"{where}.columns: {column} must be a SQL expression string")
        options["roles"] = _read_roles(table, options.get("roles", {}), where)
        attributes = options.get("attributes", {})
        if attributes and table != "accounts":
            raise MappingError(f"{where}: attributes are kept for accounts only; move them "
                               "under [accounts.attributes]")
        for name, expression in attributes.items():
            if not name.strip() or not isinstance(expression, str) or not expression.strip():
                raise MappingError(f"{where}.attributes: {name!r} must be a name with a SQL "
                                   "expression string, e.g. Contract = \"Contract\"")
        if ("spread_months" in options) != ("spread_last_month" in options):
            raise MappingError(f"{where}: spread_months and spread_last_month go together: "
                               "how many months each row stands for, and the last of them")
        if warehouse:
            if options.get("joins"):
                raise MappingError(f"{where}: joins read files; a warehouse table takes the "
                                   "other table's columns in its query")
            files: tuple[Path, ...] = ()
        else:
            if source is None:
                raise MappingError(f"{where}: file {options['file']!r} is read from the source "
                                   "folder: name the folder on the command line")
            files = read_files(source, options.pop("file"), where)
            options["joins"] = read_joins(table, options.get("joins", {}), source, where)
        read_subscriptions(table, options, columns, where)
        for option in ("date_format", "timestamp_format"):
            if option in options:
                check_time_format(options[option], f"{where} {option}")
        tables[table] = TableMapping(table, files[0] if files else None, dict(columns),
                                     **options, files=files if len(files) > 1 else ())
    as_of = settings.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError as error:
            raise MappingError(f"{path}: [load] as_of must be YYYY-MM-DD: {as_of!r}") from error
    return Mapping(path, tables, settings.get("max_reject_pct"), as_of,
                   _database_kind(path, settings.get("database")))


def read_files(source: Path, value: str | list[Any], where: str) -> tuple[Path, ...]:
    """A table's `file`: one name, a list of names, or a pattern (`tickets_*.csv`) matching
    files of the source folder (sorted by name). Each is resolved inside the folder."""
    names = value if isinstance(value, list) else [value]
    if not names:
        raise MappingError(f"{where}: file = [] names no file; name one or more")
    files: list[Path] = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise MappingError(f"{where}: file lists {name!r}; each entry is a file name")
        if any(mark in name for mark in _GLOB_MARKS):
            inside_source(source, name, where)  # an absolute pattern or one leading out
            matches = [match for match in sorted(glob.glob(name, root_dir=source))
                       if (source / match).is_file()]
            if not matches:
                raise MappingError(f"{where}: file pattern {name!r} matches no file in the "
                                   f"source folder {source}")
            files += [inside_source(source, match, where) for match in matches]
        else:
            files.append(inside_source(source, name, where))
    repeated = sorted({file.name for file in files if files.count(file) > 1})
    if repeated:
        raise MappingError(f"{where}: file names {', '.join(repeated)} more than once; each "
                           "file's rows are read once")
    return tuple(files)


def read_joins(table: str, joins: dict[str, Any], source: Path, where: str
               ) -> tuple[JoinMapping, ...]:
    """`[<table>.joins.<name>]` sections: file, key, on (and reading options, latest)."""
    read = []
    for name, options in joins.items():
        here = f"{where.rsplit(' [', 1)[0]} [{table}.joins.{name}]"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise MappingError(f"{here}: a join's name is a plain word (letters, digits, _), "
                               "used as <name>.<column> in the table's columns")
        if not isinstance(options, dict):
            raise MappingError(f"{here}: must be a table of settings (file, key, on)")
        for key, value in options.items():
            if key not in _JOIN_OPTIONS:
                raise MappingError(f"{here}: unknown setting {key!r}; known: "
                                   f"{', '.join(_JOIN_OPTIONS)}")
            _check_type(here, key, value, _JOIN_OPTIONS[key])
        for needed, what in (("file", "the file to join"),
                             ("key", "the joined file's column holding the key"),
                             ("on", "a SQL expression over the main file's columns giving "
                                    "the key")):
            if needed not in options or not str(options[needed]).strip():
                raise MappingError(f"{here}: needs {needed} = \"...\": {what}")
        file = inside_source(source, options["file"], here)
        reading = TableMapping(table, file, **{option: options[option]
                                               for option in _JOIN_READING if option in options})
        read.append(JoinMapping(name, reading, options["key"], options["on"],
                                options.get("latest")))
    return tuple(read)


def read_subscriptions(table: str, options: dict[str, Any], columns: dict[str, Any],
                       where: str) -> None:
    """Check `subscription_start` / `subscription_end`: the revenue table's, together, and
    neither with another way of making months."""
    given = [option for option in ("subscription_start", "subscription_end") if option in options]
    if not given:
        return
    if table != REVENUE_TABLE:
        raise MappingError(f"{where}: {given[0]} makes monthly revenue rows; it belongs in "
                           f"[{REVENUE_TABLE}]")
    if len(given) == 1:
        raise MappingError(f"{where}: subscription_start and subscription_end go together: the "
                           "first day of each subscription and its last (an expression that "
                           "may be empty for a subscription still running)")
    for other in ("spread_months", "aggregate"):
        if options.get(other):
            raise MappingError(f"{where}: subscription_start/subscription_end cannot be combined "
                               f"with {other}: the subscriptions already make the months, and "
                               "their amounts are summed per account and month")
    if REVENUE_MONTH in columns:
        raise MappingError(f"{where}.columns: {REVENUE_MONTH} comes from subscription_start and "
                           f"subscription_end; remove the {REVENUE_MONTH} column")
def _refuse_credentials(path: Path, document: dict[str, Any], settings: dict[str, Any]) -> None:
    """MappingError when the mapping holds what looks like a credential: a setting named like
    one (password, url, token, ...) in [load] or a table, or a connection string with a
    password anywhere. The value is never repeated in the message."""
    sections = {"[load]": settings, **{f"[{name}]": options for name, options in document.items()
                                       if isinstance(options, dict)}}
    for section, options in sections.items():
        for key, value in options.items():
            if key.lower() in _CREDENTIAL_KEYS or (
                    isinstance(value, str) and _URL_WITH_PASSWORD.search(value)):
                raise MappingError(
                    f"{path}: {section} {key}: a mapping never holds credentials or connection "
                    f"strings (it is shared and kept with the exports). Put the connection "
                    f"string in the environment variable {WAREHOUSE_URL_VARIABLE} or in "
                    f".streamlit/secrets.toml, and name only the kind here: [load] database = "
                    f"\"postgresql\".")


def _database_kind(path: Path, kind: str | None) -> str | None:
    """The [load] database setting, checked to be a warehouse kind Northstar reads."""
    if kind is None:
        return None
    if kind not in WAREHOUSE_KINDS:
        raise MappingError(f"{path}: [load] database must name a kind of warehouse, one of "
                           f"{', '.join(WAREHOUSE_KINDS)}; the connection string goes in "
                           f"{WAREHOUSE_URL_VARIABLE}")
    return kind


def _read_warehouse_table(where: str, options: dict[str, Any], database: str | None) -> bool:
    """Whether a table comes from the warehouse (`table` or `query`) rather than a file,
    checked: exactly one of file, table and query; the last two only with [load] database.
    `table` and `query` move to source_table and query in `options`."""
    given = [key for key in ("file", "table", "query") if key in options]
    if not given:
        raise MappingError(f"{where}: says which source file feeds it with file = \"...\""
                           + (" (or, from the warehouse, table = \"schema.name\" or "
                              "query = \"select ...\")" if database else ""))
    if len(given) > 1:
        raise MappingError(f"{where}: {' and '.join(given)} are both set; a table is read from "
                           "one source: a file, a warehouse table or a query")
    if given[0] == "file":
        if "updated_column" in options:
            raise MappingError(f"{where}: updated_column applies to a warehouse table or query, "
                               "not to a file (a file's content tells whether it changed)")
        return False
    if database is None:
        others = ", ".join(WAREHOUSE_KINDS[1:])
        raise MappingError(f"{where}: {given[0]} reads from a warehouse: name its kind with "
                           f"[load] database = \"postgresql\" (or {others})")
    for key in ("sheet", "delimiter", "header", "skip", "encoding"):
        if key in options:
            raise MappingError(f"{where}: {key} is a file reading option; a warehouse "
                               f"{given[0]} has no use for it")
    text = options.pop(given[0])
    if not text.strip():
        raise MappingError(f"{where}: {given[0]} must not be empty")
    if given[0] == "table":
        options["source_table"] = text.strip()
    else:
        options["query"] = text.strip().rstrip(";").strip()
    return True
