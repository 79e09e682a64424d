"""Where to invest: churn-driver estimates, initiative ROI, what-if scenarios and cost to serve.

The counts come from SQL (`invest_*` queries over the `account_driver_exposures` rollup); the
estimators here are pure functions on those counts, unit tested against hand-computed numbers:

- crude relative risk with the Katz log-scale 95% confidence interval;
- the segment-adjusted Mantel-Haenszel relative risk with the Greenland-Robins interval;
- ARR at risk attributable to a driver = Σ over segments of exposed ARR × the 12-month churn
  risk of the exposed × (1 − 1 / RR_MH);
- initiative ROI, payback and ARR protected per dollar; the what-if scenario; the customer
  quadrant; cost to serve from `config/cost_to_serve.toml`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from northstar.analytics.metrics import format_usd
from northstar.analytics.significance import Z_95
from northstar.data import rules
from northstar.data.paths import REPO_ROOT

COST_CONFIG_PATH = REPO_ROOT / "config" / "cost_to_serve.toml"


@dataclass(frozen=True)
class Driver:
    driver_id: str
    label: str
    definition: str
    planted_id: str | None = None  # the demo_planted_effects row it maps to, if any
    planted_inverse: bool = False  # the driver is the absence of the planted trait


DRIVERS: dict[str, Driver] = {
    driver.driver_id: driver
    for driver in (
        Driver(
            "slow_support", "Slow ticket resolution",
            "More than half of the account's tickets opened in the last 12 months took over "
            "72 hours to resolve (median above 72 h). Accounts without tickets are left out.",
            "slow_support",
        ),
        Driver(
            "repeated_escalations", "Repeated escalations",
            "Two or more of the account's tickets opened in the last 6 months were escalated. "
            "Accounts without tickets are left out.",
        ),
        Driver(
            "poor_onboarding", "Poor onboarding (30-day survey)",
            "The 30-day post-installation survey scored 1 or 2 out of 5. Accounts that never "
            "answered it are left out.",
            "poor_onboarding",
        ),
        Driver(
            "poor_services", "Poor professional-services survey",
            "A post-professional-services survey scored 1 or 2 in the last 12 months. Accounts "
            "without an answer in that time are left out.",
        ),
        Driver(
            "detractor_not_followed_up", "Detractor not followed up",
            f"A relationship NPS answer of 0–{rules.NPS_DETRACTOR_TO} in the last 6 months with no "
            "detractor follow-up "
            "within 14 days. Accounts without an NPS answer in that time are left out.",
            "detractor_not_followed_up",
        ),
        Driver(
            "detractor_followed_up", "Detractor, followed up",
            f"Relationship NPS answers of 0–{rules.NPS_DETRACTOR_TO} in the last 6 months, every "
            "one followed up within 14 days. Accounts without an NPS answer in that time are "
            "left out.",
            "detractor_followed_up",
        ),
        Driver(
            "no_executive_meeting", "No executive meeting in 12 months",
            "No attended executive face-to-face meeting in the last 12 months.",
            "no_executive_meeting",
        ),
        Driver(
            "not_cab_member", "Not on the advisory board",
            "Not a Customer Advisory Board member at the time. Compared only within segments "
            "that have members.",
            "cab_member", planted_inverse=True,
        ),
        Driver(
            "revenue_decline", "Declining revenue",
            "MRR at least 10% below six months earlier. Accounts without revenue six months "
            "earlier are left out.",
        ),
    )
}
# initiatives name planted driver ids; the advisory board initiative targets "not a member"
INITIATIVE_DRIVER = {"cab_member": "not_cab_member"}


# --- estimators ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def text(self, digits: int = 2) -> str:
        if math.isnan(self.value):
            return "—"
        return f"{self.value:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


NO_ESTIMATE = Estimate(math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class Stratum:
    """One segment's 2×2 table: churned / total among exposed (a, n1) and unexposed (c, n0)."""

    a: float
    n1: float
    c: float
    n0: float

    @property
    def total(self) -> float:
        return self.n1 + self.n0

    @property
    def informative(self) -> bool:
        return self.n1 > 0 and self.n0 > 0


def risk_ratio(a: float, n1: float, c: float, n0: float, design_effect: float = 1.0) -> Estimate:
    """Crude RR = (a/n1) ÷ (c/n0) with the Katz 95% CI:
    exp(ln RR ± 1.96 √(deff × (1/a − 1/n1 + 1/c − 1/n0)))."""
    if min(a, c) <= 0 or min(n1, n0) <= 0:
        return NO_ESTIMATE
    rr = (a / n1) / (c / n0)
    se = math.sqrt(design_effect * (1 / a - 1 / n1 + 1 / c - 1 / n0))
    return Estimate(rr, rr * math.exp(-Z_95 * se), rr * math.exp(Z_95 * se))


def mantel_haenszel(strata: Iterable[Stratum], design_effect: float = 1.0) -> Estimate:
    """Mantel-Haenszel RR across strata with the Greenland-Robins (1985) 95% CI.

    RR_MH = Σ a·n0/N ÷ Σ c·n1/N; Var(ln RR_MH) = Σ (n1·n0·(a + c) − a·c·N)/N² ÷
    (Σ a·n0/N × Σ c·n1/N), multiplied by the design effect.
    """
    used = [stratum for stratum in strata if stratum.informative]
    r = sum(s.a * s.n0 / s.total for s in used)
    s_ = sum(s.c * s.n1 / s.total for s in used)
    if r <= 0 or s_ <= 0:
        return NO_ESTIMATE
    rr = r / s_
    variance = sum((s.n1 * s.n0 * (s.a + s.c) - s.a * s.c * s.total) / s.total**2 for s in used)
    se = math.sqrt(design_effect * max(variance, 0.0) / (r * s_))
    return Estimate(rr, rr * math.exp(-Z_95 * se), rr * math.exp(Z_95 * se))


def excess_risk(risk_exposed: float, rr: float) -> float:
    """Share of the exposed that churn because of the driver: risk × (1 − 1/RR); 0 if RR ≤ 1."""
    if math.isnan(rr) or rr <= 1:
        return 0.0
    return risk_exposed * (1 - 1 / rr)


def attributable(
    exposed_by_segment: dict[str, float],
    risk_exposed_by_segment: dict[str, float],
    rr: float,
) -> float:
    """Σ over segments of exposed amount (ARR or accounts) × risk of the exposed × (1 − 1/RR).

    Segments without a risk estimate (no exposed and unexposed history) contribute nothing.
    """
    return sum(
        amount * excess_risk(risk_exposed_by_segment[segment], rr)
        for segment, amount in exposed_by_segment.items()
        if segment in risk_exposed_by_segment
    )


def expected_risk_ratio(hazard_ratio: float, strata: Sequence[Stratum], months: int = 12) -> float:
    """The MH relative risk a planted monthly hazard ratio implies over `months`.

    Each stratum's unexposed monthly hazard h comes from its observed risk r0 (1 − (1 − h)^12 =
    r0); the exposed risk is 1 − (1 − h·HR)^12; the strata are combined with the MH weights.
    """
    numerator = denominator = 0.0
    for s in strata:
        if not s.informative or s.c <= 0:
            continue
        r0 = s.c / s.n0
        hazard = 1 - (1 - r0) ** (1 / months)
        r1 = 1 - (1 - min(hazard * hazard_ratio, 1.0)) ** months
        weight = s.n1 * s.n0 / s.total
        numerator += weight * r1
        denominator += weight * r0
    return numerator / denominator if denominator else math.nan


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
    driver: Driver
    strata: dict[str, Stratum]  # segment -> 2x2 of the estimation landmarks
    design_effect: float
    crude: Estimate
    adjusted: Estimate
    risk_exposed_pct: float
    risk_unexposed_pct: float
    exposed_accounts: int  # accounts exposed now
    exposed_arr_usd: float  # their ARR now
    at_risk_arr_usd: Estimate  # attributable ARR at risk, with the RR's CI carried through
    opening_exposed_accounts: float
    opening_exposed_arr_usd: float
    opening_excess_accounts: float  # expected churned accounts due to the driver, opening cohort
    opening_excess_arr_usd: float
    nps_difference: Estimate
    history_accounts: int
    history_landmarks: int

    @property
    def driver_id(self) -> str:
        return self.driver.driver_id


CountRows = dict[tuple[str, str], list[dict[str, Any]]]  # (cohort, driver_id) -> its rows


def _count_rows(counts: pd.DataFrame) -> CountRows:
    """The invest_driver_counts rows as plain records by cohort and driver, exposed as a bool:
    the estimators below do a few sums per driver, far quicker on records than on frames."""
    rows: CountRows = {}
    for row in counts.to_dict("records"):
        row["exposed"] = bool(row["exposed"])
        rows.setdefault((str(row["cohort"]), str(row["driver_id"])), []).append(row)
    return rows


def _by_segment(rows: Iterable[dict[str, Any]], column: str) -> dict[str, float]:
    """The exposed side's `column` per segment."""
    return {str(row["segment"]): float(row[column]) for row in rows if row["exposed"]}


def _strata(history: Iterable[dict[str, Any]]) -> dict[str, Stratum]:
    """Per segment (sorted), churned and landmarks among the exposed and the unexposed."""
    sums: dict[str, list[float]] = {}
    for row in history:
        cells = sums.setdefault(str(row["segment"]), [0.0, 0.0, 0.0, 0.0])
        side = 0 if row["exposed"] else 2
        cells[side] += float(row["churned"])
        cells[side + 1] += float(row["landmarks"])
    return {segment: Stratum(*sums[segment]) for segment in sorted(sums)}


def _driver_result(rows: CountRows, driver: Driver) -> DriverResult:
    history = rows.get(("history", driver.driver_id), [])
    strata = _strata(history)
    landmarks = int(sum(row["landmarks"] for row in history))
    accounts = int(sum(row["accounts"] for row in history))
    design_effect = max(1.0, landmarks / accounts) if accounts else 1.0
    a, n1 = sum(s.a for s in strata.values()), sum(s.n1 for s in strata.values())
    c, n0 = sum(s.c for s in strata.values()), sum(s.n0 for s in strata.values())
    crude = risk_ratio(a, n1, c, n0, design_effect)
    adjusted = mantel_haenszel(strata.values(), design_effect)
    risk_exposed = {seg: s.a / s.n1 for seg, s in strata.items() if s.informative}

    now = rows.get(("now", driver.driver_id), [])
    opening = rows.get(("opening", driver.driver_id), [])
    now_arr = _by_segment(now, "arr_usd")
    opening_arr = _by_segment(opening, "arr_usd")
    opening_accounts = _by_segment(opening, "accounts")
    at_risk = Estimate(
        attributable(now_arr, risk_exposed, adjusted.value),
        attributable(now_arr, risk_exposed, adjusted.low),
        attributable(now_arr, risk_exposed, adjusted.high),
    )
    return DriverResult(
        driver=driver,
        strata=strata,
        design_effect=design_effect,
        crude=crude,
        adjusted=adjusted,
        risk_exposed_pct=100 * a / n1 if n1 else math.nan,
        risk_unexposed_pct=100 * c / n0 if n0 else math.nan,
        exposed_accounts=int(sum(_by_segment(now, "accounts").values())),
        exposed_arr_usd=sum(now_arr.values()),
        at_risk_arr_usd=at_risk,
        opening_exposed_accounts=sum(opening_accounts.values()),
        opening_exposed_arr_usd=sum(opening_arr.values()),
        opening_excess_accounts=attributable(opening_accounts, risk_exposed, adjusted.value),
        opening_excess_arr_usd=attributable(opening_arr, risk_exposed, adjusted.value),
        nps_difference=nps_difference(history, design_effect),
        history_accounts=accounts,
        history_landmarks=landmarks,
    )


def driver_results(counts: pd.DataFrame) -> list[DriverResult]:
    """Every driver with history, largest attributable ARR at risk first."""
    rows = _count_rows(counts)
    present = {driver_id for _, driver_id in rows}
    results = [_driver_result(rows, driver) for key, driver in DRIVERS.items() if key in present]
    return sorted(results, key=lambda result: -result.at_risk_arr_usd.value)


def driver_table(results: Sequence[DriverResult]) -> pd.DataFrame:
    """The driver results with human column names."""
    return pd.DataFrame(
        {
            "Driver": [r.driver.label for r in results],
            "Accounts exposed now": [r.exposed_accounts for r in results],
            "ARR exposed now": [r.exposed_arr_usd for r in results],
            "Churn exposed": [r.risk_exposed_pct for r in results],
            "Churn not exposed": [r.risk_unexposed_pct for r in results],
            "Relative risk (crude)": [r.crude.text() for r in results],
            "Relative risk (segment-adjusted)": [r.adjusted.text() for r in results],
            "ARR at risk from the driver": [r.at_risk_arr_usd.value for r in results],
            "ARR at risk, 95% range": [
                f"{_usd(r.at_risk_arr_usd.low)}–{_usd(r.at_risk_arr_usd.high)}"
                if not math.isnan(r.adjusted.value) else "—"
                for r in results
            ],
            "NPS difference (adjusted)": [r.nps_difference.text(0) for r in results],
            "n (accounts · account-months)": [
                f"{r.history_accounts:,} · {r.history_landmarks:,}" for r in results
            ],
        }
    )


def _usd(value: float) -> str:
    return "—" if math.isnan(value) else format_usd(value)


def truth_check(results: Sequence[DriverResult], planted: pd.DataFrame) -> pd.DataFrame:
    """Planted hazard ratio vs the implied 12-month RR vs the estimate, for mapped drivers."""
    hazard = dict(zip(planted["driver_id"], planted["hazard_ratio"], strict=True))
    rows = []
    for result in results:
        driver = result.driver
        if driver.planted_id not in hazard:
            continue
        planted_hr = float(hazard[driver.planted_id])
        hr = 1 / planted_hr if driver.planted_inverse else planted_hr
        expected = expected_risk_ratio(hr, list(result.strata.values()))
        rows.append(
            {
                "driver_id": driver.driver_id,
                "Driver": driver.label,
                "Planted hazard ratio": hr,
                "Expected 12-month RR": expected,
                "Estimated RR (adjusted)": result.adjusted.value,
                "CI low": result.adjusted.low,
                "CI high": result.adjusted.high,
                "Crude RR": result.crude.value,
                "Estimate ÷ expected": result.adjusted.value / expected,
            }
        )
    return pd.DataFrame(rows)


# --- initiatives -----------------------------------------------------------------------------


def initiative_roi(protected_usd: float, cost_usd: float) -> dict[str, float]:
    """ROI = (protected − cost) ÷ cost; payback months = cost ÷ (protected ÷ 12);
    protected per dollar = protected ÷ cost (per year)."""
    return {
        "roi_pct": 100 * (protected_usd - cost_usd) / cost_usd if cost_usd else math.nan,
        "payback_months": cost_usd / (protected_usd / 12) if protected_usd > 0 else math.inf,
        "protected_per_dollar": protected_usd / cost_usd if cost_usd else math.inf,
    }


def initiatives_ranked(
    initiatives: pd.DataFrame, results: Sequence[DriverResult]
) -> pd.DataFrame:
    """Each initiative with ARR protected a year, ROI and payback, most protected per dollar first.

    ARR protected per year = ARR at risk attributable to the targeted driver × the expected
    reduction.
    """
    by_driver = {result.driver_id: result for result in results}
    rows = []
    for row in initiatives.itertuples(index=False):
        driver_id = INITIATIVE_DRIVER.get(row.target_driver, row.target_driver)
        result = by_driver.get(driver_id)
        at_risk = result.at_risk_arr_usd if result else NO_ESTIMATE
        share = float(row.expected_churn_reduction_pct) / 100
        protected = 0.0 if math.isnan(at_risk.value) else at_risk.value * share
        cost = float(row.cost_usd)
        rows.append(
            {
                "initiative_id": row.initiative_id,
                "initiative_name": row.initiative_name,
                "department_name": row.department_name,
                "status": row.status,
                "driver_id": driver_id,
                "driver_label": DRIVERS[driver_id].label if driver_id in DRIVERS else driver_id,
                "cost_usd": cost,
                "expected_reduction_pct": float(row.expected_churn_reduction_pct),
                "driver_at_risk_arr_usd": 0.0 if math.isnan(at_risk.value) else at_risk.value,
                "protected_arr_usd": protected,
                "protected_low_usd": 0.0 if math.isnan(at_risk.low) else at_risk.low * share,
                "protected_high_usd": 0.0 if math.isnan(at_risk.high) else at_risk.high * share,
                **initiative_roi(protected, cost),
                "started_on": row.started_on,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(
        ["protected_per_dollar", "initiative_id"], ascending=[False, True]
    ).reset_index(drop=True)


def running_check(progress: pd.DataFrame) -> pd.DataFrame:
    """Running and completed initiatives: monthly churn of exposed accounts before vs since.

    Observed reduction = 1 − (since ÷ before) among exposed account-months; the same ratio among
    unexposed accounts is the control, and the adjusted reduction = 1 − (exposed ratio ÷ control
    ratio) (a difference-in-differences on the rate ratio).
    """
    rows = []
    for row in progress.itertuples(index=False):
        def rate(churned: float, months: float) -> float:
            return churned / months if months else math.nan

        before = rate(row.exposed_churned_before, row.exposed_months_before)
        since = rate(row.exposed_churned_since, row.exposed_months_since)
        control_before = rate(row.control_churned_before, row.control_months_before)
        control_since = rate(row.control_churned_since, row.control_months_since)
        observed = 100 * (1 - since / before) if before else math.nan
        control_ratio = control_since / control_before if control_before else math.nan
        adjusted = (
            100 * (1 - (since / before) / control_ratio)
            if before and control_ratio and not math.isnan(control_ratio) else math.nan
        )
        rows.append(
            {
                "initiative_id": row.initiative_id,
                "months_since_start": int(row.months_since_start),
                "churn_before_pct": 100 * before,
                "churn_since_pct": 100 * since,
                "observed_reduction_pct": observed,
                "control_adjusted_reduction_pct": adjusted,
                "exposure_before_pct": 100 * row.exposed_months_before
                / max(row.exposed_months_before + row.control_months_before, 1),
                "exposure_since_pct": 100 * row.exposed_months_since
                / max(row.exposed_months_since + row.control_months_since, 1),
                "exposed_churned_since": int(row.exposed_churned_since),
            }
        )
    return pd.DataFrame(rows)


# --- what-if ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    protected_arr_usd: float  # a year, from today's exposed accounts
    avoided_churned_arr_usd: float  # in the last 12 months, had the scenario applied
    avoided_churned_accounts: float
    nrr_pct: float
    nrr_scenario_pct: float
    logo_retention_pct: float
    logo_retention_scenario_pct: float


def what_if(
    result: DriverResult,
    counts: pd.DataFrame,
    reduction_pct: float,
    segments: Sequence[str],
    kpis: pd.Series,
) -> Scenario:
    """Reduce the driver's exposure by `reduction_pct`% in `segments` (all when empty).

    The accounts moved out of exposure lose the driver's excess risk: protected ARR = share ×
    attributable ARR at risk now; for the last 12 months, churned ARR and churned accounts fall
    by share × the attributable amounts of the accounts exposed at its start, so NRR rises by
    avoided churned ARR ÷ starting ARR and logo retention by avoided churned accounts ÷ accounts
    at the start.
    """
    share = reduction_pct / 100
    risk = {seg: s.a / s.n1 for seg, s in result.strata.items() if s.informative}
    if segments:
        risk = {seg: value for seg, value in risk.items() if seg in segments}
    rows = _count_rows(counts)
    now = rows.get(("now", result.driver_id), [])
    opening = rows.get(("opening", result.driver_id), [])
    rr = result.adjusted.value
    protected = share * attributable(_by_segment(now, "arr_usd"), risk, rr)
    avoided_arr = share * attributable(_by_segment(opening, "arr_usd"), risk, rr)
    avoided_accounts = share * attributable(_by_segment(opening, "accounts"), risk, rr)
    starting_arr = float(kpis["starting_arr_usd"] or 0)
    opening_accounts = float(kpis["opening_accounts"] or 0)
    nrr = float(kpis["nrr_pct"]) if starting_arr else math.nan
    logo = 100 - float(kpis["logo_churn_pct"]) if opening_accounts else math.nan
    return Scenario(
        protected,
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
    (True, False): ("Invest", "High ARR, health below Watch: the most revenue where money can "
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
    the threshold (the Watch band's lower bound) is healthy."""
    return QUADRANTS[(arr_usd >= arr_threshold, health_score >= health_threshold)][0]


def motion_help(motion: str) -> str:
    return next(text for name, text in QUADRANTS.values() if name == motion)
