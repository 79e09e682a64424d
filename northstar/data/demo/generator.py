"""Deterministic demo database: `python -m northstar.data.demo --accounts N --seed S [--db PATH]`.

Every row is generated in DuckDB SQL (northstar/data/demo/demo_sql/*.sql, run in name order, a
rule's value written `{{name}}` filled from northstar/data/rules.py) from hash-based draws keyed
on the seed, so the same seed and size always give the same data.
Churn is drawn last, month by month, from a discrete-time proportional hazard on each
account-month's driver exposures as the rollups compute them from the generated records; the
planted drivers and hazard ratios are written to `demo_planted_effects`, so the churn model can
be judged against them (see docs/metrics.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from northstar.data.db import job_progress, write_lock
from northstar.data.db.build_memory import (
    add_memory_limit_argument,
    connect_for_build,
    remove_spill,
)
from northstar.data.db.database_file import (
    NotNorthstarDatabase,
    check_replaceable,
    replace_database,
)
from northstar.data.db.paths import DEFAULT_DB_PATH
from northstar.data.db.rollups import (
    build_exposures,
    build_rollups,
    build_step_names,
    create_shared_macros,
)
from northstar.data.db.schema import create_schema, insert_reference_rows
from northstar.data.messages import first_line
from northstar.data.months import add_months
from northstar.data.rules import render_sql

DEMO_SQL_DIR = Path(__file__).with_name("demo_sql")
DEFAULT_AS_OF = dt.date(2026, 10, 31)
GENERATOR_VERSION = "2"
# the generated records are complete before this script draws churn from their exposures
CHURN_SCRIPT = "08_churn"
WINDOW_MONTHS = 36

# tables compared by `database_checksum` (dataset_metadata excluded: it holds build facts)
CHECKSUM_TABLES = (
    "departments", "customer_outcomes", "employees", "accounts", "account_mrr_monthly",
    "product_usage", "support_tickets", "engagements", "cab_memberships", "survey_responses",
    "department_kpis", "kpi_outcomes", "kpi_actuals", "initiatives", "kudos",
    "employee_engagement", "demo_planted_effects",
)


# relative cost of each build step (seconds at 1,000,000 accounts on a 2-core machine), for the
# percent complete; a step not listed counts as DEFAULT_STEP_WEIGHT
STEP_WEIGHTS = {
    "schema": 0.1, "00_helpers": 0.1, "01_reference": 0.1, "02_accounts": 6, "03_revenue": 8,
    "04_tickets": 7, "05_engagements": 6, "06_surveys": 7, "07_goals": 2, "exposures": 45,
    "08_churn": 10,
    "rollup account_month_snapshots": 20,
    "rollup account_month_signals": 45, "rollup account_health_monthly": 8,
    "rollup driver_exposures": 9, "rollup account_lifetimes": 1, "rollup kpi_actuals": 8,
    "rollup revenue_window_tallies": 5, "rollup kpi_month_tallies": 1,
    "rollup health_band_outcomes": 4, "rollup driver_month_tallies": 5,
    "rollup driver_landmark_accounts": 4, "rollup account_cost_quantities": 2,
    "rollup account_health_latest": 1, "rollup survey_month_tallies": 1,
    "rollup unhappy_answer_follow_ups": 1, "rollup revenue_window_churn": 1,
    "rollup cohort_month_tallies": 2, "rollup billed_months": 1,
    "rollup account_scope_counts": 0.1, "rollup survival_event_tallies": 1,
    "rollup top_accounts_monthly": 3, "rollup engagement_survey_outcomes": 2,
    "rollup ticket_follow_up_candidates": 2, "rollup comment_month_texts": 1,
    "rollup churn_model": 15,
    "checkpoint": 1,
}
DEFAULT_STEP_WEIGHT = 20.0


@dataclass(frozen=True)
class Progress:
    """A finished build step: its name, seconds, and the build's estimated fraction done."""

    step: str
    seconds: float
    done: float  # 0..1
    elapsed: float  # seconds since the build started


def print_progress(event: Progress) -> None:
    """The terminal progress line of a build step (stderr)."""
    print(f"  [{100 * event.done:5.1f}%] {event.step:<38} {event.seconds:7.2f} s "
          f"(elapsed {event.elapsed:6.1f} s)", file=sys.stderr, flush=True)


def build_steps() -> list[str]:
    """Every step of a demo build, in order."""
    generators = [script.stem for script in sorted(DEMO_SQL_DIR.glob("*.sql"))]
    generators.insert(generators.index(CHURN_SCRIPT), "exposures")
    return (["schema"] + generators
            + [f"rollup {name}" for name in build_step_names()] + ["checkpoint"])


def step_label(step: str) -> str:
    """A build step as the app shows it while it runs: 'generating tickets'."""
    fixed = {"schema": "creating the tables", "checkpoint": "saving the database",
             "exposures": "computing the exposures churn is drawn from"}
    if step in fixed:
        return fixed[step]
    if step.startswith("rollup "):
        return f"computing {job_progress.step_name(step.removeprefix('rollup '))}"
    return f"generating {job_progress.step_name(step)}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def build_demo(
    db_path: Path,
    accounts: int = 5000,
    seed: int = 42,
    as_of: dt.date = DEFAULT_AS_OF,
    threads: int | None = None,
    verbose: bool = False,
    progress: Callable[[Progress], None] | None = None,
    memory_limit: str | None = None,
) -> dict[str, float]:
    """Write a demo database to `db_path` (atomically replacing it); return step timings.

    NotNorthstarDatabase, before anything is built, when `db_path` is a file that is not a
    Northstar database (it is never replaced).

    `progress`, when given, is called with a `Progress` after every step (the app or a
    loader can show it); `verbose` prints the same as a progress line per step on stderr.
    `memory_limit` caps DuckDB's memory (northstar.data.db.build_memory).
    """
    if accounts < 1:
        raise ValueError("--accounts must be at least 1")
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(db_path)
    with write_lock.exclusive(db_path, "demo build"):
        return _build_demo(db_path, accounts, seed, as_of, threads, verbose, progress,
                           memory_limit)


def _build_demo(
    db_path: Path, accounts: int, seed: int, as_of: dt.date, threads: int | None,
    verbose: bool, progress: Callable[[Progress], None] | None, memory_limit: str | None,
) -> dict[str, float]:
    # the write lock is held: a leftover building file is a crashed build's, never a live one's
    tmp_path = db_path.with_name(db_path.name + ".building")
    for stale in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    last_month = month_start(as_of)
    window_start = add_months(last_month, -(WINDOW_MONTHS - 1))
    timings: dict[str, float] = {}
    weights = {step: STEP_WEIGHTS.get(step, DEFAULT_STEP_WEIGHT) for step in build_steps()}
    total_weight = sum(weights.values())
    done_weight = 0.0
    callbacks = [callback for callback in (progress, print_progress if verbose else None)
                 if callback is not None]

    def finished(step: str, seconds: float) -> None:
        nonlocal done_weight
        timings[step] = seconds
        done_weight += weights.get(step, DEFAULT_STEP_WEIGHT)
        event = Progress(step, seconds, min(1.0, done_weight / total_weight),
                         time.perf_counter() - started)
        for callback in callbacks:
            callback(event)

    con = connect_for_build(tmp_path, memory_limit, threads)
    try:
        started = time.perf_counter()
        create_schema(con, key_indexes=False)
        insert_reference_rows(con)
        create_shared_macros(con)
        for statement, value in (
            ("set variable seed = $value", seed),
            ("set variable n_accounts = $value", accounts),
            ("set variable as_of = $value", as_of),
            ("set variable last_month = $value", last_month),
            ("set variable window_start = $value", window_start),
        ):
            con.execute(statement, {"value": value})
        finished("schema", time.perf_counter() - started)
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
        for script in sorted(DEMO_SQL_DIR.glob("*.sql")):
            if script.stem == CHURN_SCRIPT:
                step_started = time.perf_counter()
                build_exposures(con)
                finished("exposures", time.perf_counter() - step_started)
            step_started = time.perf_counter()
            con.execute(render_sql(script.read_text())).fetchall()
            finished(script.stem, time.perf_counter() - step_started)
        build_rollups(con, progress=lambda name, seconds: finished(f"rollup {name}", seconds))
        step_started = time.perf_counter()
        con.execute("checkpoint").fetchall()
        finished("checkpoint", time.perf_counter() - step_started)
        timings["total"] = time.perf_counter() - started
    finally:
        con.close()
        remove_spill(tmp_path)
    try:
        replace_database(tmp_path, db_path)
    except NotNorthstarDatabase:
        tmp_path.unlink(missing_ok=True)
        raise
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
    parser = argparse.ArgumentParser(prog="python -m northstar.data.demo",
                                     description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accounts", type=int, default=5000, help="number of accounts (default 5000)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB_PATH, help="database file to write")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="last day of the data, YYYY-MM-DD (default %(default)s)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    add_memory_limit_argument(parser, "--db")
    parser.add_argument("--checksum", action="store_true", help="print the data checksum")
    parser.add_argument("--wait", action="store_true",
                        help="wait for a build or load already writing DB instead of stopping")
    args = parser.parse_args(argv)
    if args.db.is_dir():
        print(f"Demo build failed: --db {args.db} is a folder; name the database file to write",
              file=sys.stderr)
        return 2
    try:
        check_replaceable(args.db)  # before anything is written beside it
    except NotNorthstarDatabase as refused:
        print(f"Demo build refused: {refused}", file=sys.stderr)
        return 2
    print(f"Building demo database {args.db}: {args.accounts:,} accounts, seed {args.seed}, "
          f"as of {args.as_of}", file=sys.stderr)
    try:
        with write_lock.exclusive(args.db, "demo build", wait=args.wait,
                                  waiting=lambda who: print(f"Waiting for {who} to finish",
                                                            file=sys.stderr, flush=True)), \
             job_progress.recording(
                 "demo", args.db, f"{args.accounts:,} accounts, seed {args.seed}, as of "
                 f"{args.as_of}", [step_label(step) for step in build_steps()],
             ) as record:
            timings = build_demo(args.db, args.accounts, args.seed, args.as_of, args.threads,
                                 verbose=True, progress=lambda event: record.advance(event.done),
                                 memory_limit=args.memory_limit)
    except write_lock.DatabaseBusy as busy:
        print(f"Demo build not started: {busy}", file=sys.stderr)
        return 2
    except NotNorthstarDatabase as refused:
        print(f"Demo build refused: {refused}", file=sys.stderr)
        return 2
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"Demo build failed: {first_line(error)}", file=sys.stderr)
        return 2
    print(f"Built {args.db} in {timings['total']:.1f} s", file=sys.stderr)
    if args.checksum:
        print(database_checksum(args.db))
    return 0

