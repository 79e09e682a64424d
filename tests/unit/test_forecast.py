"""The revenue forecast (northstar/data/model/revenue_forecast.py): its math on hand-computed cases, and its
track record on the demo, whose churn is drawn from the exposures it plants."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from northstar.analytics import forecast as forecast_view
from northstar.data.model import revenue_forecast


def test_quarter_chances_hold_the_hazard_constant_within_the_year():
    chances = revenue_forecast.quarter_chances(np.array([0.36, 0.0]))
    # 1 − 0.64^(q/4): 0.64^(1/4) = 0.894427..., 0.64^(1/2) = 0.8
    assert chances[0] == pytest.approx([1 - 0.64**0.25, 0.2, 1 - 0.64**0.75, 0.36])
    assert list(chances[1]) == [0, 0, 0, 0]


def test_quarter_chances_from_one_exp_equal_one_exp_per_quarter():
    # 1 − exp(−h q ÷ 4) = 1 − e^q with e = exp(−h ÷ 4), q = 1 … 4, hazards from tiny to large
    rng = np.random.default_rng(11)
    hazard = np.exp(rng.normal(-3.0, 2.0, size=(7, 40)))
    expected = 1 - np.exp(-hazard[:, None, :]
                          * (np.arange(1, revenue_forecast.QUARTERS + 1) / 4)[None, :, None])
    survival = revenue_forecast.quarter_survival(hazard.copy())
    np.testing.assert_allclose(survival, np.exp(-hazard / 4), rtol=1e-15)
    chances = revenue_forecast.quarter_chances_from_survival(survival)
    assert chances.shape == (7, revenue_forecast.QUARTERS, 40)
    np.testing.assert_allclose(chances, expected, rtol=1e-12, atol=1e-13)
    # the expected weight churned by each quarter: Σ weight × chance, per weight column
    weights = np.column_stack([rng.uniform(0, 5e5, 40), np.ones(40)])
    np.testing.assert_allclose(revenue_forecast.churned_by_quarter(survival, weights),
                               expected @ weights, rtol=1e-12)


def _random_draws(runs: int = 600) -> revenue_forecast.LinearDraws:
    rng = np.random.default_rng(5)
    patterns = rng.integers(0, 2, size=(30, 6)).astype(float)
    patterns[:, 0] = 1
    calibration = np.column_stack([rng.normal(-0.2, 0.1, runs), rng.normal(0.9, 0.05, runs)])
    shifts = np.column_stack([rng.normal(0, 0.3, (runs, 2)), np.zeros(runs)])
    return revenue_forecast.LinearDraws(patterns, rng.normal(-4, 0.5, (runs, 6)), calibration,
                                        shifts, rng.integers(-1, 2, 30),
                                        rng.normal(0, 0.2, runs))


def test_a_block_of_linear_predictors_is_a_plus_b_times_ln12_plus_x_beta_plus_the_shifts():
    draws = _random_draws()
    expected = (draws.calibration[:, :1] + draws.calibration[:, 1:] * (
        math.log(12) + draws.beta @ draws.patterns.T)
        + draws.shifts[:, draws.pattern_segment] + draws.common[:, None])
    np.testing.assert_allclose(draws.block(0, draws.runs), expected, rtol=1e-13, atol=1e-13)


def test_the_average_linear_predictor_is_the_mean_of_every_runs_blocks():
    draws = _random_draws()
    blocks = np.vstack([draws.block(start, start + revenue_forecast.RUN_CHUNK)
                        for start in range(0, draws.runs, revenue_forecast.RUN_CHUNK)])
    np.testing.assert_allclose(draws.average(), blocks.mean(axis=0), rtol=1e-12, atol=1e-12)
    fixed = revenue_forecast.LinearDraws.fixed(np.array([-2.0, -1.0, 0.5]), 10)
    np.testing.assert_allclose(fixed.average(), [-2.0, -1.0, 0.5], rtol=1e-12)


def test_churn_moments_of_three_accounts_by_hand():
    arr = np.array([100.0, 200.0, 300.0])
    chances = np.array([[0.1, 0.2], [0.5, 0.5], [0.0, 0.3]])  # churned by quarter 1, 2
    mean, cov = revenue_forecast.churn_moments(arr, chances)
    # expected churned ARR: 100×0.1 + 200×0.5 + 300×0 = 110; by quarter 2: 20 + 100 + 90 = 210
    assert mean == pytest.approx([110.0, 210.0])
    # variance by quarter 1: 100²×0.1×0.9 + 200²×0.5×0.5 + 0 = 900 + 10,000 = 10,900
    # by quarter 2: 100²×0.2×0.8 + 200²×0.25 + 300²×0.3×0.7 = 1,600 + 10,000 + 18,900
    # covariance: churned by 1 implies churned by 2: Σ w² c₁ (1 − c₂)
    #   = 100²×0.1×0.8 + 200²×0.5×0.5 + 0 = 800 + 10,000
    assert cov == pytest.approx(np.array([[10_900.0, 10_800.0], [10_800.0, 30_500.0]]))


def _rates(expansion: float, contraction: float, spread: float = 0.0) -> revenue_forecast.Rates:
    full = np.full(revenue_forecast.QUARTERS, 1.0)
    return revenue_forecast.Rates(expansion * full, spread * full, contraction * full, spread * full,
                          8 * full)


def test_simulation_matches_the_moments_and_the_nrr_grr_definitions():
    arr = np.array([100.0, 200.0, 300.0])
    p12 = np.array([0.2, 0.5, 0.05])
    linear = np.log(-np.log(1 - p12))  # 1 − exp(−exp(λ)) = p
    runs = 20_000
    rng = np.random.default_rng(7)
    samples = revenue_forecast.simulate(np.arange(3), revenue_forecast.LinearDraws.fixed(linear, runs), arr,
                                _rates(0.10, 0.04), rng)
    chances = revenue_forecast.quarter_chances(p12)
    mean, cov = revenue_forecast.churn_moments(arr, chances)
    kept = samples["arr_usd"] / (1 + 0.10 - 0.04)  # the opening ARR not churned
    churned = arr.sum() - kept
    # three accounts are drawn one by one: the exact mean within its Monte Carlo error, the
    # exact spread, and the exact covariance between quarters
    error = np.sqrt(np.diag(cov) / runs)
    assert np.all(np.abs(churned.mean(axis=0) - mean) < 4 * error)
    assert np.cov(churned, rowvar=False) == pytest.approx(cov, rel=0.05)
    # NRR = (opening − churned) × (1 + expansion − contraction) ÷ opening; GRR leaves out
    # expansion; logo churn counts accounts
    assert samples["nrr_pct"] == pytest.approx(100 * kept * 1.06 / 600)
    assert samples["grr_pct"] == pytest.approx(100 * kept * 0.96 / 600)
    logo_mean = chances.sum(axis=0) / 3 * 100
    assert samples["logo_churn_pct"].mean(axis=0) == pytest.approx(logo_mean, abs=1.0)
    # churned by a quarter never falls later
    assert np.all(np.diff(churned, axis=1) >= -1e-6)


def test_expansion_rates_come_from_the_last_quarter_ends_known_at_the_origin():
    rows = []
    for start in pd.date_range("2024-03-01", "2025-12-01", freq="3MS"):
        for quarter in range(1, 5):
            end = start + pd.DateOffset(months=3 * quarter)
            rows.append({"start_month": start, "quarters_ahead": quarter, "end_month": end,
                         "retained_start_arr_usd": 1000.0,
                         "expansion_arr_usd": 10.0 * quarter + start.month,
                         "contraction_arr_usd": 5.0 * quarter})
    windows = pd.DataFrame(rows)
    rates = revenue_forecast.observed_rates(windows, dt.date(2025, 6, 1))
    assert rates is not None
    # one quarter ahead: starts Mar 2024 – Mar 2025 end by Jun 2025 (5 of them)
    assert rates.starts[0] == 5
    expansion = [(10 + m) / 1000 for m in (3, 6, 9, 12, 3)]
    assert rates.expansion_mean[0] == pytest.approx(np.mean(expansion))
    assert rates.expansion_sd[0] == pytest.approx(np.std(expansion, ddof=1))
    assert rates.contraction_mean[1] == pytest.approx(0.010)
    # four quarters ahead: only Mar 2024 and Jun 2024 have ended by Jun 2025: not forecast
    assert math.isnan(rates.starts[3])
    assert revenue_forecast.observed_rates(windows, dt.date(2024, 3, 1)) is None


def test_origins_are_the_quarter_ends_a_year_in_with_a_quarter_after_them():
    past, live = revenue_forecast.origins(dt.date(2023, 11, 1), dt.date(2026, 10, 1))
    assert live == dt.date(2026, 9, 1)
    assert past == [dt.date(2024, 12, 1), dt.date(2025, 3, 1), dt.date(2025, 6, 1),
                    dt.date(2025, 9, 1), dt.date(2025, 12, 1), dt.date(2026, 3, 1),
                    dt.date(2026, 6, 1)]


def test_a_forecast_is_scored_inside_or_outside_each_interval():
    made = pd.DataFrame([{"origin_month": dt.date(2025, 3, 1), "quarter": 1, "metric": m,
                          "median": 10.0, "low_80": 9.0, "high_80": 11.0, "low_95": 8.0,
                          "high_95": 12.0} for m in ("nrr_pct", "grr_pct")])
    actual = pd.DataFrame([{"origin_month": dt.date(2025, 3, 1), "quarter": 1,
                            "metric": "nrr_pct", "actual": 11.5},
                           {"origin_month": dt.date(2025, 3, 1), "quarter": 1,
                            "metric": "grr_pct", "actual": 10.5}]).astype({"actual": float})
    scored = revenue_forecast.score(made, actual).set_index("metric")
    assert scored.loc["nrr_pct", "error"] == pytest.approx(1.5)
    assert not scored.loc["nrr_pct", "inside_80"] and scored.loc["nrr_pct", "inside_95"]
    assert scored.loc["grr_pct", "inside_80"] and scored.loc["grr_pct", "inside_95"]


# --- the demo's track record -----------------------------------------------------------------

# NRR, GRR and logo churn (ARR's coverage is NRR's: the same figure over a fixed opening ARR)
SCORED_METRICS = ("nrr_pct", "grr_pct", "logo_churn_pct")
TOLERANCE = 0.99  # the central range of the binomial the count inside must fall in


@pytest.fixture(scope="module")
def stored(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return (con.execute("select * from revenue_forecast").df(),
                con.execute("select * from revenue_forecast_backtest").df(),
                con.execute("select * from revenue_forecast_status").df())


def test_the_demo_has_a_forecast_of_four_quarters_with_nested_intervals(stored):
    frame, _, status = stored
    assert status["note"].iloc[0] == ""
    assert len(frame) == revenue_forecast.QUARTERS * len(revenue_forecast.METRICS)
    assert (frame["low_95"] <= frame["low_80"]).all()
    assert (frame["low_80"] <= frame["median"]).all()
    assert (frame["median"] <= frame["high_80"]).all()
    assert (frame["high_80"] <= frame["high_95"]).all()
    # intervals widen with the horizon
    arr = frame.loc[frame["metric"] == "arr_usd"].sort_values("quarter")
    widths = (arr["high_80"] - arr["low_80"]).to_numpy()
    assert np.all(np.diff(widths) > 0)


@pytest.mark.parametrize("interval, nominal", [("80", 0.80), ("95", 0.95)])
def test_the_demo_backtest_coverage_is_near_nominal(stored, interval, nominal):
    """The count of quarters whose actual fell inside the interval, over NRR, GRR and logo churn
    and every scored origin and quarter ahead, lies in the central 99% range of a binomial with
    the nominal chance. That range assumes independent quarters; the real ones share origins
    and overlap, so the true spread is wider and this bound is the stricter one: it is not
    widened to let a poor method pass (too narrow intervals fall below it, intervals that are
    too wide rise above it at 80%)."""
    _, backtest, _ = stored
    assert backtest["origin_month"].nunique() >= revenue_forecast.MIN_SCORED_ORIGINS
    scored = backtest.loc[backtest["metric"].isin(SCORED_METRICS)]
    count, inside = len(scored), int(scored[f"inside_{interval}"].sum())
    low, high = binom.interval(TOLERANCE, count, nominal)
    assert low <= inside <= high, (inside, count, low, high)


def test_the_track_record_sentence_counts_the_arr_quarters(stored):
    _, backtest, _ = stored
    arr = backtest.loc[backtest["metric"] == "arr_usd"]
    text = forecast_view.track_record_text(backtest)
    assert text.startswith(f"Past forecasts: the actual ARR fell inside the 80% interval in "
                           f"{int(arr['inside_80'].sum())} of {len(arr)} quarters")


def test_churn_varying_beyond_chance_widens_every_run_by_its_excess_spread():
    starts = pd.date_range("2024-03-01", "2025-12-01", freq="3MS")
    def windows(rates):
        return pd.DataFrame({"start_month": starts, "quarters_ahead": 1,
                             "end_month": starts + pd.DateOffset(months=3),
                             "opening_accounts": 10_000,
                             "churned_accounts": [int(rate * 10_000) for rate in rates]})
    origin = dt.date(2026, 3, 1)
    # the same churn every quarter: chance explains it all
    assert revenue_forecast.churn_spread(windows([0.05] * 8), origin) == 0.0
    rates = np.array([0.04, 0.06] * 4)
    binomial = np.mean(rates * (1 - rates) / 10_000)
    expected = math.sqrt(rates.var(ddof=1) - binomial) / (0.95 * -math.log(0.95))
    assert revenue_forecast.churn_spread(windows(rates), origin) == pytest.approx(expected)
    # quarters that differ by no more than chance does (χ² p ≥ 0.05) add nothing either,
    # though their variance happens to exceed the binomial one
    close = np.array([0.0475, 0.0525] * 4)
    assert close.var(ddof=1) > np.mean(close * (1 - close) / 10_000)
    assert revenue_forecast.churn_spread(windows(close), origin) == 0.0
    # fewer than four quarters ended by the origin: nothing to judge by
    assert revenue_forecast.churn_spread(windows(rates), dt.date(2024, 12, 1)) == 0.0


def test_a_covariance_that_differs_in_its_last_bits_gives_the_same_draws():
    # sums taken in another order leave noise of 1e-19 off the diagonal of a diagonal covariance;
    # the draws must not change with it (an eigen-decomposition mirrored them)
    mean = np.array([0.3, -0.2])
    diagonal = np.diag([0.01, 0.01])
    noisy = diagonal + np.array([[0.0, -1e-17], [-1e-17, 0.0]])
    first = revenue_forecast.normal_draws(np.random.default_rng(7), mean, diagonal, 4000)
    second = revenue_forecast.normal_draws(np.random.default_rng(7), mean, noisy, 4000)
    assert np.allclose(first, second, rtol=0, atol=1e-9)
    # and they are draws of that normal: mean and covariance within sampling error
    assert np.allclose(first.mean(axis=0), mean, atol=4 * 0.1 / np.sqrt(4000))
    assert np.allclose(np.cov(first.T), diagonal, atol=0.0015)


def test_a_covariance_short_of_positive_definite_still_gives_draws_of_its_shape():
    singular = np.array([[1.0, 1.0], [1.0, 1.0 - 1e-3]])  # one eigenvalue just below 0
    draws = revenue_forecast.normal_draws(np.random.default_rng(3), np.zeros(2), singular, 2000)
    assert draws.shape == (2000, 2) and np.all(np.isfinite(draws))
    assert np.corrcoef(draws.T)[0, 1] > 0.99  # the two move together, as the covariance says
