"""What the Satisfaction page shows, computed from small hand-made query results."""

from __future__ import annotations

import pandas as pd

from northstar.analytics import satisfaction


def _scores(nps: tuple[int, int, int], csat: tuple[int, int]) -> pd.DataFrame:
    # ungrouped survey_scores rows: (promoters, detractors, responses) and (satisfied, responses)
    return pd.DataFrame([
        {"survey_type": "NPS", "promoters": nps[0], "detractors": nps[1], "responses": nps[2],
         "satisfied": 0, "score_total": 0.0, "score_squares_total": 0.0},
        {"survey_type": "CSAT", "promoters": 0, "detractors": 0, "responses": csat[1],
         "satisfied": csat[0], "score_total": 0.0, "score_squares_total": 0.0},
    ])


def test_score_cards_compare_the_period_with_the_one_before():
    # NPS 60 - 10 = 50 on 100 answers against 40 - 20 = 20 on 100: a real rise of 30 points;
    # CSAT 8 of 10 (80%) against 7 of 10: too few answers to tell; no CES answer at all
    cards = satisfaction.score_cards(_scores((60, 10, 100), (8, 10)),
                                     _scores((40, 20, 100), (7, 10)))
    assert [card.metric.name for card in cards] == ["nps", "csat_pct", "ces_mean"]
    nps, csat, ces = cards
    assert (nps.value, nps.delta, nps.is_real) == ("+50", "+30 pts", True)
    assert nps.caption.startswith("+50 · n = 100 · ±")
    assert (csat.value, csat.delta, csat.is_real) == ("80.0%", "+10.0 pp", False)
    assert "too few to tell" in csat.note
    assert (ces.value, ces.delta, ces.caption) == ("—", None, "No answers")


def test_the_trend_opens_on_nps_or_the_first_score_answered():
    assert satisfaction.first_score(_scores((1, 0, 1), (1, 1))) == "NPS"
    assert satisfaction.first_score(_scores((1, 0, 1), (1, 1)).iloc[1:]) == "CSAT"
    assert satisfaction.first_score(pd.DataFrame(columns=["survey_type"])) == "NPS"


def test_closed_loop_cards_hover_and_bars():
    monthly = pd.DataFrame({"month": ["2026-08-01", "2026-09-01"], "unhappy_answers": [10, 5],
                            "followed_up": [6, 1], "overdue": [4, 2], "due": [0, 2],
                            "follow_up_rate_pct": [60.0, 100 / 3]})
    cards = satisfaction.loop_cards(satisfaction.loop_totals(monthly))
    # 7 followed up of the 13 answers past their target (15 less 2 still due)
    assert [(label, value) for label, value, _ in cards] == [
        ("Unhappy answers", "15"), ("Followed up in time", "53.8%"), ("Overdue", "6"),
        ("Due now", "2")]
    assert satisfaction.follow_up_hover(monthly) == ["60.0% of 10", "33.3% of 3"]
    retained = pd.DataFrame({"was_followed_up": [True, False], "churn_pct": [5.0, 12.5],
                             "churned_within_horizon": [2, 5], "detractor_answers": [40, 40]})
    bars = satisfaction.retention_bars(retained)
    assert bars.labels == ["Followed up", "Not followed up"]
    assert bars.followed_up == [True, False]
    assert bars.hover == ["2 of 40 answers", "5 of 40 answers"]


def test_band_caption_and_period_months():
    distribution = pd.DataFrame({"survey_type": ["NPS"] * 3, "score": [3, 8, 10],
                                 "responses": [1, 1, 2]})
    assert satisfaction.band_caption(distribution, "NPS") == (
        "Detractors (0–6): 25.0% (1) · Passives (7–8): 25.0% (1) · Promoters (9–10): 50.0% (2)")
    assert satisfaction.period_months("2026-01-01", "2026-03-01") == [
        pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")]
    assert satisfaction.trend_title(satisfaction.METRICS["csat_pct"]) == "CSAT by month, %"


def test_a_warning_per_theme_with_a_spike():
    summary = pd.DataFrame({"Theme": ["Pricing", "Support"], "Spike": ["Sep 2026: 40 vs 12", ""]})
    assert satisfaction.spike_warnings(summary) == ["Complaint spike — Pricing: Sep 2026: 40 vs 12."]
