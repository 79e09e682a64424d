"""Deterministic demo database: `python -m northstar.demo --accounts N --seed S [--db PATH]`.

Every row is generated in DuckDB SQL (northstar/demo_sql/*.sql, run in name order) from
hash-based draws keyed on the seed, so the same seed and size always give the same data.
Churn follows a proportional-hazard model whose planted drivers and hazard ratios are
written to `demo_planted_effects`; see the README's "Demo data" section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import time
from pathlib import Path

import duckdb

from northstar.paths import DATA_DIR, DEFAULT_DB_PATH
from northstar.rollups import build_rollups

SCHEMA_PATH = DATA_DIR / "schema.sql"
REFERENCE_PATH = DATA_DIR / "reference.sql"
DEMO_SQL_DIR = Path(__file__).with_name("demo_sql")
DEFAULT_AS_OF = dt.date(2026, 10, 31)
GENERATOR_VERSION = "1"
WINDOW_MONTHS = 36

# tables compared by `database_checksum` (dataset_metadata excluded: it holds build facts)
CHECKSUM_TABLES = (
    "departments", "customer_outcomes", "employees", "accounts", "account_mrr_monthly",
    "support_tickets", "engagements", "cab_memberships", "survey_responses",
    "department_kpis", "kpi_outcomes", "kpi_actuals", "initiatives", "kudos",
    "employee_engagement", "demo_planted_effects",
)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the canonical tables from data/schema.sql."""
    con.execute(SCHEMA_PATH.read_text()).fetchall()


def insert_reference_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the default departments and customer outcomes from data/reference.sql."""
    con.execute(REFERENCE_PATH.read_text()).fetchall()


def build_demo(
    db_path: Path,
    accounts: int = 5000,
    seed: int = 42,
    as_of: dt.date = DEFAULT_AS_OF,
    threads: int | None = None,
    verbose: bool = False,
) -> dict[str, float]:
    """Write a demo database to `db_path` (atomically replacing it); return step timings."""
    if accounts < 1:
        raise ValueError("--accounts must be at least 1")
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = db_path.with_name(db_path.name + ".building")
    for stale in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    last_month = month_start(as_of)
    window_start = add_months(last_month, -(WINDOW_MONTHS - 1))
    timings: dict[str, float] = {}
    con = duckdb.connect(str(tmp_path))
    try:
        if threads:
            con.execute("set threads = $threads", {"threads": threads})
        con.execute("set preserve_insertion_order = false")
        started = time.perf_counter()
        create_schema(con)
        insert_reference_rows(con)
        for statement, value in (
            ("set variable seed = $value", seed),
            ("set variable n_accounts = $value", accounts),
            ("set variable as_of = $value", as_of),
            ("set variable last_month = $value", last_month),
            ("set variable window_start = $value", window_start),
        ):
            con.execute(statement, {"value": value})
        timings["schema"] = time.perf_counter() - started
        for script in sorted(DEMO_SQL_DIR.glob("*.sql")):
            step_started = time.perf_counter()
            con.execute(script.read_text()).fetchall()
            timings[script.stem] = time.perf_counter() - step_started
            if verbose:
                print(f"  {script.stem:<24} {timings[script.stem]:6.2f} s", file=sys.stderr)
        con.executemany(
            "insert into dataset_metadata values ($key, $value)",
            [
                {"key": "as_of_date", "value": as_of.isoformat()},
                {"key": "source", "value": "demo"},
                {"key": "seed", "value": str(seed)},
                {"key": "accounts", "value": str(accounts)},
                {"key": "generator_version", "value": GENERATOR_VERSION},
            ],
        )
        for name, seconds in build_rollups(con).items():
            timings[f"rollup {name}"] = seconds
            if verbose:
                print(f"  rollup {name:<17} {seconds:6.2f} s", file=sys.stderr)
        con.execute("checkpoint").fetchall()
        timings["total"] = time.perf_counter() - started
    finally:
        con.close()
    os.replace(tmp_path, db_path)
    return timings


def database_checksum(db_path: Path) -> str:
    """A digest of every generated row, independent of physical row order."""
    digest = hashlib.sha256()
    with duckdb.connect(str(db_path), read_only=True) as con:
        for table in CHECKSUM_TABLES:
            # table names come from the fixed tuple above, never from input
            count, row_hash = con.execute(
                f"select count(*), coalesce(sum(hash(t) % 1000000007), 0) from {table} t"
            ).fetchone()
            digest.update(f"{table}:{count}:{row_hash};".encode())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accounts", type=int, default=5000, help="number of accounts (default 5000)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB_PATH, help="database file to write")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="last day of the data, YYYY-MM-DD (default %(default)s)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    parser.add_argument("--checksum", action="store_true", help="print the data checksum")
    args = parser.parse_args(argv)
    print(f"Building demo database {args.db}: {args.accounts:,} accounts, seed {args.seed}, "
          f"as of {args.as_of}", file=sys.stderr)
    timings = build_demo(args.db, args.accounts, args.seed, args.as_of, args.threads, verbose=True)
    print(f"Built {args.db} in {timings['total']:.1f} s", file=sys.stderr)
    if args.checksum:
        print(database_checksum(args.db))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
