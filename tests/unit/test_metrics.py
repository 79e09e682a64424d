"""The metrics registry and its number formats."""

from __future__ import annotations

import math

import pytest

from northstar.analytics.metrics import (
    METRICS,
    briefing_kpis,
    delta_color,
    format_delta,
    format_in_unit,
    format_usd,
    format_value,
    glossary_rows,
)


def test_every_metric_is_fully_defined():
    for name, metric in METRICS.items():
        assert metric.name == name
        assert metric.label and len(metric.described) > 40
        assert metric.computation and metric.window and metric.source
        assert metric.good in ("up", "down", "none")
    wall = briefing_kpis()
    assert set(wall) <= set(METRICS)
    # every card of the wall says which way is good
    assert all(METRICS[name].good != "none" for name in wall)


def test_delta_colour_follows_direction():
    assert delta_color("nrr_pct") == "normal"
    assert delta_color("logo_churn_pct") == "inverse"
    assert delta_color("open_escalations") == "inverse"


@pytest.mark.parametrize("value, text", [
    (1_234_000_000, "$1.23B"), (134_994_777, "$135M"), (28_012_000, "$28.0M"),
    (2_430_000, "$2.43M"), (850_400, "$850K"), (920, "$920"), (-2_430_000, "−$2.43M"),
])
def test_usd_format(value, text):
    assert format_usd(value) == text


def test_value_formats_by_unit():
    assert format_value("nrr_pct", 98.8566) == "98.9%"
    assert format_value("nps", 21.38) == "+21"
    assert format_value("nps", -4.6) == "-5"
    assert format_value("ces_mean", 5.4948) == "5.49 / 7"
    assert format_value("open_escalations", 20) == "20"
    assert format_value("arr_usd", None) == "—"
    assert format_value("csat_pct", math.nan) == "—"


def test_delta_formats_carry_points_and_an_ascii_sign():
    assert format_delta("nrr_pct", 2.54) == "+2.5 pp"
    assert format_delta("logo_churn_pct", -1.66) == "-1.7 pp"
    assert format_delta("nps", 3.2) == "+3 pts"
    assert format_delta("arr_usd", -2_430_000) == "-$2.43M"
    assert format_delta("ces_mean", -0.004) == "0.00"
    assert format_delta("open_escalations", 3) == "+3"
    assert format_delta("nps", None) is None


def test_glossary_lists_every_metric():
    rows = glossary_rows()
    assert [row["Metric"] for row in rows] == [metric.label for metric in METRICS.values()]
    assert {row["Better when"] for row in rows} == {"Higher", "Lower", "—"}


def test_department_kpi_counts_show_decimals_only_when_they_have_them():
    assert format_in_unit(12.0, "count") == "12"
    assert format_in_unit(12.5, "count") == "12.5"
    assert format_in_unit(413.4, "count") == "413"
    assert format_in_unit(71.94, "pct") == "71.9%"
    assert format_in_unit(None, "count") == "—"


def test_a_shown_delta_is_the_difference_of_the_shown_values():
    from northstar.analytics.metrics import shown_delta

    # 97.14% from 95.26% shows as 97.1% from 95.3%: +1.8 pp, not the exact +1.88 (+1.9)
    assert shown_delta("grr_pct", 97.14, 95.26) == 1.8
    assert format_delta("grr_pct", shown_delta("grr_pct", 97.14, 95.26)) == "+1.8 pp"
    # NPS +33.4 from +32.6 shows as +33 from +33: no change
    assert shown_delta("nps", 33.4, 32.6) == 0
    # 5.126 from 5.104 shows as 5.13 from 5.10: +0.03 (the exact +0.022 would read +0.02)
    assert shown_delta("ces_mean", 5.126, 5.104) == 0.03
    assert shown_delta("open_escalations", 34, 35) == -1
    # money as shown, to three figures: $525M from $420M is +$105M, not the exact +$104.4M
    assert shown_delta("arr_usd", 524_900_000.0, 420_450_000.0) == 105_000_000.0
    assert format_delta("arr_usd", shown_delta("arr_usd", 524_900_000.0, 420_450_000.0)) == (
        "+$105M")
    assert shown_delta("arr_usd", 4_256.0, 4_244.0) == pytest.approx(20.0)  # $4.26K - $4.24K
    assert shown_delta("arr_usd", 4_254.0, 4_246.0) == 0  # both $4.25K
    assert shown_delta("nps", None, 3.0) is None
