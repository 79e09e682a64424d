"""The memory a database build may use: the demo build and a data load write through this.

DuckDB holds at most `memory_limit` in its buffers and spills what does not fit to a folder
beside the database being written (`<file>.spill`), removed when the build ends, so building
a million accounts fits a laptop. `NORTHSTAR_BUILD_MEMORY` overrides the default for every
build and load on the machine; `--memory-limit` overrides it for one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import duckdb

from northstar.data.messages import first_line

# DuckDB's own buffers; the process peaks at this plus roughly 1 GB (Python, the generator's
# hash tables outside the buffer manager), so a 3 GB limit keeps a build under 4 GB
DEFAULT_BUILD_MEMORY = "3GB"
MEMORY_ENV = "NORTHSTAR_BUILD_MEMORY"


def build_memory_limit(requested: str | None = None) -> str:
    """The memory limit a build uses: the one asked for, else the environment's, else 3 GB."""
    return requested or os.environ.get(MEMORY_ENV) or DEFAULT_BUILD_MEMORY


def add_memory_limit_argument(parser: argparse.ArgumentParser, spills_beside: str) -> None:
    """The `--memory-limit` option of a command that builds a database."""
    parser.add_argument("--memory-limit", default=None,
                        help=f"most memory DuckDB may hold, e.g. 2GB (default ${MEMORY_ENV} or "
                             f"{DEFAULT_BUILD_MEMORY}); the rest spills to disk beside "
                             f"{spills_beside}")


def spill_directory(db_path: Path) -> Path:
    """Where a build writing `db_path` spills what does not fit in memory."""
    return db_path.with_name(db_path.name + ".spill")


def connect_for_build(
    db_path: Path, memory_limit: str | None = None, threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection writing `db_path` within the build's memory limit, spilling beside it.

    A limit DuckDB cannot read ("3 bananas") raises duckdb.Error naming it, before anything
    is written.
    """
    limit = build_memory_limit(memory_limit)
    con = duckdb.connect(str(db_path))
    try:
        try:
            con.execute("set memory_limit = $limit", {"limit": limit})
        except duckdb.Error as error:
            raise duckdb.InvalidInputException(
                f"the memory limit {limit!r} is not a size such as 3GB or 1500MB "
                f"({first_line(error)})") from error
        con.execute("set temp_directory = $folder", {"folder": str(spill_directory(db_path))})
        # insertion order is not a promise of any table; keeping it costs memory on big sorts
        con.execute("set preserve_insertion_order = false")
        if threads:
            con.execute("set threads = $threads", {"threads": threads})
    except duckdb.Error:
        con.close()
        remove_spill(db_path)
        raise
    return con


def remove_spill(db_path: Path) -> None:
    """Remove what a build writing `db_path` spilled (after its connection is closed)."""
    shutil.rmtree(spill_directory(db_path), ignore_errors=True)
