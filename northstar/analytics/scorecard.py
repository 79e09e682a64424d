"""What the department scorecard (views/scorecard.py) shows: the departments a viewer may open,
the department's score, its KPIs' history, engagement and kudos, and the rows behind a number."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from northstar.analytics import goals
from northstar.analytics.literal_text import literal
from northstar.analytics.periods import PeriodWindow
from northstar.data.months import add_months

DEFAULT_DEPARTMENT = "customer_service"  # the department with the most customer touchpoints
TOUCHPOINT_DRILL = "touchpoint"  # the drill choice listing the touchpoints' survey answers


def department_options(departments: pd.DataFrame, role: str, own_department: str | None
                       ) -> list[str]:
    """The departments a viewer may open: a department head only their own (none when their
    department is unknown), everyone else every department."""
    options = list(departments["department_id"])
    if role == "department_head":
        return [option for option in options if option == own_department]
    return options


def default_department(options: list[str]) -> str:
    return DEFAULT_DEPARTMENT if DEFAULT_DEPARTMENT in options else options[0]


def own_kpis(kpis: pd.DataFrame, department_id: str) -> pd.DataFrame:
    """The KPIs of one department, from the catalogue (goal_kpis)."""
    return kpis.loc[kpis["department_id"] == department_id].reset_index(drop=True)


def scores(own: pd.DataFrame, actuals: pd.DataFrame, departments: pd.DataFrame,
           department_id: str, window: PeriodWindow) -> tuple[pd.DataFrame, float, float]:
    """The department's KPI statuses in the period, its alignment score then and in the
    comparison period."""
    department = departments.loc[departments["department_id"] == department_id]
    statuses = goals.kpi_statuses(own, actuals, window.start_month, window.end_month)
    previous = goals.kpi_statuses(own, actuals, window.comparison_start_month,
                                  window.comparison_end_month)
    return (statuses, goals.department_scores(statuses, department)["score_pct"].iloc[0],
            goals.department_scores(previous, department)["score_pct"].iloc[0])


def off_track_text(runs: pd.DataFrame, own: pd.DataFrame) -> str:
    """The KPIs off track rules.RUN_THRESHOLD periods running or more, with how long
    (goals.off_track_runs)."""
    return (f"{goals.OFF_TRACK_RUN.capitalize()} or more: "
            + ", ".join(f"{literal(name)} ({count} periods)" for name, count in zip(
                runs.merge(own, on="kpi_id")["kpi_name"], runs["periods_running"], strict=True))
            + ". Listed for the accountability forum.")


def history_start(window: PeriodWindow) -> dt.date:
    """The first month of the KPI charts: a year back at least."""
    return add_months(window.end_month, -(max(window.months, 12) - 1))


def kpi_history(actuals: pd.DataFrame, kpi: Any, start: dt.date) -> pd.DataFrame:
    """One KPI's actuals from `start` (a quarterly KPI: from the start of its quarter)."""
    series = actuals.loc[actuals["kpi_id"] == kpi.kpi_id].copy()
    series["period_start"] = pd.to_datetime(series["period_start"])
    first = goals.quarter_start(start) if kpi.period_grain == "quarter" else start
    return series.loc[series["period_start"].dt.date >= first]


def target_range(values: pd.Series, target: float) -> list[float]:
    """A y range showing the values and the target, a tenth of their spread either side."""
    shown = [*values.dropna(), target]
    pad = (max(shown) - min(shown)) * 0.1 or abs(target) * 0.1 or 1
    return [min(shown) - pad, max(shown) + pad]


def kudos_table(kudos: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Employee": kudos["employee_name"], "Role": kudos["job_title"],
                         "Kudos": kudos["kudos"], "Accounts giving them": kudos["accounts"],
                         "Latest": kudos["latest_given_on"]})


def drill_choices(own: pd.DataFrame, has_touchpoints: bool, department_name: str
                  ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The KPIs Northstar computes (so has rows behind), and what a viewer can drill into."""
    computed = own.loc[own["computation"].isin(list(goals.DRILLS))]
    choices = {f"kpi:{row.kpi_id}": row.kpi_name for row in computed.itertuples()}
    if has_touchpoints:
        choices[TOUCHPOINT_DRILL] = f"Survey answers at {department_name}'s touchpoints"
    return computed, choices


def kpi_periods(actuals: pd.DataFrame, kpi_id: str) -> list[dt.date]:
    """The periods a KPI has actuals for, newest first."""
    starts = pd.to_datetime(actuals.loc[actuals["kpi_id"] == kpi_id, "period_start"])
    return sorted((start.date() for start in starts), reverse=True)


def actual_at(actuals: pd.DataFrame, kpi_id: str, period_start: dt.date) -> Any:
    """A KPI's actual in one period (None: none)."""
    actual = actuals.loc[(actuals["kpi_id"] == kpi_id)
                         & (pd.to_datetime(actuals["period_start"]).dt.date == period_start),
                         "actual_value"]
    return actual.iloc[0] if len(actual) else None


def drill_caption(rows: pd.DataFrame, described: str) -> str:
    """How many of the rows behind a number are listed, and what they are."""
    total = int(rows["total_rows"].iloc[0])
    shown = f"the first {len(rows):,} of {total:,}" if total > len(rows) else f"all {total:,}"
    covered = (f" {int(rows['covered_rows'].iloc[0]):,} of {total:,} accounts were surveyed."
               if "covered_rows" in rows else "")
    return f"Showing {shown} {described}.{covered} Select an account to open its 360 view."
