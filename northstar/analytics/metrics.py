"""The metrics registry: every KPI's name, label, unit, good direction and definition, once.

Labels, help tooltips, the glossary page, number formats and delta colours all read from
here. Values come from named queries whose columns carry the metric's name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from northstar.data import rules

Unit = Literal["usd", "pct", "nps", "mean_score", "count"]
Direction = Literal["higher_is_better", "lower_is_better"]


@dataclass(frozen=True)
class Metric:
    name: str  # the column that holds the value in query results
    label: str
    unit: Unit
    direction: Direction
    definition: str
    responses_column: str | None = None  # the n behind a survey metric
    scale: str | None = None  # the answer scale, for survey metrics
    # a revenue figure: without a revenue table in the data it is not shown at all
    needs_revenue: bool = False

    @property
    def delta_color(self) -> Literal["normal", "inverse"]:
        """st.metric colouring: green when the change is good for this metric."""
        return "normal" if self.direction == "higher_is_better" else "inverse"

    @property
    def delta_unit(self) -> str:
        return {"pct": " pp", "nps": " pts", "mean_score": "", "usd": "", "count": ""}[self.unit]


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric(
            "arr_usd", "ARR", "usd", "higher_is_better",
            "Annual recurring revenue at the end of the period: 12 × the monthly recurring "
            "revenue (MRR) billed in the period's last month, summed over accounts.",
            needs_revenue=True,
        ),
        Metric(
            "nrr_pct", "NRR", "pct", "higher_is_better",
            "Net revenue retention: ARR at the end of the period from the accounts that were "
            "active just before it (starting ARR + expansion − contraction − churned ARR), "
            "÷ their starting ARR. New accounts are excluded; can exceed 100%.",
            needs_revenue=True,
        ),
        Metric(
            "grr_pct", "GRR", "pct", "higher_is_better",
            "Gross revenue retention: (starting ARR − contraction − churned ARR) ÷ starting "
            "ARR, for the accounts active just before the period. Ignores expansion, so it "
            "never exceeds 100%.",
            needs_revenue=True,
        ),
        Metric(
            "logo_churn_pct", "Logo churn", "pct", "lower_is_better",
            "Accounts active just before the period that had no recurring revenue at its "
            "end ÷ accounts active just before the period. Logo retention = 100% − logo churn. "
            "In data without revenue, an account is active from its start date through the "
            "month of its churn date.",
        ),
        Metric(
            "nps", "NPS", "nps", "higher_is_better",
            "Net Promoter Score of relationship survey answers in the period: % promoters "
            f"({rules.NPS_PROMOTER_FROM}–10) − % detractors (0–{rules.NPS_DETRACTOR_TO}) on the "
            "0–10 'how likely to recommend' question; −100 to +100.",
            responses_column="nps_responses", scale="0–10",
        ),
        Metric(
            "csat_pct", "CSAT", "pct", "higher_is_better",
            "Customer satisfaction: share of CSAT answers in the period scoring "
            f"{rules.CSAT_SATISFIED_FROM}–5 on the 1–5 scale (post-installation, "
            "post-professional-services and support surveys, and ratings given on support "
            "tickets, counted once when a survey answer records the same ticket).",
            responses_column="csat_responses", scale="1–5",
        ),
        Metric(
            "ces_mean", "CES", "mean_score", "higher_is_better",
            "Customer effort score: the mean answer in the period to 'the company made it "
            "easy to handle my issue', 1 (strongly disagree) to 7 (strongly agree).",
            responses_column="ces_responses", scale="1–7",
        ),
        Metric(
            "open_escalations", "Open escalations", "count", "lower_is_better",
            "Support tickets that were escalated and were still unresolved at the end of the "
            "period's last day.",
        ),
    )
}

BRIEFING_KPIS: tuple[str, ...] = (
    "arr_usd", "nrr_pct", "grr_pct", "logo_churn_pct",
    "nps", "csat_pct", "ces_mean", "open_escalations",
)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas NA: a value to show as "—" (a list, dict or array of values is
    never missing)."""
    if value is None:
        return True
    if isinstance(value, list | tuple | dict | set | np.ndarray):
        return False
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(missing, bool | np.bool_) and bool(missing)


def shown_usd(value: float) -> float:
    """A dollar amount rounded as format_usd shows it ($135M, $28.0M, $4.25K, $920)."""
    magnitude = abs(value)
    for threshold in (1e9, 1e6, 1e3):
        if magnitude >= threshold:
            scaled = magnitude / threshold
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return math.copysign(round(scaled, digits) * threshold, value)
    return float(round(value))


def format_usd(value: float) -> str:
    """$1.23B / $12.4M / $850K / $920, sign kept."""
    sign = "−" if value < 0 else ""
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            scaled = magnitude / threshold
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}${scaled:.{digits}f}{suffix}"
    return f"{sign}${magnitude:,.0f}"


def format_value(metric: Metric | str, value: float | int | None) -> str:
    """A metric's value as shown on screen and in exports ("—" when there is none)."""
    metric = METRICS[metric] if isinstance(metric, str) else metric
    if is_missing(value):
        return "—"
    if metric.unit == "usd":
        return format_usd(float(value))
    if metric.unit == "pct":
        return f"{value:.1f}%"
    if metric.unit == "nps":
        return f"{value:+.0f}"
    if metric.unit == "mean_score":
        return f"{value:.2f} / 7" if metric.scale == "1–7" else f"{value:.2f}"
    return f"{int(round(value)):,}"


# the units of department KPIs (a KPI's `unit`), beside the registry's metric units
KPI_UNIT_SUFFIX = {"pct": "%", "hours": " h", "days": " days", "count": "", "score": " pts"}


def format_in_unit(value: Any, unit: str) -> str:
    """A value in a department KPI's unit: '4.3 h', '71.9%', '$2.60M', '+26 pts', '413'
    ("—" when there is none)."""
    if is_missing(value):
        return "—"
    value = float(value)
    if unit == "usd":
        return format_usd(value)
    if unit == "score":
        return f"{value:+.0f} pts"
    if unit == "count":
        # a whole count stays whole (a target of 12); a mean over months may be 12.5
        return f"{value:,.0f}" if abs(value) >= 100 or value == round(value) else f"{value:,.1f}"
    return f"{value:,.1f}{KPI_UNIT_SUFFIX.get(unit, '')}"


def format_delta(metric: Metric | str, delta: float | int | None) -> str | None:
    """A change in a metric: signed, in points for percentages and NPS."""
    metric = METRICS[metric] if isinstance(metric, str) else metric
    if is_missing(delta):
        return None
    if rounds_to_zero(metric, delta):
        return "0" + {"pct": ".0 pp", "nps": " pts", "mean_score": ".00"}.get(metric.unit, "")
    if metric.unit == "usd":
        text = format_usd(abs(float(delta)))
        return ("+" if delta >= 0 else "-") + text  # ascii sign: st.metric reads it
    if metric.unit == "pct":
        return f"{delta:+.1f}{metric.delta_unit}"
    if metric.unit == "nps":
        return f"{delta:+.0f}{metric.delta_unit}"
    if metric.unit == "mean_score":
        return f"{delta:+.2f}"
    return f"{int(round(delta)):+,}"


DISPLAY_DECIMALS: dict[str, int] = {"pct": 1, "nps": 0, "mean_score": 2, "count": 0, "usd": 0}


def shown_delta(metric: Metric | str, value: float | None,
                previous: float | None) -> float | None:
    """The change as the screen shows it: the difference of the two values at their display
    precision, so a delta always equals the shown values' difference (97.1% from 95.3% is
    +1.8 pp, never +1.9; $525M from $420M is +$105M, never +$104M)."""
    metric = METRICS[metric] if isinstance(metric, str) else metric
    if is_missing(value) or is_missing(previous):
        return None
    if metric.unit == "usd":
        return shown_usd(float(value)) - shown_usd(float(previous))  # type: ignore[arg-type]
    digits = DISPLAY_DECIMALS[metric.unit]
    return round(round(float(value), digits) - round(float(previous), digits), digits)  # type: ignore[arg-type]


def rounds_to_zero(metric: Metric | str, delta: float) -> bool:
    """Whether a change shows as zero at the metric's display precision."""
    metric = METRICS[metric] if isinstance(metric, str) else metric
    return round(abs(delta), DISPLAY_DECIMALS[metric.unit]) == 0


def glossary_rows() -> list[dict[str, str]]:
    """The glossary as rows: label, definition, unit, which way is good."""
    unit_text = {
        "usd": "US dollars", "pct": "Percent", "nps": "Points (−100 to +100)",
        "mean_score": "Mean score", "count": "Count",
    }
    return [
        {
            "Metric": metric.label,
            "Definition": metric.definition,
            "Unit": unit_text[metric.unit],
            "Better when": "Higher" if metric.direction == "higher_is_better" else "Lower",
            "Survey scale": metric.scale or "",
        }
        for metric in METRICS.values()
    ]
