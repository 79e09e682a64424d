"""Chart helpers: money axes in the house style, at most six series, a reference line."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from northstar.ui import charts


def test_money_axis_ticks_in_house_style():
    figure = charts.money_axis(go.Figure(go.Bar(x=["a"], y=[2_630_000])), [2_630_000])
    axis = figure.layout.yaxis
    assert list(axis.ticktext) == ["$0", "$1M", "$2M", "$3M"]
    assert list(axis.tickvals) == [0, 1_000_000, 2_000_000, 3_000_000]


def test_more_than_six_series_are_grouped_as_other():
    frame = pd.DataFrame({
        "quarter": ["Q1"] * 8 + ["Q2"] * 8,
        "reason": [f"r{i}" for i in range(8)] * 2,
        "arr": [80, 70, 60, 50, 40, 3, 2, 1] * 2,
    })
    grouped = charts.at_most_six_series(frame, "quarter", "arr", "reason")
    assert list(dict.fromkeys(grouped["reason"])) == ["r0", "r1", "r2", "r3", "r4", "Other"]
    assert grouped.loc[(grouped["quarter"] == "Q1") & (grouped["reason"] == "Other"),
                       "arr"].item() == 6
    assert grouped["arr"].sum() == frame["arr"].sum()
    figure = charts.stacked_bars(frame, "quarter", "arr", "reason")
    assert len(figure.data) == 6


def test_a_ranking_given_first_keeps_its_series_out_of_other():
    # r6 is small over the whole history but second in the period the chart beside ranks
    frame = pd.DataFrame({
        "quarter": ["Q1"] * 8 + ["Q2"] * 8,
        "reason": [f"r{i}" for i in range(8)] * 2,
        "arr": [80, 70, 60, 50, 40, 3, 2, 1] * 2,
    })
    grouped = charts.at_most_six_series(frame, "quarter", "arr", "reason",
                                        first=["r0", "r6", "gone"])
    assert list(dict.fromkeys(grouped["reason"])) == ["r0", "r6", "r1", "r2", "r3", "Other"]
    assert grouped.loc[(grouped["quarter"] == "Q1") & (grouped["reason"] == "Other"),
                       "arr"].item() == 40 + 3 + 1
    assert grouped["arr"].sum() == frame["arr"].sum()
    figure = charts.stacked_bars(frame, "quarter", "arr", "reason", first=["r0", "r6"])
    assert [trace.name for trace in figure.data] == ["r0", "r6", "r1", "r2", "r3", "Other"]


def test_reference_line_keeps_100_percent_in_view():
    figure = charts.trend(["2026-01", "2026-02"], [97.0, 98.5], "NRR", tick_suffix="%")
    charts.reference_line(figure, 100, "100%")
    low, high = figure.layout.yaxis.range
    assert low < 97.0 and high > 100


def test_bars_with_ranges_draw_them_and_pale_what_cannot_be_sized():
    from northstar.ui import charts

    figure = charts.horizontal_bars(
        ["Slow support", "Not on the board"], [8_000_000.0, 21_500_000.0],
        ranges=[(7_300_000.0, 8_900_000.0), (675_000.0, 53_600_000.0)])
    bar = figure.data[0]
    # whiskers from each low to each high end
    assert list(bar.error_x.array) == [900_000.0, 32_100_000.0]
    assert list(bar.error_x.arrayminus) == [700_000.0, 20_825_000.0]
    # the value beside the name, so no label sits on a whisker; the unsized bar pale
    assert list(bar.y) == ["Slow support · $8.00M", "Not on the board · can't size yet"]
    assert list(bar.marker.color) == [charts.NEGATIVE, charts.PALE]
    # the axis reaches the highest end of any range
    assert figure.layout.xaxis.range[1] >= 53_600_000.0
