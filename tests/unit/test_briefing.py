"""KPI cards from kpi_windows rows: current value, delta, sparkline and n."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.analytics import satisfaction
from northstar.analytics.kpi_cards import kpi_cards
from northstar.analytics.metrics import briefing_kpis
from northstar.analytics.periods import resolve_period
from northstar.analytics.significance import Status
from northstar.data.months import add_months

OCT = dt.date(2026, 10, 1)


def frame_for(months: list[dt.date], nrr: list[float], nps_responses: int = 40) -> pd.DataFrame:
    """kpi_windows rows with every column the cards read: 200 accounts opening, 10 churned;
    NPS 20 (12 promoters, 4 detractors of 40); CSAT 80% (8 of 10); no CES answers."""
    rows = []
    for month, value in zip(months, nrr, strict=True):
        rows.append({
            "window_end_month": pd.Timestamp(month), "arr_usd": 1e6, "nrr_pct": value,
            "grr_pct": 90.0, "logo_churn_pct": 5.0, "opening_accounts": 200,
            "churned_accounts": 10, "nps": 20.0, "nps_responses": nps_responses,
            "nps_promoters": nps_responses * 3 // 10, "nps_detractors": nps_responses // 10,
            "csat_pct": 80.0, "csat_responses": 10, "csat_satisfied": 8, "ces_mean": None,
            "ces_responses": 0, "ces_score_total": None, "ces_score_squares_total": None,
            "open_escalations": 3,
        })
    return pd.DataFrame(rows)


def survey_months(window, before: tuple[int, int, int], now: tuple[int, int, int]) -> pd.DataFrame:
    """A frame whose comparison and current rows carry the NPS answers given as
    (promoters, detractors, responses)."""
    frame = frame_for(window.sparkline_end_months(), [100.0] * 12)
    months = pd.to_datetime(frame["window_end_month"])
    for month, (promoters, detractors, responses) in (
            (window.comparison_end_month, before), (window.end_month, now)):
        row = months == pd.Timestamp(month)
        frame.loc[row, ["nps_promoters", "nps_detractors", "nps_responses"]] = (
            promoters, detractors, responses)
        frame.loc[row, "nps"] = 100 * (promoters - detractors) / responses
    return frame


def test_cards_in_wall_order_with_delta_and_sparkline():
    window = resolve_period(OCT, "last_3_months")  # compares with Jul 2026
    months = window.sparkline_end_months()
    frame = frame_for(months, [100.0 + index for index in range(12)])
    cards = kpi_cards(frame, window)
    assert [card.metric.name for card in cards] == list(briefing_kpis())
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


def test_a_survey_change_within_noise_is_not_coloured():
    # NPS 20 → 23 on 400 answers each side: SE ≈ 3.4 per side, combined ≈ 4.8, so +3 is noise
    window = resolve_period(OCT, "last_month")
    frame = survey_months(window, before=(140, 60, 400), now=(148, 56, 400))
    card = {card.metric.name: card for card in kpi_cards(frame, window)}["nps"]
    assert card.delta_text == "+3 pts"
    assert card.delta_is_change
    assert card.verdict.status is Status.WITHIN_NOISE
    assert card.delta_color == "off"
    assert "within noise" in card.delta_note


def test_a_survey_change_beyond_noise_is_coloured():
    # NPS 20 → 40 on 400 answers each side: +20 against a combined SE of about 4.7
    window = resolve_period(OCT, "last_month")
    frame = survey_months(window, before=(140, 60, 400), now=(200, 40, 400))
    card = {card.metric.name: card for card in kpi_cards(frame, window)}["nps"]
    assert card.verdict.status is Status.BEYOND_NOISE
    assert card.delta_color == "normal"


def test_the_wall_and_the_satisfaction_page_use_the_same_test():
    window = resolve_period(OCT, "last_month")
    for before, now in (((140, 60, 400), (148, 56, 400)), ((140, 60, 400), (200, 40, 400))):
        frame = survey_months(window, before, now)
        card = {card.metric.name: card for card in kpi_cards(frame, window)}["nps"]
        page = satisfaction.change_verdict(satisfaction.nps(*now), satisfaction.nps(*before))
        assert card.verdict == page


def test_totals_over_the_whole_base_are_exact():
    window = resolve_period(OCT, "last_3_months")
    frame = frame_for(window.sparkline_end_months(), [100.0 + index for index in range(12)])
    nrr = kpi_cards(frame, window)[1]
    assert nrr.verdict.status is Status.EXACT
    assert nrr.delta_color == "normal"


def test_a_document_of_a_card_says_within_noise_where_the_screen_greys_it():
    from northstar.analytics.kpi_cards import KpiCard
    from northstar.analytics.metrics import METRICS
    from northstar.analytics.significance import EXACT, Status, Verdict

    metric = METRICS["nps"]
    noisy = KpiCard(metric, 34.0, 31.0, "+34", "+3 pts", [], 400, None,
                    Verdict(Status.WITHIN_NOISE, margin=6.0))
    assert noisy.change_text("vs previous 12 months") == (
        "+3 pts vs previous 12 months, within noise")
    real = KpiCard(METRICS["arr_usd"], 135e6, 107e6, "$135M", "+$28.0M", [], None, None, EXACT)
    assert real.change_text("vs previous 12 months") == "+$28.0M vs previous 12 months"
    # the card's change is the difference of the values as shown
    rounded = KpiCard(METRICS["grr_pct"], 97.14, 95.26, "97.1%", "+1.8 pp", [], None, None, EXACT)
    assert rounded.delta == 1.8


def test_the_period_row_and_the_nrr_points():
    from northstar.analytics import figures

    window = resolve_period(dt.date(2026, 9, 1), "last_3_months", "previous_period")
    frame = pd.DataFrame({
        "window_end_month": pd.to_datetime(["2025-06-01", "2026-06-01", "2026-09-01"]),
        "active_accounts": [5, 5, 0], "opening_accounts": [4, 4, 0],
        "nrr_pct": [97.0, 101.0, 99.0]})
    # no account active at the start or the end of the period: nothing to brief on
    assert figures.period_row(frame, window) is None
    frame.loc[2, "opening_accounts"] = 2
    assert figures.period_row(frame, window)["nrr_pct"] == 99.0
    assert figures.period_row(frame.iloc[:2], window) is None
    # the trend: the 12 months to the period's end, not the window a year before them
    assert list(figures.nrr_points(frame, window)["nrr_pct"]) == [101.0, 99.0]


def test_the_at_risk_section_lists_accounts_after_the_portfolio_sentence():
    from northstar.analytics import ceo_brief

    def portfolio(accounts: int, at_risk: float) -> pd.DataFrame:
        return pd.DataFrame([{"level": "total", "segment": None, "band": None,
                              "accounts": accounts, "arr_usd": 1_000_000.0,
                              "arr_at_risk_usd": at_risk, "arr_at_risk_low_usd": at_risk / 2,
                              "arr_at_risk_high_usd": at_risk * 2}])

    assert ceo_brief.at_risk_limit(portfolio(40, 120_000.0)) == 2
    assert ceo_brief.at_risk_limit(portfolio(40, 0.0)) == 3
    assert ceo_brief.at_risk_limit(portfolio(0, 0.0)) == 3
