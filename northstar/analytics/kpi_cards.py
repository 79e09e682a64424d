"""The briefing's KPI wall: current value, change against the comparison period, sparkline.

Built from the `kpi_windows` query's rows so it can be tested without Streamlit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from northstar.analytics.metrics import (
    BRIEFING_KPIS,
    METRICS,
    Metric,
    format_delta,
    format_value,
    rounds_to_zero,
)
from northstar.analytics.periods import PeriodWindow


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

    @property
    def delta_is_change(self) -> bool:
        """False when there is no change at the precision shown."""
        return self.delta is not None and not rounds_to_zero(self.metric, self.delta)

    @property
    def delta_color(self) -> str:
        return self.metric.delta_color if self.delta_is_change else "off"

    @property
    def delta(self) -> float | None:
        if self.value is None or self.comparison_value is None:
            return None
        return self.value - self.comparison_value


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


def kpi_cards(frame: pd.DataFrame, window: PeriodWindow) -> list[KpiCard]:
    """One card per briefing KPI, in wall order."""
    by_month = _rows_by_month(frame)
    current = by_month.get(pd.Timestamp(window.end_month))
    comparison = by_month.get(pd.Timestamp(window.comparison_end_month))
    sparkline_rows = [by_month.get(pd.Timestamp(month)) for month in window.sparkline_end_months()]
    cards = []
    for name in BRIEFING_KPIS:
        metric = METRICS[name]
        value = None if current is None else _number(current[name])
        previous = None if comparison is None else _number(comparison[name])
        responses = None
        note = None
        if metric.responses_column and current is not None:
            responses = int(_number(current[metric.responses_column]) or 0)
            note = f"n = {responses:,} responses" if responses else "No responses in the period"
        elif value is None:
            note = "No accounts active at the start of the period"
        series = [None if row is None else _number(row[name]) for row in sparkline_rows]
        delta = None if value is None or previous is None else value - previous
        cards.append(
            KpiCard(
                metric, value, previous, format_value(metric, value),
                format_delta(metric, delta), series, responses, note,
            )
        )
    return cards
