"""The revenue forecast and its track record, computed when the database is built or loaded.

What is forecast: the ARR held at the origin, the data's last quarter-end month (March, June,
September or December), over the next four quarters, with NRR, GRR and logo churn measured on it
(cumulative from the origin, as Retention defines them). New business is not forecast.

How, per run of a simulation (RUNS runs, fixed seed):
- churn: each account billed at the origin has the churn model's 12-month chance
  1 − exp(−exp(λ)), λ = a + b (ln 12 + η) (northstar/data/model/churn_model.py); with a constant
  hazard within the year, its chance of having churned by the end of quarter q is
  1 − exp(−(q ÷ 4) exp(λ)). The model's and the calibration's uncertainty is systematic (one
  fit for every account), so each run draws the coefficients β from their (cluster-robust)
  normal and (a, b) from theirs, shared by all accounts. Given the run's chances, the churned
  ARR and the churned accounts by the end of each quarter are the sums of independent
  Bernoulli draws, taken as normal with their exact means and covariance (Cov(churned by q,
  churned by r) = Σ ARR² c_q (1 − c_r), q ≤ r), summed by covariate pattern so a million
  accounts cost as little as a few thousand; the EXACT_ACCOUNTS largest accounts, whose ARR
  the normal would smooth over, are drawn one by one instead.
- the model's 12-month chance is calibrated on all accounts together; each segment's own
  calibration months may sit above or below it, so λ is shifted by a per-segment δ fitted on
  them (SegmentOffsets), drawn with its uncertainty like the calibration's.
- churn also varies from quarter to quarter beyond what chance explains (a season, a bad
  quarter): where the last quarters' logo churn varied more than binomially, each run shifts
  every account's λ by one normal draw with that excess spread (churn_spread).
- expansion and contraction: the observed shares of the retained accounts' opening ARR that
  expanded or contracted over q quarters, from each of the last MAX_RATE_STARTS quarter-end
  months whose q quarters had ended by the origin (at least MIN_RATE_STARTS); each run draws
  the mean plus its spread × √(1 + 1 ÷ n) × a standard normal shared by the four quarters.
- ARR at q = (opening ARR − churned ARR) × (1 + expansion − contraction); NRR = that ÷ opening
  ARR; GRR = (opening ARR − churned ARR) × (1 − contraction) ÷ opening ARR; logo churn = churned
  accounts ÷ accounts at the origin.

The track record: the same forecast made at every earlier quarter-end month from a year after
the data's first month, with a model that saw nothing after it (the backtest's fit from its
month on, a fit of its own as of the origin before that; model_for), against what the ARR held
then did (model_sql/forecast_windows.sql). The live forecast uses the current model. Stored
in the tables revenue_forecast, revenue_forecast_backtest and revenue_forecast_status, so pages
only read them.
No forecast is stored where the churn model failed its checks, or fewer than
MIN_SCORED_ORIGINS earlier origins could be scored; revenue_forecast_status says why.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from functools import cached_property

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import chi2

from northstar.data import rules
from northstar.data.model import churn_model
from northstar.data.months import add_months

QUARTERS = 4  # quarters ahead
QUARTER_MONTHS = 3
QUARTER_END_MONTHS = (3, 6, 9, 12)
RUNS = 2000  # simulation runs per origin
SEED = 2024  # the simulation's seed: the same database gives the same forecast
MIN_RATE_STARTS, MAX_RATE_STARTS = 4, 8  # quarter-end months the expansion rates come from
# earlier origins with an actual to compare before a forecast is shown
MIN_SCORED_ORIGINS = rules.MIN_SCORED_ORIGINS
FIRST_ORIGIN_MONTHS = churn_model.HORIZON_MONTHS  # months of history before the first origin
EXACT_ACCOUNTS = 500  # the largest accounts, drawn one by one (the rest as normal sums)
RUN_CHUNK = 250  # runs computed at once (memory: chunk × groups × quarters)
SPREAD_TEST_P = 0.05  # churn_spread: quarters that differ beyond chance at this level
# interval name -> (lower, upper) percentile
INTERVALS = {"80": (10.0, 90.0), "95": (2.5, 97.5)}
METRICS = ("arr_usd", "nrr_pct", "grr_pct", "logo_churn_pct")
NOT_SHOWN = "The revenue forecast is not shown: "
TABLES = ("revenue_forecast", "revenue_forecast_backtest", "revenue_forecast_status")
WINDOWS_SQL = churn_model.MODEL_SQL_DIR / "forecast_windows.sql"


@dataclass(frozen=True)
class Rates:
    """Expansion and contraction over q quarters as shares of the retained accounts' opening
    ARR: the mean and spread over the start months used (n)."""

    expansion_mean: np.ndarray  # per quarter ahead
    expansion_sd: np.ndarray
    contraction_mean: np.ndarray
    contraction_sd: np.ndarray
    starts: np.ndarray  # n per quarter ahead


def quarter_chances(probability_12m: np.ndarray, quarters: int = QUARTERS) -> np.ndarray:
    """The chance of having churned by the end of each quarter ahead from the 12-month chance,
    the hazard constant within the year: 1 − (1 − p)^(q ÷ 4); accounts × quarters."""
    p = np.asarray(probability_12m, dtype=float)[:, None]
    return 1 - (1 - p) ** (np.arange(1, quarters + 1) / 4)


def churn_moments(weights: np.ndarray, chances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and covariance of Σ weight × churned-by-q (q = the chances' columns) over
    independent accounts: mean_q = Σ w c_q, Cov_qr = Σ w² c_min(q,r) (1 − c_max(q,r))."""
    w = np.asarray(weights, dtype=float)
    mean = w @ chances
    quarters = chances.shape[1]
    first = np.minimum.outer(np.arange(quarters), np.arange(quarters))
    last = np.maximum.outer(np.arange(quarters), np.arange(quarters))
    cov = np.einsum("i,iqr->qr", w**2, chances[:, first] * (1 - chances[:, last]))
    return mean, cov


def observed_rates(windows: pd.DataFrame, origin: dt.date) -> Rates | None:
    """The expansion and contraction rates known at the origin (windows: forecast_windows rows);
    NaN for a quarter ahead with fewer than MIN_RATE_STARTS start months (not forecast), None
    when that is every one."""
    rows = windows.assign(start=pd.to_datetime(windows["start_month"]).dt.date,
                          end=pd.to_datetime(windows["end_month"]).dt.date)
    rows = rows.loc[(rows["end"] <= origin) & (rows["retained_start_arr_usd"] > 0)]
    values: dict[str, list[float]] = {name: [] for name in (
        "expansion_mean", "expansion_sd", "contraction_mean", "contraction_sd", "starts")}
    for quarter in range(1, QUARTERS + 1):
        used = rows.loc[rows["quarters_ahead"] == quarter].sort_values("start").tail(
            MAX_RATE_STARTS)
        if len(used) < MIN_RATE_STARTS:
            for name in values:
                values[name].append(math.nan)
            continue
        expansion = used["expansion_arr_usd"] / used["retained_start_arr_usd"]
        contraction = used["contraction_arr_usd"] / used["retained_start_arr_usd"]
        values["expansion_mean"].append(float(expansion.mean()))
        values["expansion_sd"].append(float(expansion.std(ddof=1)))
        values["contraction_mean"].append(float(contraction.mean()))
        values["contraction_sd"].append(float(contraction.std(ddof=1)))
        values["starts"].append(len(used))
    if all(math.isnan(count) for count in values["starts"]):
        return None
    return Rates(**{name: np.asarray(value, dtype=float) for name, value in values.items()})


def churn_spread(windows: pd.DataFrame, origin: dt.date) -> float:
    """How much the quarters' churn varies beyond chance, on λ's scale: over the last
    MAX_RATE_STARTS quarters ended by the origin, the variance of the logo churn of a quarter
    less the binomial variance chance alone gives, divided by the slope of the quarter's chance
    in λ at their mean churn, (1 − c) (−ln(1 − c)). 0 when chance could explain the quarters'
    differences (a χ² test of equal churn, p ≥ SPREAD_TEST_P): an excess estimated from a few
    noisy quarters would widen every interval for nothing."""
    rows = windows.loc[(windows["quarters_ahead"] == 1)
                       & (pd.to_datetime(windows["end_month"]).dt.date <= origin)
                       & (windows["opening_accounts"] > 0)]
    rows = rows.sort_values("start_month").tail(MAX_RATE_STARTS)
    if len(rows) < MIN_RATE_STARTS:
        return 0.0
    rate = (rows["churned_accounts"] / rows["opening_accounts"]).to_numpy(dtype=float)
    chance = float(rate.mean())
    if not 0 < chance < 1:
        return 0.0
    opening = rows["opening_accounts"].to_numpy(dtype=float)
    statistic = float(np.sum((rate - chance) ** 2 / (chance * (1 - chance) / opening)))
    if chi2.sf(statistic, len(rate) - 1) >= SPREAD_TEST_P:
        return 0.0
    binomial = float(np.mean(rate * (1 - rate) / opening))
    excess = float(rate.var(ddof=1)) - binomial
    return math.sqrt(max(excess, 0.0)) / ((1 - chance) * -math.log(1 - chance))


def _cholesky(cov: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor of a covariance (a little jitter for a singular one)."""
    scale = max(float(np.max(np.diag(cov))), 1.0)
    return np.linalg.cholesky(cov + 1e-10 * scale * np.eye(len(cov)))


def normal_draws(rng: np.random.Generator, mean: np.ndarray, cov: np.ndarray,
                 runs: int) -> np.ndarray:
    """`runs` draws (runs × len(mean)) from the normal with this mean and covariance, through its
    Cholesky factor: a factor that moves little when the covariance moves little, so a
    covariance that differs in its last bits (sums taken in another order) gives the same
    draws. (An eigen-decomposition can flip an eigenvector's sign on such noise and mirror
    every draw.) A covariance that is not positive definite is factored from its eigenvalues
    clipped at 0, each eigenvector's sign fixed by its largest entry."""
    mean = np.asarray(mean, dtype=float)
    cov = np.asarray(cov, dtype=float)
    standard = rng.standard_normal((runs, len(mean)))
    try:
        factor = _cholesky(cov)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh((cov + cov.T) / 2)
        largest = np.argmax(np.abs(vectors), axis=0)
        vectors = vectors * np.sign(vectors[largest, np.arange(len(mean))])
        factor = vectors * np.sqrt(np.clip(values, 0, None))
    return mean + standard @ factor.T


@dataclass(frozen=True)
class SegmentOffsets:
    """Each segment's shift δ of λ, as the calibration months show it, with its covariance."""

    segments: tuple[str, ...]
    offsets: np.ndarray
    covariance: np.ndarray

    @classmethod
    def none(cls) -> SegmentOffsets:
        return cls((), np.zeros(0), np.zeros((0, 0)))


def segment_offsets(fitted: churn_model.Fit, landmarks: pd.DataFrame,
                    design_effect: float = 1.0) -> SegmentOffsets:
    """Per segment with at least MIN_EVENTS churned landmarks: δ in churned within 12 months
    ~ λ + δ_segment (binomial, complementary log-log, λ as the offset), so that the 12-month
    chance is right on the segment's own months, not only on average; its covariance times the
    landmarks' design effect, as the calibration's. Segments without enough churn keep δ = 0."""
    if landmarks.empty or not fitted.usable:
        return SegmentOffsets.none()
    linear, _ = fitted.linear_predictor(fitted.log_hazard(landmarks),
                                        np.zeros(len(landmarks)))
    known = np.isfinite(linear)
    rows = landmarks.loc[known]
    churned = rows["churned_within_12m"].to_numpy(dtype=float)
    total = rows["landmarks"].to_numpy(dtype=float)
    events = rows.assign(_churned=churned).groupby("segment")["_churned"].sum()
    segments = tuple(sorted(str(level) for level in events.index[events >= rules.MIN_EVENTS]))
    if not segments:
        return SegmentOffsets.none()
    design = np.column_stack([(rows["segment"].astype(str) == segment).to_numpy(dtype=float)
                              for segment in segments])
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    try:
        result = sm.GLM(np.column_stack([churned, total - churned]), design, family=family,
                        offset=linear[known]).fit(maxiter=100)
    except (np.linalg.LinAlgError, ValueError):
        return SegmentOffsets.none()
    if not result.converged or not np.all(np.isfinite(result.params)):
        return SegmentOffsets.none()
    return SegmentOffsets(segments, np.asarray(result.params, dtype=float),
                          np.asarray(result.cov_params(), dtype=float) * max(design_effect, 1))


def linear_draws(fitted: churn_model.Fit, accounts: pd.DataFrame, runs: int,
                 rng: np.random.Generator,
                 offsets: SegmentOffsets | None = None) -> tuple[np.ndarray, LinearDraws]:
    """λ = a + b (ln 12 + x β) + δ_segment per run and covariate pattern, the coefficients β
    drawn from their (cluster-robust) normal, the calibration's (a, b) and the segments' δ from
    theirs, once per run for every account: (each account's pattern, runs × patterns). An
    account in a segment the fit has no baseline for counts as the reference segment."""
    offsets = offsets or SegmentOffsets.none()
    segment_code = np.full(len(accounts), -1.0)
    for position, segment in enumerate(offsets.segments):
        segment_code[(accounts["segment"].astype(str) == segment).to_numpy()] = position
    design = fitted.design(accounts)
    # the design's columns are 0/1: each row read as binary digits (and the segment) is its key
    bits = (design @ (2.0 ** np.arange(design.shape[1])) if design.shape[1] <= 52
            else np.unique(design, axis=0, return_inverse=True)[1].ravel().astype(float))
    keys = pd.MultiIndex.from_arrays([bits, segment_code])
    index, _ = pd.factorize(keys)
    first = np.unique(index, return_index=True)[1]
    patterns, pattern_segment = design[first], segment_code[first].astype(int)
    beta = normal_draws(rng, fitted.coefficients, fitted.covariance, runs)
    calibration = normal_draws(rng, np.asarray(fitted.calibration, dtype=float),
                               fitted.calibration_covariance, runs)
    shifts = (normal_draws(rng, offsets.offsets, offsets.covariance, runs) if offsets.segments
              else np.zeros((runs, 0)))  # runs × segments
    shifts = np.column_stack([shifts, np.zeros(runs)])  # -1: a segment without a shift
    return index.ravel(), LinearDraws(patterns, beta, calibration, shifts, pattern_segment)


@dataclass(frozen=True)
class LinearDraws:
    """λ per run and pattern, computed a block of runs at a time (runs × patterns would not fit
    in memory at a million accounts): a + b (ln 12 + x β) + δ_segment + a shift of every λ."""

    patterns: np.ndarray  # patterns × parameters (0/1)
    beta: np.ndarray  # runs × parameters
    calibration: np.ndarray  # runs × (a, b)
    shifts: np.ndarray  # runs × (segments + 1): δ per segment, 0 for a segment without one
    pattern_segment: np.ndarray  # each pattern's column of shifts
    common: np.ndarray | None = None  # runs: a shift of every account's λ (the quarters')

    @classmethod
    def fixed(cls, linear: np.ndarray, runs: int) -> LinearDraws:
        """The same λ per pattern in every run (no model uncertainty)."""
        linear = np.asarray(linear, dtype=float)
        return cls(np.eye(len(linear)),
                   np.tile(linear - math.log(churn_model.HORIZON_MONTHS), (runs, 1)),
                   np.tile([0.0, 1.0], (runs, 1)), np.zeros((runs, 1)),
                   np.zeros(len(linear), dtype=int))

    @property
    def runs(self) -> int:
        return len(self.beta)

    @cached_property
    def _design(self) -> np.ndarray:
        """Each pattern's x and its column of shifts as 0/1: patterns × (parameters + segments
        + 1)."""
        return np.column_stack([self.patterns,
                                np.eye(self.shifts.shape[1])[self.pattern_segment]])

    def _coefficients(self, start: int, stop: int) -> np.ndarray:
        """λ = a + b (ln 12 + x β) + δ + common written as one product with _design: per run,
        b β, then a + b ln 12 + common + δ for each column of shifts; runs × columns."""
        intercept, slope = self.calibration[start:stop, :1], self.calibration[start:stop, 1:]
        constant = intercept + slope * math.log(churn_model.HORIZON_MONTHS)
        if self.common is not None:
            constant = constant + self.common[start:stop, None]
        return np.column_stack([slope * self.beta[start:stop],
                                constant + self.shifts[start:stop]])

    def block(self, start: int, stop: int) -> np.ndarray:
        """λ of runs start – stop, runs × patterns (one matrix product)."""
        return self._coefficients(start, stop) @ self._design.T

    def average(self) -> np.ndarray:
        """λ per pattern averaged over the runs: λ is linear in the coefficients of
        _coefficients, so it is the patterns' product with their mean (no block computed)."""
        return self._design @ self._coefficients(0, self.runs).mean(axis=0)


def quarter_survival(hazard: np.ndarray) -> np.ndarray:
    """e = exp(−hazard ÷ 4), the chance of still being there after one quarter at a yearly
    hazard constant within the year, written over `hazard` (a float array)."""
    hazard *= -1 / QUARTERS
    return np.exp(hazard, out=hazard)


def quarter_chances_from_survival(survival: np.ndarray) -> np.ndarray:
    """The chance of having churned by the end of each quarter ahead, 1 − exp(−hazard × q ÷ 4),
    from one exp: 1 − e^q with e = quarter_survival(hazard). survival: runs × columns; the
    result: runs × quarters × columns."""
    chances = np.empty((survival.shape[0], QUARTERS, survival.shape[1]))
    power = survival.copy()
    for quarter in range(QUARTERS):
        if quarter:
            power *= survival
        np.subtract(1.0, power, out=chances[:, quarter])
    return chances


def churned_by_quarter(survival: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_p weight_p × (1 − e_p^q) per run, quarter ahead and weight column: the expected
    weight churned by the end of each quarter, as (Σ weight) − (e^q @ weights), one product of
    e at a time (no runs × quarters × patterns array). survival: runs × patterns (e);
    weights: patterns × columns; the result: runs × quarters × columns."""
    kept = np.empty((survival.shape[0], QUARTERS, weights.shape[1]))
    power = survival
    for quarter in range(QUARTERS):
        if quarter == 1:
            power = survival * survival
        elif quarter > 1:
            power *= survival
        kept[:, quarter] = power @ weights
    return weights.sum(axis=0) - kept


def simulate(pattern: np.ndarray, linear: LinearDraws, arr: np.ndarray, rates: Rates,
             rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Runs × quarters of every metric (METRICS) for the accounts at an origin: each account's
    pattern and ARR then, λ per run and pattern (runs × patterns), and the expansion and
    contraction rates."""
    arr = np.asarray(arr, dtype=float)
    patterns = len(linear.patterns)
    # the largest accounts are drawn one by one; the sums over the rest are taken as normal
    exact = np.zeros(len(arr), dtype=bool)
    exact[np.argsort(-arr, kind="stable")[:EXACT_ACCOUNTS]] = True
    rest_pattern, rest_arr = pattern[~exact], arr[~exact]
    sizes = {"arr": (np.bincount(rest_pattern, weights=rest_arr, minlength=patterns),
                     np.bincount(rest_pattern, weights=rest_arr**2, minlength=patterns)),
             "logos": (np.bincount(rest_pattern, minlength=patterns).astype(float),) * 2}
    rest_totals = {"arr": float(rest_arr.sum()), "logos": float(len(rest_arr))}
    exact_weights = {"arr": arr[exact], "logos": np.ones(int(exact.sum()))}
    totals = {"arr": float(arr.sum()), "logos": float(len(arr))}
    runs = linear.runs
    quarters = np.arange(1, QUARTERS + 1) / 4
    churned = {name: np.empty((runs, QUARTERS)) for name in sizes}
    # the Bernoulli sums' covariance, at the runs' average λ (it moves little between runs;
    # their means, which move most, are each run's own)
    average = 1 - np.exp(-np.exp(linear.average())[:, None] * quarters)
    lower = {name: _cholesky(churn_moments(np.sqrt(squares), average)[1])
             for name, (_, squares) in sizes.items()}
    exact_pattern = pattern[exact]
    names = list(sizes)
    weights = np.column_stack([sizes[name][0] for name in names])  # patterns × names
    for start in range(0, runs, RUN_CHUNK):
        survival = linear.block(start, start + RUN_CHUNK)
        np.exp(survival, out=survival)  # the yearly hazard
        survival = quarter_survival(survival)  # runs × patterns
        count = len(survival)
        means = churned_by_quarter(survival, weights)  # runs × quarters × names
        # one uniform per run and large account: churned by quarter q when below its chance
        gone = (rng.random((count, 1, int(exact.sum())))
                < quarter_chances_from_survival(survival[:, exact_pattern])
                ).astype(float)  # runs × q × accounts
        for position, name in enumerate(names):
            drawn = means[:, :, position] + rng.standard_normal((count, QUARTERS)) @ lower[name].T
            drawn = np.clip(drawn, 0, rest_totals[name])
            churned[name][start:start + RUN_CHUNK] = (
                np.maximum.accumulate(drawn, axis=1) + gone @ exact_weights[name])
    spread = np.sqrt(1 + 1 / rates.starts)
    expansion = np.maximum(rates.expansion_mean + rates.expansion_sd * spread
                           * rng.standard_normal((runs, 1)), 0)
    contraction = np.clip(rates.contraction_mean + rates.contraction_sd * spread
                          * rng.standard_normal((runs, 1)), 0, 1)
    opening = totals["arr"]
    kept = opening - churned["arr"]
    arr_after = kept * (1 + expansion - contraction)
    return {"arr_usd": arr_after, "nrr_pct": 100 * arr_after / opening,
            "grr_pct": 100 * kept * (1 - contraction) / opening,
            "logo_churn_pct": 100 * churned["logos"] / totals["logos"]}


def summarise(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per quarter ahead and metric: the median and the ends of the 80% and 95% intervals."""
    rows = []
    for metric in METRICS:
        values = samples[metric]
        for quarter in range(QUARTERS):
            column = values[:, quarter]
            row = {"quarter": quarter + 1, "metric": metric,
                   "median": float(np.median(column))}
            for name, (low, high) in INTERVALS.items():
                row[f"low_{name}"] = float(np.percentile(column, low))
                row[f"high_{name}"] = float(np.percentile(column, high))
            rows.append(row)
    return pd.DataFrame(rows)


def actuals(windows: pd.DataFrame) -> pd.DataFrame:
    """What the ARR held at each start month did: per start and quarter ahead, each metric."""
    w = windows
    frame = pd.DataFrame({
        "origin_month": pd.to_datetime(w["start_month"]).dt.date,
        "quarter": w["quarters_ahead"].astype(int),
        "arr_usd": w["ending_arr_usd"].astype(float),
        "nrr_pct": 100 * w["ending_arr_usd"] / w["opening_arr_usd"],
        "grr_pct": 100 * (w["opening_arr_usd"] - w["churned_arr_usd"]
                          - w["contraction_arr_usd"]) / w["opening_arr_usd"],
        "logo_churn_pct": 100 * w["churned_accounts"] / w["opening_accounts"],
    })
    return frame.melt(id_vars=["origin_month", "quarter"], var_name="metric",
                      value_name="actual")


def quarter_end(month: dt.date) -> dt.date:
    """The latest quarter-end month at or before `month`."""
    return add_months(month, -(month.month % QUARTER_MONTHS))


def origins(first_month: dt.date, last_month: dt.date) -> tuple[list[dt.date], dt.date]:
    """The earlier origins (quarter-end months from FIRST_ORIGIN_MONTHS after the first month
    with at least one quarter ended after them) and the live one (the last quarter-end)."""
    live = quarter_end(last_month)
    month = quarter_end(add_months(first_month, FIRST_ORIGIN_MONTHS + QUARTER_MONTHS - 1))
    past = []
    while add_months(month, QUARTER_MONTHS) <= last_month:
        past.append(month)
        month = add_months(month, QUARTER_MONTHS)
    return past, live


def model_for(con: duckdb.DuckDBPyConnection, first_month: dt.date, origin: dt.date,
              fits: dict[dt.date, churn_model.Fit],
              starts: dict[dt.date, churn_model.Fit] | None = None,
              samples: churn_model.CalibrationSamples | None = None
              ) -> tuple[dt.date, churn_model.Fit]:
    """The model a forecast made at `origin` uses, and the month it is as of: the latest of the
    fits the churn model made (the backtest's) as of the origin or before, else one fitted as
    of the origin; never one that saw a month after it. `starts`: fits as of other months (any,
    the fit's result does not depend on them), the nearest of which the new fit starts from
    (fewer steps to the same coefficients); the new fit is added to them. `samples`: the
    calibration samples the new fit reads (fit_as_of)."""
    known = [month for month in fits if month <= origin]
    if known:
        return max(known), fits[max(known)]
    starts = {} if starts is None else starts
    usable = [month for month, fitted in starts.items() if fitted.usable]
    nearest = (starts[min(usable, key=lambda month: abs((month - origin).days))] if usable
               else None)
    fitted = churn_model.fit_as_of(con, first_month, origin, nearest, samples)
    starts[origin] = fitted
    return origin, fitted


def forecast_at(con: duckdb.DuckDBPyConnection, first_month: dt.date, origin: dt.date,
                windows: pd.DataFrame, model: tuple[dt.date, churn_model.Fit],
                samples: churn_model.CalibrationSamples | None = None
                ) -> tuple[pd.DataFrame | None, str]:
    """The forecast made at the end of `origin` with the model given (as of a month) and the
    expansion and contraction known then; None and why not. `samples`: the calibration
    samples the segments' offsets read (queried here without them)."""
    rates = observed_rates(windows, origin)
    if rates is None:
        return None, (f"fewer than {MIN_RATE_STARTS} quarter-end months with expansion and "
                      "contraction observed over each horizon")
    as_of, fitted = model
    if not fitted.usable:
        return None, fitted.note or "the churn model could not be fitted"
    accounts = churn_model.landmark_frame(con, origin)
    if accounts.empty or accounts["arr_usd"].sum() <= 0:
        return None, "no ARR at the origin"
    calibration_through = add_months(as_of, -churn_model.HORIZON_MONTHS)
    samples = samples or churn_model.CalibrationSamples(con, first_month)
    offsets = (segment_offsets(fitted, *samples(calibration_through))
               if calibration_through >= first_month else SegmentOffsets.none())
    rng = np.random.default_rng(SEED)
    pattern, linear = linear_draws(fitted, accounts, RUNS, rng, offsets)
    linear = replace(linear, common=rng.normal(0.0, churn_spread(windows, origin), RUNS))
    arr = accounts["arr_usd"].to_numpy(dtype=float)
    table = summarise(simulate(pattern, linear, arr, rates, rng))
    table = table.loc[table["quarter"].isin(np.flatnonzero(np.isfinite(rates.starts)) + 1)]
    return table.assign(origin_month=origin, opening_arr_usd=float(arr.sum()),
                        opening_accounts=len(arr)), ""


def score(forecasts: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Forecasts beside what happened: the error (actual − median) and whether the actual fell
    inside each interval; only the quarters whose actual is known."""
    merged = forecasts.merge(actual, on=["origin_month", "quarter", "metric"], how="inner")
    merged["error"] = merged["actual"] - merged["median"]
    for name in INTERVALS:
        merged[f"inside_{name}"] = merged["actual"].between(merged[f"low_{name}"],
                                                            merged[f"high_{name}"])
    return merged


def _with_end_month(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["quarter_end_month"] = [add_months(origin, QUARTER_MONTHS * int(quarter))
                                  for origin, quarter in zip(frame["origin_month"],
                                                             frame["quarter"], strict=True)]
    return frame


def _model_passed(con: duckdb.DuckDBPyConnection) -> tuple[bool, str]:
    rows = con.execute("select passed, reason from churn_model_checks order by position"
                       ).fetchall()
    failed = [reason for passed, reason in rows if not passed]
    return bool(rows) and not failed, (failed[0] if failed else
                                       "the churn model was not checked")


FORECAST_COLUMNS = ["origin_month", "quarter", "quarter_end_month", "metric", "median",
                    "low_80", "high_80", "low_95", "high_95", "opening_arr_usd",
                    "opening_accounts"]
BACKTEST_COLUMNS = [*FORECAST_COLUMNS, "actual", "error", "inside_80", "inside_95"]


def build(con: duckdb.DuckDBPyConnection,
          fits: dict[dt.date, churn_model.Fit] | None = None) -> None:
    """Forecast from the last quarter-end, score the forecasts made at the earlier ones, and
    store both with the status (after churn_model.build, whose fits it reuses: the current
    model for the forecast from the last quarter-end, the backtest's for earlier origins after
    its month; earlier ones get a fit of their own)."""
    fits = dict(fits or {})
    bounds = con.execute("select min(month), max(month) from account_driver_exposures"
                         ).fetchall()[0]
    forecasts, scored, note, live = [], pd.DataFrame(), "", None
    passed, reason = _model_passed(con)
    if bounds[0] is None:
        note = NOT_SHOWN + "the data has no billed months."
    elif not passed:
        note = reason
    else:
        first_month, last_month = bounds
        windows = con.execute(WINDOWS_SQL.read_text(), {"quarters": QUARTERS}).df()
        past, live = origins(first_month, last_month)
        current = fits.pop(last_month, None)  # the live forecast's: it has seen every month
        starts = dict(fits)  # where the earlier origins' own fits start from
        samples = churn_model.CalibrationSamples(con, first_month)  # each month queried once
        past_forecasts = [table for table, _ in (
            forecast_at(con, first_month, origin, windows,
                        model_for(con, first_month, origin, fits, starts, samples), samples)
            for origin in past) if table is not None]
        if past_forecasts:
            scored = score(pd.concat(past_forecasts, ignore_index=True), actuals(windows))
        count = scored["origin_month"].nunique() if len(scored) else 0
        if count < MIN_SCORED_ORIGINS:
            note = (NOT_SHOWN + f"it can be checked against what happened at only {count} "
                    f"earlier quarter-end{'' if count == 1 else 's'}, and showing it needs "
                    f"{MIN_SCORED_ORIGINS}.")
        else:
            model = ((last_month, current) if current is not None
                     else (live, churn_model.fit_as_of(con, first_month, live)))
            table, why = forecast_at(con, first_month, live, windows, model, samples)
            if table is None or len(table) < QUARTERS * len(METRICS):
                note = NOT_SHOWN + (why or "the data does not hold four quarters of expansion "
                                    "and contraction before its last quarter-end") + "."
            else:
                forecasts.append(table)
    forecast = (_with_end_month(pd.concat(forecasts, ignore_index=True))[FORECAST_COLUMNS]
                if forecasts else _empty(FORECAST_COLUMNS))
    backtest = (_with_end_month(scored)[BACKTEST_COLUMNS] if len(scored)
                else _empty(BACKTEST_COLUMNS))
    _store(con, "revenue_forecast", forecast)
    _store(con, "revenue_forecast_backtest", backtest)
    _store(con, "revenue_forecast_status", pd.DataFrame([{
        "origin_month": live if not note else None, "runs": RUNS,
        "scored_origins": int(backtest["origin_month"].nunique()), "note": note}]))


def _empty(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=float) for column in columns})
    frame["metric"] = frame["metric"].astype(str)
    for column in ("origin_month", "quarter_end_month"):
        frame[column] = pd.Series(dtype="datetime64[ns]")
    frame["quarter"] = frame["quarter"].astype("int64")
    for column in ("inside_80", "inside_95"):
        if column in frame:
            frame[column] = frame[column].astype(bool)
    return frame


DATE_COLUMNS = ("origin_month", "quarter_end_month")


def _store(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Replace table `name` (one of TABLES) with the frame; its month columns as dates."""
    if name not in TABLES:
        raise ValueError(f"not a forecast table: {name}")
    churn_model.replace_table(con, name, frame.copy(), DATE_COLUMNS)
