"""Where Northstar's files live (no Streamlit import, so command-line tools start fast)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "northstar.duckdb"


def database_path() -> Path:
    """The database in use: $NORTHSTAR_DB, else data/northstar.duckdb."""
    return Path(os.environ.get("NORTHSTAR_DB", DEFAULT_DB_PATH)).resolve()
