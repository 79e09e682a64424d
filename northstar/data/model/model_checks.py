"""The checks the churn model must pass before any risk number is shown, defined once.

The model is judged on its backtest (northstar/data/model/churn_model.py): refitted on the months up
to a year before the data's last year, it predicts which accounts billed at the start of that
last year churn within it. The checks, in order (the first that fails is the reason shown):

1. churn months: the data has churn in at least MIN_CHURN_MONTHS different months (a table
   whose churn all falls in one month has nothing to learn timing from, nor to check on);
2. history: the data covers at least BACKTEST_MONTHS months (a year to fit on, a year to
   check, and the month predicted from);
3. the current model could be fitted (enough churned accounts, and it converged);
4. fit events: the months the backtest fits on hold at least MIN_FIT_EVENTS churn events in
   at least MIN_CHURN_MONTHS different months;
5. backtest events: at least MIN_BACKTEST_EVENTS accounts checked churned and as many stayed;
6. ranking: the backtest AUC's 95% interval (Hanley and McNeil) lies above 0.5;
7. calibration: the churn the model predicted over the accounts checked lies inside the 95%
   (Wilson) interval of the churn observed, widened by CALIBRATION_TOLERANCE_PP either side.

The verdict and its reason are stored with the model (table churn_model_checks) and every risk
page reads them: where the checks fail, no churn chance, ARR at risk or model ranking is shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from northstar.data import rules

MIN_CHURN_MONTHS = rules.MIN_CHURN_MONTHS  # months with churn, in the data and the backtest's fit
# a year to fit on, a year to check, and the month predicted from
BACKTEST_MONTHS = 2 * rules.CHURN_HORIZON_MONTHS + 1
MIN_FIT_EVENTS = rules.MIN_FIT_EVENTS  # churn events in the months the backtest's fit uses
MIN_BACKTEST_EVENTS = rules.MIN_BACKTEST_EVENTS  # accounts checked that churned (and that stayed)
# predicted churn may sit this far outside the observed interval
CALIBRATION_TOLERANCE_PP = rules.CALIBRATION_TOLERANCE_PP
AUC_NO_BETTER = 0.5  # a coin toss

NOT_SHOWN = "The churn model is not shown: "


@dataclass(frozen=True)
class Check:
    check_id: str
    label: str  # what is checked, for the list beside the backtest
    requirement: str
    result: str  # what the data gave ("" when the check was not reached)
    passed: bool | None  # None: not reached, an earlier check failed
    reason: str = ""  # the one sentence shown when this is the check that failed


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def reason(self) -> str:
        """The sentence saying why there is no model ('' when it passed)."""
        failed = next((check for check in self.checks if check.passed is False), None)
        return failed.reason if failed else ""


@dataclass(frozen=True)
class BacktestFigures:
    """What the backtest measured on the accounts it checked (the model's score)."""

    accounts: int
    churned: int
    auc: float
    predicted_pct: float  # mean predicted 12-month chance, %


@dataclass(frozen=True)
class Evidence:
    """Everything the checks read; None where the build did not get that far."""

    churn_months: int  # different months with a churn event in the data
    data_months: int  # months the data covers
    fitted: bool  # the current model could be fitted
    fit_note: str  # why not
    fit_events: int | None = None  # churn events in the backtest's fit months
    fit_event_months: int | None = None  # different months among them
    backtest: BacktestFigures | None = None


def auc_interval(auc: float, positives: int, negatives: int,
                 z: float = rules.Z_95) -> tuple[float, float]:
    """The AUC's interval by Hanley and McNeil (1982): SE² = (A(1−A) + (n₁−1)(Q₁−A²) +
    (n₀−1)(Q₂−A²)) ÷ (n₁n₀), Q₁ = A ÷ (2−A), Q₂ = 2A² ÷ (1+A); clipped to 0–1."""
    if math.isnan(auc) or positives < 1 or negatives < 1:
        return math.nan, math.nan
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2)
                + (negatives - 1) * (q2 - auc**2)) / (positives * negatives)
    error = math.sqrt(max(variance, 0.0))
    return max(0.0, auc - z * error), min(1.0, auc + z * error)


def wilson(events: int, trials: int, z: float = rules.Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (as fractions)."""
    if trials <= 0:
        return math.nan, math.nan
    share = events / trials
    centre = (share + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z**2 / (4 * trials**2)) / (
        1 + z**2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def _months(count: int) -> str:
    return f"{count:,} month" + ("" if count == 1 else "s")


def evaluate(evidence: Evidence) -> Verdict:
    """Run the checks in order; once one fails, the later ones are not reached."""
    checks: list[Check] = []
    failed = False

    def add(check_id: str, label: str, requirement: str, result: str, ok: bool,
            reason: str) -> None:
        nonlocal failed
        checks.append(Check(check_id, label, requirement, result, ok, "" if ok else reason))
        failed = failed or not ok

    def skip(check_id: str, label: str, requirement: str) -> None:
        checks.append(Check(check_id, label, requirement, "", None))

    months = evidence.churn_months
    add("churn_months", "Churn spread over months",
        f"churn in at least {MIN_CHURN_MONTHS} different months",
        f"churn in {_months(months)}", months >= MIN_CHURN_MONTHS,
        NOT_SHOWN + ("the data has no churn at all, so there is nothing to check a model on."
                     if months == 0 else
                     f"only {_months(months)} of the data {'has' if months == 1 else 'have'} "
                     "churn, so there is nothing to check a model on."))
    history_requirement = f"at least {BACKTEST_MONTHS} months of data"
    if failed:
        skip("history", "History to backtest on", history_requirement)
    else:
        add("history", "History to backtest on", history_requirement,
            f"{_months(evidence.data_months)}", evidence.data_months >= BACKTEST_MONTHS,
            NOT_SHOWN + f"the data covers {_months(evidence.data_months)}, and checking a model "
            f"needs {BACKTEST_MONTHS}: a year to fit on and a year to check its predictions "
            "against.")
    if failed:
        skip("fitted", "Model fitted", "the model can be fitted")
    else:
        add("fitted", "Model fitted", "the model can be fitted",
            "fitted" if evidence.fitted else evidence.fit_note, evidence.fitted,
            NOT_SHOWN + f"{evidence.fit_note}.")
    fit_requirement = (f"at least {MIN_FIT_EVENTS} churned accounts in at least "
                       f"{MIN_CHURN_MONTHS} different months before the backtest year")
    if failed or evidence.fit_events is None or evidence.fit_event_months is None:
        skip("fit_events", "Churn to fit the backtest on", fit_requirement)
    else:
        events, event_months = evidence.fit_events, evidence.fit_event_months
        add("fit_events", "Churn to fit the backtest on", fit_requirement,
            f"{events:,} churned in {_months(event_months)}",
            events >= MIN_FIT_EVENTS and event_months >= MIN_CHURN_MONTHS,
            NOT_SHOWN + f"the months before the year it would be checked on hold only "
            f"{events:,} churned accounts in {_months(event_months)}; checking a model needs "
            f"{MIN_FIT_EVENTS} in at least {MIN_CHURN_MONTHS} different months.")
    figures = evidence.backtest
    events_requirement = (f"at least {MIN_BACKTEST_EVENTS} accounts checked that churned and "
                          f"{MIN_BACKTEST_EVENTS} that stayed")
    if failed or figures is None:
        skip("backtest_events", "Churn in the backtest year", events_requirement)
    else:
        stayed = figures.accounts - figures.churned
        add("backtest_events", "Churn in the backtest year", events_requirement,
            f"{figures.churned:,} churned, {stayed:,} stayed",
            min(figures.churned, stayed) >= MIN_BACKTEST_EVENTS,
            NOT_SHOWN + f"of the {figures.accounts:,} accounts it would be checked on, "
            f"{figures.churned:,} churned and {stayed:,} stayed in the following year; checking "
            f"needs {MIN_BACKTEST_EVENTS} of each.")
    auc_requirement = "the AUC's 95% interval above 0.5 (a coin toss)"
    if failed or figures is None:
        skip("ranking", "Ranks churners first", auc_requirement)
    else:
        low, high = auc_interval(figures.auc, figures.churned, figures.accounts - figures.churned)
        interval = f"AUC {figures.auc:.2f}, 95% interval {low:.2f}–{high:.2f}"
        add("ranking", "Ranks churners first", auc_requirement, interval,
            not math.isnan(low) and low > AUC_NO_BETTER,
            NOT_SHOWN + f"its backtest ranks churners no better than chance ({interval}).")
    calibration_requirement = (f"predicted churn within the observed rate's 95% interval "
                               f"± {CALIBRATION_TOLERANCE_PP:g} pp")
    if failed or figures is None:
        skip("calibration", "Predicts the right amount of churn", calibration_requirement)
    else:
        low, high = wilson(figures.churned, figures.accounts)
        observed = 100 * figures.churned / figures.accounts
        low_pct, high_pct = 100 * low, 100 * high
        predicted = figures.predicted_pct
        result = (f"predicted {predicted:.1f}%, observed {observed:.1f}% "
                  f"(95% interval {low_pct:.1f}–{high_pct:.1f}%)")
        add("calibration", "Predicts the right amount of churn", calibration_requirement,
            result,
            low_pct - CALIBRATION_TOLERANCE_PP <= predicted <= high_pct + CALIBRATION_TOLERANCE_PP,
            NOT_SHOWN + f"on the accounts of its backtest it predicted {predicted:.1f}% would "
            f"churn within 12 months and {observed:.1f}% did (95% interval "
            f"{low_pct:.1f}–{high_pct:.1f}%), more than {CALIBRATION_TOLERANCE_PP:g} pp off.")
    return Verdict(tuple(checks))
