"""Renewals: the accounts whose renewal falls in the next 30, 90 or 180 days, the ARR up for
renewal and the ARR expected to renew, in total and by month.

**Chance of not renewing** of an account = its 12-month churn chance from the churn model (with
that chance's 95% range). The renewal falls inside those 12 months, and a contract ends at its
renewal, so an account that leaves in the next 12 months leaves by not renewing. The model does
not know contract dates: scaling its chance down to the days left before the renewal would call
a renewal next month nearly safe, the opposite of how contracts end.

**ARR expected to renew** = Σ ARR × (1 − chance of not renewing) over the accounts renewing in
the window that have a chance; its range is Σ ARR × (1 − high end) to Σ ARR × (1 − low end)
(the model's uncertainty is shared by every account, so the ends move together, as for ARR at
risk). **ARR up for renewal** = Σ ARR of the same accounts. ARR is the account's ARR in the
data's last month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from northstar.analytics import action_rules, health, risk
from northstar.analytics.display import count_of, measure_columns
from northstar.analytics.links import account_link
from northstar.analytics.metrics import format_usd, is_missing
from northstar.data import rules
from northstar.data.months import month_label

# the windows shown, in days after the data's as-of date; the last is what the page reads
WINDOWS = rules.RENEWAL_WINDOWS_DAYS
LONGEST = WINDOWS[-1]

# where a renewal date comes from, for a load that has none
RENEWAL_EXPORT = ("the CRM's account or contract export with a renewal or contract end date, "
                  "mapped to `accounts.renewal_date`")
DOCS = "docs/loading-data.md"


@dataclass(frozen=True)
class Renewing:
    """The renewals of one window or one month."""

    label: str
    accounts: int
    arr_usd: float  # ARR up for renewal
    # of the accounts with a churn chance (None: no account has one, the model not shown)
    scored_accounts: int
    scored_arr_usd: float
    expected_usd: float | None
    expected_low_usd: float | None
    expected_high_usd: float | None

    @property
    def unscored_accounts(self) -> int:
        return self.accounts - self.scored_accounts

    def expected_text(self) -> str:
        """'$4.1M (95% range $3.9M–$4.3M)', or '—' without a chance."""
        if self.expected_usd is None:
            return "—"
        return (f"{format_usd(self.expected_usd)} (95% range "
                f"{risk.usd_range_text(self.expected_low_usd, self.expected_high_usd)})")


def renewing(frame: pd.DataFrame, label: str) -> Renewing:
    """The ARR up for renewal and expected to renew of renewal_accounts rows."""
    chance = frame["churn_risk_pct"] / 100
    scored = chance.notna() & frame["churn_risk_low_pct"].notna() \
        & frame["churn_risk_high_pct"].notna()
    arr = frame["arr_usd"].astype(float)
    expected = low = high = None
    if scored.any():
        kept = arr[scored]
        expected = float((kept * (1 - chance[scored])).sum())
        low = float((kept * (1 - frame["churn_risk_high_pct"][scored] / 100)).sum())
        high = float((kept * (1 - frame["churn_risk_low_pct"][scored] / 100)).sum())
    return Renewing(label, len(frame), float(arr.sum()), int(scored.sum()),
                    float(arr[scored].sum()), expected, low, high)


CHANCE_COLUMNS = ("churn_risk_pct", "churn_risk_low_pct", "churn_risk_high_pct")


def without_chances(frame: pd.DataFrame) -> pd.DataFrame:
    """renewal_accounts rows with no churn chance: what a churn model that failed its checks
    may show (nothing), whatever it stored."""
    return frame.assign(**{column: float("nan") for column in CHANCE_COLUMNS})


def in_window(frame: pd.DataFrame, as_of: dt.date, days: int) -> pd.DataFrame:
    """The rows renewing from the as-of date to `days` days after it, both included."""
    dates = pd.to_datetime(frame["renewal_date"]).dt.date
    return frame.loc[(dates >= as_of) & (dates <= as_of + dt.timedelta(days=days))]


def window_label(days: int) -> str:
    return f"Next {days} days"


def by_window(frame: pd.DataFrame, as_of: dt.date) -> list[Renewing]:
    """The renewals of the next 30, 90 and 180 days (each window includes the shorter ones)."""
    return [renewing(in_window(frame, as_of, days), window_label(days)) for days in WINDOWS]


def month_text(month: dt.date, as_of: dt.date) -> str:
    """A month of renewals: 'Jan 2027', or with the part the windows cover when they cover only
    part of it ('Oct 2026 (from 15 Oct)', 'Apr 2027 (to 29 Apr)')."""
    until = as_of + dt.timedelta(days=LONGEST)
    label = month_label(month)
    if (month.year, month.month) == (as_of.year, as_of.month) and as_of.day > 1:
        return f"{label} (from {as_of:%-d %b})"
    if (month.year, month.month) == (until.year, until.month) \
            and (until + dt.timedelta(days=1)).month == until.month:
        return f"{label} (to {until:%-d %b})"
    return label


def by_month(frame: pd.DataFrame, as_of: dt.date) -> list[Renewing]:
    """The renewals of each calendar month with one, in order; a month the windows cover only
    in part says which part."""
    months = pd.to_datetime(frame["renewal_date"]).dt.to_period("M")
    return [renewing(frame.loc[months == month],
                     month_text(month.to_timestamp().date(), as_of))
            for month in sorted(months.unique())]


def window_of(renewal_date: object, as_of: dt.date) -> str:
    """The shortest window a renewal date falls in: 'Next 30 days'."""
    date = pd.Timestamp(renewal_date).date()
    for days in WINDOWS:
        if date <= as_of + dt.timedelta(days=days):
            return window_label(days)
    return f"After {LONGEST} days"


def observed_by_segment(rows: list[risk.ObservedChurn]) -> dict[str, str]:
    """Each segment's observed churn of the last 12 months, '12.3% (95% interval 10.1–14.8%)',
    with 'All accounts' for a segment without its own figure."""
    texts = {}
    for row in rows:
        low, high = row.interval_pct
        texts[row.name] = f"{row.pct:.1f}% (95% interval {low:.1f}–{high:.1f}%)"
    return texts


def renewals_table(frame: pd.DataFrame, as_of: dt.date, *,
                   open_actions: Mapping[str, int] | None = None, counts_known: bool = True,
                   by_model: bool = True,
                   observed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The renewals, soonest first, with human column names: renewal date and window, account,
    ARR, chance of not renewing with its range and the ARR expected to renew (or, without the
    model, the observed churn of the account's segment), health and band, owner, main reasons.
    With `open_actions` (open actions per account) an Action cell says what is being done and
    that a click records one; with `counts_known` False it offers one without a count."""
    action_cells = {} if open_actions is None else {action_rules.ACTION_COLUMN: [
        action_rules.action_cell_text(open_actions.get(account_id, 0) if counts_known else None)
        for account_id in frame["account_id"]]}
    chance = frame["churn_risk_pct"]
    if by_model:
        model_columns = {
            "Churn risk, 12 months": chance,
            "95% range": [risk.pct_range_text(low, high) for low, high in zip(
                frame["churn_risk_low_pct"], frame["churn_risk_high_pct"], strict=True)],
            "ARR expected to renew": frame["arr_usd"] * (1 - chance / 100),
            "Main reasons": [risk.reasons_text(ids) for ids in frame["reasons"]],
        }
    else:
        texts = dict(observed or {})
        fallback = texts.get(risk.ALL_ACCOUNTS, "—")
        model_columns = {"Observed churn of its segment, 12 months": [
            texts.get(str(segment), fallback) for segment in frame["segment"]]}
    return pd.DataFrame({
        "Account": [account_link(account_id, name) for account_id, name
                    in zip(frame["account_id"], frame["account_name"], strict=True)],
        **action_cells,
        "Renewal": pd.to_datetime(frame["renewal_date"]).dt.date,
        "Window": [window_of(date, as_of) for date in frame["renewal_date"]],
        **measure_columns(frame, "arr_usd"),
        **model_columns,
        "Health": frame["health_score"],
        "Band": [health.band_text(band) for band in frame["band"]],
        "CSM": frame["csm_name"],
        "Segment": frame["segment"],
        "Account ID": frame["account_id"],
    })


def action_title(account: Mapping[str, object]) -> str:
    """A new action's starting title for a renewal: the date, and what puts it at risk."""
    date = account.get("renewal_date")
    when = "" if is_missing(date) else f" of {pd.Timestamp(date):%-d %b %Y}"  # type: ignore[arg-type]
    reasons = risk.reasons_text(account.get("reasons"))
    if reasons == risk.NO_REASON or is_missing(account.get("churn_risk_pct")):
        return f"Secure the renewal{when}"
    return f"Secure the renewal{when}: {reasons}"


def no_dates_text() -> str:
    """What the page says when the load has no renewal date at all."""
    return (f"The loaded data has no renewal dates: every account's `renewal_date` is empty. "
            f"Load {RENEWAL_EXPORT} (see “The canonical tables” and “The mapping file” in "
            f"{DOCS}).")


def coverage_text(active: int, with_date: int, passed: int) -> str:
    """'1,921 active accounts in the filters, 1,921 with a renewal date.' plus the passed ones."""
    text = (f"{count_of(active, 'active account')} in the filters, {with_date:,} with a renewal "
            "date")
    if passed:
        text += (f"; {count_of(passed, 'renewal date')} {'is' if passed == 1 else 'are'} "
                 "already past while the account is still billed (not yet updated in the "
                 "source) and left out")
    return text + "."
