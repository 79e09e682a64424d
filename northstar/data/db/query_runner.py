"""Named queries: the one place SQL files are read and run, with bound parameters.

`queries/<name>.sql` is executed on a cursor of one connection per data source
(northstar/data/db/data_source.py: a DuckDB file, read-only; a MotherDuck database; or a folder of
Parquet files), with DuckDB binding every `$parameter`. Each file's header declares who may run
it (`-- scope:`), which of its output columns are customer names or words (`-- sensitive:`) and
what a masked viewer's parameters are forced to (`-- when masked:`). Pages run queries through
northstar.ui.page_queries, which adds the viewer's access check, masking and caching.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from northstar.data import measures
from northstar.data.db import published
from northstar.data.db.data_source import (
    PUBLISHED,
    DataSource,
    SourceUnavailable,
    current_source,
    open_source,
    parse_source,
    source_version,
    version_file,
)
from northstar.data.db.paths import QUERIES_DIR

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


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


_DECLARATION = re.compile(r"^-- (scope|sensitive|when masked):(.*)$", re.MULTILINE)
_SENSITIVE_COLUMN = re.compile(r"^([a-z0-9_]+) \(([a-z]+)\)$")
_MASKED_VALUE = re.compile(r"^([a-z0-9_]+) = (''|true|false)$")
_LITERALS = {"''": "", "true": True, "false": False}
# what a sensitive output column can be; northstar.ui.masking replaces each kind its own way
SENSITIVE_KINDS = ("account", "contact", "email", "text")


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
    sensitive: tuple[tuple[str, str], ...]  # (output column, one of SENSITIVE_KINDS)
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
        if match is None or match.group(2) not in SENSITIVE_KINDS:
            raise QueryError(f"Query {name!r}: '-- sensitive:' item {item.strip()!r} is not "
                             f"'column (kind)' with kind one of {', '.join(SENSITIVE_KINDS)}")
        sensitive.append((match.group(1), match.group(2)))
    return found["scope"], tuple(sensitive)


@cache
def _load_query(name: str, mtime_ns: int, measures_key: str) -> Query:
    path = QUERIES_DIR / f"{name}.sql"
    # a query that selects the measures gets their expressions (northstar/data/measures.toml)
    sql = measures.render_query(path.read_text())
    scope, sensitive = _declarations(name, sql)
    forced = _when_masked(name, dict(_DECLARATION.findall(sql)).get("when masked", ""))
    body = _COMMENT.sub("", sql)  # a header may name parameters; only the SQL binds them
    return Query(name, sql, frozenset(_PARAMETER.findall(body)), scope, sensitive, forced)


def load_query(name: str) -> Query:
    """Read queries/<name>.sql (re-read when the file or the measures change) and the
    parameters it uses."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"Invalid query name {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"Query {name!r} not found: no file {path}")
    try:
        return _load_query(name, path.stat().st_mtime_ns, measures.fingerprint())
    except measures.MeasuresError as error:
        raise QueryError(f"Query {name!r} cannot read the measures: {error}") from None


# how long a process that could not open the newest published version waits to try it again
RETRY_SECONDS = 30.0


class _Connection:
    """One connection to a data source, reopened when its data version changes.

    DuckDB shares one database instance per file path within a process, so a connection to a
    file replaced under the same path must be closed before the replacement can be opened.
    Cursors handed out are counted until closed, and the old connection is closed only once the
    cursors taken from it are done (at most `drain_seconds`), so a query running while a load
    swaps the file finishes on the old data instead of failing.

    A published version (northstar.data.db.published) is a file of its own: the new one is opened
    before the old one is let go of, and when it cannot be opened the connection goes on serving
    the previous version, says why (`refused`) and tries again after `retry_seconds` (or at once
    when a newer version is published).
    """

    drain_seconds = 60.0
    retry_seconds = RETRY_SECONDS

    def __init__(self, source: DataSource) -> None:
        self.source = source
        self.version: str | None = None
        self.connection: duckdb.DuckDBPyConnection | None = None
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.in_flight = 0
        # the newest version when it could not be opened: (version, why, when)
        self.refused: tuple[str, str, float] | None = None
        self.noted = 0.0

    def serve(self, version: str) -> str:
        """Switch to `version` when it opens; the version this connection serves."""
        with self.lock:
            self._switch(version)
            assert self.version is not None
            return self.version

    def cursor(self, version: str) -> duckdb.DuckDBPyConnection:
        with self.lock:
            self._switch(version)
            assert self.connection is not None
            self.in_flight += 1
            return self.TrackedCursor(self.connection.cursor(), self)  # type: ignore[return-value]

    def _switch(self, version: str) -> None:
        """(Lock held.) Serve `version` if it can be opened; raise only when nothing is open."""
        if self.connection is not None and version == self.version:
            self._note()
            return
        if self.connection is None or version_file(self.source, version) is None:
            if self.connection is not None:
                self._close_drained(self.connection)
                self.connection = None
            self.connection = open_source(self.source, version)
            self._serving(version)
            return
        refused = self.refused
        if (refused is not None and refused[0] == version
                and time.monotonic() - refused[2] < self.retry_seconds):
            return
        try:
            replacement = open_source(self.source, version)
        except SourceUnavailable as error:
            self.refused = (version, str(error), time.monotonic())
            return
        self._close_drained(self.connection)
        self.connection = replacement
        self._serving(version)

    def _close_drained(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.idle.wait_for(lambda: self.in_flight == 0, timeout=self.drain_seconds)
        connection.close()

    def _serving(self, version: str) -> None:
        self.version = version
        self.refused = None
        self._note(force=True)
        if version_file(self.source, version) is not None:
            with contextlib.suppress(OSError):  # a read-only shared folder: cleaned elsewhere
                published.clean(Path(self.source.location))

    def _note(self, force: bool = False) -> None:
        """Note the version read (northstar.data.db.published), at most every NOTE_EVERY_SECONDS."""
        file = version_file(self.source, self.version)
        if file is None or (not force and time.monotonic() - self.noted
                            < published.NOTE_EVERY_SECONDS):
            return
        published.note_reading(Path(self.source.location), file)
        self.noted = time.monotonic()

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


_CONNECTIONS: dict[str, _Connection] = {}
_CONNECTIONS_LOCK = threading.Lock()


def _connection(key: str, source: DataSource) -> _Connection:
    """One connection per data source for the whole process; sessions take cursors from it.
    `key` is the source's kind and location (a DuckDB file's path); a token is not in it."""
    with _CONNECTIONS_LOCK:
        if key not in _CONNECTIONS:
            _CONNECTIONS[key] = _Connection(source)
        return _CONNECTIONS[key]


def serving_version(source: DataSource) -> str:
    """The data version this process serves for `source`: the newest (source_version) when it
    opens, else the one it served before (see `refused_version`)."""
    return _connection(source_key(source), source).serve(source_version(source))


@dataclass(frozen=True)
class RefusedVersion:
    """The newest published version this process could not open, and why."""

    version: str
    why: str


def refused_version(source: DataSource) -> RefusedVersion | None:
    """The newest version when this process could not open it and serves the previous one."""
    refused = _connection(source_key(source), source).refused
    if refused is None:
        return None
    return RefusedVersion(refused[0].removeprefix(PUBLISHED), refused[1])


def source_key(source: DataSource) -> str:
    return source.location if source.kind == "duckdb" else f"{source.kind}:{source.location}"


def normalise(value: Any) -> Any:
    """Make parameters hashable and stable for the cache key (lists -> tuples)."""
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return tuple(normalise(item) for item in items)
    return value


def bindable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [bindable(item) for item in value]
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
    bound = {key: bindable(value) for key, value in params.items() if key in query.parameters}
    source = as_source(source)
    version = source_version(source)
    cursor = _connection(source_key(source), source).cursor(version)
    try:
        return cursor.execute(query.sql, bound).df()
    except duckdb.Error as error:
        raise QueryError(f"Query {name!r} failed: {error}") from error
    finally:
        cursor.close()


# How many of one page's independent queries run at once. A query over a few hundred thousand
# rows leaves DuckDB's threads idle between its short pipelines and spends milliseconds in
# planning and in building its data frame; running three at a time fills that idle time. More
# than three gained nothing on two cores.
QUERY_WORKERS = 3

Result = TypeVar("Result")


def run_concurrently(
    tasks: Sequence[Callable[[], Result]],
    workers: int = QUERY_WORKERS,
    initializer: Callable[[], object] | None = None,
) -> list[Result]:
    """Run independent tasks (each one query) at most `workers` at a time; their results in
    the tasks' order. The first task that fails raises its error here, after the others have
    finished. `initializer` runs once in each worker thread before its first task."""
    if len(tasks) <= 1 or workers <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(min(workers, len(tasks)), thread_name_prefix="northstar-query",
                            initializer=initializer) as pool:
        futures = [pool.submit(task) for task in tasks]
    return [future.result() for future in futures]


@dataclass(frozen=True)
class DatasetMetadata:
    as_of: dt.date  # last day the data covers
    source: str  # "demo" or the loaded source
    schema_fingerprint: str | None = None  # the data model the database was built with

    @property
    def last_month(self) -> dt.date:
        return self.as_of.replace(day=1)




def dataset_metadata_from(frame: pd.DataFrame) -> DatasetMetadata:
    """The dataset facts from the dataset_metadata query's key/value rows."""
    values = dict(frame.itertuples(index=False, name=None))
    if "as_of_date" not in values:
        raise QueryError("The database has no as_of_date in dataset_metadata")
    as_of = dt.date.fromisoformat(values["as_of_date"])
    return DatasetMetadata(
        as_of, values.get("source", "unknown"), values.get("schema_fingerprint")
    )
