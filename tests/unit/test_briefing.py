"""KPI cards from kpi_windows rows: current value, delta, sparkline and n."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.analytics.kpi_cards import kpi_cards
from northstar.analytics.metrics import BRIEFING_KPIS
from northstar.analytics.periods import resolve_period
from northstar.data.months import add_months

OCT = dt.date(2026, 10, 1)


def frame_for(months: list[dt.date], nrr: list[float], nps_responses: int = 40) -> pd.DataFrame:
    rows = []
    for month, value in zip(months, nrr, strict=True):
        rows.append({
            "window_end_month": pd.Timestamp(month), "arr_usd": 1e6, "nrr_pct": value,
            "grr_pct": 90.0, "logo_churn_pct": 5.0, "nps": 20.0, "nps_responses": nps_responses,
            "csat_pct": 80.0, "csat_responses": 10, "ces_mean": 5.0, "ces_responses": 0,
            "open_escalations": 3,
        })
    return pd.DataFrame(rows)


def test_cards_in_wall_order_with_delta_and_sparkline():
    window = resolve_period(OCT, "last_3_months")  # compares with Jul 2026
    months = window.sparkline_end_months()
    frame = frame_for(months, [100.0 + index for index in range(12)])
    cards = kpi_cards(frame, window)
    assert [card.metric.name for card in cards] == list(BRIEFING_KPIS)
    nrr = cards[1]
    assert nrr.value == pytest.approx(111.0)
    assert nrr.comparison_value == pytest.approx(108.0)  # Jul is 3 months before Oct
    assert nrr.delta_text == "+3.0 pp"
    assert nrr.sparkline == [100.0 + index for index in range(12)]
    assert nrr.delta_color == "normal"


def test_survey_cards_carry_their_n_and_say_when_there_is_none():
    window = resolve_period(OCT, "last_month")
    frame = frame_for(window.sparkline_end_months(), [100.0] * 12)
    cards = {card.metric.name: card for card in kpi_cards(frame, window)}
    assert cards["nps"].note == "n = 40 responses"
    assert cards["ces_mean"].note == "No responses in the period"


def test_no_change_is_shown_without_colour():
    window = resolve_period(OCT, "last_month")
    frame = frame_for(window.sparkline_end_months(), [100.0] * 12)
    card = kpi_cards(frame, window)[1]
    assert card.delta_text == "0.0 pp"
    assert card.delta_color == "off"
    assert not card.delta_is_change


def test_missing_comparison_gives_no_delta():
    window = resolve_period(OCT, "last_12_months", "previous_year")
    months = [add_months(OCT, -offset) for offset in range(3)]
    cards = kpi_cards(frame_for(months, [99.0, 98.0, 97.0]), window)
    assert cards[1].value == pytest.approx(99.0)
    assert cards[1].delta_text is None
    assert cards[1].sparkline[-3:] == [97.0, 98.0, 99.0]
    assert cards[1].sparkline[0] is None
