"""The query runner: the one place SQL files are run, with bound parameters and caching.

Pages call `run_query("name", **params)`; `queries/name.sql` is executed on a cursor of one
connection per data source (northstar/source.py: a DuckDB file, read-only; a MotherDuck
database; or a folder of Parquet files), with DuckDB binding every `$parameter`. Results are
cached by query name, parameters and data version (the database file's identity, a Parquet
folder's files, or a time bucket for remote sources), so a rebuilt or reloaded database is
never served from a stale cache.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from northstar import access, mask
from northstar.paths import QUERIES_DIR
from northstar.source import (
    DataSource,
    SourceUnavailable,
    current_source,
    open_source,
    parse_source,
    source_version,
)

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(RuntimeError):
    """A named query failed; the message names the query and the cause."""


# the data source is missing, misconfigured or unreachable (the app shows the message)
DatabaseMissingError = SourceUnavailable


def as_source(where: DataSource | Path | str | None = None) -> DataSource:
    """A data source from a source, a path or setting text; None = the data source setting."""
    if where is None:
        return current_source()
    if isinstance(where, DataSource):
        return where
    try:
        return parse_source(str(where))
    except ValueError as error:
        raise SourceUnavailable(str(error)) from error


def data_version(where: DataSource | Path | str | None = None) -> str:
    """Identity of the source's contents: changes whenever the data is rewritten."""
    return source_version(as_source(where))


_DECLARATION = re.compile(r"^-- (scope|sensitive|when masked):(.*)$", re.MULTILINE)
_SENSITIVE_COLUMN = re.compile(r"^([a-z0-9_]+) \(([a-z]+)\)$")
_MASKED_VALUE = re.compile(r"^([a-z0-9_]+) = (''|true|false)$")
_LITERALS = {"''": "", "true": True, "false": False}


@dataclass(frozen=True)
class Query:
    """A named query and what its header declares: who may run it (`-- scope:`, one of
    access.SCOPE_ROLES) and which output columns hold customer names, contacts, e-mails or free
    text (`-- sensitive: account_name (account), comment (text)`, or `none`), masked for
    viewers who see masked data whatever the column is called."""

    name: str
    sql: str
    parameters: frozenset[str]
    scope: str
    sensitive: tuple[tuple[str, str], ...]  # (output column, mask.KINDS key)
    # parameters forced for masked viewers (`-- when masked: search = ''`), so a search over
    # customer text cannot tell a masked viewer what the text says
    when_masked: tuple[tuple[str, Any], ...] = ()


def _when_masked(name: str, text: str) -> tuple[tuple[str, Any], ...]:
    forced = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _MASKED_VALUE.match(item)
        if match is None:
            raise QueryError(f"Query {name!r}: '-- when masked:' item {item!r} is not "
                             "'parameter = value' with value '', true or false")
        forced.append((match.group(1), _LITERALS[match.group(2)]))
    return tuple(forced)


def _declarations(name: str, sql: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    found = {key: value.strip() for key, value in _DECLARATION.findall(sql)}
    if "scope" not in found or "sensitive" not in found:
        raise QueryError(f"Query {name!r} must declare '-- scope:' and '-- sensitive:' in its "
                         "header")
    if found["sensitive"] == "none":
        return found["scope"], ()
    sensitive = []
    for item in found["sensitive"].split(","):
        match = _SENSITIVE_COLUMN.match(item.strip())
        if match is None or match.group(2) not in mask.KINDS:
            raise QueryError(f"Query {name!r}: '-- sensitive:' item {item.strip()!r} is not "
                             f"'column (kind)' with kind one of {', '.join(mask.KINDS)}")
        sensitive.append((match.group(1), match.group(2)))
    return found["scope"], tuple(sensitive)


@cache
def _load_query(name: str, mtime_ns: int) -> Query:
    path = QUERIES_DIR / f"{name}.sql"
    sql = path.read_text()
    scope, sensitive = _declarations(name, sql)
    forced = _when_masked(name, dict(_DECLARATION.findall(sql)).get("when masked", ""))
    return Query(name, sql, frozenset(_PARAMETER.findall(sql)), scope, sensitive, forced)


def load_query(name: str) -> Query:
    """Read queries/<name>.sql (re-read when the file changes) and the parameters it uses."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"Invalid query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"Query {name!r} not found: no file {path}")
    return _load_query(name, path.stat().st_mtime_ns)


class _Connection:
    """One connection to a data source, reopened when its data version changes.

    DuckDB shares one database instance per file path within a process, so the old
    connection must be closed before the replacement file can be opened. Cursors handed
    out are counted until closed, and the old connection is closed only once the cursors
    taken from it are done (at most `drain_seconds`), so a query running while a load swaps
    the file finishes on the old data instead of failing.
    """

    drain_seconds = 60.0

    def __init__(self, source: DataSource) -> None:
        self.source = source
        self.version: str | None = None
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.in_flight = 0

    def cursor(self, version: str) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if version != self.version or self.connection is None:
                if self.connection is not None:
                    self.idle.wait_for(lambda: self.in_flight == 0, timeout=self.drain_seconds)
                    self.connection.close()
                self.connection = open_source(self.source)
                self.version = version
            self.in_flight += 1
            return self.TrackedCursor(self.connection.cursor(), self)  # type: ignore[return-value]

    def release(self) -> None:
        with self.lock:
            self.in_flight -= 1
            self.idle.notify_all()

    class TrackedCursor:
        """A cursor that tells its _Connection when it is closed."""

        def __init__(self, cursor: duckdb.DuckDBPyConnection, owner: _Connection) -> None:
            self._cursor = cursor
            self._owner: _Connection | None = owner

        def __getattr__(self, name: str) -> Any:
            return getattr(self._cursor, name)

        def close(self) -> None:
            try:
                self._cursor.close()
            finally:
                if self._owner is not None:
                    self._owner.release()
                    self._owner = None


@st.cache_resource(show_spinner=False, max_entries=8)
def _connection(key: str, _source: DataSource | None = None) -> _Connection:
    # one connection per data source for the whole server; sessions take cursors from it.
    # `key` is the source's kind and location (a DuckDB file's path); the token is not in it
    return _Connection(_source or as_source(key))


def _source_key(source: DataSource) -> str:
    return source.location if source.kind == "duckdb" else f"{source.kind}:{source.location}"


def _normalise(value: Any) -> Any:
    """Make parameters hashable and stable for the cache key (lists -> tuples)."""
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return tuple(_normalise(item) for item in items)
    return value


def _bindable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_bindable(item) for item in value]
    return value


def execute(
    name: str, params: dict[str, Any], source: DataSource | Path | str | None = None
) -> pd.DataFrame:
    """Run queries/<name>.sql uncached on a data source (default: the data source setting),
    binding the parameters it uses."""
    query = load_query(name)
    missing = sorted(query.parameters - params.keys())
    if missing:
        raise QueryError(f"Query {name!r} needs parameter(s) {', '.join(missing)}")
    bound = {key: _bindable(value) for key, value in params.items() if key in query.parameters}
    source = as_source(source)
    version = source_version(source)
    cursor = _connection(_source_key(source), source).cursor(version)
    try:
        return cursor.execute(query.sql, bound).df()
    except duckdb.Error as error:
        raise QueryError(f"Query {name!r} failed: {error}") from error
    finally:
        cursor.close()


@st.cache_data(show_spinner=False, max_entries=512, ttl=dt.timedelta(hours=12))
def _cached(
    name: str,
    params_key: tuple[tuple[str, Any], ...],
    source_key: str,
    version: str,
    viewer_scope: tuple[str | None, str | None],
    masked: bool,
    _source: DataSource,
) -> pd.DataFrame:
    # viewer_scope is part of the key so results are never shared between viewers that may
    # see different data; masking is applied before the result is cached
    frame = execute(name, dict(params_key), _source)
    return mask.mask_frame(frame, load_query(name).sensitive, name) if masked else frame


def run_query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named query for the current viewer; cached by name, parameters, data version and
    viewer scope. Raises `AccessDenied` when the viewer's role may not see the query's data.

    Parameters the query does not use are ignored, so pages can pass the global filters
    to every query.
    """
    query = load_query(name)
    used = {key: _normalise(value) for key, value in params.items() if key in query.parameters}
    viewer = access.current_viewer()
    access.check_query(viewer, name, query.scope, used)
    masked = mask.masking_on(forced=viewer.masking_forced)
    if masked:
        used.update(query.when_masked)
    source = current_source()
    return _cached(
        name, tuple(sorted(used.items())), _source_key(source), source_version(source),
        viewer.cache_scope, masked, source,
    )


@dataclass(frozen=True)
class DatasetMetadata:
    as_of: dt.date  # last day the data covers
    source: str  # "demo" or the loaded source
    schema_fingerprint: str | None = None  # the data model the database was built with

    @property
    def last_month(self) -> dt.date:
        return self.as_of.replace(day=1)


def dataset_metadata() -> DatasetMetadata:
    """What the data is and when it is from (raises DatabaseMissingError when the data source
    is missing or cannot be opened)."""
    values = dict(run_query("dataset_metadata").itertuples(index=False, name=None))
    if "as_of_date" not in values:
        raise QueryError("The database has no as_of_date in dataset_metadata")
    as_of = dt.date.fromisoformat(values["as_of_date"])
    return DatasetMetadata(
        as_of, values.get("source", "unknown"), values.get("schema_fingerprint")
    )


def filter_options() -> dict[str, list[str]]:
    """Values offered by the global filters, by dimension."""
    frame = run_query("filter_options")
    return {
        dimension: list(group["value"])
        for dimension, group in frame.groupby("dimension", sort=False)
    }
