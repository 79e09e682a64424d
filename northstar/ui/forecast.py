"""The revenue forecast on the Briefing (compact) and Retention (its Forecast tab): the next four
quarters with their intervals and the track record, or one sentence saying why there is none."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import forecast
from northstar.analytics.metrics import METRICS, format_value
from northstar.data.months import month_label
from northstar.ui import charts, downloads, page_queries, presentation
from northstar.ui import churn_model as model_gate

NOT_BUILT = ("The revenue forecast is not shown: this database was built before it existed; "
             "rebuild or reload it to get one.")
SCOPE_NOTE = ("The whole customer base (filters do not apply). New business is not forecast: "
              "this is the ARR held at {origin} and what churn, expansion and contraction do to "
              "it; NRR, GRR and logo churn are counted from {origin}.")


def unavailable_reason(data: model_gate.PageData = None, prefix: str = "") -> str:
    """Why there is no forecast ('' when there is one): the churn model's checks first (`data`:
    the page's data holding the plan's forecast_calls under `prefix`)."""
    model = model_gate.status(data=data, prefix=prefix)
    if not model.passed:
        return model.reason
    status = (data[f"{prefix}status"] if data is not None
              else page_queries.run_query("revenue_forecast_status"))
    if status.empty:
        return NOT_BUILT
    return str(status["note"].iloc[0] or "")


def _stored(data: model_gate.PageData, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if data is not None:
        return data[f"{prefix}forecast"], data[f"{prefix}backtest"]
    return (page_queries.run_query("revenue_forecast"),
            page_queries.run_query("revenue_forecast_backtest"))


def _origin(frame: pd.DataFrame) -> str:
    return month_label(pd.Timestamp(frame["origin_month"].iloc[0]).date())


def show_briefing(data: model_gate.PageData = None,
                  prefix: str = "") -> None:  # pragma: no cover - drawn in the AppTest
    """The next four quarters in one table, 80% intervals, and a line on the track record."""
    st.subheader("Forecast, next four quarters")
    reason = unavailable_reason(data, prefix)
    if reason:
        st.info(reason, icon=model_gate.NO_MODEL_ICON)
        return
    frame, backtest = _stored(data, prefix)
    if frame.empty:
        st.info(NOT_BUILT, icon=model_gate.NO_MODEL_ICON)
        return
    downloads.dataframe(forecast.forecast_table(frame), title="Forecast, next four quarters",
                        hide_index=True)
    st.caption(forecast.track_record_text(backtest))
    if not presentation.is_on():
        st.caption("Median of the simulation with its 80% interval. "
                   + SCOPE_NOTE.format(origin=_origin(frame))
                   + " Retention's Forecast tab has the 95% intervals and every past forecast.")


def _fan(frame: pd.DataFrame, metric: str) -> object:
    rows = frame.loc[frame["metric"] == metric].sort_values("quarter")
    quarters = [month_label(pd.Timestamp(month).date()) for month in rows["quarter_end_month"]]
    metric_def = METRICS[metric]
    percent = metric.endswith("_pct")
    return charts.fan(
        quarters, list(rows["median"]),
        {"95%": (list(rows["low_95"]), list(rows["high_95"])),
         "80%": (list(rows["low_80"]), list(rows["high_80"]))},
        metric_def.label,
        [format_value(metric, value) for value in rows["median"]],
        tick_suffix="%" if percent else "", tick_prefix="" if percent else "$",
        title=f"{metric_def.label}, quarter ends",
    )


def show_retention(data: model_gate.PageData = None,
                   prefix: str = "") -> None:  # pragma: no cover - drawn in the AppTest
    """Fan charts of ARR, NRR and GRR with both intervals, the table, and the track record."""
    reason = unavailable_reason(data, prefix)
    if reason:
        st.info(reason, icon=model_gate.NO_MODEL_ICON)
        return
    frame, backtest = _stored(data, prefix)
    if frame.empty:
        st.info(NOT_BUILT, icon=model_gate.NO_MODEL_ICON)
        return
    st.subheader("Forecast, next four quarters")
    st.caption(SCOPE_NOTE.format(origin=_origin(frame)) + " Each figure is the median of the "
               "simulation with its 80% and 95% intervals; they carry the churn model's own "
               "uncertainty and the quarter-to-quarter spread of expansion and contraction.")
    left, right = st.columns(2)
    with left:
        charts.show(_fan(frame, "arr_usd"))
    with right:
        charts.show(_fan(frame, "nrr_pct"))
    left, right = st.columns(2)
    with left:
        charts.show(_fan(frame, "grr_pct"))
    with right:
        charts.show(_fan(frame, "logo_churn_pct"))
    downloads.dataframe(forecast.forecast_detail_table(frame),
                        title="Forecast, next four quarters", hide_index=True)
    presentation.end_of_slide()
    st.subheader("Past forecasts against what happened")
    st.caption(forecast.track_record_text(backtest) + " The error is the actual minus the "
               "forecast's median.")
    downloads.dataframe(forecast.backtest_table(backtest),
                        title="Past forecasts against what happened", hide_index=True)
