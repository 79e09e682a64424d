"""The checks the churn model must pass before a risk number is shown: each check against
figures worked out by hand, the order they are read in, and the calibration's uncertainty in
an account's range."""

from __future__ import annotations

import math

import numpy as np
import pytest

from northstar.data.model import churn_model, model_checks
from northstar.data.model.churn_model import Fit, Term
from northstar.data.model.model_checks import BacktestFigures, Evidence


def passing(**changes) -> Evidence:
    evidence = dict(churn_months=30, data_months=36, fitted=True, fit_note="",
                    fit_events=400, fit_event_months=20,
                    backtest=BacktestFigures(1000, 200, 0.8, 21.0))
    return Evidence(**{**evidence, **changes})


def test_the_auc_interval_is_hanley_and_mcneils():
    # A = 0.8, 50 churned, 50 stayed: Q1 = 0.8 / 1.2 = 0.666667, Q2 = 2 × 0.64 / 1.8 = 0.711111;
    # SE² = (0.16 + 49 × 0.026667 + 49 × 0.071111) / 2,500 = 4.951111 / 2,500 = 0.00198044,
    # SE = 0.044502; 0.8 ± 1.96 × 0.044502 = 0.7128–0.8872
    low, high = model_checks.auc_interval(0.8, 50, 50)
    assert (low, high) == pytest.approx((0.7128, 0.8872), abs=1e-4)
    # A = 0.55, 40 churned, 160 stayed: Q1 = 0.379310, Q2 = 0.390323;
    # SE² = (0.2475 + 39 × 0.076810 + 159 × 0.087823) / 6,400 = 0.00268858, SE = 0.051852;
    # 0.55 ± 0.101628 = 0.4484–0.6516
    low, high = model_checks.auc_interval(0.55, 40, 160)
    assert (low, high) == pytest.approx((0.4484, 0.6516), abs=1e-4)


def test_the_auc_interval_matches_the_rank_sum_auc_of_a_hand_made_backtest():
    # 30 churned scored 2, 30 stayed scored 1, and 10 of each scored alike (ties count half):
    # pairs churned-above-stayed 30 × 40 + 10 × 30, ties 10 × 10 of 40 × 40 pairs
    outcome = np.array([True] * 40 + [False] * 40)
    score = np.array([2.0] * 30 + [1.5] * 10 + [1.5] * 10 + [1.0] * 30)
    value = churn_model.auc(outcome, score)
    assert value == pytest.approx((30 * 40 + 10 * 30 + 0.5 * 10 * 10) / 1600)  # 0.96875
    check = churn_model.ScoreCheck("model", 80, 40, value, 0.0, None)
    assert check.auc_interval == model_checks.auc_interval(value, 40, 40)
    verdict = model_checks.evaluate(passing(backtest=BacktestFigures(80, 40, value, 50.0)))
    assert verdict.passed and verdict.reason == ""


def test_a_model_that_passes_every_check_lists_them_all():
    verdict = model_checks.evaluate(passing())
    assert verdict.passed
    assert [check.check_id for check in verdict.checks] == [
        "churn_months", "history", "fitted", "fit_events", "backtest_events", "ranking",
        "calibration"]
    assert all(check.passed for check in verdict.checks)
    # 200 churned, 800 stayed: SE² = (0.16 + 199 × 0.026667 + 799 × 0.071111) ÷ 160,000
    # = 0.00038928, SE = 0.01973; 0.8 ± 0.0387 = 0.761–0.839
    assert verdict.checks[5].result == "AUC 0.80, 95% interval 0.76–0.84"


def test_a_ranking_no_better_than_chance_fails_with_its_interval():
    verdict = model_checks.evaluate(passing(backtest=BacktestFigures(200, 40, 0.55, 20.0)))
    assert not verdict.passed
    assert verdict.reason == ("The churn model is not shown: its backtest ranks churners no "
                              "better than chance (AUC 0.55, 95% interval 0.45–0.65).")
    assert verdict.checks[-1].passed is None  # calibration not reached


def test_churn_in_one_month_only_is_the_reason_and_stops_the_checks():
    verdict = model_checks.evaluate(passing(churn_months=1))
    assert verdict.reason == ("The churn model is not shown: only 1 month of the data has "
                              "churn, so there is nothing to check a model on.")
    assert [check.passed for check in verdict.checks] == [False] + [None] * 6


def test_too_short_a_history_and_too_little_churn_are_reasons():
    assert model_checks.evaluate(passing(data_months=24)).reason == (
        "The churn model is not shown: the data covers 24 months, and checking a model needs "
        "25: a year to fit on and a year to check its predictions against.")
    assert model_checks.evaluate(passing(fit_events=49)).checks[3].passed is False
    assert model_checks.evaluate(passing(fit_event_months=5)).checks[3].passed is False
    assert model_checks.evaluate(passing(fit_events=50, fit_event_months=6)).passed
    thin = model_checks.evaluate(passing(backtest=BacktestFigures(1000, 29, 0.8, 3.0)))
    assert thin.reason == ("The churn model is not shown: of the 1,000 accounts it would be "
                           "checked on, 29 churned and 971 stayed in the following year; "
                           "checking needs 30 of each.")


def test_calibration_passes_within_the_observed_interval_and_the_tolerance():
    # 200 of 1,000 churned: Wilson 95% interval 17.64–22.59%, ± 2 pp = 15.64–24.59%
    low, high = model_checks.wilson(200, 1000)
    assert (100 * low, 100 * high) == pytest.approx((17.64, 22.59), abs=0.01)
    for predicted, ok in ((24.5, True), (15.7, True), (24.7, False), (15.5, False)):
        verdict = model_checks.evaluate(passing(backtest=BacktestFigures(1000, 200, 0.8,
                                                                          predicted)))
        assert verdict.passed is ok, predicted
    assert model_checks.evaluate(passing(backtest=BacktestFigures(1000, 200, 0.8, 30.0))
                                 ).reason == (
        "The churn model is not shown: on the accounts of its backtest it predicted 30.0% "
        "would churn within 12 months and 20.0% did (95% interval 17.6–22.6%), more than "
        "2 pp off.")


def test_an_unfitted_model_gives_its_note_as_the_reason():
    verdict = model_checks.evaluate(passing(fitted=False, fit_note="the churn model did not "
                                            "converge"))
    assert verdict.reason == "The churn model is not shown: the churn model did not converge."


def test_an_account_range_carries_the_calibrations_uncertainty():
    # a = 0, b = 1, Var a = 0.01 and nothing else uncertain, at ln 12 + η = 0:
    # λ = 0 ± 1.96 × 0.1, chance 1 − exp(−exp(±0.196)) = 0.5522–0.7036 around 0.6321
    fitted = Fit(None, "SMB", (Term("intercept", "intercept", "", 0.0, 0.0),), 100, 1000, 50,
                 True, calibration=(0.0, 1.0),
                 calibration_covariance=np.array([[0.01, 0.0], [0.0, 0.0]]))
    eta = np.array([-math.log(12)])
    low, high = fitted.probability_range(eta, np.zeros(1))
    assert fitted.probability(eta)[0] == pytest.approx(1 - math.exp(-1))
    assert (low[0], high[0]) == pytest.approx((1 - math.exp(-math.exp(-0.196)),
                                               1 - math.exp(-math.exp(0.196))), abs=1e-3)
    # the model's own error adds b² Var η: with SE(η) = 0.1 as well, SE(λ) = √0.02
    low, high = fitted.probability_range(eta, np.array([0.1]))
    half = 1.959964 * math.sqrt(0.02)
    assert (low[0], high[0]) == pytest.approx((1 - math.exp(-math.exp(-half)),
                                               1 - math.exp(-math.exp(half))))
