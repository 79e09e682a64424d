"""The house figures that need no screen: one colour-blind-safe palette, one layout, money axes,
and the Briefing's two charts (where ARR moved, NRR over rolling windows), which the page and
the printed or e-mailed brief both draw (northstar.ui.charts sizes them for a slide)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from northstar.analytics import display
from northstar.analytics.metrics import METRICS, format_usd, format_value
from northstar.analytics.periods import PeriodWindow

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#7F7F7F",
}
POSITIVE = PALETTE["blue"]
NEGATIVE = PALETTE["vermillion"]
TOTAL = PALETTE["grey"]
PALE = "#C8CDD5"  # an estimate too uncertain to size


LEGEND_BELOW = {
    "orientation": "h",
    "y": -0.18,
    "yanchor": "top",
    "x": 0,
    "xanchor": "left",
    "title": None,
}


def base_layout(
    figure: go.Figure, title: str | None = None, height: int = 360, legend: bool = False,
    font_size: int = 14,
) -> go.Figure:
    """The house layout: title at the left, tight margins, legend below when there is one."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        height=height,
        margin={"l": 8, "r": 8, "t": (80 if "<br>" in title else 56) if title else 16, "b": 8},
        font={"size": font_size},
        showlegend=legend,
        legend=LEGEND_BELOW if legend else None,
        hoverlabel={"font_size": font_size},
        separators=".,",
    )
    return figure


# counts on an axis: 1,500 (never 1.5k)
COUNT_TICKS = ",~f"


def money_axis(figure: go.Figure, values: list[float], axis: str = "y", log: bool = False,
               include_zero: bool = True) -> go.Figure:
    """A money axis ticked in the house style ($500K, $1.5M) over the values it must show."""
    finite = [float(value) for value in values if value == value]
    low = min([*finite, *([0.0] if include_zero else [])], default=0.0)
    high = max(finite, default=1.0)
    ticks = display.log_ticks(low, high) if log else display.nice_ticks(low, high)
    settings = {"tickvals": ticks, "ticktext": [display.money_tick_text(t) for t in ticks],
                "tickprefix": None, "tickformat": None}
    if not log:
        settings["range"] = [min(ticks[0], low), max(ticks[-1], high)]
    (figure.update_yaxes if axis == "y" else figure.update_xaxes)(**settings)
    return figure


def reference_line(figure: go.Figure, value: float, label: str) -> go.Figure:
    """A dashed line at a value a zoomed axis could hide (NRR at 100%), kept in range."""
    figure.add_hline(y=value, line={"color": TOTAL, "dash": "dash", "width": 1},
                     annotation_text=label, annotation_position="top left",
                     annotation_font_color=TOTAL)
    values = [v for trace in figure.data for v in (trace.y if trace.y is not None else ())
              if isinstance(v, int | float) and v == v]
    if values:
        low, high = min([*values, value]), max([*values, value])
        pad = (high - low) * 0.08 or 1
        figure.update_yaxes(range=[low - pad, high + pad])
    return figure


def arr_bridge(
    starting_arr_usd: float,
    new_arr_usd: float,
    expansion_arr_usd: float,
    contraction_arr_usd: float,
    churned_arr_usd: float,
    ending_arr_usd: float,
    title: str | None = None,
) -> go.Figure:
    """Waterfall from starting ARR to ending ARR; the steps reconcile exactly."""
    steps = [
        ("Starting ARR", "absolute", starting_arr_usd),
        ("New", "relative", new_arr_usd),
        ("Expansion", "relative", expansion_arr_usd),
        ("Contraction", "relative", -contraction_arr_usd),
        ("Churn", "relative", -churned_arr_usd),
        ("Ending ARR", "total", ending_arr_usd),
    ]
    figure = go.Figure(
        go.Waterfall(
            x=[label for label, _, _ in steps],
            measure=[measure for _, measure, _ in steps],
            y=[value for _, _, value in steps],
            text=[format_usd(value) for _, _, value in steps],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
            increasing={"marker": {"color": POSITIVE}},
            decreasing={"marker": {"color": NEGATIVE}},
            totals={"marker": {"color": TOTAL}},
            connector={"line": {"color": "rgba(127,127,127,0.5)", "width": 1}},
        )
    )
    running, levels = 0.0, []
    for _, measure, value in steps:
        running = value if measure != "relative" else running + value
        levels.append(running)
    money_axis(figure, [level * 1.12 for level in levels])
    return base_layout(figure, title)


def trend(
    months: list,
    values: list,
    label: str,
    tick_suffix: str = "",
    tick_prefix: str = "",
    title: str | None = None,
    hover_values: list[str] | None = None,
) -> go.Figure:
    """A single-measure monthly line."""
    figure = go.Figure(
        go.Scatter(
            x=months,
            y=values,
            mode="lines+markers",
            name=label,
            line={"color": POSITIVE, "width": 3},
            marker={"size": 7},
            text=hover_values,
            hovertemplate="%{x|%b %Y}: %{text}<extra></extra>" if hover_values else None,
        )
    )
    figure.update_xaxes(tickformat="%b %Y", showgrid=False)
    figure.update_yaxes(ticksuffix=tick_suffix)
    if tick_prefix == "$":
        money_axis(figure, list(values))  # from $0, so a small dip is not drawn as a cliff
    return base_layout(figure, title)




def period_row(frame: pd.DataFrame, window: PeriodWindow) -> pd.Series | None:
    """The kpi_windows row of the period; None when no account matches the filters in it (none
    active at its start or its end)."""
    rows = frame.loc[frame["window_end_month"].dt.date == window.end_month]
    if rows.empty or (rows["active_accounts"].iloc[0] == 0
                      and rows["opening_accounts"].iloc[0] == 0):
        return None
    return rows.iloc[0]


def nrr_points(frame: pd.DataFrame, window: PeriodWindow) -> pd.DataFrame:
    """The kpi_windows rows of the NRR trend: the windows ending at the sparkline's months."""
    return frame.loc[frame["window_end_month"].dt.date.isin(window.sparkline_end_months())]


def briefing_figures(frame: pd.DataFrame, window: PeriodWindow) -> list[tuple[str, go.Figure]]:
    """The Briefing's two charts for the brief document, titled: where ARR moved in the period,
    and NRR over rolling windows (from the kpi_windows rows)."""
    row = frame.loc[frame["window_end_month"].dt.date == window.end_month].iloc[0]
    bridge = arr_bridge(row["starting_arr_usd"], row["new_arr_usd"], row["expansion_arr_usd"],
                        row["contraction_arr_usd"], row["churned_arr_usd"], row["arr_usd"])
    points = nrr_points(frame, window)
    nrr = METRICS["nrr_pct"]
    nrr_trend = trend(list(points["window_end_month"]), list(points["nrr_pct"]), nrr.label,
                      tick_suffix="%",
                      hover_values=[format_value(nrr, value) for value in points["nrr_pct"]])
    reference_line(nrr_trend, 100, "100%: revenue kept in full")
    return [
        (f"Where ARR moved, $ · {window.label}", bridge),
        (f"NRR, rolling {display.count_of(window.months, 'month')}, %", nrr_trend),
    ]
