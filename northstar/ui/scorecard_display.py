"""The department scorecard's charts and people cards (views/scorecard.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from northstar.analytics import display, goals, scorecard
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_in_unit, format_value, is_missing
from northstar.data.measures import MEASURES
from northstar.data.months import month_label
from northstar.ui import charts, downloads, presentation


def kpi_charts(own: pd.DataFrame, actuals: pd.DataFrame, start: dt.date) -> None:
    """Each KPI per period from `start`, with its target (dashed); a slide shows the first two."""
    on_slide = presentation.is_on() and len(own) > 2
    st.caption(
        f"Each KPI per period from {month_label(start)}, with its target (dashed)."
        + (f" The slide shows the first 2 of the department's {len(own)} KPIs; the page shows "
           "every one." if on_slide else "")
    )
    chart_columns = st.columns(2)
    for index, kpi in enumerate(own.itertuples(index=False)):
        if presentation.is_on() and index >= 2:
            break  # a slide shows one row of KPI charts
        series = scorecard.kpi_history(actuals, kpi, start)
        with chart_columns[index % 2]:
            if series.empty:
                st.info(f"{literal(kpi.kpi_name)}: no actuals in this window.")
                continue
            figure = charts.trend(
                list(series["period_start"]), list(series["actual_value"]), kpi.kpi_name,
                title=goals.chart_title(kpi.kpi_name, kpi.unit, kpi.target_value, kpi.direction),
                hover_values=[format_in_unit(value, kpi.unit) for value in series["actual_value"]],
                tick_prefix="$" if kpi.unit == "usd" else "",
                tick_suffix="%" if kpi.unit == "pct" else "",
            )
            if not is_missing(kpi.target_value):
                # the target is named in the title, so no label sits on the data line
                figure.add_hline(y=kpi.target_value, line_dash="dash",
                                 line_color=charts.PALETTE["orange"])
                figure.update_yaxes(range=scorecard.target_range(series["actual_value"],
                                                                 kpi.target_value))
            charts.show(figure.update_layout(height=280))


def engagement(frame: pd.DataFrame) -> None:
    """The department's employee engagement: the latest quarter and every quarter."""
    st.subheader("Employee engagement")
    if frame.empty:
        st.info("No employee engagement survey results for this department.")
        return
    latest = frame.iloc[-1]
    st.metric(
        f"Engagement, {goals.quarter_label(latest['quarter_start'])}",
        format_value("engagement_score", latest["engagement_score"]),
        goals.engagement_change_text(frame["engagement_score"]),
        delta_description="vs the quarter before" if len(frame) > 1 else None,
        help=f"{MEASURES['engagement_score'].definition} {int(latest['respondents'])} of "
        f"{int(latest['headcount'])} employees answered "
        f"({display.percent(latest['response_rate_pct'], 0)}).",
        border=True,
    )
    charts.show(
        charts.trend(
            [goals.quarter_label(start) for start in frame["quarter_start"]],
            list(frame["engagement_score"]), "Engagement",
            title="Engagement score by quarter (0–100)",
            hover_values=[f"{display.measure_text('engagement_score', score)} · "
                          f"{int(respondents)} of {int(headcount)} answered"
                          for score, respondents, headcount in zip(
                              frame["engagement_score"], frame["respondents"],
                              frame["headcount"], strict=True)],
        )
        .update_xaxes(type="category", tickformat=None)
        .update_traces(hovertemplate="%{x}: %{text}<extra></extra>")
    )


def kudos(frame: pd.DataFrame, department_name: str) -> None:
    """Kudos customers gave the department's employees in the period."""
    st.subheader("Kudos from customers")
    if frame.empty:
        st.info(f"No customer gave kudos to {literal(department_name)} in the period "
                "(for these filters).")
        return
    st.metric("Kudos in the period", f"{int(frame['department_kudos'].iloc[0]):,}",
              help="Kudos given by accounts in the filters to this department's employees.",
              border=True)
    downloads.dataframe(scorecard.kudos_table(frame), hide_index=True, height=300,
                        column_config={"Latest": st.column_config.DateColumn(format="D MMM YYYY")})
