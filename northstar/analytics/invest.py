"""Where to invest: churn-driver estimates, initiative ROI, what-if scenarios and cost to serve.

The numbers come from SQL (`invest_*` queries over the stored churn model and the driver
rollups); what is computed here is unit tested against hand-computed numbers:

- each driver's hazard ratio comes from the churn model fitted at build time
  (northstar/data/model/churn_model.py: every driver and the segment together, cluster-robust
  intervals), and so does the ARR at risk it accounts for: Σ over today's exposed accounts of
  ARR × (their 12-month churn chance − the chance without the driver);
- a driver whose interval includes 1 cannot be told from chance: it is shown as such and never
  ranked or recommended;
- the crude relative risk (Katz log-scale 95% interval) and the NPS difference stay beside it,
  labelled;
- each initiative's churn reduction: for a completed one, and a running one with enough churned
  accounts, the reduction it measurably achieved (with its interval); the planned reduction only
  before that; its return on cost (a multiple) and payback, each with its range, or "can't size
  yet" when the range is too wide to repeat; the what-if scenario; the customer quadrant; cost
  to serve from `config/cost_to_serve.toml`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from northstar.analytics import display, links, significance
from northstar.analytics.metrics import format_usd, is_missing
from northstar.analytics.significance import CANT_TELL, Z_95, Status, Verdict
from northstar.data.db.paths import REPO_ROOT
from northstar.data.model.drivers import DRIVERS, Driver
from northstar.data.rules import (
    CLOSED_LOOP_HORIZON_DAYS,
    DETRACTOR_FOLLOW_UP_DAYS,
    MAX_SIZE_RANGE_RATIO,
    MIN_EVENTS,
    WHAT_IF_DEFAULT_PCT,
)

COST_CONFIG_PATH = REPO_ROOT / "config" / "cost_to_serve.toml"


# --- estimators ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def text(self, digits: int = 2) -> str:
        """'1.62 (1.38–1.90)'; with a negative bound '−13 (−21 to −6)' (true minus signs, and
        'to', so a range of negatives never reads as a double minus)."""
        if math.isnan(self.value):
            return "—"
        low, value, high = (f"{number:.{digits}f}".replace("-", "−")
                            for number in (self.low, self.value, self.high))
        joiner = " to " if self.low < 0 or self.high < 0 else "–"
        return f"{value} ({low}{joiner}{high})"


NO_ESTIMATE = Estimate(math.nan, math.nan, math.nan)


def risk_ratio(a: float, n1: float, c: float, n0: float, design_effect: float = 1.0) -> Estimate:
    """Crude RR = (a/n1) ÷ (c/n0) with the Katz 95% CI:
    exp(ln RR ± 1.96 √(deff × (1/a − 1/n1 + 1/c − 1/n0)))."""
    if min(a, c) <= 0 or min(n1, n0) <= 0:
        return NO_ESTIMATE
    rr = (a / n1) / (c / n0)
    se = math.sqrt(design_effect * (1 / a - 1 / n1 + 1 / c - 1 / n0))
    return Estimate(rr, rr * math.exp(-Z_95 * se), rr * math.exp(Z_95 * se))


def nps(promoters: float, detractors: float, answers: float) -> float:
    return 100 * (promoters - detractors) / answers if answers else math.nan


def nps_difference(rows: Iterable[dict[str, Any]], design_effect: float = 1.0) -> Estimate:
    """Segment-adjusted NPS difference (exposed − unexposed) with a 95% CI.

    `rows`: one per segment and exposed side, with nps_answers, nps_promoters, nps_detractors.
    Per segment the difference of the two NPS; combined with inverse-variance weights; the
    variance of an NPS is 100² × (p + d − (p − d)²) ÷ n (each answer scored +100 / 0 / −100).
    """
    by_segment: dict[str, dict[bool, tuple[float, float]]] = {}
    for row in rows:
        sides = by_segment.setdefault(str(row["segment"]), {})
        n = float(row["nps_answers"] or 0)
        if n < 2:
            continue
        p, d = float(row["nps_promoters"]) / n, float(row["nps_detractors"]) / n
        sides[bool(row["exposed"])] = (100 * (p - d), 100**2 * (p + d - (p - d) ** 2) / n)
    weights = total = 0.0
    for segment in sorted(by_segment):
        sides = by_segment[segment]
        if len(sides) < 2:
            continue
        variance = design_effect * (sides[True][1] + sides[False][1])
        if variance <= 0:
            continue
        weights += 1 / variance
        total += (sides[True][0] - sides[False][0]) / variance
    if not weights:
        return NO_ESTIMATE
    difference, se = total / weights, math.sqrt(1 / weights)
    return Estimate(difference, difference - Z_95 * se, difference + Z_95 * se)


# --- the driver table ------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverResult:
    """One churn driver: the model's hazard ratio (adjusted for every other driver and the
    segment) and the ARR at risk it accounts for in scope, beside the crude comparison."""

    driver: Driver
    hazard_ratio: Estimate  # 95% interval, cluster-robust by account
    hazard_ratio_99: Estimate
    verdict: Verdict  # beyond noise when the 95% interval leaves out 1
    note: str  # why the model could not estimate it
    at_risk_arr_usd: Estimate  # ARR of today's exposed accounts the driver puts at risk
    at_risk_by_segment: dict[str, float]
    at_risk_accounts: float
    exposed_accounts: int  # accounts exposed now
    exposed_arr_usd: float  # their ARR now
    unexposed_accounts: int  # active accounts not exposed now (those a program reaches)
    exposed_by_segment: dict[str, float]  # accounts exposed now, by segment
    opening_exposed_accounts: float  # exposed 12 months ago
    opening_at_risk_arr_by_segment: dict[str, float]  # what the driver put at risk then
    opening_at_risk_accounts_by_segment: dict[str, float]
    crude: Estimate  # crude 12-month relative risk, all segments pooled
    risk_exposed_pct: float
    risk_unexposed_pct: float
    nps_difference: Estimate
    history_accounts: int
    history_landmarks: int

    @property
    def driver_id(self) -> str:
        return self.driver.driver_id

    @property
    def raises_risk(self) -> bool:
        """Beyond noise and above 1: a driver that may be ranked and recommended."""
        return self.verdict.is_real and self.hazard_ratio.low > 1

    @property
    def sized(self) -> bool:
        """Whether its ARR at risk has a range narrow enough to repeat (see is_sized)."""
        return self.raises_risk and is_sized(self.at_risk_arr_usd.low, self.at_risk_arr_usd.high)

    @property
    def reading(self) -> str:
        """'raises churn', 'lowers churn', "can't tell from chance" or why not estimated."""
        if math.isnan(self.hazard_ratio.value):
            return "not estimated"
        if not self.verdict.is_real:
            return CANT_TELL
        return "raises churn" if self.hazard_ratio.value > 1 else "lowers churn"


@dataclass(frozen=True)
class AttributeResult:
    """One level of an account attribute against its reference level, from the churn model
    (invest_model_attributes rows): read with the same significance rule as the drivers."""

    attribute: str  # e.g. Contract
    level: str  # e.g. Month-to-month; empty when the attribute could not be estimated
    reference: str  # e.g. Two year
    hazard_ratio: Estimate
    accounts: int
    events: int
    note: str = ""
    levels_read: int = 1  # attribute levels read together, for the family-wise rule

    @property
    def family_interval(self) -> tuple[float, float]:
        """The 95% interval widened for every level read together (significance.py)."""
        return significance.family_interval(self.hazard_ratio.low, self.hazard_ratio.high,
                                            self.levels_read)

    @property
    def verdict(self) -> Verdict:
        return significance.interval(*self.family_interval)

    @property
    def label(self) -> str:
        """'Contract: Month-to-month vs Two year'."""
        if not self.level:
            return self.attribute
        return f"{self.attribute}: {self.level} vs {self.reference}"

    @property
    def reading(self) -> str:
        """The drivers' words: 'raises churn', 'lowers churn', "can't tell from chance" or
        'not estimated'."""
        if math.isnan(self.hazard_ratio.value):
            return "not estimated"
        if not self.verdict.is_real:
            return CANT_TELL
        return "raises churn" if self.hazard_ratio.value > 1 else "lowers churn"

    @property
    def beyond_noise(self) -> bool:
        return not math.isnan(self.hazard_ratio.value) and self.verdict.is_real

    @property
    def text(self) -> str:
        """'Contract: Month-to-month vs Two year: hazard ratio 14.20 (9.80–20.57), raises
        churn'."""
        if math.isnan(self.hazard_ratio.value):
            note = f" ({self.note})" if self.note else ""
            return f"{self.label}: not estimated{note}"
        return (f"{self.label}: hazard ratio {self.family_estimate.text()}"
                f"{self.family_note}, {self.reading}")

    @property
    def family_estimate(self) -> Estimate:
        """The hazard ratio with the interval its verdict is read on."""
        return Estimate(self.hazard_ratio.value, *self.family_interval)

    @property
    def family_note(self) -> str:
        """' (interval widened for the 25 levels read together)' where it was; without it the
        count reads as the attribute's own number of levels."""
        return (f" (interval widened for the {self.levels_read} levels read together)"
                if self.levels_read > 1 else "")


def attribute_results(terms: pd.DataFrame) -> list[AttributeResult]:
    """The attribute levels of invest_model_attributes rows, in the query's order; each is
    judged beyond noise with the family-wise rule over every level estimated."""
    rows = terms.to_dict("records")
    estimated = sum(1 for row in rows if not is_missing(row["hazard_ratio"]))
    return [
        AttributeResult(
            str(row["attribute"]), "" if is_missing(row["level"]) else str(row["level"]),
            "" if is_missing(row["reference_level"]) else str(row["reference_level"]),
            Estimate(_float(row["hazard_ratio"]), _float(row["hr_low_95"]),
                     _float(row["hr_high_95"])),
            int(row["exposed_accounts"]), int(row["exposed_events"]),
            "" if is_missing(row["note"]) else str(row["note"]), max(estimated, 1))
        for row in rows
    ]


def ranked_attributes(results: Sequence[AttributeResult]) -> list[AttributeResult]:
    """The attribute levels beyond noise, the furthest from a hazard ratio of 1 first (a ratio
    of 4 and one of ¼ are as far); the others are never ranked."""
    return sorted((r for r in results if r.beyond_noise),
                  key=lambda r: (-abs(math.log(r.hazard_ratio.value)), r.label))


def attribute_table(results: Sequence[AttributeResult]) -> pd.DataFrame:
    """The attribute levels with human column names."""
    return pd.DataFrame({
        "Attribute": [r.attribute for r in results],
        "Level": [r.level or "—" for r in results],
        "Against": [r.reference or "—" for r in results],
        "Hazard ratio (interval among the levels)": [r.family_estimate.text() for r in results],
        "Reading": [r.reading if r.level else f"not estimated: {r.note}" for r in results],
        "95% interval of the level alone": [
            f"{r.hazard_ratio.low:.2f}–{r.hazard_ratio.high:.2f}"
            if r.level and not math.isnan(r.hazard_ratio.low) else None
            for r in results],
        "Accounts": [r.accounts for r in results],
        "Churned": [r.events for r in results],
    })


CountRows = dict[tuple[str, str], list[dict[str, Any]]]  # (cohort, driver_id) -> its rows


def no_counts() -> pd.DataFrame:
    """invest_driver_counts with no rows: for a page that needs only the model's figures (built
    when asked, so importing this module builds no frame)."""
    return pd.DataFrame(columns=["cohort", "driver_id", "segment", "exposed", "landmarks",
                                 "accounts", "churned", "arr_usd", "nps_answers",
                                 "nps_promoters", "nps_detractors"])


def _count_rows(counts: pd.DataFrame) -> CountRows:
    """The invest_driver_counts rows as plain records by cohort and driver, exposed as a bool."""
    rows: CountRows = {}
    for row in counts.to_dict("records"):
        row["exposed"] = bool(row["exposed"])
        rows.setdefault((str(row["cohort"]), str(row["driver_id"])), []).append(row)
    return rows


def _crude(history: list[dict[str, Any]]) -> tuple[Estimate, float, float, int, int, float]:
    """Crude RR of churn within 12 months (Katz interval widened by the months per account),
    the two risks (%), accounts and landmarks, and the design effect."""
    sides = {True: [0.0, 0.0], False: [0.0, 0.0]}
    for row in history:
        sides[row["exposed"]][0] += float(row["churned"])
        sides[row["exposed"]][1] += float(row["landmarks"])
    landmarks = int(sum(row["landmarks"] for row in history))
    accounts = int(sum(row["accounts"] for row in history))
    design_effect = max(1.0, landmarks / accounts) if accounts else 1.0
    (a, n1), (c, n0) = sides[True], sides[False]
    return (risk_ratio(a, n1, c, n0, design_effect), 100 * a / n1 if n1 else math.nan,
            100 * c / n0 if n0 else math.nan, accounts, landmarks, design_effect)


def driver_results(model: pd.DataFrame, counts: pd.DataFrame) -> list[DriverResult]:
    """Every driver of the model (invest_model_drivers rows, one per driver and segment), with
    the crude comparison from invest_driver_counts; those that raise churn beyond noise first,
    by ARR at risk, then the rest."""
    rows = _count_rows(counts)
    results = []
    for driver_id, group in model.groupby("driver_id", sort=False):
        if driver_id not in DRIVERS:
            continue
        first = group.iloc[0]
        hazard = Estimate(*(_float(first[c]) for c in ("hazard_ratio", "hr_low_95", "hr_high_95")))
        hazard_99 = Estimate(*(_float(first[c]) for c in ("hazard_ratio", "hr_low_99",
                                                           "hr_high_99")))
        history = rows.get(("history", str(driver_id)), [])
        crude, risk_exposed, risk_unexposed, accounts, landmarks, design_effect = _crude(history)
        segments = group.loc[group["segment"].notna()]
        exposed_accounts = int(segments["now_exposed_accounts"].sum())
        exposed_arr_usd = float(segments["now_exposed_arr_usd"].sum())
        if math.isnan(hazard.value):
            # the model has no estimate, so it attributes nothing; who is exposed today still
            # comes from the counts, so the table never says nobody is exposed when many are
            now = [row for row in rows.get(("now", str(driver_id)), []) if row["exposed"]]
            exposed_accounts = int(sum(row["accounts"] for row in now))
            exposed_arr_usd = float(sum(row["arr_usd"] for row in now))
        results.append(DriverResult(
            driver=DRIVERS[str(driver_id)],
            hazard_ratio=hazard,
            hazard_ratio_99=hazard_99,
            verdict=significance.interval(hazard.low, hazard.high),
            note="" if is_missing(first["note"]) else str(first["note"]),
            at_risk_arr_usd=Estimate(float(segments["now_at_risk_arr_usd"].sum()),
                                     float(segments["now_at_risk_arr_low_usd"].sum()),
                                     float(segments["now_at_risk_arr_high_usd"].sum())),
            at_risk_by_segment=dict(zip(segments["segment"], segments["now_at_risk_arr_usd"],
                                        strict=True)),
            at_risk_accounts=float(segments["now_at_risk_accounts"].sum()),
            exposed_accounts=exposed_accounts,
            exposed_arr_usd=exposed_arr_usd,
            unexposed_accounts=int(sum(row["accounts"]
                                       for row in rows.get(("now", str(driver_id)), [])
                                       if not row["exposed"])),
            exposed_by_segment=dict(zip(segments["segment"], segments["now_exposed_accounts"],
                                        strict=True)),
            opening_exposed_accounts=float(segments["opening_exposed_accounts"].sum()),
            opening_at_risk_arr_by_segment=dict(zip(
                segments["segment"], segments["opening_at_risk_arr_usd"], strict=True)),
            opening_at_risk_accounts_by_segment=dict(zip(
                segments["segment"], segments["opening_at_risk_accounts"], strict=True)),
            crude=crude,
            risk_exposed_pct=risk_exposed,
            risk_unexposed_pct=risk_unexposed,
            nps_difference=nps_difference(history, design_effect),
            history_accounts=accounts,
            history_landmarks=landmarks,
        ))
    return sorted(results, key=lambda r: (not r.raises_risk, not r.sized,
                                          -r.at_risk_arr_usd.value))


def _float(value: Any) -> float:
    return math.nan if is_missing(value) else float(value)


def ranked(results: Sequence[DriverResult]) -> list[DriverResult]:
    """The drivers that may be ranked and recommended: raising churn beyond noise, with ARR
    at risk in scope; those whose ARR at risk can be sized first (driver_results' order)."""
    return [r for r in results if r.raises_risk and r.at_risk_arr_usd.value > 0]


def sized_at_risk(results: Sequence[DriverResult]) -> list[tuple[str, float]]:
    """(label, ARR at risk) of the ranked drivers whose ARR at risk can be sized, largest
    first: what the portfolio of ARR at risk names as the drivers adding most."""
    return [(r.driver.label, r.at_risk_arr_usd.value) for r in ranked(results) if r.sized]


# the driver table's columns that come from the churn model's 12-month chances
AT_RISK_COLUMNS = ("ARR at risk from the driver", "ARR at risk, 95% range")


def driver_table(results: Sequence[DriverResult]) -> pd.DataFrame:
    """The driver results with human column names, the ones that justify the order first
    (money as numbers, so the column sorts; — for a driver that cannot be told from chance)."""
    def at_risk(result: DriverResult) -> float:
        return result.at_risk_arr_usd.value if result.sized else math.nan

    def at_risk_range(result: DriverResult) -> str | None:
        low, high = result.at_risk_arr_usd.low, result.at_risk_arr_usd.high
        if not result.raises_risk:
            return None
        return f"{_usd(low)}–{_usd(high)}" if result.sized else size_text(low, high)

    return pd.DataFrame(
        {
            "Driver": [r.driver.label for r in results],
            "Hazard ratio (95% interval)": [r.hazard_ratio.text() for r in results],
            "Reading": [r.reading for r in results],
            AT_RISK_COLUMNS[0]: [at_risk(r) for r in results],
            AT_RISK_COLUMNS[1]: [at_risk_range(r) for r in results],
            "Accounts exposed now": [r.exposed_accounts for r in results],
            "ARR exposed now": [r.exposed_arr_usd for r in results],
            "Crude churn exposed": [r.risk_exposed_pct for r in results],
            "Crude churn not exposed": [r.risk_unexposed_pct for r in results],
            "Crude relative risk": [r.crude.text() for r in results],
            "NPS difference (adjusted)": [r.nps_difference.text(0) for r in results],
            "n (accounts · account-months)": [
                f"{r.history_accounts:,} · {r.history_landmarks:,}" for r in results
            ],
        }
    )


def _usd(value: float) -> str:
    return "—" if math.isnan(value) else format_usd(value)


def truth_check(results: Sequence[DriverResult], planted: pd.DataFrame) -> pd.DataFrame:
    """Planted hazard ratio vs the model's estimate with its 95% and 99% intervals, for the
    drivers the demo planted (the others were planted with no effect: a ratio of 1)."""
    hazard = dict(zip(planted["driver_id"], planted["hazard_ratio"], strict=True))
    rows = []
    for result in results:
        truth = float(hazard.get(result.driver_id, 1.0))
        estimate, wide = result.hazard_ratio, result.hazard_ratio_99
        rows.append(
            {
                "driver_id": result.driver_id,
                "Driver": result.driver.label,
                "Planted": result.driver_id in hazard,
                "Planted hazard ratio": truth,
                "Estimated hazard ratio": estimate.value,
                "95% low": estimate.low,
                "95% high": estimate.high,
                "99% low": wide.low,
                "99% high": wide.high,
                "Inside 95%": estimate.low <= truth <= estimate.high,
                "Inside 99%": wide.low <= truth <= wide.high,
                "Right side of 1": (estimate.value - 1) * (truth - 1) > 0 if truth != 1
                else True,
            }
        )
    return pd.DataFrame(rows)


def model_reading(driver_id: str, terms: pd.DataFrame) -> str:
    """What the churn model says about a program's driver, in one sentence, for a page that
    compares the program's accounts directly (churn_model_driver_terms rows): the figure Where
    to invest ranks and sizes by, and why the two can read differently."""
    rows = terms.loc[terms["driver_id"] == driver_id]
    driver = DRIVERS[driver_id]
    if rows.empty or is_missing(rows["hazard_ratio"].iloc[0]):
        note = "" if rows.empty or is_missing(rows["note"].iloc[0]) else \
            f" ({rows['note'].iloc[0]})"
        return (f"The churn model could not estimate \"{driver.label.lower()}\"{note}, so Where "
                "to invest neither ranks nor sizes it.")
    estimate = Estimate(*(float(rows[column].iloc[0])
                          for column in ("hazard_ratio", "hr_low_95", "hr_high_95")))
    verdict = significance.interval(estimate.low, estimate.high)
    finding = (f"{'raises' if estimate.value > 1 else 'lowers'} churn beyond noise"
               if verdict.is_real else CANT_TELL)
    consequence = ("Where to invest ranks and sizes it by this figure"
                   if verdict.is_real and estimate.value > 1
                   else "Where to invest does not rank it")
    return (f"The churn model, over every account and month of the data with the other drivers "
            f"and the segment held alike, finds \"{driver.label.lower()}\" {finding}: hazard "
            f"ratio {estimate.text()}; {consequence}. The comparison above reads only this "
            "period's accounts with nothing held alike, so the two can differ (one may be too "
            "few to tell while the other is not).")


def follow_up_reading(contrast: Estimate) -> str:
    """What the model says about following up detractors, in the terms of the closed-loop tab
    on the Satisfaction page (which compares the two groups' churn directly)."""
    if math.isnan(contrast.value):
        return ("The model cannot compare followed-up and other detractors: too few of one "
                "group churned.")
    verdict = significance.interval(contrast.low, contrast.high)
    if not verdict.is_real:
        return (f"Followed-up detractors against detractors not followed up: hazard ratio "
                f"{contrast.text()}, {CANT_TELL}. The closed-loop tab on the Satisfaction page "
                "compares their churn directly.")
    direction = "slower" if contrast.value < 1 else "faster"
    return (f"Detractors followed up within {DETRACTOR_FOLLOW_UP_DAYS} days leave {direction} "
            f"than detractors not followed up: hazard ratio {contrast.text()}, every other "
            "driver and the segment held alike. The closed-loop tab on the Satisfaction page "
            "points the same way with its own rule (any follow-up call, QBR or executive "
            f"meeting within its target, churn within {CLOSED_LOOP_HORIZON_DAYS} days, nothing "
            "else held alike), so its percentages differ from these ratios.")


# --- initiatives -----------------------------------------------------------------------------


def initiative_roi(protected_usd: float, cost_usd: float) -> dict[str, float]:
    """Return on cost = ARR protected a year ÷ cost (a multiple: 3.0× returns three times the
    cost in a year); payback months = cost ÷ (protected ÷ 12)."""
    return {
        "return_multiple": protected_usd / cost_usd if cost_usd else math.inf,
        "payback_months": cost_usd / (protected_usd / 12) if protected_usd > 0 else math.inf,
    }


def is_sized(low: float, high: float) -> bool:
    """Whether a 95% range is narrow enough to repeat as a size: above zero, and its high end
    at most MAX_SIZE_RANGE_RATIO times its low end."""
    return low > 0 and high <= MAX_SIZE_RANGE_RATIO * low


def size_text(low: float, high: float) -> str:
    """"can't size yet (range $135K–$10.7M)" for a range too wide to repeat."""
    return f"can't size yet (range {format_usd(max(low, 0.0))}–{format_usd(high)})"


MEASURED = "measured"
PLANNED = "planned"


def measured_reduction(exposed_churned_before: float, exposed_months_before: float,
                       exposed_churned_since: float, exposed_months_since: float,
                       control_churned_before: float, control_months_before: float,
                       control_churned_since: float, control_months_since: float,
                       ) -> tuple[Estimate, Verdict]:
    """The churn reduction an initiative achieved among the accounts exposed to its driver,
    against everyone else: 100 × (1 − (exposed rate since ÷ before) ÷ (others' rate since ÷
    before)), in %, with its 95% interval (churned accounts as Poisson counts: the log of the
    ratio has standard error √(1/a + 1/b + 1/c + 1/d)). Too few to tell while any of the four
    groups has fewer than MIN_EVENTS churned accounts; beyond noise when the interval leaves
    out 0."""
    events = (exposed_churned_before, exposed_churned_since, control_churned_before,
              control_churned_since)
    months = (exposed_months_before, exposed_months_since, control_months_before,
              control_months_since)
    if min(events) < MIN_EVENTS or min(months) <= 0:
        detail = (f"{int(exposed_churned_since):,} exposed accounts churned since the start, "
                  f"{int(exposed_churned_before):,} in the year before")
        return NO_ESTIMATE, Verdict(Status.TOO_FEW, detail)
    ratio = ((exposed_churned_since / exposed_months_since)
             / (exposed_churned_before / exposed_months_before)
             / ((control_churned_since / control_months_since)
                / (control_churned_before / control_months_before)))
    spread = Z_95 * math.sqrt(sum(1 / count for count in events))
    low_ratio, high_ratio = ratio * math.exp(-spread), ratio * math.exp(spread)
    estimate = Estimate(100 * (1 - ratio), 100 * (1 - high_ratio), 100 * (1 - low_ratio))
    return estimate, significance.interval(estimate.low, estimate.high, no_effect=0.0)


def _measured(row: Any) -> tuple[Estimate, Verdict]:
    counts = [getattr(row, name, math.nan) for name in (
        "exposed_churned_before", "exposed_months_before", "exposed_churned_since",
        "exposed_months_since", "control_churned_before", "control_months_before",
        "control_churned_since", "control_months_since")]
    if any(is_missing(value) for value in counts):
        return NO_ESTIMATE, Verdict(Status.TOO_FEW, "not started")
    return measured_reduction(*(float(value) for value in counts))


def reduction_basis(status: str, planned_pct: float, measured: Estimate,
                    verdict: Verdict) -> str:
    """What an initiative's churn reduction is taken from. A completed initiative is judged by
    what it measurably achieved, never by its plan. A running one is judged by what it achieved
    so far once that tells: its effect is beyond noise, or its interval leaves out the planned
    reduction (the data contradicts the plan); until then by its plan. A proposed one by its
    plan."""
    if status == "completed":
        return MEASURED
    if status == "running" and verdict.status is not Status.TOO_FEW and (
            verdict.is_real or not measured.low <= planned_pct <= measured.high):
        return MEASURED
    return PLANNED


def measured_text(estimate: Estimate, verdict: Verdict) -> str:
    """'4.7% (−12.1% to 19.0%), within noise', or 'too few to tell (…)' before it can be
    measured."""
    if verdict.status is Status.TOO_FEW:
        return verdict.text
    value = f"{estimate.value:.1f}%".replace("-", "−")
    return f"{value} ({pct_range(estimate.low, estimate.high)}), {verdict.text}"


def pct_range(low: float, high: float) -> str:
    """'4.2%–9.0%', or '−12.1% to 19.0%' when a bound is negative (true minus signs)."""
    first, last = (f"{number:.1f}%".replace("-", "−") for number in (low, high))
    return f"{first} to {last}" if low < 0 or high < 0 else f"{first}–{last}"


def _not_working(status: str, estimate: Estimate, verdict: Verdict) -> str:
    """Why a measured initiative protects nothing the data can show."""
    so_far = " so far" if status == "running" else ""
    if verdict.status is Status.TOO_FEW:
        return f"no measurable result{so_far}: {verdict.text}"
    if verdict.is_real:
        return f"churn rose{so_far}: measured {measured_text(estimate, verdict)}"
    return f"no effect beyond noise{so_far}: measured {measured_text(estimate, verdict)}"


def initiatives_ranked(
    initiatives: pd.DataFrame, results: Sequence[DriverResult]
) -> pd.DataFrame:
    """Each initiative with the churn reduction it is judged by, ARR protected a year, its
    return on cost and payback, each with its 95% range.

    An initiative is ranked (`rank` 1, 2, …) when its driver raises churn beyond noise and its
    reduction is either planned (not measurable yet) or measured beyond noise and positive;
    initiatives whose range is narrow enough to repeat (`sized`) come first, most return on
    cost first; the rest follow unranked with the reason in `reading`.

    ARR protected a year = ARR at risk from the targeted driver × the reduction; its range
    carries the driver's interval and, for a measured reduction, the reduction's interval.
    """
    by_driver = {result.driver_id: result for result in results}
    rows = []
    for row in initiatives.itertuples(index=False):
        driver_id = str(row.target_driver)
        result = by_driver.get(driver_id)
        measured, verdict = _measured(row)
        planned = float(row.expected_churn_reduction_pct)
        basis = reduction_basis(str(row.status), planned, measured, verdict)
        if basis == MEASURED:
            works = verdict.is_real and measured.value > 0
            reduction = Estimate(measured.value, max(measured.low, 0.0), measured.high) \
                if works else Estimate(0.0, 0.0, 0.0)
        else:
            works = True
            reduction = Estimate(planned, planned, planned)
        driver_raises = result is not None and result.raises_risk
        rankable = driver_raises and works
        if not driver_raises:
            reading = result.reading if result else "not estimated"
        elif not works:
            reading = _not_working(str(row.status), measured, verdict)
        else:
            reading = result.reading if result else "not estimated"
        at_risk = result.at_risk_arr_usd if rankable and result else NO_ESTIMATE
        value, low, high = (0.0 if math.isnan(amount) else amount for amount in
                            (at_risk.value, at_risk.low, at_risk.high))
        protected = value * reduction.value / 100
        protected_low = low * reduction.low / 100
        protected_high = high * reduction.high / 100
        cost = float(row.cost_usd)
        returns = initiative_roi(protected, cost)
        at_low, at_high = initiative_roi(protected_low, cost), initiative_roi(protected_high, cost)
        rows.append(
            {
                "initiative_id": row.initiative_id,
                "initiative_name": row.initiative_name,
                "department_name": row.department_name,
                "status": row.status,
                "driver_id": driver_id,
                "driver_label": DRIVERS[driver_id].label if driver_id in DRIVERS else driver_id,
                "rankable": rankable,
                "sized": rankable and is_sized(protected_low, protected_high),
                "reading": reading,
                "cost_usd": cost,
                "expected_reduction_pct": planned,
                "basis": basis,
                "reduction_pct": reduction.value,
                "measured": measured_text(measured, verdict)
                if str(row.status) in ("running", "completed") else "",
                "driver_at_risk_arr_usd": value,
                "protected_arr_usd": protected,
                "protected_low_usd": protected_low,
                "protected_high_usd": protected_high,
                **returns,
                "return_low": at_low["return_multiple"],
                "return_high": at_high["return_multiple"],
                "payback_low_months": at_high["payback_months"],
                "payback_high_months": at_low["payback_months"],
                "started_on": row.started_on,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values(["rankable", "sized", "return_multiple", "initiative_id"],
                              ascending=[False, False, False, True]).reset_index(drop=True)
    ranks = frame["rankable"].cumsum()
    frame["rank"] = ranks.where(frame["rankable"])
    return frame


def _multiple_range(low: float, high: float) -> str:
    return f"{low:,.1f}×–{high:,.1f}×" if high < 10 else f"{low:,.1f}×–{high:,.0f}×"


def reduction_text(row: Any) -> str:
    """'Planned 15.0%' or 'Measured 4.7% (−12.1% to 19.0%), within noise'."""
    if row["basis"] == MEASURED:
        return f"Measured {row['measured']}"
    planned = f"Planned {row['expected_reduction_pct']:.1f}%"
    return f"{planned}; so far {row['measured']}" if row["measured"] else planned


def initiatives_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked initiatives as the Initiatives tab shows them: sizes only for ranked ones,
    "can't size yet (range …)" where the range is too wide to repeat, and the reason beside
    every unranked one."""
    def sized_only(column: str) -> pd.Series:
        return ranked[column].where(ranked["sized"]).replace(math.inf, math.nan)

    return pd.DataFrame(
        {
            "Rank": ranked["rank"],
            "Initiative": ranked["initiative_name"],
            "ARR protected a year": sized_only("protected_arr_usd"),
            "95% range": [
                (f"{format_usd(row.protected_low_usd)}–{format_usd(row.protected_high_usd)}"
                 if row.sized else size_text(row.protected_low_usd, row.protected_high_usd))
                if row.rankable else None
                for row in ranked.itertuples(index=False)
            ],
            "Return on cost": sized_only("return_multiple"),
            "Churn reduction": [reduction_text(row) for _, row in ranked.iterrows()],
            "Reading": ranked["reading"],
            "Return, 95% range": [
                _multiple_range(row.return_low, row.return_high) if row.sized else None
                for row in ranked.itertuples(index=False)
            ],
            "Payback (months)": sized_only("payback_months"),
            "Cost": ranked["cost_usd"],
            "Driver addressed": ranked["driver_label"],
            "Department": ranked["department_name"],
            "Status": ranked["status"].str.capitalize(),
        }
    )


def protected_together(ranked: pd.DataFrame) -> float:
    """ARR protected a year if every ranked initiative that can be sized runs (one that can't
    be sized yet adds no figure). Initiatives aimed at the same driver share its ARR at risk:
    each removes its share of what the others leave, so their reductions combine as
    1 − Π(1 − share), never as a sum (two of 35% and 15% remove 44.75% of the driver's risk,
    not 50%)."""
    rankable = ranked.loc[ranked["sized"].astype(bool)] if len(ranked) else ranked
    total = 0.0
    for _, rows in rankable.groupby("driver_id", sort=False):
        left = 1.0
        for share in rows["reduction_pct"]:
            left *= 1 - min(max(float(share), 0.0), 100.0) / 100
        total += float(rows["driver_at_risk_arr_usd"].iloc[0]) * (1 - left)
    return total


def running_check(progress: pd.DataFrame) -> pd.DataFrame:
    """Running and completed initiatives: monthly churn of exposed accounts before vs since.

    Observed reduction = 1 − (since ÷ before) among exposed account-months; the same ratio among
    unexposed accounts is the control, and the measured reduction = 1 − (exposed ratio ÷ control
    ratio) (a difference-in-differences on the rate ratio), with its 95% interval and reading
    from `measured_reduction`: the figure every page judges the initiative by.
    """
    rows = []
    for row in progress.itertuples(index=False):
        def rate(churned: float, months: float) -> float:
            return churned / months if months else math.nan

        before = rate(row.exposed_churned_before, row.exposed_months_before)
        since = rate(row.exposed_churned_since, row.exposed_months_since)
        measured, verdict = _measured(row)
        rows.append(
            {
                "initiative_id": row.initiative_id,
                "months_since_start": int(row.months_since_start),
                "churn_before_pct": 100 * before,
                "churn_since_pct": 100 * since,
                "observed_reduction_pct": 100 * (1 - since / before) if before else math.nan,
                "control_adjusted_reduction_pct": measured.value,
                "control_adjusted_low_pct": measured.low,
                "control_adjusted_high_pct": measured.high,
                "reading": verdict.text,
                "exposure_before_pct": 100 * row.exposed_months_before
                / max(row.exposed_months_before + row.control_months_before, 1),
                "exposure_since_pct": 100 * row.exposed_months_since
                / max(row.exposed_months_since + row.control_months_since, 1),
                "exposed_churned_since": int(row.exposed_churned_since),
            }
        )
    return pd.DataFrame(rows)


def progress_table(progress: pd.DataFrame, initiatives: pd.DataFrame) -> pd.DataFrame:
    """The running_check rows as the Initiatives tab shows them, with the plan beside what was
    measured."""
    names = dict(zip(initiatives["initiative_id"], initiatives["initiative_name"], strict=True))
    planned = dict(zip(initiatives["initiative_id"],
                       initiatives["expected_churn_reduction_pct"], strict=True))
    return pd.DataFrame(
        {
            "Initiative": progress["initiative_id"].map(names),
            "Months running": progress["months_since_start"],
            "Planned churn reduction": progress["initiative_id"].map(planned),
            "Reduction vs unexposed accounts": progress["control_adjusted_reduction_pct"],
            "Reduction, 95% range": [
                None if math.isnan(low) else pct_range(low, high)
                for low, high in zip(progress["control_adjusted_low_pct"],
                                     progress["control_adjusted_high_pct"], strict=True)
            ],
            "Reading": progress["reading"],
            "Monthly churn of exposed, 12 months before": progress["churn_before_pct"],
            "Since the start": progress["churn_since_pct"],
            "Observed reduction": progress["observed_reduction_pct"],
            "Share exposed before": progress["exposure_before_pct"],
            "Share exposed since": progress["exposure_since_pct"],
            "Exposed churns since": progress["exposed_churned_since"],
        }
    )


# --- what-if ---------------------------------------------------------------------------------


def what_if_default_pct(result: DriverResult) -> int:
    """The what-if's starting reduction: WHAT_IF_DEFAULT_PCT% of the exposure, but never more
    accounts than the program reaches today, so the scenario at most doubles its reach (a small
    advisory board of 131 members against 12,486 accounts not on it starts at 1%, about 125 new
    members, not 6,000)."""
    if result.exposed_accounts <= 0:
        return WHAT_IF_DEFAULT_PCT
    reach = math.floor(100 * result.unexposed_accounts / result.exposed_accounts)
    return max(1, min(WHAT_IF_DEFAULT_PCT, reach))


@dataclass(frozen=True)
class Scenario:
    protected_arr_usd: float  # a year, from today's exposed accounts
    protected_low_usd: float  # its 95% range, from the driver's
    protected_high_usd: float
    moved_accounts: float  # accounts taken out of exposure
    avoided_churned_arr_usd: float  # in the last 12 months, had the scenario applied
    avoided_churned_accounts: float
    nrr_pct: float
    nrr_scenario_pct: float
    logo_retention_pct: float
    logo_retention_scenario_pct: float


def what_if(
    result: DriverResult,
    reduction_pct: float,
    segments: Sequence[str],
    kpis: pd.Series,
) -> Scenario:
    """Reduce the driver's exposure by `reduction_pct`% in `segments` (all when empty).

    The accounts moved out of exposure lose what the driver adds to their churn chance:
    protected ARR = share × the ARR at risk from the driver among today's exposed accounts;
    for the last 12 months, churned ARR and churned accounts fall by share × what the driver
    put at risk among the accounts exposed at its start, so NRR rises by avoided churned ARR ÷
    starting ARR and logo retention by avoided churned accounts ÷ accounts at the start.
    """
    share = reduction_pct / 100

    def chosen(by_segment: dict[str, float]) -> float:
        return sum(value for segment, value in by_segment.items()
                   if not segments or segment in segments)

    protected = share * chosen(result.at_risk_by_segment)
    # the range scales with the driver's own (its segments' shares of the point estimate)
    whole = result.at_risk_arr_usd.value
    scale = protected / whole if whole else 0.0
    avoided_arr = share * chosen(result.opening_at_risk_arr_by_segment)
    avoided_accounts = share * chosen(result.opening_at_risk_accounts_by_segment)
    starting_arr = float(kpis["starting_arr_usd"] or 0)
    opening_accounts = float(kpis["opening_accounts"] or 0)
    nrr = float(kpis["nrr_pct"]) if starting_arr else math.nan
    logo = 100 - float(kpis["logo_churn_pct"]) if opening_accounts else math.nan
    return Scenario(
        protected,
        scale * result.at_risk_arr_usd.low,
        scale * result.at_risk_arr_usd.high,
        share * chosen(result.exposed_by_segment),
        avoided_arr,
        avoided_accounts,
        nrr,
        nrr + 100 * avoided_arr / starting_arr if starting_arr else math.nan,
        logo,
        logo + 100 * avoided_accounts / opening_accounts if opening_accounts else math.nan,
    )


# --- cost to serve and the customer quadrant -------------------------------------------------


@dataclass(frozen=True)
class CostConfig:
    ticket_usd: dict[str, float]  # by priority
    hour_usd: dict[str, float]  # by engagement type

    def query_params(self) -> dict[str, Any]:
        return {
            "ticket_priorities": list(self.ticket_usd),
            "ticket_costs_usd": list(self.ticket_usd.values()),
            "engagement_types": list(self.hour_usd),
            "hour_costs_usd": list(self.hour_usd.values()),
        }


TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
ENGAGEMENT_TYPES = {
    "professional_services": "Professional services",
    "installation": "Installation",
    "executive_meeting": "Executive meeting",
    "qbr": "QBR",
    "cab_session": "Advisory board session",
    "detractor_follow_up": "Detractor follow-up",
}


class CostConfigError(ValueError):
    """config/cost_to_serve.toml is missing a unit cost or has a negative one."""


def load_cost_config(path: Path = COST_CONFIG_PATH) -> CostConfig:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    tickets = raw.get("ticket_usd", {})
    hours = raw.get("hour_usd", {})
    missing = [f"ticket_usd.{key}" for key in TICKET_PRIORITIES if key not in tickets] + [
        f"hour_usd.{key}" for key in ENGAGEMENT_TYPES if key not in hours
    ]
    if missing:
        raise CostConfigError(f"{path}: missing {', '.join(missing)}")
    values = [*tickets.values(), *hours.values()]
    if any(float(value) < 0 for value in values):
        raise CostConfigError(f"{path}: unit costs must not be negative")
    return CostConfig(
        {key: float(tickets[key]) for key in TICKET_PRIORITIES},
        {key: float(hours[key]) for key in ENGAGEMENT_TYPES},
    )


def cost_to_serve(
    tickets_by_priority: dict[str, float], hours_by_type: dict[str, float], config: CostConfig
) -> float:
    """Tickets × cost per ticket of their priority + staff hours × hourly cost of their type."""
    return sum(config.ticket_usd[p] * n for p, n in tickets_by_priority.items()) + sum(
        config.hour_usd[t] * h for t, h in hours_by_type.items()
    )


QUADRANTS: dict[tuple[bool, bool], tuple[str, str]] = {
    # (high ARR, healthy) -> (motion, what it means)
    (True, False): ("Invest", "High ARR, health below Healthy: the most revenue where money can "
                    "still change the outcome — executive sponsor, success plan, fix the driver."),
    (True, True): ("Protect", "High ARR and healthy: keep them close — advisory board, "
                   "executive meetings, expansion."),
    (False, True): ("Maintain", "Smaller and healthy: efficient, scaled coverage (pooled CSM, "
                    "digital programs)."),
    (False, False): ("Monitor", "Smaller and at risk: watch with automated plays; invest only "
                     "where the margin is positive."),
}
MOTION_ORDER = ["Invest", "Protect", "Maintain", "Monitor"]


def quadrant(
    arr_usd: float, health_score: float, arr_threshold: float, health_threshold: float
) -> str:
    """The motion for an account: ARR at or above the threshold is high; health at or above
    the threshold (the Healthy band's lower bound) is healthy."""
    return QUADRANTS[(arr_usd >= arr_threshold, health_score >= health_threshold)][0]


def motion_help(motion: str) -> str:
    return next(text for name, text in QUADRANTS.values() if name == motion)


# --- what the Where to invest page shows (views/invest.py) ---------------------------------

DRIVERS_METHOD = (
    "**Which problems cost us customers, and how much ARR rides on each.** One churn "
    "model takes every driver and the segment together: each month an account is "
    "billed, the chance it leaves the next month depends on the drivers it is exposed "
    "to that month (using only what was known then). A **hazard ratio** of 2 means "
    "exposed accounts leave twice as fast as otherwise-alike accounts. **ARR at risk "
    "from the driver** = for today's exposed accounts, ARR × how much the driver adds "
    "to their chance of churning in the next 12 months."
)
DRIVERS_CAPTION = (
    "Intervals are 95%. Hazard ratios are estimated on every account, whatever the "
    "filters; the filters choose whose ARR is counted. The crude columns compare "
    "exposed and unexposed accounts with nothing else taken into account, so a driver "
    "that travels with others (no executive meeting and the SMB segment, say) looks "
    "worse there than in the model."
)
ATTRIBUTES_METHOD = (
    "The same model takes the accounts' own attributes as candidate drivers: plan, "
    "segment, industry, region, acquisition channel, tenure, ARR size and any "
    "attribute the data's mapping keeps (contract type, say). Each level is "
    "compared with the attribute's largest level, every driver and other attribute "
    "held alike; rare levels are pooled as Other. Only levels beyond noise are "
    "listed here, strongest first."
)
TRUTH_CHECK_TEXT = (
    "The demo generator planted these hazard ratios on the monthly churn hazard "
    "of account-months exposed to each driver, exactly as this page measures "
    "exposure; drivers it did not plant have a true ratio of 1. The model's "
    "estimate should land near the planted ratio, inside its intervals."
)
INITIATIVES_METHOD = (
    "**Which investments protect the most ARR for what they cost.** ARR protected a "
    "year = ARR at risk from the driver the initiative targets × its churn "
    "reduction: the reduction a completed initiative measurably achieved (a running "
    "one once that can be told), the planned one only before. Return on cost = ARR "
    "protected a year ÷ cost; payback = cost ÷ monthly protected ARR. Ranges carry "
    "the driver's 95% interval (and a measured reduction's) through; an initiative "
    f"whose range spans more than {MAX_SIZE_RANGE_RATIO:.0f}× can't be sized yet "
    "and is ranked after the sized ones."
)
PROTECTED_TOGETHER_HELP = (
    "If every ranked initiative that can be sized runs. Initiatives aimed at "
    "the same driver share its ARR at risk, so each removes its share of what the "
    "others leave (35% and 15% remove 44.75%, not 50%). Initiatives that can't be "
    "sized yet add no figure; those whose driver cannot be told from chance, or that "
    "were measured and did not work, protect nothing the data can show."
)
PROGRESS_CAPTION = (
    "Monthly churn of the accounts exposed to the initiative's driver in the 12 "
    "months before it started against the months since (to its end, or last "
    "month). *Reduction vs unexposed accounts* divides out the change among "
    "everyone else, so a market-wide shift is not credited to the initiative; "
    "its 95% range treats churned accounts as counts. A completed initiative, and "
    "a running one once this tells (beyond noise, or its range leaves out the "
    "plan), is sized and ranked above by this measured reduction, never by its "
    "plan; within noise, it protects nothing the data can show."
)
WHAT_IF_INTRO = (
    "**What if we cut a driver?** Choose a driver, how much of its exposure to "
    "remove, and where. Accounts taken out of exposure lose the driver's extra "
    "churn risk. The scenario is in the URL, so the link reopens it."
)
CUSTOMERS_INTRO = (
    "**Which customers to invest in.** What each segment and account earned in "
    "the last 12 months, what serving it cost, and the margin left."
)
COST_METHOD = (
    "Cost to serve over the last 12 months = support tickets × cost per ticket (by "
    "priority) + staff hours on professional services, installations, executive "
    "meetings, QBRs, advisory board sessions and detractor follow-ups × hourly "
    "cost. The unit costs are kept in `config/cost_to_serve.toml`. Margin = "
    "recurring revenue billed in those 12 months − cost to serve."
)


def no_driver_reason(fits: pd.DataFrame) -> str:
    """Why the churn model has no driver estimate: the current fit's note, or a general reason."""
    current = fits.loc[fits["model"] == "current"]
    if not current.empty and current["note"].iloc[0]:
        return str(current["note"].iloc[0])
    return "the churn model has no driver it could estimate"


def has_no_estimate(results: Sequence[DriverResult],
                    attributes: Sequence[AttributeResult]) -> bool:
    """True when the model estimated no driver and no attribute level beyond noise."""
    no_driver = not results or all(math.isnan(result.hazard_ratio.value) for result in results)
    return no_driver and not any(attribute.beyond_noise for attribute in attributes)


def follow_up_contrast(contrasts: pd.DataFrame) -> Estimate:
    """The churn model's hazard ratio of detractors followed up against those not followed up."""
    row = contrasts.loc[contrasts["contrast"] == "detractor_followed_up_vs_not"]
    return Estimate(*(float(row[column].iloc[0]) if not row.empty else math.nan
                      for column in ("hazard_ratio", "hr_low_95", "hr_high_95")))


def what_if_caption(result: DriverResult, scenario: Any, reduction: int,
                    segments: Sequence[str], period: str) -> str:
    """What the what-if scenario moves and would have kept, in words; `period` names the 12
    months looked back on."""
    where = ", ".join(segments) if segments else "all segments"
    return (
        f"{result.driver.label}: hazard ratio {result.hazard_ratio.text()}. "
        f"Removing {reduction}% of the exposure in {where} takes about "
        f"{scenario.moved_accounts:,.0f} of the {result.exposed_accounts:,} exposed "
        f"accounts out of it ({result.unexposed_accounts:,} are not exposed today). "
        f"Looking back, it would have kept about "
        f"{scenario.avoided_churned_accounts:,.0f} of the accounts and "
        f"{format_usd(scenario.avoided_churned_arr_usd)} of the ARR lost in {period}. "
        "Assumes the driver causes the extra churn; a driver that only marks "
        "trouble protects less."
    )


CUSTOMER_TOTALS = ["accounts", "arr_usd", "revenue_12m_usd", "cost_to_serve_usd", "margin_usd"]


def segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Accounts, ARR, revenue, cost to serve and margin by segment (invest_customers at the
    segment grain, one row per segment and motion), with cost per account and margin %."""
    by_segment = customers.groupby("segment", as_index=False)[CUSTOMER_TOTALS].sum()
    revenue = by_segment["revenue_12m_usd"]
    return pd.DataFrame({
        "Segment": by_segment["segment"],
        "Accounts": by_segment["accounts"],
        "ARR": by_segment["arr_usd"],
        "Revenue, 12 months": revenue,
        "Cost to serve": by_segment["cost_to_serve_usd"],
        "Cost per account": by_segment["cost_to_serve_usd"] / by_segment["accounts"],
        "Margin": by_segment["margin_usd"],
        "Margin %": 100 * by_segment["margin_usd"] / revenue.where(revenue > 0),
    })


def arr_threshold(customers: pd.DataFrame) -> float:
    """The ARR from which an account counts as high ARR (NaN when no account is scored)."""
    known = customers["arr_threshold_usd"].dropna()
    return float(known.iloc[0]) if not known.empty else math.nan


@dataclass(frozen=True)
class MotionTotal:
    motion: str
    accounts: int
    arr_usd: float
    margin_usd: float

    def caption(self) -> str:
        return (f"{'account' if self.accounts == 1 else 'accounts'} · "
                f"{format_usd(self.arr_usd)} ARR · margin {format_usd(self.margin_usd)}")


def motion_totals(customers: pd.DataFrame) -> list[MotionTotal]:
    """Accounts, ARR and margin of each motion, in MOTION_ORDER (zero for a motion without any)."""
    by_motion = customers.groupby("motion")[["accounts", "arr_usd", "margin_usd"]].sum()
    return [MotionTotal(motion, int(by_motion["accounts"].get(motion, 0)),
                        float(by_motion["arr_usd"].get(motion, 0)),
                        float(by_motion["margin_usd"].get(motion, 0)))
            for motion in MOTION_ORDER]


def accounts_table(accounts: pd.DataFrame, motion: str) -> pd.DataFrame:
    """The accounts of one motion (invest_customers at the account grain), largest ARR first,
    each linked to its 360 view."""
    listed = accounts.loc[accounts["motion"] == motion]
    return pd.DataFrame({
        "Account": [links.account_link(account_id, name) for account_id, name in
                    zip(listed["account_id"], listed["account_name"], strict=True)],
        "Segment": listed["segment"],
        "ARR": listed["arr_usd"],
        "Health": listed["health_score"].round(0),
        "Revenue, 12 months": listed["revenue_12m_usd"],
        "Cost to serve": listed["cost_to_serve_usd"],
        "Support cost": listed["support_cost_usd"],
        "Services cost": listed["services_cost_usd"],
        "Executive & QBR cost": listed["executive_cost_usd"],
        "Margin": listed["margin_usd"],
        "Tickets": listed["tickets_12m"],
        "Staff hours": listed["staff_hours_12m"],
    }).sort_values("ARR", ascending=False)


@dataclass(frozen=True)
class Card:
    """A figure card: its label, value and what a metric card shows around it."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None
    delta_description: str | None = None
    delta_color: str = "normal"
    delta_arrow: str = "auto"


def usd_or_dash(value: float) -> str:
    return "—" if math.isnan(value) else format_usd(value)


def driver_rows(results: Sequence[DriverResult]) -> pd.DataFrame:
    """The drivers by id and label, in the order of the driver table (its Action cells)."""
    return pd.DataFrame({"driver_id": [r.driver.driver_id for r in results],
                         "label": [r.driver.label for r in results]})


def initiative_cards(ranked: pd.DataFrame) -> list[Card]:
    """The initiatives' best return on cost, the ARR protected if all sized run, and their cost."""
    rankable = ranked.loc[ranked["rankable"]]
    sized = rankable.loc[rankable["sized"]]
    if sized.empty:
        best = Card("Best return on cost", "—", help="No initiative targets a driver that raises "
                    "churn beyond noise with a size that can be told yet.")
    else:
        top = sized.iloc[0]
        best = Card("Best return on cost",
                    display.format_number(top["return_multiple"], "multiple"),
                    help=f"{top['initiative_name']}: "
                    f"{display.format_number(top['return_low'], 'multiple')}–"
                    f"{display.format_number(top['return_high'], 'multiple')}")
    return [best,
            Card("ARR protected a year if all sized run", format_usd(protected_together(ranked)),
                 help=PROTECTED_TOGETHER_HELP),
            Card("Total cost, all initiatives", format_usd(ranked["cost_usd"].sum()))]


def what_if_cards(result: DriverResult, scenario: Any) -> list[Card]:
    """The scenario's ARR protected, and NRR and logo retention against the actual ones."""
    protected_range = (f"{format_usd(scenario.protected_low_usd)}–"
                       f"{format_usd(scenario.protected_high_usd)}")
    logo_change = scenario.logo_retention_scenario_pct - scenario.logo_retention_pct
    return [
        Card("ARR protected, next 12 months",
             format_usd(scenario.protected_arr_usd) if result.sized else "Can't size yet",
             delta=f"95% range {protected_range}", delta_color="off", delta_arrow="off",
             help="Looking ahead: share removed × ARR at risk from the driver among "
             "today's exposed accounts in the chosen segments; the range carries the "
             "driver's. A range wider than 5× is too uncertain to size."),
        Card("NRR, last 12 months", display.percent(scenario.nrr_scenario_pct),
             delta=f"{scenario.nrr_scenario_pct - scenario.nrr_pct:+.1f} pp",
             delta_description=f"vs actual {display.percent(scenario.nrr_pct)}",
             help="Actual NRR plus the churned ARR the scenario would have avoided ÷ "
             "starting ARR."),
        Card("Logo retention, last 12 months",
             display.percent(scenario.logo_retention_scenario_pct),
             delta=f"{logo_change:+.1f} pp",
             delta_description=f"vs actual {display.percent(scenario.logo_retention_pct)}",
             help="Actual logo retention plus the churned accounts the scenario would "
             "have avoided ÷ accounts at the start."),
    ]


def what_if_segments(results: Sequence[DriverResult]) -> list[str]:
    """The segments a what-if scenario can be limited to: those the drivers put ARR at risk in."""
    return sorted({segment for result in results for segment in result.at_risk_by_segment})


def unclear_text(results: Sequence[DriverResult]) -> str:
    """The drivers that cannot be told from chance, in words ("" when there is none)."""
    unclear = [result.driver.label for result in results if result.reading == CANT_TELL]
    return (f"Can't tell from chance (interval includes 1, so not ranked or recommended): "
            f"{', '.join(unclear)}." if unclear else "")


def started(initiatives: pd.DataFrame) -> pd.DataFrame:
    """The initiatives running or completed (invest_initiatives rows with months since start)."""
    return initiatives.loc[initiatives["months_since_start"].notna()]


def scored_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    """The accounts with a health score, so a motion (invest_customers at the account grain)."""
    return accounts.loc[accounts["motion"] != "Not scored"]
