"""Where Northstar's files live (no Streamlit import, so command-line tools start fast)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "northstar.duckdb"


def database_path() -> Path:
    """The local DuckDB file the data source setting names: $NORTHSTAR_DB, else
    data/northstar.duckdb, for commands that write one (load).

    ValueError when the setting names another kind of source (a Parquet folder, MotherDuck,
    a URL) or is not valid; northstar.source reads every kind.
    """
    from northstar.source import SETTING, parse_source

    source = parse_source(os.environ.get(SETTING, str(DEFAULT_DB_PATH)))
    if source.kind != "duckdb":
        raise ValueError(f"{SETTING} names a {source.kind} source ({source.location}), not a "
                         "local DuckDB file: pass --db PATH.")
    return Path(source.location)
