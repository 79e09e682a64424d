"""The revenue forecast and its track record as the pages show them (tables and sentences from
the stored forecast: revenue_forecast, revenue_forecast_backtest; see docs/metrics.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from northstar.analytics.metrics import METRICS, format_value
from northstar.data.months import month_label

FORECAST_METRICS = ("arr_usd", "nrr_pct", "grr_pct", "logo_churn_pct")
HEADLINE_METRIC = "arr_usd"  # the track record's sentence counts this metric's quarters


def _label(metric: str) -> str:
    return METRICS[metric].label


def _value(metric: str, value: float) -> str:
    return format_value(metric, value)


def _interval(metric: str, low: float, high: float) -> str:
    return f"{_value(metric, low)} – {_value(metric, high)}"


def forecast_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The Briefing's table: one row per quarter ahead, its end month and, per metric, the
    median with its 80% interval ("97.2% (96.1% – 98.2%)")."""
    rows = []
    for _, group in frame.groupby("quarter", sort=True):
        row = {"Quarter ending": month_label(pd.Timestamp(group["quarter_end_month"].iloc[0]))}
        for metric in FORECAST_METRICS:
            found = group.loc[group["metric"] == metric]
            if not found.empty:
                item = found.iloc[0]
                row[f"{_label(metric)} (80% interval)"] = (
                    f"{_value(metric, item['median'])} "
                    f"({_interval(metric, item['low_80'], item['high_80'])})")
        rows.append(row)
    return pd.DataFrame(rows)


def forecast_detail_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Retention's table: one row per metric and quarter ahead, the median and both
    intervals."""
    rows = []
    for metric in FORECAST_METRICS:
        for item in frame.loc[frame["metric"] == metric].sort_values("quarter").itertuples():
            rows.append({
                "Metric": _label(metric),
                "Quarter ending": month_label(pd.Timestamp(item.quarter_end_month).date()),
                "Forecast": _value(metric, item.median),
                "80% interval": _interval(metric, item.low_80, item.high_80),
                "95% interval": _interval(metric, item.low_95, item.high_95),
            })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Coverage:
    quarters: int  # origin × quarter-ahead pairs scored
    inside_80: int
    inside_95: int
    origins: int
    first_origin: str  # "Dec 2024"


def coverage(backtest: pd.DataFrame, metric: str = HEADLINE_METRIC) -> Coverage:
    """How often the actual fell inside the intervals, over every scored quarter of a metric."""
    rows = backtest.loc[backtest["metric"] == metric]
    first = (month_label(pd.Timestamp(rows["origin_month"].min()).date()) if len(rows) else "")
    return Coverage(len(rows), int(rows["inside_80"].sum()), int(rows["inside_95"].sum()),
                    int(rows["origin_month"].nunique()), first)


def track_record_text(backtest: pd.DataFrame) -> str:
    """'Past forecasts: the actual ARR fell inside the 80% interval in 11 of 16 quarters …'."""
    score = coverage(backtest)
    if not score.quarters:
        return ""
    return (f"Past forecasts: the actual {_label(HEADLINE_METRIC)} fell inside the 80% interval "
            f"in {score.inside_80} of {score.quarters} quarters and inside the 95% interval in "
            f"{score.inside_95} (forecasts made at {score.origins} quarter-ends since "
            f"{score.first_origin}, each with only what was known then).")


def backtest_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """The track record for display: origin, quarter, metric, forecast, intervals, actual,
    error and whether the actual fell inside each interval."""
    rows = []
    for item in backtest.itertuples(index=False):
        metric = str(item.metric)
        rows.append({
            "Forecast made": month_label(pd.Timestamp(item.origin_month).date()),
            "Quarter ending": month_label(pd.Timestamp(item.quarter_end_month).date()),
            "Metric": _label(metric),
            "Forecast": _value(metric, item.median),
            "80% interval": _interval(metric, item.low_80, item.high_80),
            "95% interval": _interval(metric, item.low_95, item.high_95),
            "Actual": _value(metric, item.actual),
            "Error": _error(metric, float(item.error)),
            "Inside 80%": "✓" if item.inside_80 else "✕",
            "Inside 95%": "✓" if item.inside_95 else "✕",
        })
    return pd.DataFrame(rows)


def _error(metric: str, error: float) -> str:
    sign = "+" if error >= 0 else "−"
    text = format_value(metric, abs(error))
    if metric.endswith("_pct"):
        text = text.removesuffix("%") + " pp"
    return sign + text
