"""Derived tables the pages read, built after a demo build and after a load alike.

Each file in northstar/rollups_sql/ (run in name order) replaces one derived table from the
canonical tables; nothing else writes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROLLUPS_SQL_DIR = Path(__file__).with_name("rollups_sql")


def rollup_scripts() -> list[Path]:
    return sorted(ROLLUPS_SQL_DIR.glob("*.sql"))


def build_rollups(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, float]:
    """(Re)build every derived table on a writable connection; return seconds per rollup.

    `progress(name, seconds)`, when given, is called after each rollup.
    """
    timings: dict[str, float] = {}
    for script in rollup_scripts():
        started = time.perf_counter()
        con.execute(script.read_text()).fetchall()
        timings[script.stem] = time.perf_counter() - started
        if progress is not None:
            progress(script.stem, timings[script.stem])
    return timings
