"""Each business rule is written once (northstar/data/rules.py, as SQL macros); the SQL and
the pages read it from there."""

from __future__ import annotations

import re

import duckdb
import pytest

from northstar.analytics import action_rules, health, metrics, periods, renewals, satisfaction
from northstar.data import rules
from northstar.data.db import rollups
from northstar.data.db.schema import create_schema
from northstar.data.model import drivers
from tests.conftest import REPO_ROOT

SQL_FILES = [*(REPO_ROOT / "queries").glob("*.sql"), *rollups.ROLLUPS_SQL_DIR.glob("*.sql"),
             rollups.ROLLUP_MACROS_SQL]
# the rules as they would read if written out again instead of through their macro
RESTATED = {
    "nps promoter": re.compile(r"score\s*>=\s*9\b"),
    "nps detractor": re.compile(r"score\s*<=\s*6\b"),
    "csat satisfied": re.compile(r"score\s*>=\s*4\b"),
    "csat unhappy": re.compile(r"score\s*<=\s*2\b"),
    "billed": re.compile(r"mrr\w*_usd\s*(>|=)\s*0\b"),
    "band labels": re.compile(r"'Healthy',\s*'Watch'"),
    "detractor follow-up window": re.compile(r"interval\s+14\s+day"),
    "open ticket follow-up age": re.compile(r"age_days\s*>\s*\d"),
    # revenue movement and churn: classified by revenue_movement, its amounts by its macros
    "revenue movement": re.compile(
        r"then\s+'(new|churn|expansion|contraction|reactivation|inactive|flat)'"),
    "movement amounts": re.compile(r"(least|greatest)\(\s*\w*mrr"),
    "churn as revenue stopping": re.compile(r"not\s+is_billed\("),
    "churn from the recorded date": re.compile(r"churn_date\s*(<=|<|>=|between)"),
}
# a window or count of periods written as a number instead of read from rules.py (a step of one
# day, month or row is the calendar, not a rule)
LITERAL_WINDOW = re.compile(
    r"interval\s+'?(\d+)'?\s+(?:hour|day|week|month|year)s?\b"
    r"|to_(?:hours|days|weeks|months|years)\(\s*(\d+)\s*\)"
    r"|\b(\d+)\s+(?:following|preceding)\b"
    r"|\brange\(\s*(\d+)\s*\)"
    r"|\b(?:lag|lead)\(\s*[\w.]+\s*,\s*(\d+)\s*\)")
# the health score's formula written with its numbers instead of read from rules.py (the
# 0-100 scale's ends and midpoint and the survey scales' conversions are not rules)
HEALTH_FORMULA = {
    "resolution time bounds": re.compile(r"\bln\(\s*\d+(?:\.\d+)?\s*\)"),
    "trend slope": re.compile(r"\b50\s*\+\s*\d+(?:\.\d+)?\s*\*"),
    "capped escalation or reopen rate": re.compile(
        r"least\(\s*\d+(?:\.\d+)?\s*,\s*\d+(?:\.\d+)?\s*\*"),
    "engagement points or detractor penalty": re.compile(
        r"\bthen\s+(?:[2-9]|\d{2,})(?:\.\d+)?\s+else\s+0\b"),
    "points without a resolved ticket": re.compile(
        r"\belse\s+(?:[2-9]|\d{2,})(?:\.\d+)?\s+end\b"),
    "revenue trend's first billed months": re.compile(r"billed_month_number\s*>\s*\d"),
}
# the period lengths the pages offer, written out instead of read from rules.py
PERIOD_LIST = re.compile(r"\[\s*1\s*,\s*3\s*,\s*6\s*,\s*12\b")
# window constants are defined in rules.py and only read elsewhere; these are not business rules:
# the demo generator's span and the calendar's quarters
WINDOW_CONSTANT = re.compile(
    r"^\s*([A-Z][A-Z0-9_]*(?:_DAYS|_WEEKS|_MONTHS|_HOURS|WINDOWS))\s*(?::[^=\n]+)?="
    r"\s*[(\[]?\s*\d[\d_]*\s*(?:,\s*\d[\d_]*\s*)*[)\]]?\s*(?:#.*)?$",
    re.MULTILINE)
NOT_RULES = {("northstar/data/demo/generator.py", "WINDOW_MONTHS"),
             ("northstar/data/model/revenue_forecast.py", "QUARTER_MONTHS"),
             ("northstar/data/model/revenue_forecast.py", "QUARTER_END_MONTHS")}
PYTHON_FILES = [path for folder in ("northstar", "views", "bench")
                for path in (REPO_ROOT / folder).rglob("*.py")
                if path != REPO_ROOT / "northstar" / "data" / "rules.py"]
# windows written out in words or as a literal parameter instead of read from rules.py
RESTATED_WINDOWS = {
    "detractor follow-up window": re.compile(r"followed up within 14 days|follow-up within 14 days"),
    "closed-loop horizon": re.compile(
        r"churned within 180 days|180 days behind|at least 180 days old"
        r"|horizon_days[\"']?\s*[:=]\s*180"),
    "open ticket follow-up age": re.compile(r"open more than 7 days"),
}


def code(path) -> str:
    return "\n".join(line.split("--", 1)[0] for line in path.read_text().splitlines())


@pytest.mark.parametrize("rule", list(RESTATED))
def test_no_sql_file_writes_a_rule_out_again(rule):
    found = [path.name for path in SQL_FILES
             if path != rollups.RULE_MACROS_SQL and RESTATED[rule].search(code(path))]
    assert found == []


def test_no_sql_file_writes_a_window_as_a_number():
    found = []
    for path in [*SQL_FILES, rollups.RULE_MACROS_SQL]:
        for line in code(path).splitlines():
            for match in LITERAL_WINDOW.finditer(line):
                number = next(group for group in match.groups() if group is not None)
                if int(number) > 1:
                    found.append(f"{path.name}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize("part", list(HEALTH_FORMULA))
def test_no_rollup_writes_the_health_formula_with_its_numbers(part):
    found = [path.name for path in rollups.ROLLUPS_SQL_DIR.glob("*.sql")
             if HEALTH_FORMULA[part].search(code(path))]
    assert found == []


def test_no_sql_file_writes_the_period_lengths():
    found = [path.name for path in [*SQL_FILES, rollups.RULE_MACROS_SQL]
             if PERIOD_LIST.search(code(path))]
    assert found == []


def test_no_python_file_defines_a_window_of_its_own():
    found = [f"{path.relative_to(REPO_ROOT)}: {name}" for path in PYTHON_FILES
             for name in WINDOW_CONSTANT.findall(path.read_text())
             if (str(path.relative_to(REPO_ROOT)), name) not in NOT_RULES]
    assert found == []


@pytest.mark.parametrize("window", list(RESTATED_WINDOWS))
def test_no_python_file_writes_a_window_out_again(window):
    found = [str(path.relative_to(REPO_ROOT)) for path in PYTHON_FILES
             if RESTATED_WINDOWS[window].search(path.read_text())]
    assert found == []


def test_the_macros_say_what_the_rules_say():
    with duckdb.connect() as con:
        create_schema(con)
        rollups.create_shared_macros(con)
        low, high = rules.SCALES["NPS"]
        for score in range(low, high + 1):
            promoter, detractor, passive = con.execute(
                "select nps_promoter($s), nps_detractor($s), nps_passive($s)", {"s": score}
            ).fetchone()
            assert promoter == (score >= rules.NPS_PROMOTER_FROM)
            assert detractor == (score <= rules.NPS_DETRACTOR_TO)
            assert passive == (not promoter and not detractor)
        for score in range(1, 6):
            satisfied, unhappy = con.execute(
                "select csat_satisfied($s), unhappy_answer('CSAT', $s)", {"s": score}).fetchone()
            assert satisfied == (score >= rules.CSAT_SATISFIED_FROM)
            assert unhappy == (score <= rules.CSAT_UNHAPPY_TO)
        labels = con.execute("select [health_band_label(i) for i in range(1, 6)]").fetchone()[0]
        assert labels == [*rules.HEALTH_BANDS, rules.NOT_SCORED]
        assert con.execute("select is_billed(0), is_billed(null), is_billed(0.01)"
                           ).fetchone() == (False, False, True)
        assert con.execute(
            "select revenue_movement(false, 0, 5), revenue_movement(true, 5, 0), "
            "revenue_movement(true, 5, null), revenue_movement(true, 5, 7), "
            "revenue_movement(true, 5, 3), revenue_movement(true, 5, 5)").fetchone() == (
            "new", "churn", "churn", "expansion", "contraction", "flat")


def test_the_pages_read_the_same_rules():
    # what the NPS card's help and the Glossary say (its definition and detail)
    assert f"({rules.NPS_PROMOTER_FROM}–10)" in metrics.METRICS["nps"].described
    assert f"(0–{rules.NPS_DETRACTOR_TO})" in metrics.METRICS["nps"].described
    assert [label for label, _, _ in satisfaction.SCORE_BANDS["NPS"]] == [
        "Detractors (0–6)", "Passives (7–8)", "Promoters (9–10)"]
    assert health.BANDS == rules.HEALTH_BANDS


def test_a_rule_change_changes_the_fingerprint(monkeypatch):
    before = rollups.schema_fingerprint()
    monkeypatch.setattr(rules, "NPS_PROMOTER_FROM", 8)
    assert rollups.schema_fingerprint() != before


def test_an_unknown_rule_in_sql_is_an_error():
    with pytest.raises(KeyError, match="no rule named"):
        rules.render_sql("select {{no_such_rule}}")


def test_the_windows_the_queries_and_drivers_read_are_the_rules():
    with duckdb.connect() as con:
        create_schema(con)
        rollups.create_shared_macros(con)
        assert con.execute(
            "select exec_meeting_months(), exec_outcome_months(), cab_session_months(), "
            "survey_coverage_months(), initiative_baseline_months()").fetchone() == (
            rules.EXEC_MEETING_MONTHS, rules.EXEC_OUTCOME_MONTHS, rules.CAB_SESSION_MONTHS,
            rules.SURVEY_COVERAGE_MONTHS, rules.INITIATIVE_BASELINE_MONTHS)
    assert f"over {rules.SLOW_TICKET_HOURS} hours" in drivers.DRIVERS["slow_support"].definition
    assert drivers.DRIVERS["repeated_escalations"].definition.startswith(
        f"{rules.REPEATED_ESCALATIONS_FROM} or more")
    assert f"{rules.REVENUE_DECLINE_PCT}% below" in drivers.DRIVERS["revenue_decline"].definition
    assert renewals.WINDOWS == rules.RENEWAL_WINDOWS_DAYS
    assert action_rules.OUTCOME_WINDOW_DAYS == rules.ACTION_OUTCOME_DAYS


def test_the_periods_offered_are_the_rules_period_lengths(monkeypatch):
    assert [months for key, (_, months) in periods.PERIODS.items() if key != "ytd"] == list(
        rules.PERIOD_MONTHS)
    monkeypatch.setattr(rules, "PERIOD_MONTHS", (1, 2, 24))
    assert periods.period_choices() == {
        "last_month": ("Last month", 1), "last_2_months": ("Last 2 months", 2),
        "last_24_months": ("Last 24 months", 24), "ytd": ("Year to date", 0)}


def test_the_revenue_tallies_hold_the_rules_period_lengths():
    with duckdb.connect() as con:
        create_schema(con)
        con.execute("insert into dataset_metadata values ('as_of_date', '2026-10-31')")
        rollups.create_shared_macros(con)
        held = con.execute("select window_months, slot from tallied_window_lengths() "
                           "order by slot").fetchall()
    assert held == [*((months, slot) for slot, months in enumerate(rules.PERIOD_MONTHS, 1)),
                    (10, len(rules.PERIOD_MONTHS) + 1)]
    # the shared window pass has a column per period length (and one for year to date), which
    # the tallies pick by slot: another length needs another slot there
    signals = (rollups.ROLLUPS_SQL_DIR / "account_month_signals.sql").read_text()
    assert sorted(set(re.findall(r"\bmrr_later_(\d+)_usd\b", signals))) == [
        str(slot) for slot in range(1, len(rules.PERIOD_MONTHS) + 1)]
    assert sorted(set(re.findall(r"\{\{period_months\}\}\[(\d+)\]", signals))) == [
        str(slot) for slot in range(1, len(rules.PERIOD_MONTHS) + 1)]


def test_the_signal_frames_fit_the_drivers_look_back():
    # an estimation landmark has the look-back of the longest window a driver reads (the
    # revenue lag's month before the months between)
    longest = max(rules.RECENT_FRAME_MONTHS, rules.LONG_FRAME_MONTHS, rules.REVENUE_LAG_MONTHS + 1)
    assert longest <= rules.DRIVER_LOOKBACK_MONTHS


def test_the_health_rollup_says_its_rules_in_its_header():
    header = rules.render_sql(
        (rollups.ROLLUPS_SQL_DIR / "account_health_monthly.sql").read_text()).split(
        "create or replace", 1)[0]
    assert "{{" not in header
    for said in (f"tickets opened in the trailing {rules.RECENT_FRAME_MONTHS} months",
                 f"{rules.RESOLUTION_BEST_HOURS} h or faster = 100",
                 f"at most {rules.ESCALATION_CAP_POINTS}",
                 f"minus {rules.OPEN_DETRACTOR_PENALTY_POINTS} when a detractor",
                 f"+{rules.TREND_FULL_SCALE_PCT}% or more = 100",
                 f"null in the first {rules.REVENUE_TREND_BLANK_MONTHS} billed months"):
        assert said in " ".join(line.lstrip("- ").strip() for line in header.splitlines()), said


def docs_rule_statements() -> list[str]:
    """What docs/metrics.md's hand-written tables of the churn drivers and of the demo's
    planted effects say, in the rules' numbers."""
    recent, long = rules.RECENT_FRAME_MONTHS, rules.LONG_FRAME_MONTHS
    days = rules.DETRACTOR_FOLLOW_UP_DAYS
    detractor = f"NPS 0–{rules.NPS_DETRACTOR_TO}"
    return [
        # the churn drivers
        f"| Slow ticket resolution | more than half of the tickets opened in the last {long} "
        f"months took over {rules.SLOW_TICKET_HOURS} h to resolve (median > "
        f"{rules.SLOW_TICKET_HOURS} h;",
        f"| Repeated escalations | {rules.REPEATED_ESCALATIONS_FROM} or more escalated tickets "
        f"opened in the last {recent} months |",
        f"| Poor professional-services survey | a post-professional-services CSAT of 1–2 in the "
        f"last {long} months |",
        f"| Detractor not followed up | a relationship {detractor} in the last {recent} months (at "
        f"least {days} days old) with no detractor follow-up within {days} days |",
        f"| Detractor, followed up | {detractor} answers in the last {recent} months, all followed "
        f"up within {days} days |",
        f"| No executive meeting | no attended executive meeting in the last {long} months |",
        f"| Declining revenue | MRR at least {rules.REVENUE_DECLINE_PCT}% below "
        f"{rules.REVENUE_LAG_MONTHS} months earlier |",
        # the demo's planted effects (their hazard ratios are the demo's, not rules)
        f"more than half of the last {long} months' tickets took over {rules.SLOW_TICKET_HOURS} "
        "hours |",
        f"| No executive meeting in {long} months |",
        f"no attended executive meeting in the last {long} months |",
        f"a relationship {detractor} in the last {recent} months not followed up within {days} "
        "days |",
        f"relationship {detractor} answers in the last {recent} months, all followed up within "
        f"{days} days |",
    ]


def docs_disagreements() -> list[str]:
    text = (REPO_ROOT / "docs" / "metrics.md").read_text()
    return [statement for statement in docs_rule_statements() if statement not in text]


def test_the_docs_tables_of_drivers_and_planted_effects_say_the_rules():
    assert docs_disagreements() == []


def test_a_rule_the_docs_do_not_follow_is_caught(monkeypatch):
    monkeypatch.setattr(rules, "SLOW_TICKET_HOURS", 48)
    monkeypatch.setattr(rules, "RECENT_FRAME_MONTHS", 3)
    # the drivers' and the demo's slow tickets; the drivers' repeated escalations, and both
    # tables' detractors not followed up and followed up
    assert len(docs_disagreements()) == 2 + 5
