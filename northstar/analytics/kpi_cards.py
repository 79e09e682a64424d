"""The briefing's KPI wall: current value, change against the comparison period, sparkline.

Built from the `kpi_windows` query's rows so it can be tested without Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from northstar.analytics import satisfaction, significance
from northstar.analytics.metrics import (
    METRICS,
    Metric,
    briefing_kpis,
    delta_color,
    format_delta,
    format_value,
    rounds_to_zero,
    shown_delta,
)
from northstar.analytics.periods import PeriodWindow
from northstar.analytics.significance import EXACT, Status, Verdict


@dataclass(frozen=True)
class KpiCard:
    metric: Metric
    value: float | None
    comparison_value: float | None
    value_text: str
    delta_text: str | None
    sparkline: list[float | None]
    responses: int | None  # n behind a survey metric in the period
    note: str | None  # why a value is missing, or the n
    verdict: Verdict = EXACT  # whether the change is beyond noise (see significance)

    @property
    def delta_is_change(self) -> bool:
        """False when there is no change at the precision shown."""
        return self.delta is not None and not rounds_to_zero(self.metric, self.delta)

    @property
    def delta_color(self) -> str:
        """Coloured (good or bad for the metric) only for a change beyond noise."""
        return delta_color(self.metric) if self.delta_is_change and self.verdict.is_real else "off"

    @property
    def delta_note(self) -> str | None:
        """'within noise' or 'too few to tell (…)' when the change is not to be read as one."""
        if not self.delta_is_change or self.verdict.is_real:
            return None
        return self.verdict.text

    def change_text(self, comparison_phrase: str) -> str | None:
        """'+1.8 pp vs previous 12 months', with 'within noise' (or 'too few to tell …') when
        the change is not to be read as one: what a document of the card says in place of its
        colours."""
        if not self.delta_text:
            return None
        text = f"{self.delta_text} {comparison_phrase}"
        return f"{text}, {self.delta_note}" if self.delta_note else text

    @property
    def delta(self) -> float | None:
        """The change as shown: the difference of the two values at their display precision."""
        return shown_delta(self.metric, self.value, self.comparison_value)


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _rows_by_month(frame: pd.DataFrame) -> dict[pd.Timestamp, dict]:
    """Each window-end month's row (the first, should there be two), looked up by month."""
    months = pd.to_datetime(frame["window_end_month"])
    rows: dict[pd.Timestamp, dict] = {}
    for month, row in zip(months, frame.to_dict("records"), strict=True):
        rows.setdefault(month, row)
    return rows


def kpi_cards(frame: pd.DataFrame, window: PeriodWindow, revenue: bool = True) -> list[KpiCard]:
    """One card per briefing KPI, in wall order; without `revenue` (data without a revenue
    table) the revenue figures (ARR, NRR, GRR) are left out, never shown as $0."""
    by_month = _rows_by_month(frame)
    current = by_month.get(pd.Timestamp(window.end_month))
    comparison = by_month.get(pd.Timestamp(window.comparison_end_month))
    sparkline_rows = [by_month.get(pd.Timestamp(month)) for month in window.sparkline_end_months()]
    cards = []
    for name in briefing_kpis():
        metric = METRICS[name]
        if metric.needs_revenue and not revenue:
            continue
        value = None if current is None else _number(current[name])
        previous = None if comparison is None else _number(comparison[name])
        responses = None
        note = None
        if metric.responses and current is not None:
            responses = int(_number(current[metric.responses]) or 0)
            note = f"n = {responses:,} responses" if responses else "No responses in the period"
        elif value is None:
            note = "No accounts active at the start of the period"
        series = [None if row is None else _number(row[name]) for row in sparkline_rows]
        delta = shown_delta(metric, value, previous)
        verdict = change_verdict(name, current, comparison)
        cards.append(
            KpiCard(
                metric, value, previous, format_value(metric, value),
                format_delta(metric, delta), series, responses, note, verdict,
            )
        )
    return cards


def _survey_estimate(name: str, row: dict) -> satisfaction.Estimate:
    """The survey KPI of one kpi_windows row with its standard error."""
    if name == "nps":
        return satisfaction.nps(int(row["nps_promoters"] or 0), int(row["nps_detractors"] or 0),
                                int(row["nps_responses"] or 0))
    if name == "csat_pct":
        return satisfaction.csat(int(row["csat_satisfied"] or 0), int(row["csat_responses"] or 0))
    return satisfaction.ces(float(row["ces_score_total"] or 0),
                            float(row["ces_score_squares_total"] or 0),
                            int(row["ces_responses"] or 0))


def change_verdict(name: str, current: dict | None, comparison: dict | None) -> Verdict:
    """Whether a KPI's change against the comparison period is beyond noise: the survey scores
    by their margins of error (as on the Satisfaction page), logo churn as a rate of accounts;
    ARR, NRR, GRR and open escalations are totals over the whole base (exact)."""
    if current is None or comparison is None:
        return Verdict(Status.TOO_FEW)
    if name in SURVEY_KPIS:
        return satisfaction.change_verdict(_survey_estimate(name, current),
                                           _survey_estimate(name, comparison))
    if name == "logo_churn_pct":
        verdict = significance.rate_change(
            float(current["churned_accounts"] or 0), float(current["opening_accounts"] or 0),
            float(comparison["churned_accounts"] or 0),
            float(comparison["opening_accounts"] or 0))
        # the test runs on shares; the card shows percent
        return replace(verdict, margin=None if verdict.margin is None else 100 * verdict.margin)
    return EXACT


SURVEY_KPIS = frozenset({"nps", "csat_pct", "ces_mean"})
