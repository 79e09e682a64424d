"""The CEO brief: sentences for fixtures with known answers, and escaping."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from northstar.analytics import ceo_brief
from northstar.analytics.kpi_cards import KpiCard
from northstar.analytics.metrics import METRICS, format_delta, format_value
from northstar.analytics.significance import EXACT, Status, Verdict
from northstar.ui import ceo_brief as ceo_brief_ui


def card(name: str, value: float, before: float, verdict: Verdict = EXACT) -> KpiCard:
    metric = METRICS[name]
    return KpiCard(metric, value, before, format_value(metric, value),
                   format_delta(metric, value - before), [], None, None, verdict)


def test_investment_sentences_say_what_each_size_rests_on():
    ranked = pd.DataFrame({
        "initiative_name": ["Knowledge base", "Support staffing", "Advisory board", "Nothing"],
        "department_name": ["Support", "Customer Service", "Marketing", "Marketing"],
        "status": ["proposed", "running", "proposed", "completed"],
        "basis": ["planned", "measured", "planned", "measured"],
        "reduction_pct": [15.0, 12.04, 20.0, 0.0],
        "protected_arr_usd": [1_216_000.0, 380_000.0, 4_308_000.0, 0.0],
        "protected_low_usd": [1_098_000.0, 210_000.0, 135_000.0, 0.0],
        "protected_high_usd": [1_338_000.0, 530_000.0, 10_721_000.0, 0.0],
        "cost_usd": [260_000.0, 420_000.0, 120_000.0, 10.0],
        "return_multiple": [4.677, 0.905, 35.9, 0.0],
        "return_low": [4.223, 0.5, 1.12, 0.0],
        "return_high": [5.146, 1.262, 89.3, 0.0],
        "payback_months": [2.57, 13.26, 0.33, math.inf],
        "payback_low_months": [2.33, 9.51, 0.13, math.inf],
        "payback_high_months": [2.84, 24.0, 10.7, math.inf],
        "rankable": [True, True, True, False],
        "sized": [True, True, False, False],
    })
    sentences = ceo_brief.investment_sentences(ranked)
    assert [s.text for s in sentences] == [
        "Knowledge base (Support, proposed; planned 15.0% churn reduction) would protect about "
        "$1.22M of ARR a year (95% range $1.10M–$1.34M) for $260K: 4.7× its cost (4.2×–5.1×); "
        "it pays back in 2.6 months (2.3–2.8).",
        "Support staffing (Customer Service, running; measured 12.0% churn reduction so far) "
        "protects about $380K of ARR a year (95% range $210K–$530K) for $420K: 0.9× its cost "
        "(0.5×–1.3×); it pays back in 13.3 months (9.5–24.0).",
        "Advisory board (Marketing, proposed; planned 20.0% churn reduction) targets a driver "
        "that raises churn, but what it protects can't be sized yet: $135K–$10.7M of ARR a "
        "year for $120K.",
    ]
    assert {s.link for s in sentences} == {"invest?view=Initiatives"}
    assert ceo_brief.investment_sentences(ranked.iloc[0:0]) == []
    # an initiative that is not ranked (its driver can't be told from chance, or it was
    # measured and did not work) is never written into the brief
    unclear = ranked.assign(rankable=[False, True, True, False])
    assert [s.text.split(" (")[0] for s in ceo_brief.investment_sentences(unclear)] == [
        "Support staffing", "Advisory board"]


def test_risk_sentences_name_the_account_its_range_and_reasons():
    at_risk = pd.DataFrame({
        "account_id": ["A0000007", "A0000009"], "account_name": ["Acme *Labs*", "Globex"],
        "segment": ["Enterprise", "SMB"], "arr_usd": [220_000.0, 90_000.0],
        "arr_at_risk_usd": [61_600.0, 4_500.0], "arr_at_risk_low_usd": [44_000.0, 3_100.0],
        "arr_at_risk_high_usd": [83_000.0, 6_200.0], "churn_risk_pct": [28.0, 5.0],
        "reasons": [["detractor_not_followed_up", "slow_support"], []],
        "renewal_date": [dt.date(2027, 1, 12), None],
    })
    first, second = ceo_brief.risk_sentences(at_risk)
    assert first.text == (
        "Acme *Labs* (Enterprise, $220K ARR) could cost $61.6K in the next 12 months (95% range "
        "$44.0K–$83.0K): a 28.0% chance of churning. Main reasons: detractor not followed up, slow "
        "ticket resolution; renews 12 Jan 2027.")
    assert second.text.endswith("Main reasons: no warning sign: its segment's usual churn.")
    assert first.link == "account?account=A0000007"
    # data-derived text cannot inject markdown (or LaTeX through the dollar signs)
    line = ceo_brief_ui.markdown_line(first)
    assert r"Acme \*Labs\*" in line and r"\$61\.6K" in line
    assert line.endswith("[Evidence →](account?account=A0000007)")


def test_change_sentences_pick_the_largest_relative_moves():
    cards = [
        card("arr_usd", 105_000_000, 100_000_000),  # +5%
        card("nrr_pct", 98.0, 104.0),  # -5.8%
        card("logo_churn_pct", 15.0, 12.0),  # +25%
        card("nps", 20.0, 30.0),  # -10 pts on a 100-point scale: 10%
        card("csat_pct", 80.0, 80.0),  # no change
    ]
    sentences = ceo_brief.change_sentences(cards, "Nov 2024 – Oct 2025")
    assert [s.text for s in sentences] == [
        "Logo churn rose to 15.0% from 12.0% in Nov 2024 – Oct 2025 (+3.0 pp), a deterioration.",
        "NPS fell to +20 from +30 in Nov 2024 – Oct 2025 (-10 pts), a deterioration.",
        "NRR fell to 98.0% from 104.0% in Nov 2024 – Oct 2025 (-6.0 pp), a deterioration.",
    ]
    assert [s.link for s in sentences] == [
        "retention?view=Overview&accounts=Churned", "satisfaction?view=Scores",
        "retention?view=Overview",
    ]


def test_changes_within_noise_are_left_out_and_tested_ones_carry_their_margin():
    cards = [
        card("nps", 23.0, 20.0, Verdict(Status.WITHIN_NOISE, margin=4.8)),
        card("csat_pct", 79.5, 80.0, Verdict(Status.TOO_FEW, "n = 12 and 40 answers")),
        card("logo_churn_pct", 15.0, 12.0, Verdict(Status.BEYOND_NOISE, margin=1.9)),
        card("arr_usd", 105_000_000, 100_000_000),
    ]
    sentences = ceo_brief.change_sentences(cards, "Nov 2024 – Oct 2025")
    assert [s.text for s in sentences] == [
        "Logo churn rose to 15.0% from 12.0% in Nov 2024 – Oct 2025 (+3.0 pp ± 1.9 pp, beyond "
        "noise), a deterioration.",
        "ARR rose to $105M from $100M in Nov 2024 – Oct 2025 (+$5.00M), an improvement.",
    ]


def test_a_sentence_is_escaped_and_keeps_its_evidence_link():
    sentence = ceo_brief.BriefSentence("[x](javascript:y) $5 #1", "account?account=A1")
    line = ceo_brief_ui.markdown_line(sentence, [("mask", "true")])
    assert line.startswith(r"\[x\]\(javascript\:")
    assert r"\$5 \#1" in line
    assert line.endswith("[Evidence →](account?account=A1&mask=true)")
