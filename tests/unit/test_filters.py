"""Period arithmetic and filter parameters."""

from __future__ import annotations

import datetime as dt

from northstar.analytics.periods import FilterState, resolve_period
from northstar.data.months import add_months

OCT = dt.date(2026, 10, 1)


def test_add_months_crosses_years():
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2025, 12, 1), 13) == dt.date(2027, 1, 1)


def test_last_12_months_against_previous_period():
    window = resolve_period(OCT, "last_12_months", "previous_period")
    assert window.start_month == dt.date(2025, 11, 1)
    assert window.end_month == OCT
    assert window.comparison_end_month == dt.date(2025, 10, 1)
    assert window.comparison_start_month == dt.date(2024, 11, 1)
    assert window.label == "Last 12 months, Nov 2025 – Oct 2026"
    assert window.comparison_label == "Nov 2024 – Oct 2025"


def test_last_3_months_against_a_year_earlier():
    window = resolve_period(OCT, "last_3_months", "previous_year")
    assert (window.start_month, window.comparison_end_month) == (dt.date(2026, 8, 1), dt.date(2025, 10, 1))
    assert window.comparison_start_month == dt.date(2025, 8, 1)


def test_year_to_date_spans_january_to_the_last_month():
    window = resolve_period(dt.date(2026, 10, 17), "ytd")
    assert (window.start_month, window.end_month, window.months) == (dt.date(2026, 1, 1), OCT, 10)


def test_single_month_label():
    assert resolve_period(OCT, "last_month").label == "Last month, Oct 2026"


def test_unknown_keys_fall_back_to_defaults():
    window = resolve_period(OCT, "forever", "never")
    assert (window.period_key, window.comparison_key, window.months) == (
        "last_12_months", "previous_period", 12)


def test_sparkline_and_query_months():
    window = resolve_period(OCT, "last_3_months", "previous_year")
    sparkline = window.sparkline_end_months()
    assert len(sparkline) == 12
    assert sparkline[0] == dt.date(2025, 11, 1) and sparkline[-1] == OCT
    assert window.query_end_months() == [dt.date(2025, 10, 1), *sparkline]
    # previous period lies inside the sparkline: no extra month to fetch
    assert len(resolve_period(OCT, "last_3_months").query_end_months()) == 12


def test_filter_state_params_and_caption():
    state = FilterState(resolve_period(OCT, "last_month"), segments=("SMB",), plans=("Starter", "Pro"))
    assert state.query_params() == {
        "segments": ["SMB"], "regions": [], "plans": ["Starter", "Pro"], "window_months": 1}
    assert state.caption() == (
        "Last month, Oct 2026 · compared with Sep 2026 · Segment: SMB · Plan: Starter, Pro")
    assert FilterState(resolve_period(OCT)).caption().endswith("All accounts")
