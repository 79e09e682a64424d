"""Figures on screen: one colour-blind-safe palette, one layout, number formats from the registry
(the palette, the layout and the Briefing's figures are northstar.analytics.figures, which the
printed brief draws too)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from northstar.analytics import figures
from northstar.analytics.figures import (
    COUNT_TICKS,
    NEGATIVE,
    PALE,
    PALETTE,
    POSITIVE,
    TOTAL,
    money_axis,
    reference_line,
)
from northstar.analytics.invest import is_sized
from northstar.analytics.literal_text import plotly_safe
from northstar.analytics.metrics import format_usd
from northstar.ui import presentation

# the palette and the shared helpers, for pages that draw their own figures
__all__ = ["COUNT_TICKS", "NEGATIVE", "PALE", "PALETTE", "POSITIVE", "TOTAL", "money_axis",
           "reference_line"]


def base_layout(
    figure: go.Figure, title: str | None = None, height: int = 360, legend: bool = False
) -> go.Figure:
    """The house layout, at presentation size on a slide."""
    if presentation.is_on():
        return figures.base_layout(figure, title, round(height * presentation.CHART_SCALE),
                                   legend, presentation.FONT_SIZE)
    return figures.base_layout(figure, title, height, legend)


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
    return base_layout(figures.arr_bridge(starting_arr_usd, new_arr_usd, expansion_arr_usd,
                                          contraction_arr_usd, churned_arr_usd,
                                          ending_arr_usd), title)


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
    return base_layout(figures.trend(months, values, label, tick_suffix, tick_prefix,
                                     hover_values=hover_values), title)


SEQUENCE = [
    PALETTE[name]
    for name in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "grey")
]


def lines(
    frame,
    x: str,
    y: str,
    series: str,
    title: str | None = None,
    y_suffix: str = "",
    y_title: str | None = None,
    x_title: str | None = None,
    height: int = 360,
) -> go.Figure:
    """One line per series value, colours from the shared palette, legend on top."""
    figure = go.Figure()
    for index, (name, rows) in enumerate(frame.groupby(series, sort=False)):
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows[y],
                mode="lines",
                name=str(name),
                line={"color": SEQUENCE[index % len(SEQUENCE)], "width": 3},
                hovertemplate=f"%{{fullData.name}}: %{{y:.1f}}{y_suffix}<extra></extra>",
            )
        )
    figure.update_yaxes(ticksuffix=y_suffix, title=y_title)
    figure.update_xaxes(title=x_title, showgrid=False)
    base_layout(figure, title, height, legend=True)
    return figure


def horizontal_bars(
    labels: list[str],
    values: list[float],
    title: str | None = None,
    usd: bool = True,
    color: str = NEGATIVE,
    height: int | None = None,
    hover_extra: list[str] | None = None,
    ranges: list[tuple[float, float]] | None = None,
) -> go.Figure:
    """First bar on top; values labelled in the bar's own format. With `ranges`, each bar
    draws its 95% range as a whisker from its low to its high end, its value is written beside
    its name (so no label sits on a whisker), and a bar whose range is too wide to repeat as a
    size (invest.is_sized) reads "can't size yet" and is drawn pale."""
    text = [format_usd(value) if usd else f"{value:,.0f}" for value in values]
    error_x = None
    colors: str | list[str] = color
    if ranges:
        sized = [is_sized(low, high) for low, high in ranges]
        text = [shown if ok else "can't size yet" for shown, ok in zip(text, sized, strict=True)]
        error_x = {"type": "data", "symmetric": False, "color": TOTAL, "thickness": 1.5,
                   "array": [high - value for value, (_, high) in zip(values, ranges,
                                                                       strict=True)],
                   "arrayminus": [value - low for value, (low, _) in zip(values, ranges,
                                                                          strict=True)]}
        labels = [f"{label} · {value}" for label, value in zip(labels, text, strict=True)]
        colors = [color if ok else PALE for ok in sized]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colors},
            text=None if ranges else text,
            textposition="outside",
            cliponaxis=False,
            customdata=hover_extra or text,
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            error_x=error_x,
        )
    )
    figure.update_yaxes(autorange="reversed", showgrid=False, automargin=True)
    # room on the right for the value labels (and the ranges' high ends)
    highest = max([*values, *(high for _, high in ranges or [])], default=1)
    top = 1.3 * highest if not ranges else 1.05 * highest
    if usd:
        money_axis(figure, [0, highest], axis="x")
        figure.update_xaxes(range=[0, top])
    else:
        figure.update_xaxes(tickformat=COUNT_TICKS, range=[0, top])
    return base_layout(figure, title, height or max(220, 40 * len(labels) + 80))


MAX_SERIES = 6


def at_most_six_series(frame, x: str, y: str, series: str, other: str = "Other",
                       first: list | None = None):
    """The five largest series by total and the rest summed as "Other", when there are more
    than six (a chart with more colours cannot be read). `first`: the series to keep before
    the largest (the ranking of another chart beside it, so a reason it ranks second is not
    folded into "Other" here)."""
    totals = frame.groupby(series, sort=False)[y].sum().sort_values(ascending=False)
    if len(totals) <= MAX_SERIES:
        return frame
    ranked = [name for name in (first or []) if name in totals.index]
    ranked += [name for name in totals.index if name not in ranked]
    keep = ranked[: MAX_SERIES - 1]
    names = frame[series].astype(object)
    grouped = frame.assign(**{series: names.where(names.isin(keep), other)})
    grouped = grouped.groupby([x, series], sort=False, as_index=False)[y].sum()
    order = {name: position for position, name in enumerate([*keep, other])}
    return grouped.sort_values(series, key=lambda column: column.map(order), kind="stable")


def stacked_bars(
    frame,
    x: str,
    y: str,
    series: str,
    title: str | None = None,
    usd: bool = True,
    height: int = 380,
    first: list | None = None,
) -> go.Figure:
    """Stacked bars of `y` per `x` and `series`; at most six series (see at_most_six_series,
    which `first` is passed to)."""
    frame = at_most_six_series(frame, x, y, series, first=first)
    figure = go.Figure()
    for index, (name, rows) in enumerate(frame.groupby(series, sort=False)):
        figure.add_trace(
            go.Bar(
                x=rows[x],
                y=rows[y],
                name=str(name),
                marker={"color": SEQUENCE[index % len(SEQUENCE)]},
                customdata=[format_usd(value) for value in rows[y]] if usd else rows[y],
                hovertemplate="%{fullData.name}: %{customdata}<extra></extra>",
            )
        )
    if usd:
        money_axis(figure, list(frame.groupby(x)[y].sum()))
    else:
        figure.update_yaxes(tickformat=COUNT_TICKS)
    figure.update_xaxes(showgrid=False)
    base_layout(figure, title, height, legend=True)
    figure.update_layout(barmode="stack", hovermode="x unified")
    return figure


def heatmap(
    matrix,
    title: str | None = None,
    x_title: str = "",
    value_suffix: str = "%",
    height: int | None = None,
) -> go.Figure:
    """A retention triangle: rows cohorts, columns ages, cells annotated with the value."""
    values = matrix.to_numpy(dtype=float)
    shown_values = values[values == values]
    heat_floor = 10 * (float(shown_values.min()) // 10) if shown_values.size else 0.0
    text = [
        [("" if value != value else f"{value:.0f}{value_suffix}") for value in row]
        for row in values
    ]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[str(column) for column in matrix.columns],
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            textfont={"size": 12, "color": "#1F2937"},
            # light to mid blue only, so the dark labels stay readable on every cell; the scale
            # starts at the lowest value shown, so differences are visible
            colorscale=[[0, "#F7FBFF"], [1, "#6BAED6"]],
            zmin=heat_floor,
            zmax=100,
            hoverongaps=False,
            colorbar={"ticksuffix": value_suffix},
            hovertemplate="%{y}, age %{x}: %{z:.1f}" + value_suffix + "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", showgrid=False, type="category")
    figure.update_xaxes(title=x_title, side="top", showgrid=False, type="category")
    return base_layout(figure, title, height or max(300, 26 * len(matrix) + 120))


def grouped_bars(
    labels: list[str],
    values: list[float],
    title: str | None = None,
    value_suffix: str = "%",
    colors: list[str] | None = None,
    hover_extra: list[str] | None = None,
    height: int = 320,
) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            # a thin edge, so a light bar (the Watch band's yellow) still stands out on white
            marker={"color": colors or POSITIVE,
                    "line": {"color": "rgba(38,39,48,0.45)", "width": 1}},
            text=[f"{value:.1f}{value_suffix}" for value in values],
            textposition="outside",
            cliponaxis=False,
            customdata=hover_extra or labels,
            hovertemplate="%{x}: %{y:.1f}" + value_suffix + "<br>%{customdata}<extra></extra>",
        )
    )
    figure.update_yaxes(ticksuffix=value_suffix, rangemode="tozero")
    figure.update_xaxes(showgrid=False)
    return base_layout(figure, title, height)


def up_and_expected(
    labels: list[str],
    up: list[float],
    expected: list[float | None],
    ranges: list[tuple[float, float] | None],
    title: str | None = None,
    height: int = 340,
) -> go.Figure:
    """Money up for something against the money expected of it, per label (a month), side by
    side; each expected bar draws its 95% range as a whisker. A label without an expected
    figure has its up bar only."""
    figure = go.Figure()
    figure.add_trace(go.Bar(
        x=labels, y=up, name="ARR up for renewal", marker={"color": TOTAL},
        customdata=[format_usd(value) for value in up],
        hovertemplate="%{x}: %{customdata} up for renewal<extra></extra>",
    ))
    if any(value is not None for value in expected):
        shown = [value if value is not None else float("nan") for value in expected]
        figure.add_trace(go.Bar(
            x=labels, y=shown, name="ARR expected to renew (95% range)",
            marker={"color": POSITIVE},
            error_y={"type": "data", "symmetric": False, "color": "#262730", "thickness": 1.5,
                     "array": [(span[1] - value) if span and value is not None else 0
                               for value, span in zip(expected, ranges, strict=True)],
                     "arrayminus": [(value - span[0]) if span and value is not None else 0
                                    for value, span in zip(expected, ranges, strict=True)]},
            customdata=[
                f"{format_usd(value)} expected to renew (95% range {format_usd(span[0])}–"
                f"{format_usd(span[1])})" if value is not None and span else "—"
                for value, span in zip(expected, ranges, strict=True)],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
        ))
    figure.update_layout(barmode="group")
    figure.update_xaxes(showgrid=False, type="category")
    money_axis(figure, [*up, *(span[1] for span in ranges if span)])
    return base_layout(figure, title, height, legend=True)


def calibration(
    series: dict[str, tuple[list[float], list[float]]],
    title: str | None = None,
    height: int = 380,
) -> go.Figure:
    """Predicted against observed churn (%) by decile, one line per score, with the diagonal a
    perfectly calibrated score would follow."""
    figure = go.Figure()
    top = max([*(v for xs, ys in series.values() for v in [*xs, *ys]), 1.0]) * 1.08
    figure.add_trace(go.Scatter(
        x=[0, top], y=[0, top], mode="lines", name="Perfect calibration",
        line={"color": TOTAL, "dash": "dot", "width": 1}, hoverinfo="skip",
    ))
    for index, (label, (predicted, observed)) in enumerate(series.items()):
        figure.add_trace(go.Scatter(
            x=predicted, y=observed, mode="lines+markers", name=label,
            line={"color": SEQUENCE[index], "width": 3}, marker={"size": 8},
            customdata=list(range(1, len(predicted) + 1)),
            hovertemplate="%{fullData.name}, decile %{customdata}: predicted %{x:.1f}%, observed "
            "%{y:.1f}%<extra></extra>",
        ))
    figure.update_xaxes(title="Predicted churn within 12 months", ticksuffix="%",
                        range=[0, top])
    figure.update_yaxes(title="Observed churn", ticksuffix="%", range=[0, top])
    return base_layout(figure, title, height, legend=True)


def trend_with_band(
    months: list,
    values: list,
    lows: list,
    highs: list,
    label: str,
    hover_values: list[str],
    tick_suffix: str = "",
    title: str | None = None,
    height: int = 340,
) -> go.Figure:
    """A monthly line with its 95% margin of error as a shaded band."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=list(months) + list(months)[::-1],
            y=list(highs) + list(lows)[::-1],
            fill="toself",
            fillcolor="rgba(86,180,233,0.25)",
            line={"width": 0},
            mode="lines",
            hoverinfo="skip",
            name="95% margin of error",
            showlegend=True,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=values,
            mode="lines+markers",
            name=label,
            line={"color": POSITIVE, "width": 3},
            marker={"size": 6},
            text=hover_values,
            hovertemplate="%{x|%b %Y}: %{text}<extra></extra>",
        )
    )
    # a short series gets one tick per month (automatic ticks repeat a month's label)
    few_months = len(set(months)) <= 12
    figure.update_xaxes(tickformat="%b %Y", showgrid=False, dtick="M1" if few_months else None)
    figure.update_yaxes(ticksuffix=tick_suffix)
    base_layout(figure, title, height, legend=True)
    return figure


def score_distribution(
    scores: list[int], counts: list[int], colors: list[str], title: str, height: int = 260
) -> go.Figure:
    """Answers per score, coloured by band (e.g. detractor / passive / promoter)."""
    total = sum(counts) or 1
    figure = go.Figure(
        go.Bar(
            x=[str(score) for score in scores],
            y=counts,
            marker={"color": colors},
            customdata=[f"{count:,} answers ({100 * count / total:.0f}%)" for count in counts],
            hovertemplate="Score %{x}: %{customdata}<extra></extra>",
        )
    )
    figure.update_xaxes(title="Score", showgrid=False, type="category")
    figure.update_yaxes(title="Answers")
    return base_layout(figure, title, height)


def show(figure: go.Figure) -> None:
    """Draw a figure the Northstar way: full width, no Plotly toolbar, every string from the
    data shown as text."""
    st.plotly_chart(plotly_safe(figure), config={"displayModeBar": False})


def survival_curves(survival) -> go.Figure:
    """The Kaplan-Meier curves of the survival_by_segment query, one line per segment."""
    return lines(survival, "age_months", "surviving_pct", "segment", y_suffix="%",
                 x_title="Months since start", y_title="Still customers")


def fan(
    quarters: list[str],
    medians: list[float],
    intervals: dict[str, tuple[list[float], list[float]]],
    label: str,
    hover_values: list[str],
    tick_suffix: str = "",
    tick_prefix: str = "",
    title: str | None = None,
    height: int = 320,
) -> go.Figure:
    """A forecast per quarter: the median as a line, each interval (widest first, e.g. "95%",
    "80%") as a shaded band around it."""
    figure = go.Figure()
    shades = ("rgba(86,180,233,0.18)", "rgba(86,180,233,0.38)")
    for (name, (lows, highs)), shade in zip(intervals.items(), shades, strict=False):
        figure.add_trace(
            go.Scatter(
                x=list(quarters) + list(quarters)[::-1],
                y=list(highs) + list(lows)[::-1],
                fill="toself",
                fillcolor=shade,
                line={"width": 0},
                mode="lines",
                hoverinfo="skip",
                name=f"{name} interval",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=quarters,
            y=medians,
            mode="lines+markers",
            name=label,
            line={"color": POSITIVE, "width": 3},
            marker={"size": 7},
            text=hover_values,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    figure.update_xaxes(type="category", showgrid=False)
    figure.update_yaxes(ticksuffix=tick_suffix, tickprefix=tick_prefix)
    return base_layout(figure, title, height, legend=True)
