"""Derived tables the pages read, built after a demo build and after a load alike.

Each file in northstar/data/db/rollups_sql/ replaces one derived table from the canonical tables and
other rollups. Its header declares what it reads and writes (`-- reads: a, b` and `-- writes: c`
lines); the rollups run in an order where every one comes after those whose tables it reads
(ties by name), and a test runs each one with only its declared inputs present. Then the churn
model is fitted and stored (northstar/data/model/churn_model.py), and the revenue forecast made
(northstar/data/model/revenue_forecast.py). Nothing else writes them.
"""

from __future__ import annotations

import graphlib
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from northstar.data import rules, settings
from northstar.data.db.paths import DATA_DIR
from northstar.data.model import churn_model, drivers, model_checks, revenue_forecast

ROLLUPS_SQL_DIR = Path(__file__).with_name("rollups_sql")
MACROS_SQL_DIR = Path(__file__).with_name("macros_sql")
# the rule macros every query reads, and those over the rollups' tables (created after them)
RULE_MACROS_SQL = MACROS_SQL_DIR / "rules.sql"
ROLLUP_MACROS_SQL = MACROS_SQL_DIR / "on_rollups.sql"
MODEL_STEP = "churn_model"  # the step after the SQL rollups
_DECLARATION = re.compile(r"^-- (reads|writes):(.*)$", re.MULTILINE)


class RollupDeclarationError(ValueError):
    """A rollup's `-- reads:`/`-- writes:` header is missing or names a cycle."""


@dataclass(frozen=True)
class Rollup:
    path: Path
    reads: tuple[str, ...]  # the tables it reads (canonical tables and other rollups' tables)
    writes: tuple[str, ...]  # the tables it replaces

    @property
    def name(self) -> str:
        return self.path.stem


def declared(path: Path) -> Rollup:
    """A rollup file with the tables its header says it reads and writes."""
    found: dict[str, list[str]] = {"reads": [], "writes": []}
    for kind, names in _DECLARATION.findall(path.read_text()):
        found[kind] += [name.strip() for name in names.split(",") if name.strip()]
    if not found["writes"]:
        raise RollupDeclarationError(f"{path.name} declares no `-- writes:` table")
    return Rollup(path, tuple(found["reads"]), tuple(found["writes"]))


@cache
def _ordered(paths: tuple[Path, ...]) -> tuple[Rollup, ...]:
    rollups = {path.stem: declared(path) for path in paths}
    writer = {table: rollup.name for rollup in rollups.values() for table in rollup.writes}
    sorter = graphlib.TopologicalSorter({
        rollup.name: {writer[table] for table in rollup.reads
                      if table in writer and writer[table] != rollup.name}
        for rollup in rollups.values()})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        raise RollupDeclarationError(
            f"rollups read each other in a circle: {' → '.join(error.args[1])}") from error
    order: list[Rollup] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += [rollups[name] for name in ready]
        sorter.done(*ready)
    return tuple(order)


def rollups_in_order() -> tuple[Rollup, ...]:
    """Every rollup, each after the rollups whose tables it reads (ties by name)."""
    return _ordered(tuple(sorted(ROLLUPS_SQL_DIR.glob("*.sql"))))


def rollup_scripts() -> list[Path]:
    """The rollup files in the order they are built."""
    return [rollup.path for rollup in rollups_in_order()]


def create_shared_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The rule macros every query reads (macros_sql/rules.sql), before any rollup exists: the
    demo generator writes its data by the same rules."""
    con.execute(rules.render_sql(RULE_MACROS_SQL.read_text())).fetchall()


def settings_text() -> str:
    """The settings the rollups are built with, as text: the health score's weights and bands
    and the post-engagement surveys."""
    try:
        health = repr(sorted(settings.load_config().query_params().items()))
    except (OSError, settings.HealthConfigError):
        health = "unreadable"
    surveys = repr([survey.query_params() for survey in settings.SURVEY_PROGRAMS])
    return health + surveys


def schema_fingerprint() -> str:
    """Identity of the data model this code expects: the schema and every rollup definition."""
    digest = hashlib.sha256((DATA_DIR / "schema.sql").read_bytes())
    digest.update(rules.fingerprint_text().encode())
    digest.update(settings_text().encode())
    for script in (RULE_MACROS_SQL, *rollup_scripts(), ROLLUP_MACROS_SQL):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    for source in model_sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def model_sources() -> list[Path]:
    """The files the stored churn model is computed by (in the fingerprint, like the rollups)."""
    return [Path(churn_model.__file__), Path(model_checks.__file__), Path(drivers.__file__),
            *sorted(churn_model.MODEL_SQL_DIR.glob("*.sql")), Path(revenue_forecast.__file__)]


def build_step_names() -> list[str]:
    """Every step build_rollups reports, in order."""
    return [script.stem for script in rollup_scripts()] + [MODEL_STEP]


# the health score's weights and bands, as the health queries take them, in a temporary table for
# the rollup that pre-computes the configured bands (health_band_outcomes)
HEALTH_SETTINGS_SQL = """
create or replace temp table health_score_settings as
select $w_support::double as w_support, $w_sentiment::double as w_sentiment,
    $w_engagement::double as w_engagement, $w_revenue::double as w_revenue,
    $w_usage::double as w_usage,
    $healthy_from::double as healthy_from, $watch_from::double as watch_from,
    $at_risk_from::double as at_risk_from
where $is_configured
"""
HEALTH_SETTINGS = ("w_support", "w_sentiment", "w_engagement", "w_revenue", "w_usage",
                   "healthy_from", "watch_from", "at_risk_from")


def write_health_settings(con: duckdb.DuckDBPyConnection) -> None:
    """config/health_score.toml's weights and bands as the one row of `health_score_settings`;
    no row when the config cannot be read, so the rollup holds nothing and the pages score live."""
    try:
        params: dict[str, object] = {**settings.load_config().query_params(), "is_configured": True}
    except (OSError, settings.HealthConfigError):
        params = {**dict.fromkeys(HEALTH_SETTINGS, None), "is_configured": False}
    con.execute(HEALTH_SETTINGS_SQL, params)


# which survey follows which engagement type (northstar.data.settings), in a temporary table for the
# rollup of ended engagements and their latest answers (engagement_survey_outcomes)
PROGRAM_SURVEY_SETTINGS_SQL = """
create or replace temp table program_survey_settings as
select unnest($engagement_types::varchar[]) as engagement_type,
    unnest($programs::varchar[]) as program
"""


def write_program_survey_settings(con: duckdb.DuckDBPyConnection) -> None:
    """The post-engagement surveys the Programs page reports, as rows of
    `program_survey_settings`."""
    surveys = settings.SURVEY_PROGRAMS
    con.execute(PROGRAM_SURVEY_SETTINGS_SQL, {
        "engagement_types": [survey.engagement_type for survey in surveys],
        "programs": [survey.program for survey in surveys],
    })


# the rollups that compute each account-month's churn-driver exposures
EXPOSURE_ROLLUPS = ("account_month_snapshots", "account_month_signals", "driver_exposures")
# When only the exposures are wanted, nothing reads the snapshots by month and nothing but the
# exposures reads the signals: the snapshots are left unsorted, and the signals become a view,
# so the exposures compute only the window columns they classify (at 1,000,000 accounts this
# halves the pass). Each is (text of the rollup, what replaces it).
EXPOSURES_ONLY = {
    "account_month_snapshots": ("select * from final\norder by month, account_id;",
                                   "select * from final;"),
    "account_month_signals": ("create or replace temp table account_month_signals as",
                                 "create or replace temp view account_month_signals as"),
}


def exposure_sql(name: str) -> str:
    """Rollup `name` of EXPOSURE_ROLLUPS as build_exposures runs it."""
    sql = rules.render_sql((ROLLUPS_SQL_DIR / f"{name}.sql").read_text())
    if name in EXPOSURES_ONLY:
        old, new = EXPOSURES_ONLY[name]
        if old not in sql:
            raise ValueError(f"rollup {name} no longer holds {old!r} (rollups.EXPOSURES_ONLY)")
        sql = sql.replace(old, new)
    return sql


def build_exposures(con: duckdb.DuckDBPyConnection) -> None:
    """Only the rollups behind account_driver_exposures: the demo generator draws churn from
    the exposures its records show, exactly as the driver analysis computes them. The full
    rollups (build_rollups) replace every table this writes."""
    for name in EXPOSURE_ROLLUPS:
        con.execute(exposure_sql(name)).fetchall()
    con.execute("drop view account_month_signals")  # the full rollups make it a table


def build_rollups(
    con: duckdb.DuckDBPyConnection,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, float]:
    """(Re)build every derived table on a writable connection; return seconds per rollup.

    `progress(name, seconds)`, when given, is called after each rollup.
    """
    timings: dict[str, float] = {}
    write_health_settings(con)
    write_program_survey_settings(con)
    create_shared_macros(con)
    for script in rollup_scripts():
        started = time.perf_counter()
        con.execute(rules.render_sql(script.read_text())).fetchall()
        timings[script.stem] = time.perf_counter() - started
        if progress is not None:
            progress(script.stem, timings[script.stem])
    con.execute(rules.render_sql(ROLLUP_MACROS_SQL.read_text())).fetchall()
    started = time.perf_counter()
    # the revenue forecast reads the model's checks and reuses its fits
    revenue_forecast.build(con, churn_model.build(con))
    timings[MODEL_STEP] = time.perf_counter() - started
    if progress is not None:
        progress(MODEL_STEP, timings[MODEL_STEP])
    # the app compares this with its own to tell a database built by an older version
    con.execute(
        "insert or replace into dataset_metadata values ('schema_fingerprint', $fingerprint)",
        {"fingerprint": schema_fingerprint()},
    )
    return timings


def mermaid_graph() -> str:
    """The rollups as a mermaid flowchart (tables they read → rollup), as docs/architecture.md
    shows it; canonical tables are drawn as cylinders."""
    order = rollups_in_order()
    derived = {table for rollup in order for table in rollup.writes}
    canonical = sorted({table for rollup in order for table in rollup.reads} - derived)
    lines = ["flowchart LR"]
    lines += [f"    {table}[({table})]" for table in canonical]
    for rollup in order:
        for written in rollup.writes:
            for table in rollup.reads:
                lines.append(f"    {table} --> {written}")
    return "\n".join(lines) + "\n"
