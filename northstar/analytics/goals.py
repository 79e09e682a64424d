"""Goals and alignment: KPI status against target, alignment scores, accountability.

The KPI catalogue (department_kpis, kpi_outcomes) and its actuals (kpi_actuals; the computed
KPIs' actuals are rebuilt by the rollup rollups_sql/kpi_actuals.sql) come from named
queries; the rules that judge them live here, once, and are unit tested:

- status: on track / at risk / off track / no data (`kpi_status`);
- a KPI's actual over a period of months (`period_actuals`);
- alignment score per department and overall (`department_scores`, `overall_score`);
- KPIs off track RUN_THRESHOLD or more periods running (`off_track_runs`).

Their thresholds (the at-risk tolerance, the run that lists a KPI) are rules of
northstar/data/rules.py.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from northstar.analytics import display, satisfaction
from northstar.analytics.links import account_link, scorecard_link
from northstar.analytics.metrics import (
    format_delta,
    format_in_unit,
    format_value,
    is_missing,
    shown_delta,
)
from northstar.analytics.significance import Verdict
from northstar.data import rules
from northstar.data.measures import MEASURES
from northstar.data.months import add_months

# --- status -----------------------------------------------------------------------------------

# a zero target's tolerance (rules.ZERO_TARGET_TOLERANCE) in words, per unit
_ZERO_TOLERANCE_WORDS: dict[str, tuple[str, str]] = {
    # unit -> (one, several) with {} for the amount
    "pct": ("{} pp", "{} pp"), "score": ("{} point", "{} points"),
    "hours": ("{} hour", "{} hours"), "days": ("{} day", "{} days"),
    "count": ("{} count", "{} counts"), "usd": ("${:,}", "${:,}"),
}


def _amount_words(unit: str, amount: float) -> str:
    one, several = _ZERO_TOLERANCE_WORDS[unit]
    number = int(amount) if float(amount).is_integer() else amount
    return (one if number == 1 else several).format(number)


def tolerance_words() -> str:
    """The at-risk tolerance as the status's rule says it: the share of the target, or, when
    the target is 0, the amount in each unit ('1 pp, 1 point, …, 1 count or $1,000')."""
    amounts = [_amount_words(unit, amount) for unit, amount in rules.ZERO_TARGET_TOLERANCE.items()
               if unit in _ZERO_TOLERANCE_WORDS]
    listed = ", ".join(amounts[:-1]) + f" or {amounts[-1]}" if len(amounts) > 1 else amounts[0]
    return (f"{100 * rules.TOLERANCE_SHARE:g}% of the target, or, when the target is 0, "
            f"{listed} in the KPI's unit")


_EPSILON = 1e-9  # float noise when an actual sits exactly on an edge


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    symbol: str  # plain-text shape, renders in any font
    icon: str  # material icon for st.metric / st.badge
    credit: float  # what the status earns in the alignment score (KPIs serving an outcome)
    rule: str


STATUSES: dict[str, Status] = {
    status.key: status
    for status in (
        Status("on_track", "On track", "✓", ":material/check_circle:", 1.0,
               "The actual meets or beats the target in the KPI's direction."),
        Status("at_risk", "At risk", "▲", ":material/warning:", 0.5,
               f"The actual misses the target by no more than the tolerance: "
               f"{tolerance_words()}."),
        Status("off_track", "Off track", "✕", ":material/cancel:", 0.0,
               "The actual misses the target by more than the tolerance."),
        Status("no_data", "No data", "–", ":material/help:", 0.0,
               "The KPI has no actual for the period, or no target."),
    )
}
STATUS_ORDER = tuple(STATUSES)


def tolerance(target: float, unit: str) -> float:
    """How far an actual may miss the target and still be 'at risk' rather than 'off track'."""
    if target == 0:
        return rules.ZERO_TARGET_TOLERANCE.get(unit, 1.0)
    return rules.TOLERANCE_SHARE * abs(target)


def kpi_status(actual: Any, target: Any, direction: str, unit: str = "count") -> str:
    """on_track, at_risk, off_track or no_data for an actual against its target."""
    if is_missing(actual) or is_missing(target):
        return "no_data"
    actual, target = float(actual), float(target)
    shortfall = target - actual if direction == "higher_is_better" else actual - target
    if shortfall <= _EPSILON * max(1.0, abs(target)):
        return "on_track"
    if shortfall <= tolerance(target, unit) + _EPSILON * max(1.0, abs(target)):
        return "at_risk"
    return "off_track"


def status_text(status: str) -> str:
    """'✓ On track': shape and words, never colour alone."""
    return f"{STATUSES[status].symbol} {STATUSES[status].label}"


# --- values -----------------------------------------------------------------------------------


UNIT_NAMES = {"pct": "%", "hours": "hours", "days": "days", "count": "count",
              "score": "points", "usd": "$"}


def chart_title(kpi_name: str, unit: str, target: float | None, direction: str) -> str:
    """A KPI chart's title with its unit, and under it the target and which way is good:
    'Median first response time, hours<br>target 4.0 h (dashed) · lower is better'."""
    second = [direction_text(direction)]
    if not is_missing(target):
        second.insert(0, f"target {format_in_unit(target, unit)} (dashed)")
    return f"{kpi_name}, {UNIT_NAMES.get(unit, unit)}<br>{' · '.join(second)}"


def direction_text(direction: str) -> str:
    return "higher is better" if direction == "higher_is_better" else "lower is better"


# --- periods ----------------------------------------------------------------------------------


def quarter_start(month: dt.date) -> dt.date:
    return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def quarter_label(start: dt.date, last_month: dt.date | None = None) -> str:
    label = f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if last_month is not None and start <= last_month < add_months(start, 2):
        label += " (to date)"
    return label


def period_label(period_start: dt.date, grain: str, last_month: dt.date | None = None) -> str:
    if grain == "quarter":
        return quarter_label(period_start, last_month)
    return period_start.strftime("%b %Y")


def period_end(period_start: dt.date, grain: str, as_of: dt.date) -> dt.date:
    """The last day of a KPI period (a period still running ends on the as-of date)."""
    next_start = add_months(period_start, 3 if grain == "quarter" else 1)
    return min(next_start - dt.timedelta(days=1), as_of)


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


def period_actuals(
    kpis: pd.DataFrame, actuals: pd.DataFrame, start_month: dt.date, end_month: dt.date
) -> pd.DataFrame:
    """Each KPI's actual over the months start_month..end_month: the mean of its period actuals.

    Monthly KPIs: the months in the window. Quarterly KPIs: the quarters overlapping it. Periods
    without an actual are left out of the mean; none at all gives a missing actual. Returns
    kpi_id, actual_value, periods (how many actuals were averaged).
    """
    grains = dict(zip(kpis["kpi_id"], kpis["period_grain"], strict=True))
    frame = actuals.loc[actuals["kpi_id"].isin(list(grains))]
    starts = _dates(frame["period_start"]).to_numpy()
    opening_quarter = quarter_start(start_month)
    first = np.array(
        [opening_quarter if grains[kpi_id] == "quarter" else start_month
         for kpi_id in frame["kpi_id"]],
        dtype=object,
    )
    inside = (starts >= first) & (starts <= end_month) & frame["actual_value"].notna().to_numpy()
    means = frame.loc[inside].groupby("kpi_id")["actual_value"].agg(
        actual_value="mean", periods="count"
    )
    value_of, periods_of = means["actual_value"].to_dict(), means["periods"].to_dict()
    return pd.DataFrame(
        {
            "kpi_id": kpis["kpi_id"].to_numpy(),
            "actual_value": [value_of.get(kpi_id, np.nan) for kpi_id in kpis["kpi_id"]],
            "periods": [int(periods_of.get(kpi_id, 0)) for kpi_id in kpis["kpi_id"]],
        }
    ).astype({"kpi_id": kpis["kpi_id"].dtype, "actual_value": "float64", "periods": "int64"})


def kpi_statuses(
    kpis: pd.DataFrame, actuals: pd.DataFrame, start_month: dt.date, end_month: dt.date
) -> pd.DataFrame:
    """The catalogue with each KPI's actual over the window, its status and alignment credit."""
    # the catalogue's KPI ids are unique, so the actuals line up with it row for row
    window = period_actuals(kpis, actuals, start_month, end_month)
    frame = kpis.reset_index(drop=True).assign(
        actual_value=window["actual_value"].to_numpy(), periods=window["periods"].to_numpy()
    )
    frame["status"] = [
        kpi_status(actual, target, direction, unit)
        for actual, target, direction, unit in zip(
            frame["actual_value"], frame["target_value"], frame["direction"], frame["unit"],
            strict=True,
        )
    ]
    frame["serves_outcome"] = [len(_outcomes(ids)) > 0 for ids in frame["outcome_ids"]]
    frame["credit"] = [
        STATUSES[status].credit if serves else 0.0
        for status, serves in zip(frame["status"], frame["serves_outcome"], strict=True)
    ]
    return frame


def _outcomes(ids: Any) -> list[str]:
    if ids is None or (not isinstance(ids, list | tuple) and is_missing(ids)):
        return []
    return [str(outcome) for outcome in ids]


# --- alignment score --------------------------------------------------------------------------

def score_rule() -> str:
    """What the alignment score is and how it is computed (its measure, score_pct)."""
    measure = MEASURES["score_pct"]
    return f"{measure.label}: {measure.described} {measure.computation}"


def score_text(score: float | None) -> str:
    """An alignment score as every page shows it (the measure's rounding: '70.8%')."""
    return format_value("score_pct", score)


def engagement_change_text(scores: pd.Series) -> str | None:
    """The latest quarter's engagement against the quarter before, as the scores are shown
    ('+7' from 56 to 63), None with a single quarter."""
    if len(scores) < 2:
        return None
    latest, previous = scores.iloc[-1], scores.iloc[-2]
    return format_delta("engagement_score", shown_delta("engagement_score", latest, previous))


def score_change_text(score: float | None, previous: float | None) -> str | None:
    """The change in an alignment score, the difference of the scores as shown ('+2.5 pp')."""
    return format_delta("score_pct", shown_delta("score_pct", score, previous))


class _KpiStatus(NamedTuple):
    status: str
    credit: float  # as kpi_statuses gives it: 0 for a KPI serving no outcome
    serves_outcome: bool
    outcome_ids: list[str]


def _kpis_by_department(statuses: pd.DataFrame) -> dict[Any, list[_KpiStatus]]:
    """kpi_statuses' rows per department, as plain tuples (a few dozen KPIs: quicker than
    filtering the frame once per department and outcome)."""
    by_department: dict[Any, list[_KpiStatus]] = {}
    for department_id, status, credit, serves, ids in zip(
        statuses["department_id"], statuses["status"], statuses["credit"],
        statuses["serves_outcome"], statuses["outcome_ids"], strict=True,
    ):
        by_department.setdefault(department_id, []).append(
            _KpiStatus(status, float(credit), bool(serves), _outcomes(ids)))
    return by_department


def _status_counts(kpis: list[_KpiStatus]) -> dict[str, int]:
    """How many KPIs have each status, in STATUS_ORDER."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for kpi in kpis:
        if kpi.status in counts:
            counts[kpi.status] += 1
    return counts


def department_scores(statuses: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    """One row per department: KPI counts by status, KPIs serving no outcome, score_pct."""
    by_department = _kpis_by_department(statuses)
    rows = []
    for department_id, department_name in zip(
        departments["department_id"], departments["department_name"], strict=True
    ):
        own = by_department.get(department_id, [])
        credit = sum(kpi.credit for kpi in own)
        rows.append(
            {
                "department_id": department_id,
                "department_name": department_name,
                "kpis": len(own),
                **_status_counts(own),
                "serving_no_outcome": sum(1 for kpi in own if not kpi.serves_outcome),
                "score_pct": 100.0 * credit / len(own) if own else math.nan,
            }
        )
    return pd.DataFrame(rows)


def overall_score(scores: pd.DataFrame) -> float | None:
    """Mean of the department scores (departments without KPIs left out); None when none."""
    values = scores["score_pct"].dropna()
    return float(values.mean()) if len(values) else None


def quarterly_scores(
    kpis: pd.DataFrame, actuals: pd.DataFrame, departments: pd.DataFrame, last_month: dt.date,
    quarters: int = 8,
) -> pd.DataFrame:
    """Alignment scores per quarter (the last one to date): quarter, series, score_pct, oldest
    first; series is each department's name and 'Overall'. Quarters without any actual are
    skipped."""
    if actuals.empty:
        return pd.DataFrame(columns=["quarter_start", "quarter", "series", "score_pct"])
    first = quarter_start(min(_dates(actuals["period_start"])))
    start = max(first, add_months(quarter_start(last_month), -3 * (quarters - 1)))
    rows = []
    while start <= last_month:
        end = min(add_months(start, 2), last_month)
        statuses = kpi_statuses(kpis, actuals, start, end)
        if (statuses["periods"] > 0).any():
            scores = department_scores(statuses, departments)
            label = quarter_label(start, last_month)
            for name, score in zip(scores["department_name"], scores["score_pct"], strict=True):
                rows.append({"quarter_start": start, "quarter": label, "series": name,
                             "score_pct": score})
            rows.append({"quarter_start": start, "quarter": label, "series": "Overall",
                         "score_pct": overall_score(scores)})
        start = add_months(start, 3)
    return pd.DataFrame(rows)


# --- outcomes matrix --------------------------------------------------------------------------

NO_OUTCOME = "No customer outcome"


def outcome_matrix(
    statuses: pd.DataFrame, departments: pd.DataFrame, outcomes: pd.DataFrame
) -> pd.DataFrame:
    """Department × outcome cells: KPIs serving the outcome, how many on track / at risk / off
    track / no data, and the cell's share of credit (as the alignment score) in %. A last column
    holds the KPIs serving no outcome. Rows department_name, columns outcome names."""
    columns = list(outcomes["outcome_name"]) + [NO_OUTCOME]
    names = dict(zip(outcomes["outcome_id"], outcomes["outcome_name"], strict=True))
    by_department = _kpis_by_department(statuses)
    cells = []
    for department_id, department_name in zip(
        departments["department_id"], departments["department_name"], strict=True
    ):
        own = by_department.get(department_id, [])
        for column in columns:
            if column == NO_OUTCOME:
                served = [kpi for kpi in own if not kpi.serves_outcome]
            else:
                outcome_id = next(key for key, name in names.items() if name == column)
                served = [kpi for kpi in own if outcome_id in kpi.outcome_ids]
            cells.append(
                {
                    "department_id": department_id,
                    "department_name": department_name,
                    "outcome": column,
                    "kpis": len(served),
                    **_status_counts(served),
                    # a KPI in an outcome's column serves it, so its credit is its status's
                    "share_pct": (
                        100.0 * sum(kpi.credit for kpi in served) / len(served)
                        if served and column != NO_OUTCOME else math.nan
                    ),
                }
            )
    return pd.DataFrame(cells)


def cell_text(row: pd.Series) -> str:
    """'2 KPIs<br>✓1 ▲1' — the count and the statuses as shapes; '—' for none."""
    if row["kpis"] == 0:
        return "—"
    parts = [
        f"{STATUSES[status].symbol}{row[status]}" for status in STATUS_ORDER if row[status]
    ]
    noun = "KPI" if row["kpis"] == 1 else "KPIs"
    return f"{row['kpis']} {noun}<br>{' '.join(parts)}"


def unowned_outcomes(kpi_outcomes_ids: pd.Series, outcomes: pd.DataFrame) -> list[str]:
    """Outcome names that no department's KPI serves."""
    served = {outcome for ids in kpi_outcomes_ids for outcome in _outcomes(ids)}
    return [
        name
        for outcome_id, name in zip(outcomes["outcome_id"], outcomes["outcome_name"], strict=True)
        if outcome_id not in served
    ]


# --- accountability ---------------------------------------------------------------------------

# the accountability list in words: "off track", the run (rules.RUN_THRESHOLD), "periods running"
OFF_TRACK_RUN = f"off track {rules.in_words(rules.RUN_THRESHOLD)} periods running"
RUN_RULE = (
    f"A KPI is listed when it is off track in each of its latest "
    f"{rules.in_words(rules.RUN_THRESHOLD)} or more periods (months or quarters, its own grain) "
    "in a row, counted back from its latest period with an actual up to the data's last month, "
    "against its current target; a period without an actual ends the run."
)


def latest_statuses(kpis: pd.DataFrame, actuals: pd.DataFrame,
                    end_month: dt.date) -> pd.DataFrame:
    """Each KPI's status in its latest period with an actual up to `end_month` and how many of
    its latest periods in a row had that same status (a period without an actual ends the
    run): kpi_id, latest_status, periods_running, since (first period of the run),
    latest_period, latest_actual, period_grain. A KPI without any actual is absent."""
    rows = []
    frame = actuals.assign(period_start=_dates(actuals["period_start"]))
    for kpi in kpis.itertuples(index=False):
        series = frame.loc[
            (frame["kpi_id"] == kpi.kpi_id) & (frame["period_start"] <= end_month)
        ].sort_values("period_start", ascending=False)
        if series.empty:
            continue
        step = 3 if kpi.period_grain == "quarter" else 1
        latest = kpi_status(series["actual_value"].iloc[0], kpi.target_value, kpi.direction,
                            kpi.unit)
        run, since, expected = 0, None, None
        for period, actual in zip(series["period_start"], series["actual_value"], strict=True):
            if expected is not None and period != expected:
                break  # a period without an actual ends the run
            if kpi_status(actual, kpi.target_value, kpi.direction, kpi.unit) != latest:
                break
            run, since, expected = run + 1, period, add_months(period, -step)
        rows.append({"kpi_id": kpi.kpi_id, "latest_status": latest, "periods_running": run,
                     "since": since, "latest_period": series["period_start"].iloc[0],
                     "latest_actual": series["actual_value"].iloc[0],
                     "period_grain": kpi.period_grain})
    return pd.DataFrame(rows, columns=["kpi_id", "latest_status", "periods_running", "since",
                                       "latest_period", "latest_actual", "period_grain"])


def off_track_runs(
    kpis: pd.DataFrame, actuals: pd.DataFrame, end_month: dt.date, threshold: int | None = None
) -> pd.DataFrame:
    """KPIs off track for `threshold` (rules.RUN_THRESHOLD unless given) or more periods
    running: kpi_id, periods_running,
    since (first period of the run), latest_period, latest_actual; longest runs first."""
    if threshold is None:
        threshold = rules.RUN_THRESHOLD
    latest = latest_statuses(kpis, actuals, end_month)
    result = latest.loc[(latest["latest_status"] == "off_track")
                        & (latest["periods_running"] >= threshold),
                        ["kpi_id", "periods_running", "since", "latest_period", "latest_actual"]]
    return result.sort_values(["periods_running", "kpi_id"], ascending=[False, True],
                              ignore_index=True)


def latest_text(row: Any, as_of: dt.date | None = None) -> str:
    """'✕ Off track · 3 months in a row', '✓ On track · Oct 2026': a KPI's latest period status,
    beside the window's, so a mean on track over months now below target says so."""
    if row is None:
        return status_text("no_data")
    status = status_text(str(row["latest_status"]))
    count = int(row["periods_running"])
    unit = "quarter" if row["period_grain"] == "quarter" else "month"
    if count >= 2:
        return f"{status} · {count} {unit}s in a row"
    return f"{status} · {period_label(row['latest_period'], str(row['period_grain']), as_of)}"


# --- tables for display -----------------------------------------------------------------------

# a KPI's actual over a window is the mean of its periods' actuals: its header says so, because
# the same rate over all of the window's answers or tickets (as Satisfaction and CCO programs
# show it) can differ
ACTUAL_COLUMN = "Actual (mean of periods)"
# the touchpoint scores count every answer at the department's touchpoints in the window
TOUCHPOINT_SCORE_COLUMN = "Score (answers at this department's touchpoints)"


def actual_caption(window_phrase: str) -> str:
    """How to read the KPI tables' actuals, in one sentence; `window_phrase` names the period
    mid-sentence ("the last 12 months, Nov 2025 – Oct 2026")."""
    return (f"{ACTUAL_COLUMN} = the mean of the KPI's actuals (one per month or quarter) over "
            f"{window_phrase}; a rate over all of the period's answers or tickets, as Satisfaction "
            "and CCO programs show it, can differ.")



def status_table(statuses: pd.DataFrame, latest: pd.DataFrame, department_links: bool = True,
                 as_of: dt.date | None = None) -> pd.DataFrame:
    """The per-KPI status table with human column names: the status over the window (from its
    mean actual) and, beside it, the status of the latest period and how long it has held
    (latest_statuses rows)."""
    by_kpi = {row["kpi_id"]: row for row in latest.to_dict("records")}
    order = {status: index for index, status in enumerate(("off_track", "at_risk", "no_data",
                                                            "on_track"))}
    frame = statuses.assign(_order=statuses["status"].map(order)).sort_values(
        ["department_name", "_order", "kpi_name"]
    )
    table = pd.DataFrame(
        {
            "Department": [
                scorecard_link(department_id, name) if department_links else name
                for department_id, name in zip(
                    frame["department_id"], frame["department_name"], strict=True
                )
            ],
            "KPI": frame["kpi_name"],
            "Customer outcomes": [names or None for names in frame["outcome_names"].fillna("")],
            "Target": [format_in_unit(value, unit)
                       for value, unit in zip(frame["target_value"], frame["unit"], strict=True)],
            ACTUAL_COLUMN: [format_in_unit(value, unit)
                       for value, unit in zip(frame["actual_value"], frame["unit"], strict=True)],
            "Status": [status_text(status) for status in frame["status"]],
            "Better when": [direction_text(value).split()[0] for value in frame["direction"]],
            "Latest period": [latest_text(by_kpi.get(kpi), as_of) for kpi in frame["kpi_id"]],
            "Owner": frame["owner_name"].fillna("—"),
            "Next review": frame["next_review_on"],
            "Actuals": [
                "From Northstar's data" if source == "computed" else "Reported by the department"
                for source in frame["source"]
            ],
        }
    )
    if not department_links:
        table = table.drop(columns="Department")
    return table.reset_index(drop=True)


def accountability_table(
    runs: pd.DataFrame, kpis: pd.DataFrame, last_month: dt.date
) -> pd.DataFrame:
    frame = runs.merge(kpis, on="kpi_id")
    return pd.DataFrame(
        {
            "Department": [scorecard_link(d, n) for d, n in
                           zip(frame["department_id"], frame["department_name"], strict=True)],
            "KPI": frame["kpi_name"],
            "Off track in a row (periods)": frame["periods_running"],
            "Since": [period_label(start, grain, last_month)
                      for start, grain in zip(frame["since"], frame["period_grain"], strict=True)],
            "Latest actual": [
                f"{format_in_unit(value, unit)} · {period_label(period, grain, last_month)}"
                for value, unit, period, grain in zip(
                    frame["latest_actual"], frame["unit"], frame["latest_period"],
                    frame["period_grain"], strict=True,
                )
            ],
            "Target": [format_in_unit(value, unit)
                       for value, unit in zip(frame["target_value"], frame["unit"], strict=True)],
            "Owner": frame["owner_name"].fillna("—"),
            "Next review": frame["next_review_on"],
        }
    )


# --- drill-downs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drill:
    """Which rows stand behind a computed KPI: a named query and its fixed parameters."""

    query: str
    params: dict[str, Any]
    rows: str  # what the rows are, in words


DRILLS: dict[str, Drill] = {
    "first_response_median_hours": Drill(
        "goal_drill_tickets", {"basis": "opened", "categories": []},
        "tickets opened in the period, slowest first response first"),
    "resolution_median_hours": Drill(
        "goal_drill_tickets", {"basis": "resolved", "categories": []},
        "tickets resolved in the period, slowest resolution first"),
    "defect_tickets_per_1k_accounts": Drill(
        "goal_drill_tickets", {"basis": "opened", "categories": ["defect"]},
        "defect tickets opened in the period"),
    "support_csat_pct": Drill(
        "goal_drill_answers", {"survey_types": ["CSAT"], "programs": ["support"],
                               "department_ids": []},
        "post-support CSAT answers in the period, lowest score first"),
    "post_ps_csat_pct": Drill(
        "goal_drill_answers", {"survey_types": ["CSAT"], "programs": ["post_professional_services"],
                               "department_ids": []},
        "post-professional-services CSAT answers in the period, lowest score first"),
    "onboarding_csat_pct": Drill(
        "goal_drill_answers", {"survey_types": ["CSAT"], "programs": ["post_installation"],
                               "department_ids": []},
        "30-day onboarding CSAT answers in the period, lowest score first"),
    "relationship_nps": Drill(
        "goal_drill_answers", {"survey_types": ["NPS"], "programs": ["relationship"],
                               "department_ids": []},
        "relationship NPS answers in the period, lowest score first"),
    "new_arr_usd": Drill(
        "goal_drill_revenue", {"movement": "new"},
        "accounts billed at the end of the period and not just before it, largest first"),
    "expansion_arr_usd": Drill(
        "goal_drill_revenue", {"movement": "expansion"},
        "accounts that grew their subscription over the period, largest growth first"),
    "survey_coverage_pct": Drill(
        "goal_drill_coverage", {},
        "accounts billed at the end of the period, those without a relationship answer in the "
        f"{rules.in_words(rules.SURVEY_COVERAGE_MONTHS)} months to then first"),
}


def drill_params(
    computation: str, period_start: dt.date, grain: str, as_of: dt.date
) -> tuple[str, dict[str, Any]]:
    """The named query and parameters listing the rows behind a computed KPI in one period."""
    drill = DRILLS[computation]
    end = period_end(period_start, grain, as_of)
    closing_month = end.replace(day=1)
    return drill.query, {
        **drill.params,
        "start_date": period_start,
        "end_date": end,
        "opening_month": add_months(period_start, -1),
        "closing_month": closing_month,
        "limit": rules.LIST_LIMIT,
    }


SURVEY_PROGRAMS = {
    "relationship": "Relationship",
    "post_installation": "30-day onboarding",
    "post_professional_services": "After professional services",
    "support": "Support",
    "ticket_rating": "Ticket rating",
}


def drill_table(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """Drill-down rows with human column names and account links."""
    links = [account_link(account_id, name)
             for account_id, name in zip(frame["account_id"], frame["account_name"], strict=True)]
    if query == "goal_drill_tickets":
        return pd.DataFrame({
            "Ticket": frame["ticket_id"], "Account": links, "Opened": frame["opened_at"],
            "First response (hours)": frame["first_response_hours"],
            # capitalised as on Account 360 and CCO programs ("Feature request")
            "Resolution (hours)": frame["resolution_hours"],
            "Category": frame["category"].str.capitalize(),
            "Priority": frame["priority"].str.capitalize(),
            "Status": frame["status"].str.capitalize(),
            "Team": frame["department_name"],
        })
    if query == "goal_drill_answers":
        return pd.DataFrame({
            "Account": links, "Answered on": frame["responded_on"],
            "Survey": frame["survey_type"],
            "Program": [SURVEY_PROGRAMS.get(program, program) for program in frame["program"]],
            "Touchpoint": frame["department_name"], "Score": frame["score"],
            "Comment": frame["comment"].fillna(""),
        })
    if query == "goal_drill_revenue":
        return pd.DataFrame({
            "Account": links, "Segment": frame["segment"], "Plan": frame["plan"],
            "ARR before": frame["opening_arr_usd"], "ARR after": frame["closing_arr_usd"],
            "ARR added": frame["change_arr_usd"],
        })
    return pd.DataFrame({
        "Account": links, "Segment": frame["segment"], "ARR": frame["arr_usd"],
        "Surveyed in the last 6 months": ["yes" if covered else "no — not covered"
                                          for covered in frame["is_covered"]],
        "Latest relationship answer": frame["latest_answer_on"],
    })


# the measure of each survey type's score (northstar/data/measures.toml)
SURVEY_MEASURES = {"NPS": "nps", "CSAT": "csat_pct", "CES": "ces_mean"}
SURVEY_SCALES = {"NPS": "NPS (−100 to +100)", "CSAT": "CSAT (% of 4–5)", "CES": "CES (mean, 1–7)"}


def touchpoint_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Touchpoint scores with n and the change, as text in each measure's own unit."""
    def score_text(survey_type: str, value: Any) -> str:
        return display.measure_text(SURVEY_MEASURES[survey_type], value)

    def change_text(survey_type: str, value: Any, previous: Any) -> str:
        # the difference of the scores as shown, as on the Satisfaction page and the KPI wall
        name = SURVEY_MEASURES[survey_type]
        return format_delta(name, shown_delta(name, value, previous)) or "—"

    return pd.DataFrame({
        "Measure": [SURVEY_SCALES.get(kind, kind) for kind in frame["survey_type"]],
        "Program": [SURVEY_PROGRAMS.get(program, program) for program in frame["program"]],
        TOUCHPOINT_SCORE_COLUMN: [score_text(kind, value)
                  for kind, value in zip(frame["survey_type"], frame["score"], strict=True)],
        "Answers (n)": frame["answers"].astype(int),
        "Change vs comparison": [
            change_text(kind, value, previous)
            for kind, value, previous in zip(frame["survey_type"], frame["score"],
                                             frame["comparison_score"], strict=True)
        ],
        "Answers in comparison (n)": frame["comparison_answers"].astype(int),
        "Change is": [touchpoint_verdict(row).text for _, row in frame.iterrows()],
    })


def touchpoint_verdict(row: pd.Series) -> Verdict:
    """Whether a touchpoint score changed beyond noise (the Satisfaction page's test)."""
    def tallies(prefix: str) -> pd.Series:
        return pd.Series({
            "responses": row[f"{prefix}answers"], "promoters": row[f"{prefix}promoters"],
            "detractors": row[f"{prefix}detractors"], "satisfied": row[f"{prefix}satisfied"],
            "score_total": row[f"{prefix}score_total"],
            "score_squares_total": row[f"{prefix}score_squares_total"],
        })

    current = satisfaction.estimate_from_row(row["survey_type"], tallies(""))
    previous = satisfaction.estimate_from_row(row["survey_type"], tallies("comparison_"))
    return satisfaction.change_verdict(current, previous)
