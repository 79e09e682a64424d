"""Warehouse tables as a source: a table or query read over ADBC into a staging table.

A mapping with `[load] database = "postgresql"` (or "snowflake", "bigquery") reads tables with
`table = "schema.name"` or `query = "select ..."` from the warehouse the connection string in
NORTHSTAR_WAREHOUSE_URL (or the same key in .streamlit/secrets.toml) names; the mapping never
holds it. The drivers are the Arrow Database Connectivity ones (adbc-driver-postgresql,
adbc-driver-snowflake, adbc-driver-bigquery): a query's result is an Arrow stream DuckDB reads
batch by batch, so a big table never sits in memory whole, and no pyarrow is needed.

The staged relation is the one a file gives: the columns the mapping reads, as text (so the
same column expressions work on a CSV export and on the table), and __line, the row's position
in the result (1 = the first row read), which rejects and messages call its line.
"""

from __future__ import annotations

import importlib
import os
import re
import tomllib
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import adbc_driver_manager
import duckdb

from northstar.data.importer.file_readers import (
    FileLines,
    Keep,
    SourceError,
    StagedSource,
    quote_identifier,
    shortened,
)
from northstar.data.importer.mapping import WAREHOUSE_URL_VARIABLE, Mapping, TableMapping
from northstar.data.workspace.mail import secrets_path

SOURCE_ALIAS = "northstar_source"  # the alias a table or query is read under


@dataclass(frozen=True)
class WarehouseKind:
    name: str
    package: str  # the PyPI package with its ADBC driver
    module: str  # the Python module of that package
    quote: str  # how the warehouse quotes an identifier
    example: str  # a connection string, for messages and docs


WAREHOUSES = {
    kind.name: kind for kind in (
        WarehouseKind("postgresql", "adbc-driver-postgresql", "adbc_driver_postgresql", '"',
                      "postgresql://user:password@host:5432/database"),
        WarehouseKind("snowflake", "adbc-driver-snowflake", "adbc_driver_snowflake", '"',
                      "user:password@account/database/schema?warehouse=WH&role=ROLE"),
        WarehouseKind("bigquery", "adbc-driver-bigquery", "adbc_driver_bigquery", "`",
                      "bigquery://project/dataset"),
    )
}


class WarehouseError(SourceError):
    """The warehouse cannot be reached, or a table or query of it cannot be read."""


def warehouse_url(kind: str) -> str:
    """The connection string: NORTHSTAR_WAREHOUSE_URL from the environment, else the same
    key in the secrets file; a WarehouseError naming both when neither has it."""
    url = os.environ.get(WAREHOUSE_URL_VARIABLE, "").strip()
    if url:
        return url
    path = secrets_path()
    try:
        secrets = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        secrets = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WarehouseError(f"the secrets file {path} cannot be read: {error}") from error
    url = secrets.get(WAREHOUSE_URL_VARIABLE)
    if isinstance(url, str) and url.strip():
        return url.strip()
    raise WarehouseError(
        f"the mapping reads from a {kind} warehouse, but the environment variable "
        f"{WAREHOUSE_URL_VARIABLE} is not set (nor {WAREHOUSE_URL_VARIABLE} in {path}): set it "
        f"to the connection string, e.g. {WAREHOUSES[kind].example}")


def redacted(url: str) -> str:
    """A connection string without its user, password and options: where data came from,
    fit to print and to store."""
    parsed = urllib.parse.urlsplit(url if "://" in url else f"//{url}")
    host = parsed.netloc.rpartition("@")[2]
    scheme = f"{parsed.scheme}://" if parsed.scheme else ""
    return f"{scheme}{host}{parsed.path}"


def _connect_arguments(kind: WarehouseKind, url: str) -> dict[str, Any]:
    """The driver's connect() arguments for a connection string."""
    if kind.name != "bigquery":
        return {"uri": url}
    parsed = urllib.parse.urlsplit(url)  # bigquery://project[/dataset]
    options = {"adbc.bigquery.sql.project_id": parsed.netloc}
    dataset = parsed.path.strip("/")
    if dataset:
        options["adbc.bigquery.sql.dataset_id"] = dataset
    # credentials: Google's application default ones (GOOGLE_APPLICATION_CREDENTIALS)
    return {"db_kwargs": options}


class Warehouse:
    """One open connection to the warehouse a mapping names, for the whole load."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = WAREHOUSES[kind]
        self.url = url
        self.label = f"{kind} warehouse {redacted(url)}"
        self._statements: list[Any] = []
        try:
            driver = importlib.import_module(self.kind.module)
        except ImportError as error:
            raise WarehouseError(
                f"reading a {kind} warehouse needs the Python package {self.kind.package}: "
                f"install it with `.venv/bin/pip install {self.kind.package}`") from error
        try:
            self._database = driver.connect(**_connect_arguments(self.kind, url))
            self._connection = adbc_driver_manager.AdbcConnection(self._database)
        except adbc_driver_manager.Error as error:
            raise WarehouseError(f"cannot connect to the {self.label} ({WAREHOUSE_URL_VARIABLE})"
                                 f": {self._reason(error)}") from error

    def close(self) -> None:
        for statement in self._statements:
            statement.close()
        for part in (getattr(self, "_connection", None), getattr(self, "_database", None)):
            if part is not None:
                part.close()

    def _reason(self, error: Exception) -> str:
        """The driver's message in a line, never repeating the connection string (it may
        hold a password) nor the query it echoes."""
        text = str(error).replace(self.url, redacted(self.url))
        password = urllib.parse.urlsplit(
            self.url if "://" in self.url else f"//{self.url}").password
        if password:
            text = text.replace(password, "***")
        # the driver echoes the query after the reason (LINE n: ..., Query was: ...)
        text = re.split(r"\n\s*LINE \d+:|Query was:", text, maxsplit=1)[0]
        reason = re.sub(r"^[A-Z_]+: ", "", " ".join(text.split()))
        for noise in ("[libpq] ", "Failed to prepare query: ", "Failed to execute query: "):
            reason = reason.replace(noise, "")
        return shortened(reason, 300)

    def quote(self, name: str) -> str:
        return self.kind.quote + name.replace(self.kind.quote, self.kind.quote * 2) \
            + self.kind.quote

    def source_sql(self, mapping: TableMapping) -> str:
        """The select a table's rows come from: its query, or every column of its table."""
        if mapping.query is not None:
            return mapping.query
        parts = str(mapping.source_table).split(".")
        if not all(part.strip() for part in parts) or len(parts) > 3:
            raise WarehouseError(f"table {mapping.source_table!r} is not a table name: write "
                                 "table = \"schema.name\" (or use query for anything else)")
        return "select * from " + ".".join(self.quote(part.strip()) for part in parts)

    def what(self, mapping: TableMapping) -> str:
        """The table or query, in words, for messages."""
        if mapping.query is not None:
            return f"query {shortened(mapping.query, 120)!r}"
        return f"table {mapping.source_table}"

    def stream(self, sql: str, mapping: TableMapping) -> Any:
        """The rows of `sql` as an Arrow stream (read by DuckDB, batch by batch)."""
        statement = adbc_driver_manager.AdbcStatement(self._connection)
        try:
            statement.set_sql_query(sql)
            handle, _ = statement.execute_query()
        except adbc_driver_manager.Error as error:
            statement.close()
            raise WarehouseError(f"{self.what(mapping)} cannot be read from the {self.label}: "
                                 f"{self._reason(error)}") from error
        self._statements.append(statement)
        return handle

    def projected(self, mapping: TableMapping, columns: tuple[str, ...] | None) -> str:
        """The table or query narrowed to `columns` (all of them for None; a constant when
        the load reads none, so the rows still count)."""
        inner = self.source_sql(mapping)
        if columns is None:
            return inner
        selected = ", ".join(self.quote(column) for column in columns) or "1 as northstar_row"
        return f"select {selected} from (\n{inner}\n) {SOURCE_ALIAS}"

    def columns(self, con: duckdb.DuckDBPyConnection, mapping: TableMapping) -> tuple[str, ...]:
        """The column names of a table or query (no rows read: `where 1 = 0`)."""
        handle = self.stream(f"select * from (\n{self.source_sql(mapping)}\n) {SOURCE_ALIAS} "
                             "where 1 = 0", mapping)
        try:
            relation = con.from_arrow(handle)
            return tuple(relation.columns)
        except duckdb.Error as error:
            raise WarehouseError(f"{self.what(mapping)}: its columns cannot be read: "
                                 f"{shortened(str(error).splitlines()[0])}") from error


@contextmanager
def opened(mapping: Mapping) -> Iterator[Warehouse | None]:
    """The warehouse a mapping reads from, connected for the block (None for a mapping of
    files only)."""
    if mapping.database is None or not any(
            table.from_warehouse for table in mapping.tables.values()):
        yield None
        return
    warehouse = Warehouse(mapping.database, warehouse_url(mapping.database))
    try:
        yield warehouse
    finally:
        warehouse.close()


def _as_text(columns: tuple[str, ...]) -> str:
    return ", ".join(f"{quote_identifier(column)}::varchar as {quote_identifier(column)}"
                     for column in columns)


def stage_warehouse(
    con: duckdb.DuckDBPyConnection, warehouse: Warehouse, mapping: TableMapping, stage: str,
    keep: Keep | None = None,
) -> StagedSource:
    """Read a warehouse table or query into temp table `stage` as a file is staged: the
    columns `keep` picks, as text, and __line (the row's position in the result)."""
    all_columns = warehouse.columns(con, mapping)
    kept = all_columns if keep is None else keep(all_columns)
    raw = quote_identifier(stage + "_raw")
    handle = warehouse.stream(warehouse.projected(mapping, kept), mapping)
    view = stage + "_stream"
    con.register(view, con.from_arrow(handle))
    try:
        # batch by batch from the warehouse into the (spillable) temp table
        con.execute(f"create or replace temp table {raw} as select "
                    f"{_as_text(kept) or 'northstar_row'} from {quote_identifier(view)}")
    except duckdb.Error as error:
        raise WarehouseError(f"{warehouse.what(mapping)} cannot be read from the "
                             f"{warehouse.label}: {shortened(str(error).splitlines()[0])}"
                             ) from error
    finally:
        con.unregister(view)
    selected = "".join(f"{quote_identifier(column)}, " for column in kept)
    # rowid is the order rows arrived in (DuckDB keeps insertion order)
    con.execute(f"create or replace temp table {quote_identifier(stage)} as "
                f"select {selected}rowid + 1 as __line from {raw} order by rowid")
    con.execute(f"drop table {raw}")
    (count,), = con.execute(f"select count(*) from {quote_identifier(stage)}").fetchall()
    # a warehouse result has no header, blank or malformed lines: every row is a data row
    return StagedSource(stage, mapping.label, tuple(kept), count, 0, all_columns,
                        lines=FileLines("warehouse", count, 0, 0, 0, 0, count))


def result_digest(con: duckdb.DuckDBPyConnection, relation: str, columns: tuple[str, ...]
                  ) -> dict[str, str]:
    """The row count and an order-independent hash of the text values of `columns` in
    `relation` (a staged table or a warehouse stream): equal results give equal digests."""
    values = ", ".join(f"{quote_identifier(column)}::varchar" for column in columns) or "1"
    (rows, digest), = con.execute(
        f"select count(*), coalesce(sum(hash({values})), 0)::varchar from {relation}"
    ).fetchall()
    return {"rows": str(rows), "hash": digest}


def updated_digest(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, mapping: TableMapping
                   ) -> dict[str, str]:
    """The row count and the latest value of the table's updated_column, computed in the
    warehouse (one cheap aggregate instead of reading the rows)."""
    column = warehouse.quote(str(mapping.updated_column))
    handle = warehouse.stream(
        f"select count(*) as row_count, max({column}) as latest from (\n"
        f"{warehouse.source_sql(mapping)}\n) {SOURCE_ALIAS}", mapping)
    try:
        (rows, latest), = con.from_arrow(handle).select(
            "row_count::varchar, latest::varchar").fetchall()
    except duckdb.Error as error:
        raise WarehouseError(f"{warehouse.what(mapping)}: updated_column "
                             f"{mapping.updated_column}: {str(error).splitlines()[0]}") from error
    return {"rows": rows, "latest_update": str(latest)}


def stream_digest(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, mapping: TableMapping,
                  keep: Keep | None) -> dict[str, str]:
    """What `result_digest` gives for the staged table, computed from the warehouse without
    staging: the columns a load would read, streamed and hashed."""
    all_columns = warehouse.columns(con, mapping)
    kept = all_columns if keep is None else keep(all_columns)
    handle = warehouse.stream(warehouse.projected(mapping, kept), mapping)
    relation = con.from_arrow(handle)
    name = f"stream_{id(relation)}"
    con.register(name, relation)
    try:
        return result_digest(con, quote_identifier(name), kept)
    finally:
        con.unregister(name)
