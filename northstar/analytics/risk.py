"""Risk per account from the stored churn model: its reasons in words, its range, and the
backtest that shows whether the model (and the health score) can be trusted.

The model is fitted when the database is built (northstar/data/model/churn_model.py); the pages read
it through the health_accounts, account_risk and churn_backtest queries.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from northstar.analytics.display import COLUMN_UNITS, format_number
from northstar.analytics.metrics import format_usd, is_missing
from northstar.data import rules
from northstar.data.model import model_checks
from northstar.data.model.drivers import DRIVERS
from northstar.data.months import month_label

NO_REASON = "no warning sign: its segment's usual churn"
MODEL_LABEL, HEALTH_LABEL = "Churn model", "Health score"
SCORE_LABELS = {"model": MODEL_LABEL, "health": HEALTH_LABEL}
# an account's churn chance is shown everywhere as the at-risk list's column shows it
CHANCE_COLUMN = "Churn risk, 12 months"
CHANCE_UNIT = COLUMN_UNITS[CHANCE_COLUMN]


def reason_list(ids: Any) -> list[str]:
    """The driver ids of an account's main reasons (a list, an array or nothing)."""
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return []
    return [str(driver_id) for driver_id in ids]


def reasons_text(ids: Any) -> str:
    """'slow ticket resolution, not on the advisory board', most first; NO_REASON without."""
    names = [DRIVERS[driver_id].reason for driver_id in reason_list(ids) if driver_id in DRIVERS]
    return ", ".join(names) if names else NO_REASON


def reason_breakdown(ids: Any, amounts: Any) -> str:
    """'slow ticket resolution ($12K), not on the advisory board ($8K)': each reason with the
    ARR at risk it adds; NO_REASON without."""
    values = reason_list(amounts)
    pairs = [(DRIVERS[driver_id].reason, float(value))
             for driver_id, value in zip(reason_list(ids), values, strict=False)
             if driver_id in DRIVERS]
    if not pairs:
        return NO_REASON
    return ", ".join(f"{name} ({format_usd(value)})" for name, value in pairs)


def pct_range_text(low_pct: Any, high_pct: Any) -> str:
    """'9–16%': a 95% range of a churn chance, in whole percent."""
    if is_missing(low_pct) or is_missing(high_pct):
        return "—"
    return f"{float(low_pct):.0f}–{float(high_pct):.0f}%"


def chance_pct_text(pct: Any) -> str:
    """'12.3%': an account's 12-month churn chance, as every page shows it (the at-risk list's
    column, Account 360 and the CEO brief)."""
    return format_number(pct, CHANCE_UNIT)


def chance_text(pct: Any, low_pct: Any, high_pct: Any) -> str:
    """'12.3% (95% range 9–16%)': a 12-month churn chance with its range."""
    if is_missing(pct):
        return "—"
    if is_missing(low_pct) or is_missing(high_pct):
        return chance_pct_text(pct)
    return f"{chance_pct_text(pct)} (95% range {pct_range_text(low_pct, high_pct)})"


def usd_range_text(low: Any, high: Any) -> str:
    if is_missing(low) or is_missing(high):
        return "—"
    return f"{format_usd(float(low))}–{format_usd(float(high))}"


# --- whether the model may be shown ----------------------------------------------------------

NOT_CHECKED = (model_checks.NOT_SHOWN + "its checks have not been run on this database; "
               "rebuild it.")


# why there is no churn model in data without revenue: it learns from billed months
NO_REVENUE_MODEL_REASON = ("The churn model is not shown: it learns from months of revenue "
                           "history, which the loaded data does not have.")


@dataclass(frozen=True)
class ModelStatus:
    """The stored verdict of the churn model's checks (churn_model_checks rows)."""

    passed: bool
    reason: str  # one sentence: why there is no model ('' when it passed)
    checks: pd.DataFrame

    def without_revenue(self) -> ModelStatus:
        """The status in data without revenue: no model, whatever was stored."""
        return replace(self, passed=False, reason=NO_REVENUE_MODEL_REASON)

    def table(self) -> pd.DataFrame:
        """The checks for display: what each requires, what the data gave, and its verdict."""
        flags = self.checks["passed"].astype("boolean")
        verdicts = ["Not reached" if flag is pd.NA else "✓ Passed" if flag else "✕ Failed"
                    for flag in flags]
        return pd.DataFrame({"Check": self.checks["label"],
                             "Requires": self.checks["requirement"],
                             "Result": self.checks["result"], "Verdict": verdicts})


def model_status(checks: pd.DataFrame) -> ModelStatus:
    """The verdict: passed only when every stored check passed."""
    if checks.empty:
        return ModelStatus(False, NOT_CHECKED, checks)
    flags = checks["passed"].astype("boolean")
    passed = bool(flags.fillna(False).all())
    failed = [str(reason) for reason in checks.loc[~flags.fillna(True).astype(bool), "reason"]]
    reason = "" if passed else (failed[0] if failed else NOT_CHECKED)
    return ModelStatus(passed, reason, checks)


@dataclass(frozen=True)
class ObservedChurn:
    """Logo churn over a year: the accounts active at its opening that churned by its close."""

    name: str
    opening_accounts: int
    churned_accounts: int

    @property
    def pct(self) -> float:
        return 100 * self.churned_accounts / self.opening_accounts

    @property
    def interval_pct(self) -> tuple[float, float]:
        low, high = model_checks.wilson(self.churned_accounts, self.opening_accounts)
        return 100 * low, 100 * high

    def text(self) -> str:
        """'42.7% (95% interval 41.2–44.3%, 1,655 of 3,875 accounts)'."""
        low, high = self.interval_pct
        return (f"{self.pct:.1f}% (95% interval {low:.1f}–{high:.1f}%, "
                f"{self.churned_accounts:,} of {self.opening_accounts:,} accounts)")


ALL_ACCOUNTS = "All accounts"


def observed_churn(breakdown: pd.DataFrame) -> list[ObservedChurn]:
    """retention_breakdown rows by segment as observed logo churn: all accounts first, then
    each segment, highest churn first."""
    rows = [ObservedChurn(str(row.dimension_value), int(row.opening_accounts),
                          int(row.churned_accounts))
            for row in breakdown.itertuples(index=False) if int(row.opening_accounts) > 0]
    if not rows:
        return []
    total = ObservedChurn(ALL_ACCOUNTS, sum(row.opening_accounts for row in rows),
                          sum(row.churned_accounts for row in rows))
    return [total, *sorted(rows, key=lambda row: (-row.pct, row.name))]


def observed_churn_table(rows: list[ObservedChurn]) -> pd.DataFrame:
    return pd.DataFrame({
        "Segment": [row.name for row in rows],
        "Accounts at the start": [row.opening_accounts for row in rows],
        "Churned within the year": [row.churned_accounts for row in rows],
        "Logo churn, %": [round(row.pct, 1) for row in rows],
        "95% interval": [f"{row.interval_pct[0]:.1f}–{row.interval_pct[1]:.1f}%"
                         for row in rows],
    })


def observed_churn_text(rows: list[ObservedChurn], period: str) -> str:
    """'Logo churn in the 12 months to Oct 2026 was 26.5% (…); highest in Month-to-month,
    42.7% (…).'"""
    if not rows:
        return f"No account was active at the start of the 12 months to {period}."
    text = f"Logo churn in the 12 months to {period} was {rows[0].text()}"
    if len(rows) > 2:
        text += f"; highest in {rows[1].name}, {rows[1].text()}"
    return text + "."


# --- the backtest ----------------------------------------------------------------------------


def backtest_ready(summary: pd.DataFrame) -> bool:
    """Whether the stored backtest has figures (otherwise its note says why not)."""
    return not summary.empty and summary["score_name"].notna().any()


def backtest_note(summary: pd.DataFrame) -> str:
    if summary.empty:
        return "The backtest has not been computed for this database; rebuild it."
    notes = [str(note) for note in summary["note"] if not is_missing(note) and str(note)]
    return notes[0] if notes else "The backtest has no figures."


def backtest_table(summary: pd.DataFrame, deciles: pd.DataFrame) -> pd.DataFrame:
    """One row per score: accounts, churned, AUC, Brier score, and the largest gap between
    predicted and observed churn in any decile (percentage points)."""
    rows = []
    for row in summary.itertuples(index=False):
        own = deciles.loc[deciles["score_name"] == row.score_name]
        gap = (own["predicted_pct"] - own["observed_pct"]).abs().max() if len(own) else math.nan
        rows.append({
            "Score": SCORE_LABELS.get(str(row.score_name), str(row.score_name)),
            "Accounts": int(row.accounts),
            "Churned within 12 months": int(row.churned),
            "AUC": float(row.auc),
            "AUC, 95% interval": pct_free_range(getattr(row, "auc_low", math.nan),
                                                getattr(row, "auc_high", math.nan)),
            "Brier score": float(row.brier),
            "Largest decile gap (pp)": float(gap),
        })
    return pd.DataFrame(rows)


def backtest_landmark(summary: pd.DataFrame) -> dt.date:
    """The month whose accounts the backtest scored."""
    return pd.Timestamp(summary["landmark_month"].iloc[0]).date()


def backtest_caption(summary: pd.DataFrame) -> str:
    """How the backtest was run, over its churn_backtest_summary rows."""
    fitted = pd.Timestamp(summary["fitted_through"].iloc[0]).date()
    return (
        f"The churn model was fitted again on the months up to {month_label(fitted)} only, then "
        f"asked how likely each account billed in {month_label(backtest_landmark(summary))} "
        "with a health score then was to churn in the next 12 months; the health score's "
        "chance is the churn rate of its decile before then. Both are checked against what "
        "happened on the same accounts, whatever the filters. Accounts not yet scored that month "
        "(typically in their first months) are left out, so the count is below Retention's "
        "accounts active then."
    )


def pct_free_range(low: Any, high: Any) -> str:
    """'0.63–0.69': an interval of a ratio in two decimals."""
    if is_missing(low) or is_missing(high):
        return "—"
    return f"{float(low):.2f}–{float(high):.2f}"


def calibration_points(deciles: pd.DataFrame, score_name: str) -> tuple[list[float], list[float]]:
    """Predicted and observed churn (%) by decile of one score, lowest risk first."""
    own = deciles.loc[deciles["score_name"] == score_name].sort_values("decile")
    return list(own["predicted_pct"]), list(own["observed_pct"])


# --- the portfolio ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    name: str
    arr_at_risk_usd: float


@dataclass(frozen=True)
class Portfolio:
    """The ARR at risk in the next 12 months over every scored account in scope (risk_portfolio
    rows), with the segments and health bands it sits in, largest first."""

    accounts: int
    arr_usd: float
    arr_at_risk_usd: float
    arr_at_risk_low_usd: float
    arr_at_risk_high_usd: float
    segments: list[Share]
    bands: list[Share]

    @property
    def share_pct(self) -> float:
        """The ARR at risk as a share of the scored accounts' ARR."""
        return 100 * self.arr_at_risk_usd / self.arr_usd if self.arr_usd else math.nan

    def band_share(self, *bands: str) -> float:
        return sum(share.arr_at_risk_usd for share in self.bands if share.name in bands)


def portfolio(frame: pd.DataFrame) -> Portfolio | None:
    """The risk_portfolio rows as a Portfolio; None when no account is scored."""
    total = frame.loc[frame["level"] == "total"]
    if total.empty or not int(total["accounts"].iloc[0] or 0):
        return None
    row = total.iloc[0]

    def shares(level: str, column: str) -> list[Share]:
        rows = frame.loc[frame["level"] == level].sort_values("arr_at_risk_usd",
                                                               ascending=False)
        return [Share(str(name), float(value))
                for name, value in zip(rows[column], rows["arr_at_risk_usd"], strict=True)]

    return Portfolio(int(row["accounts"]), float(row["arr_usd"]), float(row["arr_at_risk_usd"]),
                     float(row["arr_at_risk_low_usd"]), float(row["arr_at_risk_high_usd"]),
                     shares("segment", "segment"), shares("band", "band"))


# the accounts behind the ARR at risk, in words: the churn model's, which a page may show beside
# the health score's own "not scored yet" (an account too new for two health components still
# has a chance of churning)
CHURN_MODEL_SCORED = "accounts the churn model scores"


def _listed(shares: list[tuple[str, float]]) -> str:
    parts = [f"{name} ({format_usd(value)})" for name, value in shares]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]




def portfolio_text(whole: Portfolio, drivers: list[tuple[str, float]], count: int = 2) -> str:
    """The portfolio in plain sentences: the total with its range and share of ARR, where it
    sits, the drivers adding most (label, ARR at risk from the driver, largest first), and how
    much of it the health score calls Healthy or Watch, and why."""
    text = (f"{format_usd(whole.arr_at_risk_usd)} of ARR is at risk in the next 12 months "
            f"(95% range {usd_range_text(whole.arr_at_risk_low_usd, whole.arr_at_risk_high_usd)}"
            f"), {whole.share_pct:.1f}% of the {format_usd(whole.arr_usd)} held by "
            f"the {whole.accounts:,} {CHURN_MODEL_SCORED}")
    if len(whole.segments) > 1:
        text += "; most in " + _listed([(share.name, share.arr_at_risk_usd)
                                        for share in whole.segments[:count]])
    text += "."
    if drivers:
        text += (" The drivers adding most: "
                 + _listed([(label.lower(), value) for label, value in drivers[:count]]) + ".")
    calm = whole.band_share(*rules.HEALTHY_BANDS)
    if calm > 0:
        text += (f" {format_usd(calm)} of it sits in accounts the health score calls Healthy or "
                 "Watch: large accounts with a modest chance each, which the score, built from "
                 "recent signals, does not flag.")
    return text
