"""Figures: one colour-blind-safe palette, one layout, number formats from the registry."""

from __future__ import annotations

import plotly.graph_objects as go

from northstar.metrics import format_usd

# Okabe-Ito: distinguishable with the common colour-vision deficiencies
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "grey": "#7F7F7F",
}
POSITIVE = PALETTE["blue"]
NEGATIVE = PALETTE["vermillion"]
TOTAL = PALETTE["grey"]


def base_layout(figure: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        height=height,
        margin={"l": 8, "r": 8, "t": 48 if title else 16, "b": 8},
        font={"size": 14},
        showlegend=False,
        hoverlabel={"font_size": 14},
        separators=".,",
    )
    return figure


def arr_bridge(
    starting_arr_usd: float, new_arr_usd: float, expansion_arr_usd: float,
    contraction_arr_usd: float, churned_arr_usd: float, ending_arr_usd: float,
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
    figure.update_yaxes(tickprefix="$", tickformat="~s", rangemode="tozero")
    return base_layout(figure, title)


def trend(
    months: list, values: list, label: str, tick_suffix: str = "", tick_prefix: str = "",
    title: str | None = None, hover_values: list[str] | None = None,
) -> go.Figure:
    """A single-measure monthly line."""
    figure = go.Figure(
        go.Scatter(
            x=months, y=values, mode="lines+markers", name=label,
            line={"color": POSITIVE, "width": 3}, marker={"size": 7},
            text=hover_values, hovertemplate="%{x|%b %Y}: %{text}<extra></extra>"
            if hover_values else None,
        )
    )
    figure.update_xaxes(tickformat="%b %Y", showgrid=False)
    figure.update_yaxes(ticksuffix=tick_suffix, tickprefix=tick_prefix, tickformat="~s"
                        if tick_prefix == "$" else None)
    return base_layout(figure, title)
