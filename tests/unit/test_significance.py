"""The one rule for "beyond noise", against hand-computed answers, and the pages that use it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from northstar.analytics import goals, programs, satisfaction, significance
from northstar.analytics.significance import Status


def test_a_change_beyond_1_96_combined_standard_errors_is_beyond_noise():
    # 50 ± 3 and 40 ± 4: combined SE 5, change 10 = 2.0 SE
    assert significance.change(50, 3, 40, 4).status is Status.BEYOND_NOISE
    # 49.7 vs 40: 9.7 / 5 = 1.94 SE
    assert significance.change(49.7, 3, 40, 4).status is Status.WITHIN_NOISE
    assert significance.change(50, None, 40, 4).status is Status.TOO_FEW


def test_two_rates_need_30_accounts_and_5_events_a_side():
    too_few = significance.rates(2, 40, 2, 400)  # "2 churned against 2"
    assert too_few.status is Status.TOO_FEW
    assert too_few.text == "too few to tell (n = 40 and 400; 2 and 2 churned)"
    assert significance.rates(10, 29, 10, 100).status is Status.TOO_FEW
    # 20/100 vs 10/100: SEs √(.2·.8/100) = .04 and √(.1·.9/100) = .03, combined .05;
    # .10 / .05 = 2.0 SE
    assert significance.rates(20, 100, 10, 100).status is Status.BEYOND_NOISE
    # 18/100 vs 10/100: SE √(.18·.82/100) = .0384, combined .0484; .08 / .0484 = 1.65 SE
    assert significance.rates(18, 100, 10, 100).status is Status.WITHIN_NOISE


def test_an_interval_including_no_effect_cannot_be_told_from_chance():
    assert significance.interval(0.55, 5.70).status is Status.WITHIN_NOISE
    assert significance.interval(1.2, 2.4).status is Status.BEYOND_NOISE
    assert significance.interval(0.4, 0.9).status is Status.BEYOND_NOISE
    assert significance.interval(None, 2.0).status is Status.TOO_FEW


def test_the_standard_error_of_a_ratio_of_totals():
    # three accounts (x opening, y closing): (10, 12), (20, 18), (30, 30)
    # R = 60 / 60 = 1; residuals 2, −2, 0; Σ = 8; SE = √(3/2 × 8) / 60 = √12 / 60
    x, y = [10, 20, 30], [12, 18, 30]
    se = significance.ratio_se(sum(y), sum(x), sum(v * v for v in y), sum(v * v for v in x),
                               sum(a * b for a, b in zip(x, y, strict=True)), 3)
    assert se == pytest.approx(math.sqrt(12) / 60)
    assert significance.ratio_se(10, 10, 100, 100, 100, 1) is None


def test_survey_changes_need_30_answers_a_side():
    small = satisfaction.nps(10, 2, 20)
    large = satisfaction.nps(100, 20, 200)
    verdict = satisfaction.change_verdict(small, large)
    assert verdict.status is Status.TOO_FEW
    assert verdict.text == "too few to tell (n = 20 and 200 answers)"


def cab_row(opening: int, churned: int, nps: tuple[int, int, int]) -> pd.Series:
    """A program_cab_comparison row with every account at $1,000 opening, $1,000 closing."""
    promoters, detractors, responses = nps
    return pd.Series({
        "opening_accounts": opening, "churned_accounts": churned,
        "logo_churn_pct": 100 * churned / opening, "nrr_pct": 100.0,
        "starting_arr_usd": 12_000.0 * opening, "retained_arr_usd": 12_000.0 * opening,
        "opening_mrr_squares_usd2": 1e6 * opening, "closing_mrr_squares_usd2": 1e6 * opening,
        "opening_closing_mrr_products_usd2": 1e6 * opening,
        "nps": 100 * (promoters - detractors) / responses, "nps_promoters": promoters,
        "nps_detractors": detractors, "nps_responses": responses,
    })


def test_advisory_board_comparisons_say_too_few_rather_than_a_ratio():
    members = cab_row(25, 2, (15, 2, 20))
    comparable = cab_row(400, 2, (150, 60, 300))
    for column in ("logo_churn_pct", "nrr_pct", "nps"):
        assert programs.comparison_verdict(members, comparable, column).status is Status.TOO_FEW


def test_advisory_board_nrr_identical_groups_are_within_noise():
    members = cab_row(100, 10, (60, 10, 100))
    comparable = cab_row(400, 40, (200, 80, 400))
    assert programs.comparison_verdict(members, comparable, "nrr_pct").status is \
        Status.WITHIN_NOISE
    # 10% vs 10% churn: no difference
    assert programs.comparison_verdict(members, comparable, "logo_churn_pct").status is \
        Status.WITHIN_NOISE
    # NPS 50 vs 30 on 100 and 400 answers: SEs √((.7 − .25)/100)·100 = 6.7 and
    # √((.7 − .09)/400)·100 = 3.9, combined 7.8; 20 / 7.8 = 2.6 SE
    assert programs.comparison_verdict(members, comparable, "nps").status is \
        Status.BEYOND_NOISE


def test_scorecard_touchpoint_changes_carry_the_same_verdict():
    frame = pd.DataFrame([
        # CSAT 80% of 100 vs 70% of 100: SEs .040 and .046, combined .061; .10 = 1.6 SE
        {"program": "support", "survey_type": "CSAT", "score": 80.0, "answers": 100,
         "comparison_score": 70.0, "comparison_answers": 100, "promoters": 0, "detractors": 0,
         "satisfied": 80, "score_total": 0, "score_squares_total": 0, "comparison_promoters": 0,
         "comparison_detractors": 0, "comparison_satisfied": 70, "comparison_score_total": 0,
         "comparison_score_squares_total": 0},
        # CSAT 90% of 400 vs 70% of 400: combined SE .028; .20 = 7 SE
        {"program": "relationship", "survey_type": "CSAT", "score": 90.0, "answers": 400,
         "comparison_score": 70.0, "comparison_answers": 400, "promoters": 0, "detractors": 0,
         "satisfied": 360, "score_total": 0, "score_squares_total": 0,
         "comparison_promoters": 0, "comparison_detractors": 0, "comparison_satisfied": 280,
         "comparison_score_total": 0, "comparison_score_squares_total": 0},
    ])
    table = goals.touchpoint_table(frame)
    assert list(table["Change vs comparison"]) == ["+10.0 pp", "+20.0 pp"]
    assert list(table["Change is"]) == ["within noise", "beyond noise"]


def test_many_effects_read_together_are_judged_family_wise():
    """23 attribute levels at 95% each would show about one false effect: each interval is
    widened (Bonferroni) so the chance of any false one stays 5%."""
    import math

    from northstar.analytics import invest
    from northstar.analytics.significance import Z_95, family_interval, family_z

    assert family_z(1) == pytest.approx(Z_95, rel=1e-9)
    assert family_z(25) == pytest.approx(3.0902, rel=1e-4)  # Φ⁻¹(1 − 0.05 / 50)
    low, high = family_interval(1.02, 1.23, 25)
    spread = (math.log(1.23) - math.log(1.02)) / (2 * Z_95) * family_z(25)
    centre = (math.log(1.02) + math.log(1.23)) / 2
    assert (low, high) == pytest.approx((math.exp(centre - spread), math.exp(centre + spread)))
    assert low < 1 < high
    alone = invest.AttributeResult("Industry", "Software", "Financial Services",
                                   invest.Estimate(1.12, 1.02, 1.23), 900, 200)
    among = invest.AttributeResult("Industry", "Software", "Financial Services",
                                   invest.Estimate(1.12, 1.02, 1.23), 900, 200, levels_read=25)
    assert alone.beyond_noise and not among.beyond_noise
    assert among.text.startswith("Industry: Software vs Financial Services: hazard ratio 1.12 (0.")
    assert among.text.endswith(" (interval widened for the 25 levels read together), can't tell "
                               "from chance")


def test_too_few_text_names_the_thresholds_once():
    assert significance.too_few_text("Met vs not met", "too few to tell") == (
        "Met vs not met: too few to tell. A comparison needs at least 30 accounts and 5 churned "
        "accounts in each group.")
    assert "at least 30 answers and 5 churned accounts" in significance.too_few_text(
        "Followed-up vs other detractors", "too few to tell", units="answers")
