"""Derived tables the pages read, built after a demo build and after a load alike.

Each file in northstar/data/rollups_sql/ (run in name order) replaces one derived table from the
canonical tables; then the churn model is fitted and stored (northstar/data/churn_model.py).
Nothing else writes them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from northstar.data import churn_model, drivers, model_checks, rules, settings
from northstar.data.paths import DATA_DIR

ROLLUPS_SQL_DIR = Path(__file__).with_name("rollups_sql")
MODEL_STEP = "churn_model"  # the step after the SQL rollups


def rollup_scripts() -> list[Path]:
    return sorted(ROLLUPS_SQL_DIR.glob("*.sql"))


def create_shared_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The rule macros every query reads (00_macros.sql), before any rollup exists: the demo
    generator writes its data by the same rules."""
    con.execute(rules.render_sql((ROLLUPS_SQL_DIR / "00_macros.sql").read_text())).fetchall()


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
    for script in rollup_scripts():
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    for source in model_sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def model_sources() -> list[Path]:
    """The files the stored churn model is computed by (in the fingerprint, like the rollups)."""
    return [Path(churn_model.__file__), Path(model_checks.__file__), Path(drivers.__file__),
            *sorted(churn_model.MODEL_SQL_DIR.glob("*.sql"))]


def build_step_names() -> list[str]:
    """Every step build_rollups reports, in order."""
    return [script.stem for script in rollup_scripts()] + [MODEL_STEP]


# the health score's weights and bands, as the health queries take them, in a temporary table for
# the rollup that pre-computes the configured bands (08_health_band_outcomes)
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
# rollup of ended engagements and their latest answers (21_engagement_survey_outcomes)
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
EXPOSURE_ROLLUPS = ("01_account_month_snapshots", "02_account_month_signals",
                    "04_driver_exposures")
# When only the exposures are wanted, nothing reads the snapshots by month and nothing but the
# exposures reads the signals: the snapshots are left unsorted, and the signals become a view,
# so the exposures compute only the window columns they classify (at 1,000,000 accounts this
# halves the pass). Each is (text of the rollup, what replaces it).
EXPOSURES_ONLY = {
    "01_account_month_snapshots": ("select * from final\norder by month, account_id;",
                                   "select * from final;"),
    "02_account_month_signals": ("create or replace temp table account_month_signals as",
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
    for script in rollup_scripts():
        started = time.perf_counter()
        con.execute(rules.render_sql(script.read_text())).fetchall()
        timings[script.stem] = time.perf_counter() - started
        if progress is not None:
            progress(script.stem, timings[script.stem])
    started = time.perf_counter()
    churn_model.build(con)
    timings[MODEL_STEP] = time.perf_counter() - started
    if progress is not None:
        progress(MODEL_STEP, timings[MODEL_STEP])
    # the app compares this with its own to tell a database built by an older version
    con.execute(
        "insert or replace into dataset_metadata values ('schema_fingerprint', $fingerprint)",
        {"fingerprint": schema_fingerprint()},
    )
    return timings
