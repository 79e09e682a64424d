"""The churn model every risk number comes from, fitted when a database is built or loaded.

A discrete-time proportional-hazard model on account-months: each month an account is billed,
the chance its revenue stops the next month is 1 − exp(−exp(η)), where η is a baseline for its
segment plus the log hazard ratio of every churn driver it is exposed to that month
(northstar/data/model/drivers.py), all drivers and the segment together. It is fitted with
statsmodels' GLM (binomial family, complementary log-log link, so exp(coefficient) is a hazard
ratio) on the account-months grouped by covariate pattern, which is small even at a million
accounts. The same account appears in many months, so the intervals are cluster-robust by
account (the sandwich estimator, with the accounts' summed score contributions as the meat).

From the fit:
- each account's chance of churning in the next 12 months. Held at today's exposures the
  monthly hazard gives 1 − exp(−12 exp(η)); exposures come and go within a year (a detractor
  answer leaves the 6-month window), so the 12-month chance is calibrated on the months with a
  full year after them: 1 − exp(−exp(a + b (ln 12 + η))), with a and b fitted (complementary
  log-log again) on what those months went on to do;
- the ARR at risk (ARR × that chance) and each account's main reasons: the drivers whose
  removal would lower that chance most, among those whose interval is above 1;
- the ARR at risk each driver accounts for now and a year ago (for the what-if);
- a backtest: the model fitted on data up to 12 months before the data's last month predicts
  the 12 months after; calibration by decile, AUC and Brier score, beside the health score's
  (turned into a chance by the churn rate of its decile before then).

Everything is stored in the database (tables churn_model_fits, churn_model_terms,
account_churn_risk, churn_driver_attribution, churn_backtest_summary, churn_backtest_deciles),
so the pages only read it.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import sparse
from scipy.stats import rankdata
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from northstar.data import rules
from northstar.data.model import model_checks
from northstar.data.model.drivers import DRIVERS
from northstar.data.months import add_months

MODEL_SQL_DIR = Path(__file__).with_name("model_sql")
DRIVER_IDS = tuple(DRIVERS)
HORIZON_MONTHS = rules.CHURN_HORIZON_MONTHS  # the risk horizon, and the backtest's gap
MAX_REASONS = 3  # reasons kept per account
DECILES = 10
CURRENT, BACKTEST = "current", "backtest"  # the two fits stored
MODEL_SCORE, HEALTH_SCORE = "model", "health"  # the two scores the backtest compares
# comparisons between two drivers' hazards, stored with their intervals: name -> (driver,
# against driver); exp(coefficient) = how much faster the first leaves than the second
CONTRASTS = {"detractor_followed_up_vs_not": ("detractor_followed_up",
                                              "detractor_not_followed_up")}
# account attributes, candidate drivers beside the programs' (columns "attribute:<name>" of the
# model's frames); the built-in ones after those the mapping keeps, in this order: an attribute
# that splits the accounts as one before it does adds nothing and is left out
ATTRIBUTE_PREFIX = "attribute:"
BUILT_IN_ATTRIBUTES = {"plan": "Plan", "industry": "Industry", "region": "Region",
                       "acquisition_channel": "Acquisition channel", "tenure_band": "Tenure",
                       "arr_band": "ARR size"}
SEGMENT_ATTRIBUTE = "Segment"  # what the segment's levels are called, unless an attribute
NOT_RECORDED = "Not recorded"
TABLES = ("churn_model_fits", "churn_model_terms", "account_churn_risk",
          "churn_driver_attribution", "churn_backtest_summary", "churn_backtest_deciles",
          "churn_model_checks")


def _sql(name: str) -> str:
    return (MODEL_SQL_DIR / f"{name}.sql").read_text()


def _frame(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    """A model query's rows, with the account attributes as "attribute:<name>" columns."""
    frame = con.execute(_sql(name), {**params,
                                     "tenure_edges": list(rules.TENURE_BAND_EDGES_MONTHS),
                                     "arr_edges": list(rules.ARR_BAND_EDGES_USD)}).df()
    names = [row[0] for row in con.execute(
        "select distinct attribute from account_attributes order by attribute").fetchall()]
    return with_attributes(frame, names)


def _band(index: pd.Series, labels: tuple[str, ...]) -> pd.Series:
    """Band labels from 1-based band indexes (0, before the first edge, reads as the first)."""
    position = index.fillna(1).astype(int).clip(1, len(labels)) - 1
    return pd.Series(np.asarray(labels, dtype=object)[position.to_numpy()], index=index.index)


def with_attributes(frame: pd.DataFrame, extra_names: list[str]) -> pd.DataFrame:
    """The frame with its attribute columns renamed "attribute:<name>": the further attributes
    the mapping kept (the list extra_attributes, in the order of extra_names) first, then plan,
    industry, region, acquisition channel, tenure band and ARR size band as labels."""
    frame = frame.copy()
    columns: dict[str, pd.Series] = {}
    if "extra_attributes" in frame.columns:
        values = frame.pop("extra_attributes")
        for position, name in enumerate(extra_names):
            columns[name] = values.map(lambda row, at=position: NOT_RECORDED
                                       if row is None or not isinstance(row, (list, np.ndarray))
                                       or at >= len(row) else str(row[at]))
    for column, name in BUILT_IN_ATTRIBUTES.items():
        if column not in frame.columns or name in columns:
            continue
        if column == "tenure_band":
            columns[name] = _band(frame[column], rules.TENURE_BAND_LABELS)
        elif column == "arr_band":
            columns[name] = _band(frame[column], rules.ARR_BAND_LABELS)
        else:
            columns[name] = frame[column].fillna(NOT_RECORDED).astype(str)
    for name, values in columns.items():
        frame[ATTRIBUTE_PREFIX + name] = values
    return frame.drop(columns=[c for c in ("industry", "acquisition_channel", "tenure_band",
                                           "arr_band") if c in frame.columns])


# --- the fit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One coefficient: the intercept, a segment's baseline against the reference, a driver."""

    term: str  # "intercept", "segment:<value>" or the driver id
    kind: str  # "intercept", "segment" or "driver"
    level: str  # the segment or driver id ("" for the intercept)
    coefficient: float  # NaN when not estimable
    std_error: float  # cluster-robust
    exposed_accounts: int = 0
    exposed_account_months: int = 0
    exposed_events: int = 0
    note: str = ""  # why a term is not estimable
    attribute: str = ""  # segment and attribute terms: the attribute's name, e.g. Contract
    reference: str = ""  # ... and the level it is compared with (the largest)

    @property
    def estimable(self) -> bool:
        return not math.isnan(self.coefficient)

    @property
    def hazard_ratio(self) -> float:
        return math.exp(self.coefficient) if self.estimable else math.nan

    def interval(self, z: float = rules.Z_95) -> tuple[float, float]:
        """The hazard ratio's interval at the normal quantile z (95% by default)."""
        if not self.estimable:
            return math.nan, math.nan
        return (math.exp(self.coefficient - z * self.std_error),
                math.exp(self.coefficient + z * self.std_error))

    @property
    def raises_risk(self) -> bool:
        """A driver whose 95% interval lies above 1: beyond noise, and a reason for risk."""
        return self.kind == "driver" and self.estimable and self.interval()[0] > 1

    @property
    def column(self) -> str:
        """The frame column an attribute term reads."""
        return ATTRIBUTE_PREFIX + self.attribute


@dataclass(frozen=True)
class Fit:
    through_month: dt.date | None
    reference_segment: str
    terms: tuple[Term, ...]
    accounts: int
    account_months: int
    events: int
    converged: bool
    note: str = ""
    covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    calibration: tuple[float, float] = (0.0, 1.0)  # (a, b) of the 12-month chance
    parameter_names: tuple[str, ...] = ()  # the covariance's rows and columns, in order
    # per attribute column: the values fitted under another level (rare ones pooled as Other,
    # or with the reference when Other itself is rare)
    recoded: dict[str, dict[str, str]] = field(default_factory=dict)
    segment_attribute: str = SEGMENT_ATTRIBUTE

    def attribute_level(self, frame: pd.DataFrame, column: str) -> pd.Series:
        """The level each row of the frame has in the fit for an attribute column."""
        values = frame[column].astype(str)
        recoded = self.recoded.get(column)
        return values.replace(recoded) if recoded else values
    # the covariance of (a, b), scaled by the landmarks' design effect; zero when not calibrated
    calibration_covariance: np.ndarray = field(default_factory=lambda: np.zeros((2, 2)),
                                               repr=False)

    def probability(self, log_hazard: np.ndarray) -> np.ndarray:
        """The chance of churning within 12 months: 1 − exp(−exp(a + b (ln 12 + η)))."""
        intercept, slope = self.calibration
        return 1 - np.exp(-np.exp(intercept + slope * (math.log(HORIZON_MONTHS) + log_hazard)))

    def probability_range(self, log_hazard: np.ndarray, log_hazard_error: np.ndarray,
                          z: float = rules.Z_95) -> tuple[np.ndarray, np.ndarray]:
        """The 12-month chance's interval, carrying the model's and the calibration's
        uncertainty (delta method on λ = a + b (ln 12 + η), the two fits independent):
        Var λ = Var a + x² Var b + 2x Cov(a, b) + b² Var η, x = ln 12 + η."""
        linear, error = self.linear_predictor(log_hazard, log_hazard_error)
        return (1 - np.exp(-np.exp(linear - z * error)),
                1 - np.exp(-np.exp(linear + z * error)))

    def linear_predictor(self, log_hazard: np.ndarray,
                         log_hazard_error: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """λ = a + b (ln 12 + η), the 12-month chance being 1 − exp(−exp(λ)), and its standard
        error by the delta method (as probability_range uses them)."""
        intercept, slope = self.calibration
        x = math.log(HORIZON_MONTHS) + np.asarray(log_hazard, dtype=float)
        cov = self.calibration_covariance
        variance = (cov[0, 0] + x**2 * cov[1, 1] + 2 * x * cov[0, 1]
                    + slope**2 * np.asarray(log_hazard_error, dtype=float) ** 2)
        return intercept + slope * x, np.sqrt(np.maximum(variance, 0.0))

    @property
    def usable(self) -> bool:
        return self.converged and any(term.estimable for term in self.terms)

    def term(self, name: str) -> Term | None:
        return next((term for term in self.terms if term.term == name), None)

    def log_hazard(self, frame: pd.DataFrame) -> np.ndarray:
        """η for rows holding a segment and the driver columns (0/1); NaN for a segment the fit
        has no baseline for."""
        intercept = self.term("intercept")
        if not self.usable or intercept is None:
            return np.full(len(frame), np.nan)
        baseline = {self.reference_segment: intercept.coefficient}
        for term in self.terms:
            if term.kind == "segment" and term.estimable:
                baseline[term.level] = intercept.coefficient + term.coefficient
        eta = frame["segment"].map(baseline).to_numpy(dtype=float)
        levels: dict[str, pd.Series] = {}
        for term in self.terms:
            if term.kind == "driver" and term.estimable:
                eta = eta + term.coefficient * frame[term.level].to_numpy(dtype=float)
            elif term.kind == "attribute" and term.estimable:
                if term.column not in levels:
                    levels[term.column] = self.attribute_level(frame, term.column)
                eta = eta + term.coefficient * (levels[term.column] == term.level).to_numpy(
                    dtype=float)
        return eta

    def log_hazard_error(self, frame: pd.DataFrame) -> np.ndarray:
        """The standard error of each row's η from the (cluster-robust) covariance of the
        coefficients: √(x Σ xᵀ), x the row's design (1, segment indicators, drivers)."""
        if not self.usable or not self.parameter_names:
            return np.full(len(frame), np.nan)
        design = self.design(frame)
        return np.sqrt(np.einsum("ij,jk,ik->i", design, self.covariance, design))

    def design(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's design x (1, segment indicators, drivers, attribute levels), in the order
        of parameter_names: η = x β for the rows whose segment the fit has a baseline for."""
        columns = []
        for name in self.parameter_names:
            if name == "intercept":
                columns.append(np.ones(len(frame)))
            elif name.startswith("segment:"):
                columns.append((frame["segment"] == name.removeprefix("segment:"))
                               .to_numpy(dtype=float))
            elif name.startswith(ATTRIBUTE_PREFIX):
                term = self.term(name)
                columns.append((self.attribute_level(frame, term.column) == term.level)
                               .to_numpy(dtype=float))
            else:
                columns.append(frame[name].to_numpy(dtype=float))
        return np.column_stack(columns) if columns else np.zeros((len(frame), 0))

    @property
    def coefficients(self) -> np.ndarray:
        """The coefficients in the order of parameter_names (the covariance's)."""
        return np.array([self.term(name).coefficient for name in self.parameter_names],
                        dtype=float)


def _not_fitted(through_month: dt.date | None, note: str, patterns: pd.DataFrame) -> Fit:
    return Fit(through_month, "", (), int(patterns["account_index"].nunique())
               if len(patterns) else 0, int(patterns["account_months"].sum()) if len(patterns)
               else 0, int(patterns["churn_events"].sum()) if len(patterns) else 0, False, note)


def fit(rows: pd.DataFrame, through_month: dt.date | None = None,
        start: Fit | None = None) -> Fit:
    """Fit the model on account_patterns rows (one per account and covariate pattern).

    A driver enters only when at least 30 accounts and 5 churn events are on each side of it
    (exposed and not); a segment only with 5 churn events of its own (its accounts are left out
    otherwise). The reference segment is the one with the most account-months.

    `start`, a fit on nearly the same data (another month's), only speeds the fit up: its
    coefficients are where the fitting starts from (fewer steps to the same optimum).
    """
    if rows.empty or rows["churn_events"].sum() < rules.MIN_EVENTS:
        return _not_fitted(through_month, "too few churned accounts to fit the churn model", rows)
    events_by_segment = rows.groupby("segment")["churn_events"].sum()
    kept_segments = sorted(events_by_segment[events_by_segment >= rules.MIN_EVENTS].index)
    rows = rows.loc[rows["segment"].isin(kept_segments)]
    if rows.empty:
        return _not_fitted(through_month, "no segment has enough churned accounts to fit the "
                           "churn model", rows)
    months_by_segment = rows.groupby("segment")["account_months"].sum()
    reference = str(months_by_segment.idxmax())
    terms: list[Term] = []
    drivers: list[str] = []
    for driver_id in DRIVER_IDS:
        if driver_id in rows.columns and rows[driver_id].isna().all():
            continue  # the data has nothing to judge it by (no product usage): absent
        exposed = rows[driver_id] == 1
        sides = [(rows.loc[side, "account_index"].nunique(), rows.loc[side, "churn_events"].sum())
                 for side in (exposed, ~exposed)]
        counts = dict(exposed_accounts=int(sides[0][0]),
                      exposed_account_months=int(rows.loc[exposed, "account_months"].sum()),
                      exposed_events=int(sides[0][1]))
        if all(accounts >= rules.MIN_ACCOUNTS and events >= rules.MIN_EVENTS
               for accounts, events in sides):
            drivers.append(driver_id)
            terms.append(Term(driver_id, "driver", driver_id, 0.0, 0.0, **counts))
        else:
            terms.append(Term(driver_id, "driver", driver_id, math.nan, math.nan, **counts,
                              note="too few accounts or churn events on one side to estimate"))
    segments = [segment for segment in kept_segments if segment != reference]
    rows, attributes, segment_attribute, recoded = _attributes(rows)

    # the design: one row per covariate pattern (segment × drivers × attributes), grouped from
    # the accounts
    key = ["segment", *drivers, *[column for column, _, _ in attributes]]
    patterns = (rows.groupby(key, as_index=False, sort=True)
                [["account_months", "churn_events"]].sum())
    design = _design(patterns, segments, drivers)
    # an attribute whose levels the ones before it already spell out (each plan sold in one
    # segment only, say) cannot be told apart from them: it is left out, saying so
    kept_attributes = []
    for column, reference_level, levels in attributes:
        block = np.column_stack([(patterns[column] == level).to_numpy(dtype=float)
                                 for level in levels])
        widened = np.column_stack([design, block])
        if np.linalg.matrix_rank(widened) == design.shape[1] + block.shape[1]:
            design = widened
            kept_attributes.append((column, reference_level, levels))
        else:
            terms.append(Term(column, "attribute", "", math.nan, math.nan,
                              attribute=column.removeprefix(ATTRIBUTE_PREFIX),
                              reference=reference_level,
                              note="splits the accounts as the segment or an attribute before "
                                   "it does, so the data cannot tell them apart"))
    endog = np.column_stack([patterns["churn_events"],
                             patterns["account_months"] - patterns["churn_events"]])
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    attribute_names = [_attribute_term(column, level)
                       for column, _, levels in kept_attributes for level in levels]
    names = ["intercept", *[f"segment:{segment}" for segment in segments], *drivers,
             *attribute_names]
    with warnings.catch_warnings():
        # a grouped fit with as many patterns as parameters predicts every pattern exactly,
        # which statsmodels reports as "perfect prediction"; real separation cannot happen
        # here, as every term has 5 churn events on each side
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        # the IRLS steps' least-squares scale divides by the residual degrees of freedom, zero
        # for a saturated fit; the binomial family does not use it
        warnings.filterwarnings("ignore", "(divide by zero|invalid value) encountered",
                                RuntimeWarning)
        try:
            result = _glm_fit(endog, design, family, _start_params(start, names))
        except (np.linalg.LinAlgError, ValueError) as error:
            return _not_fitted(through_month, f"the churn model could not be fitted: {error}",
                               rows)
    converged = bool(result.converged) and bool(np.all(np.isfinite(result.params)))
    params = np.asarray(result.params)

    # the sandwich: bread = the inverse information of the grouped fit; meat = Σ over accounts
    # of the outer product of each account's summed score contributions
    row_pattern = rows.merge(patterns[key].assign(pattern_index=np.arange(len(patterns))),
                             on=key, how="left")["pattern_index"].to_numpy()
    mu = np.asarray(result.fittedvalues)
    covariance = cluster_robust_covariance(
        design, params, mu, np.asarray(result.normalized_cov_params), row_pattern,
        rows["account_index"].to_numpy(), rows["account_months"].to_numpy(dtype=float),
        rows["churn_events"].to_numpy(dtype=float))
    errors = np.sqrt(np.diag(covariance))
    by_name = dict(zip(names, zip(params, errors, strict=True), strict=True))
    fitted_terms = [Term("intercept", "intercept", "", *by_name["intercept"])]
    fitted_terms += [Term(f"segment:{segment}", "segment", segment,
                          *by_name[f"segment:{segment}"], **_level_counts(rows, "segment", segment),
                          attribute=segment_attribute, reference=reference)
                     for segment in segments]
    for term in terms:
        if term.term in by_name:
            coefficient, error = by_name[term.term]
            term = Term(term.term, "driver", term.level, float(coefficient), float(error),
                        term.exposed_accounts, term.exposed_account_months, term.exposed_events)
        fitted_terms.append(term)
    for column, reference_level, levels in kept_attributes:
        for level in levels:
            name = _attribute_term(column, level)
            fitted_terms.append(Term(name, "attribute", level, *(float(v) for v in by_name[name]),
                                     **_level_counts(rows, column, level),
                                     attribute=column.removeprefix(ATTRIBUTE_PREFIX),
                                     reference=reference_level))
    for name, (first, second) in CONTRASTS.items():
        if first in names and second in names:
            i, j = names.index(first), names.index(second)
            variance = covariance[i, i] + covariance[j, j] - 2 * covariance[i, j]
            fitted_terms.append(Term(name, "contrast", name, float(params[i] - params[j]),
                                     float(math.sqrt(max(variance, 0.0)))))
    return Fit(through_month, reference, tuple(fitted_terms), int(rows["account_index"].nunique()),
               int(rows["account_months"].sum()), int(rows["churn_events"].sum()), converged,
               "" if converged else "the churn model did not converge", covariance,
               parameter_names=tuple(names), recoded=recoded,
               segment_attribute=segment_attribute)


def _start_params(start: Fit | None, names: list[str]) -> np.ndarray | None:
    """Where a fit with these parameters starts from: the start fit's coefficient of each
    parameter it estimated, 0 for the others; None without a usable start fit."""
    if start is None or not start.usable:
        return None
    terms = [start.term(name) for name in names]
    return np.array([term.coefficient if term is not None and term.estimable else 0.0
                     for term in terms], dtype=float)


def _glm_fit(endog: np.ndarray, design: np.ndarray, family: sm.families.Family,
             start_params: np.ndarray | None) -> object:
    """The binomial GLM's fit from `start_params` (None: statsmodels' own start); one that
    fails to converge from there is fitted again from statsmodels' start."""
    if start_params is not None:
        try:
            result = sm.GLM(endog, design, family=family).fit(maxiter=100,
                                                              start_params=start_params)
        except (np.linalg.LinAlgError, ValueError):
            result = None
        if (result is not None and result.converged
                and np.all(np.isfinite(np.asarray(result.params)))):
            return result
    return sm.GLM(endog, design, family=family).fit(maxiter=100)


def _attribute_term(column: str, level: str) -> str:
    return f"{column}={level}"


def _level_counts(rows: pd.DataFrame, column: str, level: str) -> dict[str, int]:
    """Accounts, account-months and churn events at one level of a column."""
    at = rows[column] == level
    return dict(exposed_accounts=int(rows.loc[at, "account_index"].nunique()),
                exposed_account_months=int(rows.loc[at, "account_months"].sum()),
                exposed_events=int(rows.loc[at, "churn_events"].sum()))


def _same_split(first: pd.Series, second: pd.Series) -> bool:
    """Whether two columns split the rows into the same groups (under any names): as many
    distinct (first, second) pairs as distinct values of each."""
    first_codes, first_values = pd.factorize(first, use_na_sentinel=False)
    second_codes, second_values = pd.factorize(second, use_na_sentinel=False)
    pairs = np.unique(first_codes.astype(np.int64) * max(len(second_values), 1) + second_codes)
    return len(pairs) == len(first_values) == len(second_values)


def _attributes(rows: pd.DataFrame) -> tuple[
        pd.DataFrame, list[tuple[str, str, list[str]]], str, dict[str, dict[str, str]]]:
    """The account attributes (frame columns "attribute:<name>") as the model takes them.

    Each attribute's levels with fewer than 30 accounts or 5 churn events are pooled as
    "Other"; when Other is still that rare, its accounts count with the reference level, the
    level with the most account-months. An attribute left with one level says nothing and is
    left out; one that splits the accounts exactly as the segment does names the segment's
    levels instead (a mapping with segment = Contract and an attribute Contract, say).

    Returns the rows with the attributes recoded, (column, reference, other levels) per
    attribute kept, the segment's name and the values recoded per column.
    """
    columns = [column for column in rows.columns if column.startswith(ATTRIBUTE_PREFIX)]
    segment_attribute, kept, recoded = SEGMENT_ATTRIBUTE, [], {}
    rows = rows.copy()
    for column in columns:
        values = rows[column].fillna(NOT_RECORDED).astype(str)
        if segment_attribute == SEGMENT_ATTRIBUTE and _same_split(values, rows["segment"]):
            segment_attribute = column.removeprefix(ATTRIBUTE_PREFIX)
            rows = rows.drop(columns=column)
            continue
        changes: dict[str, str] = {}
        for _ in range(2):  # pool the rare levels as Other; then Other, if rare, with the largest
            table = (rows.assign(_level=values.replace(changes) if changes else values)
                     .groupby("_level").agg(accounts=("account_index", "nunique"),
                                            events=("churn_events", "sum"),
                                            months=("account_months", "sum")))
            enough = (table["accounts"] >= rules.MIN_ACCOUNTS) & (
                table["events"] >= rules.MIN_EVENTS)
            if enough.all() or not enough.any():
                break
            rare = [str(level) for level in table.index[~enough]]
            if rare == [rules.OTHER_LEVEL] or (changes and rules.OTHER_LEVEL in rare):
                largest = str(table.loc[enough, "months"].idxmax())
                changes = {value: largest if level == rules.OTHER_LEVEL else level
                           for value, level in changes.items()}
                changes.update({level: largest for level in rare if level not in changes})
            else:
                changes.update({level: rules.OTHER_LEVEL for level in rare})
        if changes:
            values = values.replace(changes)
        table = (rows.assign(_level=values).groupby("_level")
                 .agg(accounts=("account_index", "nunique"), events=("churn_events", "sum"),
                      months=("account_months", "sum")))
        enough = (table["accounts"] >= rules.MIN_ACCOUNTS) & (table["events"] >= rules.MIN_EVENTS)
        rows[column] = values
        if len(table) < 2 or not enough.all():
            rows = rows.drop(columns=column)
            continue
        reference = str(table["months"].idxmax())
        kept.append((column, reference, sorted(str(level) for level in table.index
                                               if level != reference)))
        if changes:
            recoded[column] = changes
    return rows, kept, segment_attribute, recoded


def _design(patterns: pd.DataFrame, segments: list[str], drivers: list[str]) -> np.ndarray:
    columns = [np.ones(len(patterns))]
    columns += [(patterns["segment"] == segment).to_numpy(dtype=float) for segment in segments]
    columns += [patterns[driver].to_numpy(dtype=float) for driver in drivers]
    return np.column_stack(columns)


def calibrate(fitted: Fit, landmarks: pd.DataFrame, design_effect: float = 1.0) -> Fit:
    """The fit with its 12-month chance calibrated on calibration_landmarks rows (account-months
    with a full year after them, by pattern): a and b of churned within 12 months ~ a + b (ln 12
    + η), binomial with the complementary log-log link. Unchanged (a = 0, b = 1) with fewer
    than 5 churned.

    An account's landmark months share one future (a churn counts in up to 12 of them), so the
    covariance of (a, b) is multiplied by the design effect: landmarks per account, as if each
    account's months were one observation."""
    if not fitted.usable or landmarks.empty:
        return fitted
    eta = fitted.log_hazard(landmarks)
    known = np.isfinite(eta)
    churned = landmarks["churned_within_12m"].to_numpy(dtype=float)[known]
    if churned.sum() < rules.MIN_EVENTS:
        return fitted
    total = landmarks["landmarks"].to_numpy(dtype=float)[known]
    design = np.column_stack([np.ones(known.sum()), math.log(HORIZON_MONTHS) + eta[known]])
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    try:
        result = sm.GLM(np.column_stack([churned, total - churned]), design,
                        family=family).fit(maxiter=100)
    except (np.linalg.LinAlgError, ValueError):
        return fitted
    if not result.converged:
        return fitted
    intercept, slope = (float(value) for value in result.params)
    covariance = np.asarray(result.cov_params(), dtype=float) * max(design_effect, 1.0)
    return replace(fitted, calibration=(intercept, slope), calibration_covariance=covariance)


def cluster_robust_covariance(
    design: np.ndarray, params: np.ndarray, mu: np.ndarray, bread: np.ndarray,
    row_pattern: np.ndarray, row_account: np.ndarray, row_months: np.ndarray,
    row_events: np.ndarray,
) -> np.ndarray:
    """The cluster-robust (by account) covariance of a grouped binomial complementary log-log
    fit.

    Each account-pattern row (m months, e events, pattern p with fitted monthly chance μ_p)
    contributes the score x_p · (−ln(1 − μ_p) ÷ μ_p) · (e − m μ_p); an account's contributions
    are summed, and the meat is Σ_accounts S Sᵀ. With G accounts, N account-months and k
    parameters the result is scaled by G ÷ (G − 1) × (N − 1) ÷ (N − k), as statsmodels does.
    """
    del params  # the fitted chances carry everything the score needs
    factor = -np.log1p(-mu) / mu
    contribution = factor[row_pattern] * (row_events - row_months * mu[row_pattern])
    accounts = int(row_account.max()) + 1
    by_account = sparse.csr_matrix(
        (contribution, (row_account, row_pattern)), shape=(accounts, len(mu)))
    scores = by_account @ design  # accounts × parameters
    meat = scores.T @ scores
    observations, parameters = row_months.sum(), design.shape[1]
    correction = accounts / (accounts - 1) * (observations - 1) / (observations - parameters)
    return correction * bread @ meat @ bread


def driver_shares(fit_: Fit, term: Term, frame: pd.DataFrame,
                  log_hazard: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per account: the 12-month chance one driver adds, p(η) − p(η − β), for the exposed (0
    elsewhere), at the estimate and at the ends of its 95% interval."""
    exposed = frame[term.level].to_numpy(dtype=float)
    without = log_hazard - term.coefficient * exposed
    base = fit_.probability(without)
    shares = []
    for coefficient in (term.coefficient, term.coefficient - rules.Z_95 * term.std_error,
                        term.coefficient + rules.Z_95 * term.std_error):
        added = fit_.probability(without + coefficient * exposed) - base
        shares.append(np.where(exposed > 0, added, 0.0))
    return shares[0], shares[1], shares[2]


def attribution(fit_: Fit, frame: pd.DataFrame, log_hazard: np.ndarray) -> dict[str, np.ndarray]:
    """driver_shares of every estimable driver, keyed "<driver>", "<driver>_low" and
    "<driver>_high"."""
    shares: dict[str, np.ndarray] = {}
    for term in fit_.terms:
        if term.kind == "driver" and term.estimable:
            (shares[term.level], shares[term.level + "_low"],
             shares[term.level + "_high"]) = driver_shares(fit_, term, frame, log_hazard)
    return shares


def reasons(fit_: Fit, frame: pd.DataFrame, log_hazard: np.ndarray) -> tuple[list, list]:
    """Each account's main reasons: the drivers beyond noise (interval above 1) it is exposed
    to, by how much each adds to its 12-month chance, most first (at most three)."""
    risky = [term for term in fit_.terms if term.raises_risk]
    if not risky or len(frame) == 0:
        return [[] for _ in range(len(frame))], [[] for _ in range(len(frame))]
    added = np.column_stack([
        np.where(frame[term.level].to_numpy() > 0,
                 fit_.probability(log_hazard) - fit_.probability(log_hazard - term.coefficient),
                 0.0)
        for term in risky
    ])
    order = np.argsort(-added, axis=1, kind="stable")[:, :MAX_REASONS]
    ids, shares = [], []
    for row, columns in enumerate(order):
        kept = [column for column in columns if added[row, column] > 0]
        ids.append([risky[column].level for column in kept])
        shares.append([float(added[row, column]) for column in kept])
    return ids, shares


# --- the backtest ----------------------------------------------------------------------------


def auc(outcome: np.ndarray, score: np.ndarray) -> float:
    """The area under the ROC curve (the chance a churned account scores above a retained
    one, ties counting half), by the rank-sum formula."""
    outcome = np.asarray(outcome, dtype=bool)
    positives, negatives = int(outcome.sum()), int((~outcome).sum())
    if positives == 0 or negatives == 0:
        return math.nan
    ranks = rankdata(score)
    return float((ranks[outcome].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def brier(outcome: np.ndarray, probability: np.ndarray) -> float:
    """The mean squared difference between the predicted chance and what happened (0 or 1)."""
    return float(np.mean((np.asarray(probability) - np.asarray(outcome, dtype=float)) ** 2))


def deciles(outcome: np.ndarray, probability: np.ndarray) -> pd.DataFrame:
    """Accounts in ten equal groups by predicted chance (lowest first): accounts, churned,
    mean predicted and observed churn (%)."""
    frame = pd.DataFrame({"outcome": np.asarray(outcome, dtype=float),
                          "probability": np.asarray(probability, dtype=float)})
    order = rankdata(frame["probability"], method="ordinal") - 1
    frame["decile"] = (order * DECILES // len(frame)).astype(int) + 1
    grouped = frame.groupby("decile").agg(
        accounts=("outcome", "size"), churned=("outcome", "sum"),
        predicted_pct=("probability", "mean"), observed_pct=("outcome", "mean"))
    grouped[["predicted_pct", "observed_pct"]] *= 100
    grouped["churned"] = grouped["churned"].astype(int)
    return grouped.reset_index()


def health_probability(history: pd.DataFrame, scores: np.ndarray) -> np.ndarray:
    """The health score as a 12-month chance: the churn rate, before the backtest month, of the
    score decile an account's (whole-number) score falls in; history has health_score,
    account_months and churned_within_12m per score."""
    history = history.sort_values("health_score")
    share = history["account_months"].cumsum() / history["account_months"].sum()
    group = np.minimum((share.to_numpy() * DECILES - 1e-9).astype(int), DECILES - 1)
    rates = (history.assign(group=group).groupby("group")[["churned_within_12m", "account_months"]]
             .sum())
    rate_by_group = (rates["churned_within_12m"] / rates["account_months"]).to_dict()
    edges = history["health_score"].to_numpy()
    rounded = np.round(scores)
    position = np.clip(np.searchsorted(edges, rounded, side="left"), 0, len(edges) - 1)
    return np.array([rate_by_group[g] for g in group[position]], dtype=float)


@dataclass(frozen=True)
class ScoreCheck:
    score_name: str
    accounts: int
    churned: int
    auc: float
    brier: float
    table: pd.DataFrame  # deciles
    predicted_pct: float = math.nan  # the mean predicted chance, %

    @property
    def auc_interval(self) -> tuple[float, float]:
        return model_checks.auc_interval(self.auc, self.churned, self.accounts - self.churned)


@dataclass(frozen=True)
class Backtest:
    landmark_month: dt.date | None
    fitted_through: dt.date | None
    checks: tuple[ScoreCheck, ...]
    note: str = ""  # why there is no backtest


def _calibration_landmarks(con: duckdb.DuckDBPyConnection, first_month: dt.date,
                           through: dt.date) -> pd.DataFrame:
    """The months the 12-month chance is calibrated on: those with a full year after them, and
    a full year before them where the data has such months (earlier months see only part of
    a driver's look-back: a year without an executive meeting, say)."""
    full_history = add_months(first_month, HORIZON_MONTHS - 1)
    start = full_history if full_history <= through else first_month
    return _frame(con, "calibration_landmarks", from_month=start, through_month=through)


def _calibrated(con: duckdb.DuckDBPyConnection, fitted: Fit, first_month: dt.date,
                through: dt.date, samples: CalibrationSamples | None = None) -> Fit:
    """calibrate on the landmarks up to `through`, with their design effect."""
    return calibrate(fitted, *(samples(through) if samples is not None
                               else calibration_sample(con, first_month, through)))


def calibration_sample(con: duckdb.DuckDBPyConnection, first_month: dt.date,
                       through: dt.date) -> tuple[pd.DataFrame, float]:
    """The landmarks the 12-month chance is calibrated on up to `through`, and their design
    effect (landmark months per account)."""
    landmarks = _calibration_landmarks(con, first_month, through)
    full_history = add_months(first_month, HORIZON_MONTHS - 1)
    start = full_history if full_history <= through else first_month
    count, accounts = con.execute(_sql("calibration_accounts"),
                                  {"from_month": start, "through_month": through}).fetchall()[0]
    return landmarks, count / accounts if accounts else 1.0


class CalibrationSamples:
    """calibration_sample up to each month asked for, each queried once (the revenue forecast
    asks for the same months for its fits and its segments' offsets)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, first_month: dt.date) -> None:
        self._con, self._first_month = con, first_month
        self._samples: dict[dt.date, tuple[pd.DataFrame, float]] = {}

    def __call__(self, through: dt.date) -> tuple[pd.DataFrame, float]:
        if through not in self._samples:
            self._samples[through] = calibration_sample(self._con, self._first_month, through)
        return self._samples[through]


def fit_as_of(con: duckdb.DuckDBPyConnection, first_month: dt.date, month: dt.date,
              start: Fit | None = None, samples: CalibrationSamples | None = None) -> Fit:
    """The model as it could have been fitted at the end of `month`: on the account-months
    before it, its 12-month chance calibrated on the months with a full year after them by
    then (uncalibrated when there are none). The backtest's fit, and the revenue forecast's.
    `start`: a fit as of another month to start the fitting from (fit); `samples`: the
    calibration samples to read (queried here without them)."""
    fitted = fit(_frame(con, "account_patterns", through_month=add_months(month, -1)),
                 add_months(month, -1), start)
    history_through = add_months(month, -HORIZON_MONTHS)
    if history_through < first_month:
        return fitted
    return _calibrated(con, fitted, first_month, history_through, samples)


def landmark_frame(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """Every account billed in `month` with its exposures then (what the model scores)."""
    return _frame(con, "landmark_accounts", month=month)


def run_backtest(con: duckdb.DuckDBPyConnection, first_month: dt.date,
                 last_month: dt.date) -> tuple[Backtest, Fit | None]:
    """Fit on the account-months up to 12 months before the last month, predict each account
    billed then for the 12 months after, compare with what happened; the health score beside."""
    landmark = add_months(last_month, -HORIZON_MONTHS)
    history_through = add_months(landmark, -HORIZON_MONTHS)
    if history_through < first_month:
        return Backtest(None, None, (), "The backtest needs at least 25 months of data: a year "
                        "to fit on, and a year after the month it predicts from."), None
    fitted = fit_as_of(con, first_month, landmark)
    if not fitted.usable:
        return Backtest(landmark, fitted.through_month, (), fitted.note), fitted
    accounts = _frame(con, "landmark_accounts", month=landmark)
    accounts = accounts.loc[accounts["health_score"].notna()].reset_index(drop=True)
    history = con.execute(_sql("health_score_history"), {"through_month": history_through}).df()
    outcome = accounts["churned_within_12m"].to_numpy(dtype=bool)
    if len(accounts) < rules.MIN_ACCOUNTS or outcome.sum() < rules.MIN_EVENTS or history.empty:
        return Backtest(landmark, fitted.through_month, (),
                        "Too few accounts or churned accounts in the backtest year."), fitted
    model_probability = fitted.probability(fitted.log_hazard(accounts))
    known = ~np.isnan(model_probability)
    health_chance = health_probability(history, accounts["health_score"].to_numpy())
    checks = []
    for name, probability, ranking in (
        (MODEL_SCORE, model_probability, model_probability),
        (HEALTH_SCORE, health_chance, -accounts["health_score"].to_numpy(dtype=float)),
    ):
        checks.append(ScoreCheck(
            name, int(known.sum()), int(outcome[known].sum()), auc(outcome[known], ranking[known]),
            brier(outcome[known], probability[known]),
            deciles(outcome[known], probability[known]),
            float(100 * np.mean(probability[known])) if known.any() else math.nan))
    return Backtest(landmark, fitted.through_month, tuple(checks)), fitted


# --- building and storing ------------------------------------------------------------------


def build(con: duckdb.DuckDBPyConnection) -> dict[dt.date, Fit]:
    """Fit the model and its backtest on a built database and store what the pages read.

    Returns the fits by the month they are as of (fit_as_of): the current model's (the data's
    last month) and the backtest's (12 months before), for the revenue forecast to reuse."""
    first_month, last_month = con.execute(
        "select min(month), max(month) from account_driver_exposures").fetchall()[0]
    if first_month is None:
        current = _not_fitted(None, "no billed months to fit the churn model on",
                              pd.DataFrame(columns=["account_index", "account_months",
                                                    "churn_events"]))
        backtest, backtest_fit = Backtest(None, None, (), current.note), None
        landmark_frames: dict[str, tuple[dt.date, pd.DataFrame]] = {}
        verdict = model_checks.evaluate(model_checks.Evidence(0, 0, False, current.note))
    else:
        through = add_months(last_month, -1)
        current = fit(_frame(con, "account_patterns", through_month=through), through)
        calibration_through = add_months(last_month, -HORIZON_MONTHS)
        if calibration_through >= first_month:
            current = _calibrated(con, current, first_month, calibration_through)
        backtest, backtest_fit = run_backtest(con, first_month, last_month)
        opening = add_months(last_month, -HORIZON_MONTHS)
        landmark_frames = {
            role: (month, _frame(con, "landmark_accounts", month=month))
            for role, month in (("now", last_month), ("opening", opening))
            if month >= first_month
        }
        verdict = model_checks.evaluate(_evidence(con, first_month, last_month, current,
                                                  backtest, backtest_fit))
    _store_checks(con, verdict)
    _store_fits(con, [(CURRENT, current), *([(BACKTEST, backtest_fit)] if backtest_fit else [])])
    _store_backtest(con, backtest)
    # no churn chance, ARR at risk or ranking from a model that failed its checks: its accounts
    # are stored without them (the hazard ratios stay, with their own intervals)
    scoring = current if verdict.passed else replace(current, terms=())
    _store_account_risk(con, scoring, landmark_frames.get("now"))
    _store_attribution(con, scoring, landmark_frames)
    if first_month is None:
        return {}
    fits = {last_month: current}
    if backtest_fit is not None and backtest.landmark_month is not None:
        fits[backtest.landmark_month] = backtest_fit
    return fits


def _evidence(con: duckdb.DuckDBPyConnection, first_month: dt.date, last_month: dt.date,
              current: Fit, backtest: Backtest, backtest_fit: Fit | None) -> model_checks.Evidence:
    """What the model checks read, from the data and the fits."""
    churn = con.execute(_sql("churn_months")).df()
    months = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    fit_events = fit_event_months = None
    if backtest_fit is not None and backtest_fit.through_month is not None:
        before = churn.loc[pd.to_datetime(churn["month"]).dt.date <= backtest_fit.through_month]
        fit_events, fit_event_months = int(before["churn_events"].sum()), len(before)
    figures = next((model_checks.BacktestFigures(check.accounts, check.churned, check.auc,
                                                 check.predicted_pct)
                    for check in backtest.checks if check.score_name == MODEL_SCORE), None)
    return model_checks.Evidence(len(churn), months, current.usable, current.note
                                 or "the churn model could not be fitted", fit_events,
                                 fit_event_months, figures)


def _store_checks(con: duckdb.DuckDBPyConnection, verdict: model_checks.Verdict) -> None:
    """One row per check, in order: whether it passed (null: not reached), what it requires,
    what the data gave, and the sentence shown when it is the one that failed."""
    frame = pd.DataFrame([{
        "position": position, "check_id": check.check_id, "label": check.label,
        "requirement": check.requirement, "result": check.result, "passed": check.passed,
        "reason": check.reason,
    } for position, check in enumerate(verdict.checks, start=1)]).astype({
        "position": "int64", "check_id": str, "label": str, "requirement": str, "result": str,
        "passed": "boolean", "reason": str})
    _replace_table(con, "churn_model_checks", frame)


DATE_COLUMNS = ("through_month", "landmark_month", "fitted_through", "month")


def _replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Replace table `name` with the frame; its month columns stored as dates."""
    replace_table(con, name, frame, DATE_COLUMNS)


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame,
                  date_columns: tuple[str, ...]) -> None:
    """Replace table `name` (a constant of the calling module, never input) with the frame;
    its `date_columns` stored as dates."""
    dates = [column for column in date_columns if column in frame.columns]
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    cast = (" replace (" + ", ".join(f"{column}::date as {column}" for column in dates) + ")"
            if dates else "")
    con.register("_model_frame", frame)
    try:
        con.execute(f"create or replace table {name} as select *{cast} from _model_frame")
    finally:
        con.unregister("_model_frame")


def _store_fits(con: duckdb.DuckDBPyConnection, fits: list[tuple[str, Fit]]) -> None:
    fit_rows, term_rows = [], []
    for model, fitted in fits:
        fit_rows.append({
            "model": model, "through_month": fitted.through_month,
            "reference_segment": fitted.reference_segment, "accounts": fitted.accounts,
            "account_months": fitted.account_months, "churn_events": fitted.events,
            "converged": fitted.converged, "note": fitted.note,
            "calibration_intercept": fitted.calibration[0],
            "calibration_slope": fitted.calibration[1],
        })
        for term in fitted.terms:
            low95, high95 = term.interval(rules.Z_95)
            low99, high99 = term.interval(rules.Z_99)
            term_rows.append({
                "model": model, "term": term.term, "kind": term.kind, "level": term.level,
                "coefficient": term.coefficient, "std_error": term.std_error,
                "hazard_ratio": term.hazard_ratio, "hr_low_95": low95, "hr_high_95": high95,
                "hr_low_99": low99, "hr_high_99": high99,
                "exposed_accounts": term.exposed_accounts,
                "exposed_account_months": term.exposed_account_months,
                "exposed_events": term.exposed_events, "note": term.note,
                "attribute": term.attribute, "reference_level": term.reference,
            })
    fits_frame = pd.DataFrame(fit_rows)
    _replace_table(con, "churn_model_fits", fits_frame)
    _replace_table(con, "churn_model_terms", pd.DataFrame(term_rows, columns=[
        "model", "term", "kind", "level", "coefficient", "std_error", "hazard_ratio",
        "hr_low_95", "hr_high_95", "hr_low_99", "hr_high_99", "exposed_accounts",
        "exposed_account_months", "exposed_events", "note", "attribute",
        "reference_level"]).astype({
            "coefficient": float, "std_error": float, "hazard_ratio": float,
            "hr_low_95": float, "hr_high_95": float, "hr_low_99": float, "hr_high_99": float,
            "exposed_accounts": "int64", "exposed_account_months": "int64",
            "exposed_events": "int64", "model": str, "term": str, "kind": str, "level": str,
            "note": str, "attribute": str, "reference_level": str}))


def _store_backtest(con: duckdb.DuckDBPyConnection, backtest: Backtest) -> None:
    summary = [{
        "score_name": check.score_name, "landmark_month": backtest.landmark_month,
        "fitted_through": backtest.fitted_through, "accounts": check.accounts,
        "churned": check.churned, "auc": check.auc, "auc_low": check.auc_interval[0],
        "auc_high": check.auc_interval[1], "brier": check.brier,
        "predicted_pct": check.predicted_pct, "note": "",
    } for check in backtest.checks] or [{
        "score_name": None, "landmark_month": backtest.landmark_month,
        "fitted_through": backtest.fitted_through, "accounts": 0, "churned": 0,
        "auc": math.nan, "auc_low": math.nan, "auc_high": math.nan, "brier": math.nan,
        "predicted_pct": math.nan, "note": backtest.note,
    }]
    frame = pd.DataFrame(summary).astype({"score_name": "string", "accounts": "int64",
                                          "churned": "int64", "auc": float, "auc_low": float,
                                          "auc_high": float, "brier": float,
                                          "predicted_pct": float, "note": str})
    _replace_table(con, "churn_backtest_summary", frame)
    tables = [check.table.assign(score_name=check.score_name) for check in backtest.checks]
    deciles_frame = (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        {"decile": pd.Series(dtype="int64"), "accounts": pd.Series(dtype="int64"),
         "churned": pd.Series(dtype="int64"), "predicted_pct": pd.Series(dtype=float),
         "observed_pct": pd.Series(dtype=float), "score_name": pd.Series(dtype="string")}))
    _replace_table(con, "churn_backtest_deciles", deciles_frame[
        ["score_name", "decile", "accounts", "churned", "predicted_pct", "observed_pct"]])


def _store_account_risk(con: duckdb.DuckDBPyConnection, fitted: Fit,
                        now: tuple[dt.date, pd.DataFrame] | None) -> None:
    month, frame = now if now else (None, pd.DataFrame(
        columns=["account_id", "segment", "region", "plan", "arr_usd", *DRIVER_IDS]))
    eta = fitted.log_hazard(frame) if len(frame) else np.zeros(0)
    probability = fitted.probability(eta) if len(frame) else np.zeros(0)
    error = fitted.log_hazard_error(frame) if len(frame) else np.zeros(0)
    low, high = (fitted.probability_range(eta, error) if len(frame)
                 else (np.zeros(0), np.zeros(0)))
    ids, shares = reasons(fitted, frame, eta) if len(frame) else ([], [])
    arr = frame["arr_usd"].to_numpy(dtype=float) if len(frame) else np.zeros(0)
    risk = pd.DataFrame({
        "account_id": frame["account_id"].astype(str),
        "month": pd.Series([month] * len(frame), dtype="datetime64[ns]"),
        "segment": frame["segment"].astype(str), "region": frame["region"].astype(str),
        "plan": frame["plan"].astype(str), "arr_usd": arr,
        "churn_probability_12m": probability, "churn_probability_low_12m": low,
        "churn_probability_high_12m": high, "arr_at_risk_usd": arr * probability,
        "arr_at_risk_low_usd": arr * low, "arr_at_risk_high_usd": arr * high,
        "reasons": pd.Series(ids, dtype=object),
        "reason_arr_at_risk_usd": pd.Series(
            [[share * value for share in row] for row, value in zip(shares, arr, strict=True)],
            dtype=object),
    })
    con.register("_model_frame", risk)
    try:
        con.execute("""
            create or replace table account_churn_risk as
            select account_id::varchar as account_id, month::date as month,
                segment::varchar as segment, region::varchar as region, plan::varchar as plan,
                arr_usd::double as arr_usd,
                churn_probability_12m::double as churn_probability_12m,
                churn_probability_low_12m::double as churn_probability_low_12m,
                churn_probability_high_12m::double as churn_probability_high_12m,
                arr_at_risk_usd::double as arr_at_risk_usd,
                arr_at_risk_low_usd::double as arr_at_risk_low_usd,
                arr_at_risk_high_usd::double as arr_at_risk_high_usd,
                reasons::varchar[] as reasons,
                reason_arr_at_risk_usd::double[] as reason_arr_at_risk_usd
            from _model_frame
            order by arr_at_risk_usd desc nulls last, account_id""")
    finally:
        con.unregister("_model_frame")


def _store_attribution(con: duckdb.DuckDBPyConnection, fitted: Fit,
                       frames: dict[str, tuple[dt.date, pd.DataFrame]]) -> None:
    """Per month role (now, a year ago), segment, region, plan and driver: accounts and ARR
    exposed, and the ARR (and accounts) at risk in the next 12 months the driver accounts for,
    at its estimate and the ends of its 95% interval."""
    parts = []
    for role, (month, frame) in frames.items():
        if frame.empty or not fitted.usable:
            continue
        eta = fitted.log_hazard(frame)
        arr = frame["arr_usd"].to_numpy(dtype=float)
        for term in fitted.terms:
            if term.kind != "driver" or not term.estimable:
                continue
            share, low, high = driver_shares(fitted, term, frame, eta)
            exposed = frame[term.level].to_numpy(dtype=float)
            # summed per segment, region and plan at once: a million accounts stay a million
            # rows for one driver at a time
            parts.append(pd.DataFrame({
                "segment": frame["segment"], "region": frame["region"], "plan": frame["plan"],
                "exposed_accounts": exposed,
                "exposed_arr_usd": exposed * arr,
                "at_risk_accounts": np.nan_to_num(share),
                "at_risk_arr_usd": np.nan_to_num(share * arr),
                "at_risk_arr_low_usd": np.nan_to_num(low * arr),
                "at_risk_arr_high_usd": np.nan_to_num(high * arr),
            }).groupby(["segment", "region", "plan"], as_index=False).sum().assign(
                month_role=role, month=pd.Timestamp(month), driver_id=term.level))
    columns = ["month_role", "month", "segment", "region", "plan", "driver_id"]
    if parts:
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[[*columns, *[c for c in frame.columns if c not in columns]]]
    else:
        frame = pd.DataFrame({column: pd.Series(dtype=str) for column in columns})
        frame["month"] = pd.Series(dtype="datetime64[ns]")
        for column in ("exposed_accounts", "exposed_arr_usd", "at_risk_accounts",
                       "at_risk_arr_usd", "at_risk_arr_low_usd", "at_risk_arr_high_usd"):
            frame[column] = pd.Series(dtype=float)
    _replace_table(con, "churn_driver_attribution", frame)
