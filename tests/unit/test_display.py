"""The one formatter: every unit as the house style shows it, column units from labels,
people's words for raw codes, axis ticks, counts with their noun."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from northstar.analytics import display


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (70_960_920.12, "usd", "$71.0M"),
    (56_324_800.92, "usd", "$56.3M"),
    (838_123.5, "usd", "$838K"),
    (4_210.0, "usd", "$4.21K"),
    (135_000_000, "usd", "$135M"),
    (12.5, "usd_price", "$12.50"),
    (150, "usd_price", "$150"),
    (13_244.53, "usd_price", "$13.2K"),
    # a return on cost: one decimal under 10, whole above
    (35.9, "multiple", "36×"),
    (4.677, "multiple", "4.7×"),
    (0.905, "multiple", "0.9×"),
    (1_234.5, "multiple", "1,234×"),
    (66.666, "pct", "66.7%"),
    (5.268, "pp", "5.3 pp"),
    (16.6, "nps", "+17"),
    (-4.2, "nps", "-4"),
    (3.546, "margin", "±3.5"),
    (0.0533, "margin", "±0.05"),
    (5.481, "mean_score", "5.48"),
    (1193, "count", "1,193"),
    (7406.0, "count", "7,406"),
    (148.616, "hours", "148.6"),
    (1.62031, "ratio", "1.62"),
    (0.15823, "decimal3", "0.158"),
    (None, "usd", "—"),
    (math.nan, "pct", "—"),
    (pd.NaT, "count", "—"),
])
def test_format_number(value, unit, shown):
    assert display.format_number(value, unit) == shown


def test_column_units_from_labels_suffixes_metrics_and_dtypes():
    assert display.column_unit("Starting ARR") == "usd"
    assert display.column_unit("First response, median (hours)") == "hours"
    assert display.column_unit("Largest decile gap (pp)") == "pp"
    assert display.column_unit("NPS n") == "count"
    assert display.column_unit("Logo churn") == "pct"
    assert display.column_unit("Accounts", pd.Series([1, 2])) == "count"
    assert display.column_unit("Tickets", pd.Series([11.0, 5.0])) == "count"
    # text and booleans are not numbers; an unknown fractional column has no unit
    assert display.column_unit("ARR", pd.Series(["$1M"])) is None
    assert display.column_unit("Escalated", pd.Series([True, False])) is None
    assert display.column_unit("Mystery", pd.Series([0.5, 1.25])) is None


def test_unformatted_numeric_columns_names_the_ones_without_a_unit():
    frame = pd.DataFrame({"ARR": [1.5], "Mystery": [0.25], "Accounts": [3]})
    assert display.unformatted_numeric_columns(frame) == ["Mystery"]


def test_column_formatters_show_each_column_in_its_unit():
    frame = pd.DataFrame({"ARR": [70_960_920.12, None], "Share of tickets": [20.72, 1.0],
                          "Name": ["a", "b"]})
    formatters = display.column_formatters(frame)
    assert set(formatters) == {"ARR", "Share of tickets"}
    assert formatters["ARR"](70_960_920.12) == "$71.0M"
    assert formatters["ARR"](None) == "—"
    assert formatters["Share of tickets"](20.72) == "20.7%"


@pytest.mark.parametrize(("raw", "words"), [
    ("customer_service", "Customer service"),
    ("how-to", "How-to"),
    ("pending", "Pending"),
    ("qbr_meeting", "QBR meeting"),
    ("Already fine", "Already fine"),
    ("T0001079350", "T0001079350"),
    ("Mei Lund", "Mei Lund"),
    ("raises churn", "raises churn"),
    (3, 3),
])
def test_people_words(raw, words):
    assert display.people_words(raw) == words


def test_with_people_words_leaves_links_alone():
    frame = pd.DataFrame({"Account": ["account?account=A1#acme_corp"], "Status": ["pending"]})
    shown = display.with_people_words(frame)
    assert list(shown["Account"]) == ["account?account=A1#acme_corp"]
    assert list(shown["Status"]) == ["Pending"]
    assert display.is_raw_code("customer_service") and not display.is_raw_code("Pending")


def test_nice_ticks_are_round_and_cover_the_range():
    assert display.nice_ticks(0, 2_630_000) == [0, 1_000_000, 2_000_000, 3_000_000]
    assert display.nice_ticks(96.8, 98.5) == [96.5, 97.0, 97.5, 98.0, 98.5]
    ticks = display.nice_ticks(2_600, 2_800)
    assert ticks[0] <= 2_600 and ticks[-1] >= 2_800 and len(ticks) <= 6
    assert display.log_ticks(9_000, 1_400_000) == [
        10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]


def test_money_ticks_drop_trailing_zeros_and_use_capital_k():
    shown = [display.money_tick_text(v) for v in (0, 500_000, 1_000_000, 1_500_000, 2_650)]
    assert shown == ["$0", "$500K", "$1M", "$1.5M", "$2.65K"]


def test_count_of_puts_the_noun_in_the_right_number():
    assert display.count_of(1, "account") == "1 account"
    assert display.count_of(2847, "account") == "2,847 accounts"
    assert display.count_of(12, "month") == "12 months"
    assert display.count_of(2, "more installation") == "2 more installations"


def test_distinct_labels_tell_apart_people_who_share_a_name():
    names = ["Kenji Varga", "Nora Castillo", "Kenji Varga", "Mei Varga", "Mei Varga"]
    details = ["Support engineer", "CSM", "Account manager", "CSM", "CSM"]
    assert display.distinct_labels(names, details) == [
        "Kenji Varga · Support engineer", "Nora Castillo", "Kenji Varga · Account manager",
        "Mei Varga · CSM (1)", "Mei Varga · CSM (2)"]
    assert display.distinct_labels([], []) == []


def test_a_tickets_csat_answer_is_a_score_not_a_rate():
    # one ticket's CSAT is its answer on 1–5; "CSAT" elsewhere is the share of 4–5 answers
    from northstar.analytics import accounts

    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2"], "opened_at": pd.to_datetime(["2026-10-01", "2026-10-02"]),
        "status": ["solved", "open"], "priority": ["high", "low"], "category": ["bug", "billing"],
        "channel": ["email", "chat"], "first_response_hours": [1.5, 2.0],
        "resolution_hours": [10.0, None], "is_escalated": [False, True], "reopen_count": [0, 1],
        "satisfaction_score": [4, None], "subject": ["a", "b"],
    })
    table = accounts.tickets_table(tickets)
    shown = display.column_formatters(table)[display.TICKET_CSAT]
    assert [shown(value) for value in table[display.TICKET_CSAT]] == ["4", "—"]
    rate = display.column_formatters(pd.DataFrame({"CSAT": [75.0]}))["CSAT"]
    assert rate(75.0) == "75.0%"


def test_the_account_caption_names_the_plan_as_a_plan():
    from northstar.analytics import accounts

    profile = pd.Series({"segment": "Enterprise", "region": "EMEA", "plan": "Enterprise",
                         "industry": "Retail", "csm_name": "Mei Lund",
                         "start_date": pd.Timestamp(2023, 8, 3)})
    assert accounts.profile_caption(profile) == (
        "Enterprise · EMEA · Enterprise plan · Retail · CSM Mei Lund · customer since 3 Aug 2023")
    no_plan = profile.drop("csm_name")
    no_plan["plan"] = None
    assert accounts.profile_caption(no_plan) == (
        "Enterprise · EMEA · Retail · customer since 3 Aug 2023")


def test_a_margin_column_rounds_like_its_measure_on_screen_and_in_excel():
    """'NPS ±' rounds like NPS (as the NPS card's '±4 pts (95%)'), 'CES ±' like CES."""
    frame = pd.DataFrame({"NPS ±": [3.546], "CSAT ±": [2.14], "CES ±": [0.0533]})
    formatters = display.column_formatters(frame)
    assert [formatters[column](frame[column][0]) for column in frame.columns] == [
        "±4", "±2.1", "±0.05"]
    assert [display.excel_format(column, frame[column]) for column in frame.columns] == [
        '"±"0', '"±"0.0', '"±"0.00']
