"""Each business rule is written once (northstar/data/rules.py, as SQL macros); the SQL and
the pages read it from there."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest

from northstar.analytics import (
    action_rules,
    glossary,
    goals,
    health,
    invest,
    metrics,
    periods,
    renewals,
    retention,
    satisfaction,
)
from northstar.analytics.plans import PLANS, Context
from northstar.data import rules
from northstar.data.db import rollups
from northstar.data.db.schema import create_schema
from northstar.data.model import drivers
from northstar.data.registry import pages
from northstar.data.workspace import alert_delivery
from northstar.data.workspace.store import Workspace
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
    "a survey scale as points": re.compile(
        r"\b(?:nps|csat|ces)_total_\w+\s*/\s*(?:nps|csat|ces)_answers_\w+\s*-\s*\d"
        r"|\b\d+(?:\.\d+)?\s*\*\s*\(?\s*(?:nps|csat|ces)_total"),
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
# a limit or threshold that decides what a page says or lists ("at risk", "enough", how many rows
# or top accounts) is defined in rules.py and only read elsewhere: constants named like one and
# set to a number (or numbers) anywhere else
THRESHOLD_CONSTANT = re.compile(
    r"^\s*([A-Z][A-Z0-9_]*(?:_LIMIT|_THRESHOLD|_SHARE|_TOLERANCE|_TOLERANCE_PP|TOP_N|TOP_N_OPTIONS"
    r"|_KEPT|_DEFAULT_PCT)|MIN_[A-Z0-9_]+)\s*(?::[^=\n]+)?="
    r"\s*[(\[]?\s*\d[\d_.]*\s*(?:,\s*\d[\d_.]*\s*)*[)\]]?\s*(?:#.*)?$",
    re.MULTILINE)
# technical limits, not business rules: how the loader reads a file and drafts a mapping, and
# when a filter's list becomes a join
NOT_THRESHOLDS = {
    ("northstar/data/importer/datasets.py", "AS_OF_MONTH_SHARE"),  # a month's rows to be complete
    ("northstar/data/importer/draft.py", "LIST_SHARE"),  # a file that is a customer list
    ("northstar/data/db/data_source.py", "DYNAMIC_OR_FILTER_THRESHOLD"),  # a query plan's switch
}
# windows written out in words or as a literal parameter instead of read from rules.py
RESTATED_WINDOWS = {
    "detractor follow-up window": re.compile(r"followed up within 14 days|follow-up within 14 days"),
    "closed-loop horizon": re.compile(
        r"churned within 180 days|180 days behind|at least 180 days old"
        r"|horizon_days[\"']?\s*[:=]\s*180"),
    "open ticket follow-up age": re.compile(r"open more than 7 days"),
}


# limits and thresholds written out in words instead of read from rules.py
RESTATED_LIMITS = {
    "off-track run": re.compile(r"two (?:or more )?periods running|latest two or more periods"),
    "at-risk tolerance": re.compile(r"5% of the\s+(?:\"\s*\")?target"),
    "list cap": re.compile(r"at most (?:200|300|500)\b(?! char)|\b(?:200|500) largest|first 200\b"),
    "what-if start": re.compile(r"Starts at half the exposure"),
    "top accounts kept": re.compile(r"\b500 largest|mrr_usd, 500\b|top_accounts_kept\(\) as 500"),
    "complaint spike": re.compile(r"More than 5 comments|over 1\.5 ×|min_count: int = 5"),
}
SQL_AND_PYTHON_FILES = [*PYTHON_FILES, *SQL_FILES,
                        *(REPO_ROOT / "northstar" / "data" / "db" / "rollups_sql").glob("*.sql")]


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


def test_no_python_file_defines_a_limit_or_threshold_of_its_own():
    found = [f"{path.relative_to(REPO_ROOT)}: {name}" for path in PYTHON_FILES
             for name in THRESHOLD_CONSTANT.findall(path.read_text())
             if (str(path.relative_to(REPO_ROOT)), name) not in NOT_THRESHOLDS]
    assert found == []


@pytest.mark.parametrize("limit", list(RESTATED_LIMITS))
def test_no_file_writes_a_limit_out_again(limit):
    found = sorted({str(path.relative_to(REPO_ROOT)) for path in SQL_AND_PYTHON_FILES
                    if RESTATED_LIMITS[limit].search(path.read_text())})
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


def kept_by_the_macro() -> int:
    """What top_accounts_kept() says, from the rollup macros as a build creates them."""
    macros = rules.render_sql(rollups.ROLLUP_MACROS_SQL.read_text())
    statement = next(part for part in macros.split(";") if "macro top_accounts_kept()" in part)
    with duckdb.connect() as con:
        con.execute(statement)
        return con.execute("select top_accounts_kept()").fetchone()[0]


def test_the_top_n_offered_never_exceeds_the_top_accounts_the_rollup_keeps(monkeypatch):
    assert rules.DEFAULT_TOP_N in rules.TOP_N_OPTIONS
    assert max(rules.TOP_N_OPTIONS) <= rules.TOP_ACCOUNTS_KEPT
    assert kept_by_the_macro() == rules.TOP_ACCOUNTS_KEPT
    # the rollup and its macro are written from the rule: another number is another database
    before = rollups.schema_fingerprint()
    monkeypatch.setattr(rules, "TOP_ACCOUNTS_KEPT", 1000)
    assert rollups.schema_fingerprint() != before
    assert kept_by_the_macro() == 1000
    kept_sql = rules.render_sql((rollups.ROLLUPS_SQL_DIR / "top_accounts_monthly.sql").read_text())
    assert "max(mrr_usd, 1000)" in kept_sql


PLAN_STATE = periods.FilterState(periods.resolve_period(
    dt.date(2026, 10, 1), periods.DEFAULT_PERIOD, periods.DEFAULT_COMPARISON), (), (), ())
PLAN_CONTEXT = Context(last_month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31),
                       first_month=dt.date(2024, 1, 1), account_id="A1")
# the lists of rows each page sends to the browser, capped by rules.LIST_LIMIT
CAPPED_LISTS = {
    "programs": {"cab:members", "exec:unmet", "onboarding:low", "services:low",
                 "support:followups", "kudos:employees", "kudos:recent"},
    "health": {"at_risk"},
    "retention": {"overview:accounts"},
    "scorecard": {"kudos", "drill:touchpoint", "drill:kpi"},
    "invest": {"customers:account"},
}


def list_caps(page: str) -> dict[str, int]:
    return {call.key: call.resolve({})["limit"] for call in PLANS[page](PLAN_CONTEXT, PLAN_STATE)
            if call.key in CAPPED_LISTS[page]}


def test_one_limit_caps_every_list_and_what_the_pages_say_about_it(monkeypatch, tmp_path):
    for page, keys in CAPPED_LISTS.items():
        assert list_caps(page) == dict.fromkeys(keys, rules.LIST_LIMIT), page
    monkeypatch.setattr(rules, "LIST_LIMIT", 3)
    for page, keys in CAPPED_LISTS.items():
        assert list_caps(page) == dict.fromkeys(keys, 3), page
    moved = pd.DataFrame({"movement_accounts": [10], "movement_arr_change_usd": [-5000.0]})
    assert "the 3 largest changes are listed." in retention.movement_caption(moved, "churn")
    summary = pd.DataFrame({"band": ["Healthy"], "accounts": [40], "arr_usd": [1.0]})
    assert "Top 3 of 40 active accounts" in health.at_risk_caption(False, 3, summary, False)
    store = Workspace(f"sqlite:///{tmp_path / 'alerts.sqlite'}")
    try:
        for number in range(5):
            alert_delivery.record(store, alert_delivery.AlertMessage(
                "Survey scores", "kpi_change", f"nps:{number}", "NPS fell.", "https://x/"),
                alert_delivery.Recipient("email", "cco@example.com"), "sent")
        assert len(alert_delivery.recent(store)) == 3
    finally:
        store.dispose()


KPIS = pd.DataFrame({"kpi_id": ["k"], "target_value": [100.0], "direction": ["higher_is_better"],
                     "unit": ["count"], "period_grain": ["month"]})


def test_the_goals_thresholds_are_the_rules(monkeypatch):
    # 96 against a target of 100 misses by 4%: at risk within 5%, off track within 3%
    assert goals.kpi_status(96, 100, "higher_is_better") == "at_risk"
    assert goals.kpi_status(-0.5, 0, "higher_is_better", "score") == "at_risk"
    actuals = pd.DataFrame({"kpi_id": ["k"] * 3, "actual_value": [50.0] * 3, "period_start": [
        dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]})
    assert list(goals.off_track_runs(KPIS, actuals, dt.date(2026, 10, 1))["kpi_id"]) == ["k"]
    monkeypatch.setattr(rules, "TOLERANCE_SHARE", 0.03)
    monkeypatch.setitem(rules.ZERO_TARGET_TOLERANCE, "score", 0.25)
    monkeypatch.setattr(rules, "RUN_THRESHOLD", 4)
    assert goals.kpi_status(96, 100, "higher_is_better") == "off_track"
    assert goals.kpi_status(-0.5, 0, "higher_is_better", "score") == "off_track"
    assert goals.off_track_runs(KPIS, actuals, dt.date(2026, 10, 1)).empty
    assert goals.tolerance_words().startswith("3% of the target, or, when the target is 0, ")
    assert "0.25 points" in goals.tolerance_words()


def test_the_pages_say_the_goals_and_list_rules():
    assert goals.STATUSES["at_risk"].rule == (
        "The actual misses the target by no more than the tolerance: "
        f"{100 * rules.TOLERANCE_SHARE:g}% of the target, or, when the target is 0, 1 pp, "
        "1 point, 1 hour, 1 day, 1 count or $1,000 in the KPI's unit.")
    run = f"off track {rules.in_words(rules.RUN_THRESHOLD)} periods running"
    assert run == goals.OFF_TRACK_RUN
    assert f"latest {rules.in_words(rules.RUN_THRESHOLD)} or more periods" in goals.RUN_RULE
    assert run.capitalize() in [row["Term"] for row in glossary.alignment_rows()]
    assert run in action_rules.COMPARISON_RULES["kpi"]
    assert run in pages.PAGES_BY_KEY["alignment"].purpose
    assert rules.in_words(2) == "two" and rules.in_words(12) == "12"


def test_the_what_if_starts_at_the_rule():
    # the program reaches ten times the accounts exposed: the rule's start, not the reach
    result = SimpleNamespace(exposed_accounts=100, unexposed_accounts=1000)
    assert invest.what_if_default_pct(result) == rules.WHAT_IF_DEFAULT_PCT


def test_a_complaint_spike_is_flagged_by_the_rules(monkeypatch):
    terms = {row["Term"]: row["How it is computed"]
             for row in glossary.rows("Voice of the customer")}
    assert terms["Complaint spike"].startswith(f"More than {rules.SPIKE_MIN_COMMENTS} comments, "
                                               f"over {rules.SPIKE_RATIO:g} × ")
    # six months of 4 comments, then 11: above 5, 1.5 × 4 and 4 + 3 × 2
    months = pd.date_range("2025-01-01", periods=7, freq="MS")
    monthly = pd.DataFrame({"theme": "pricing", "month": months, "comments": [4] * 6 + [11]})
    assert len(satisfaction.detect_spikes(monthly)) == 1
    monkeypatch.setattr(rules, "SPIKE_MIN_COMMENTS", 11)
    assert satisfaction.detect_spikes(monthly) == []
    monkeypatch.setattr(rules, "SPIKE_MIN_COMMENTS", 5)
    monkeypatch.setattr(rules, "SPIKE_RATIO", 3.0)
    assert satisfaction.detect_spikes(monthly) == []


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


def test_a_survey_mean_becomes_points_on_its_scale_as_the_words_say():
    assert [rules.scale_points_words(kind) for kind in ("NPS", "CSAT", "CES")] == [
        "NPS × 10", "CSAT as (mean − 1) × 25", "CES as (mean − 1) ÷ 6 × 100"]
    with duckdb.connect() as con:
        create_schema(con)
        rollups.create_shared_macros(con)
        points = [con.execute(rules.render_sql(
            f"select scale_points($mean, {{{{{kind}_scale_low}}}}, {{{{{kind}_scale_high}}}})"),
            {"mean": mean}).fetchone()[0] for kind, mean in
            (("nps", 7.5), ("csat", 4.0), ("ces", 4.0), ("nps", 0), ("csat", 5))]
    assert points == pytest.approx([75.0, 75.0, 50.0, 0.0, 100.0])
