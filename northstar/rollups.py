"""Derived tables the pages read, built after a demo build and after a load alike.

Each file in northstar/rollups_sql/ (run in name order) replaces one derived table from the
canonical tables; nothing else writes them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

ROLLUPS_SQL_DIR = Path(__file__).with_name("rollups_sql")


def rollup_scripts() -> list[Path]:
    return sorted(ROLLUPS_SQL_DIR.glob("*.sql"))


def schema_fingerprint() -> str:
    """Identity of the data model this code expects: the schema and every rollup definition."""
    from northstar.paths import DATA_DIR

    digest = hashlib.sha256((DATA_DIR / "schema.sql").read_bytes())
    for script in rollup_scripts():
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()[:16]


def set_health_variables(con: duckdb.DuckDBPyConnection) -> None:
    """The health score's weights and bands as `health_*` variables, for the rollups that
    pre-compute the configured bands (08_health_band_outcomes); left unset when the config
    cannot be read, so those rollups hold nothing and the pages score live."""
    from northstar import health

    try:
        params = health.load_config().query_params()
    except (OSError, health.HealthConfigError):
        return
    for name, value in params.items():
        con.execute(f"set variable health_{name} = $value", {"value": float(value)})


def build_rollups(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, float]:
    """(Re)build every derived table on a writable connection; return seconds per rollup.

    `progress(name, seconds)`, when given, is called after each rollup.
    """
    timings: dict[str, float] = {}
    set_health_variables(con)
    for script in rollup_scripts():
        started = time.perf_counter()
        con.execute(script.read_text()).fetchall()
        timings[script.stem] = time.perf_counter() - started
        if progress is not None:
            progress(script.stem, timings[script.stem])
    # the app compares this with its own to tell a database built by an older version
    con.execute(
        "insert or replace into dataset_metadata values ('schema_fingerprint', $fingerprint)",
        {"fingerprint": schema_fingerprint()},
    )
    return timings
