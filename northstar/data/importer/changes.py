"""Whether a load's sources changed since the load that built a database (`--if-changed`).

A load stores a fingerprint of what it read with its run record (load_runs.source_fingerprint);
a refresh computes the fingerprint of the sources as they are now and reloads only when the two
differ. What counts as a change:

- the mapping file's content (any edit), the as-of date and the refusal threshold given;
- a file: its size and the SHA-256 of its content (a file rewritten with the same bytes is
  unchanged, whatever its modification time);
- a warehouse table or query with `updated_column`: its row count and the column's latest value,
  computed in the warehouse (cheap; a change that leaves both as they were, such as an edit
  that does not touch the column, goes unseen);
- a warehouse table or query without it: the row count and an order-independent hash of every
  value the load reads (exact, but the rows are read from the warehouse to compute it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from northstar.data.importer.file_readers import SourceError
from northstar.data.importer.mapping import Mapping, TableMapping, columns_used
from northstar.data.importer.warehouse import (
    Warehouse,
    opened,
    stream_digest,
    updated_digest,
)

HASH_CHUNK_BYTES = 1024 * 1024


def file_digest(path: Path) -> dict[str, str]:
    """A file's size and the SHA-256 of its content (read a megabyte at a time)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(HASH_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as error:
        raise SourceError(f"{path.name}: cannot be read: {error.strerror}") from error
    return {"bytes": str(path.stat().st_size), "sha256": digest.hexdigest()}


def files_digest(table: TableMapping) -> dict[str, str]:
    """The digest of every file a table reads (its files and its joined files): one file's size
    and SHA-256, or for several each file's name, size and SHA-256 together. A file that is
    missing is left out (the load reports it)."""
    paths = [*table.all_files, *(join.reading.file for join in table.joins)]
    present = [path for path in paths if path.is_file()]
    if len(paths) == 1:
        return {"source": table.label, **(file_digest(paths[0]) if present else {})}
    digests = [(path.name, file_digest(path)) for path in present]
    return {"source": table.label,
            "files": ";".join(f"{name}:{digest['bytes']}:{digest['sha256']}"
                              for name, digest in digests)}


def load_fingerprint(mapping: Mapping, tables: dict[str, dict[str, str]],
                     as_of: dt.date | None, max_reject_pct: float | None) -> str:
    """The fingerprint of a load: its mapping, options and every table's source digest."""
    if mapping.path is None:
        mapping_digest = "default mapping"
    else:
        mapping_digest = hashlib.sha256(mapping.path.read_bytes()).hexdigest()
    return json.dumps({
        "mapping": mapping_digest,
        "as_of": as_of.isoformat() if as_of else None,
        "max_reject_pct": max_reject_pct,
        "tables": tables,
    }, sort_keys=True)


def table_digest(con: duckdb.DuckDBPyConnection, warehouse: Warehouse | None,
                 table: TableMapping) -> dict[str, str]:
    """One table's source digest, as a load of it would store it, without loading it."""
    if table.file is not None:
        return files_digest(table)
    assert warehouse is not None
    if table.updated_column:
        return {"source": table.label, **updated_digest(con, warehouse, table)}
    return {"source": table.label,
            **stream_digest(con, warehouse, table, partial(columns_used, table))}


def current_fingerprint(mapping: Mapping, as_of: dt.date | None,
                        max_reject_pct: float | None) -> str:
    """The fingerprint a load of `mapping` would store now (files hashed, the warehouse asked)."""
    with duckdb.connect(config={"autoinstall_known_extensions": False,
                                "autoload_known_extensions": False}) as con, \
            opened(mapping) as warehouse:
        tables = {name: table_digest(con, warehouse, table)
                  for name, table in sorted(mapping.tables.items())}
    return load_fingerprint(mapping, tables, as_of, max_reject_pct)


def last_load(db_path: Path) -> tuple[str | None, dt.datetime | None]:
    """The fingerprint and finish time of the load that built the database at `db_path`
    (None, None when it was not built by a load, or by one that stored no fingerprint)."""
    if not db_path.is_file():
        return None, None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row: Any = con.execute(
                "select source_fingerprint, finished_at from load_runs "
                "order by finished_at desc limit 1").fetchone()
    except duckdb.Error:  # not a database, or one from before fingerprints: reload
        return None, None
    return (row[0], row[1]) if row else (None, None)
