"""Derived tables the pages read, built after a demo build and after a load alike.

Each file in northstar/data/rollups_sql/ (run in name order) replaces one derived table from the
canonical tables; nothing else writes them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from northstar.data import rules, settings
from northstar.data.paths import DATA_DIR

ROLLUPS_SQL_DIR = Path(__file__).with_name("rollups_sql")


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
    return digest.hexdigest()[:16]


# the health score's weights and bands, as the health queries take them, in a temporary table for
# the rollup that pre-computes the configured bands (08_health_band_outcomes)
HEALTH_SETTINGS_SQL = """
create or replace temp table health_score_settings as
select $w_support::double as w_support, $w_sentiment::double as w_sentiment,
    $w_engagement::double as w_engagement, $w_revenue::double as w_revenue,
    $healthy_from::double as healthy_from, $watch_from::double as watch_from,
    $at_risk_from::double as at_risk_from
where $is_configured
"""
HEALTH_SETTINGS = ("w_support", "w_sentiment", "w_engagement", "w_revenue", "healthy_from",
                   "watch_from", "at_risk_from")


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
    # the app compares this with its own to tell a database built by an older version
    con.execute(
        "insert or replace into dataset_metadata values ('schema_fingerprint', $fingerprint)",
        {"fingerprint": schema_fingerprint()},
    )
    return timings
