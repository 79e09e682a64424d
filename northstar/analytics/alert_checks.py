"""When an alert rule fires: one pure function per kind of rule, on query results, each
returning the rule's occurrences — what makes each one an occurrence (its key, so it is sent
once), one sentence saying why, and the page that shows the evidence.

- kpi_target: a department KPI whose latest period is on the other side of its target than the
  period just before it (met → missed, or missed → met), judged by the one status rule of Goal
  alignment (goals.kpi_status). One occurrence per KPI and period.
- kpi_change: a KPI of the wall whose change against the period before is beyond noise by the
  one significance rule every page uses (kpi_cards' verdict); a change within noise, or too few
  to tell, never fires. One occurrence per KPI and period.
- churn_chance: an account whose 12-month churn chance is above the rule's level in the month
  the churn model scored; nothing when the model failed its checks (the reason is returned
  instead). One occurrence per account and scored month.
- renewal_risk: an account renewing within the rule's days whose health band is one of the rule's
  bands, or whose churn chance is above the rule's level. One occurrence per account and renewal
  date.
- overdue_action: an open action past its due date on one of the first accounts of the at-risk
  list. One occurrence per action and due date (a new due date, missed again, is a new one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from northstar.analytics import action_rules, goals, risk
from northstar.analytics.ceo_brief import change_sentences
from northstar.analytics.kpi_cards import kpi_cards
from northstar.analytics.metrics import format_in_unit, format_usd, is_missing
from northstar.analytics.periods import PeriodWindow
from northstar.data.months import add_months, month_label
from northstar.data.registry import pages


@dataclass(frozen=True)
class Occurrence:
    key: str  # unique within its rule: the rule fires once for it
    sentence: str  # one sentence saying why
    link: str  # relative link to the page that shows the evidence
    account_name: str | None = None  # an account the sentence names
    hidden_text: str | None = None  # text the sentence quotes that masking hides

    @property
    def names_account(self) -> bool:
        return self.account_name is not None


def account_page(account_id: object) -> str:
    return pages.link("account", account=str(account_id))


def _period_text(period: dt.date, grain: str) -> str:
    return goals.period_label(period, grain)


def kpi_target_crossings(kpis: pd.DataFrame, actuals: pd.DataFrame, end_month: dt.date,
                         kpi_ids: Sequence[str] = ()) -> list[Occurrence]:
    """KPIs (goal_kpis rows; all with a target, or those in `kpi_ids`) whose latest period up to
    `end_month` (goal_kpi_actuals rows) crossed the target against the period just before."""
    found = []
    frame = actuals.loc[actuals["actual_value"].notna()].assign(
        period_start=pd.to_datetime(actuals["period_start"]).dt.date)
    for kpi in kpis.itertuples(index=False):
        if (kpi_ids and kpi.kpi_id not in kpi_ids) or is_missing(kpi.target_value):
            continue
        series = frame.loc[(frame["kpi_id"] == kpi.kpi_id)
                           & (frame["period_start"] <= end_month)].sort_values("period_start")
        if len(series) < 2:
            continue
        (before, previous), (latest, actual) = series.iloc[-2:][
            ["period_start", "actual_value"]].itertuples(index=False, name=None)
        step = 3 if kpi.period_grain == "quarter" else 1
        if add_months(before, step) != latest:
            continue  # a period without an actual in between: no crossing to tell
        met_now = goals.kpi_status(actual, kpi.target_value, kpi.direction, kpi.unit) \
            == "on_track"
        met_before = goals.kpi_status(previous, kpi.target_value, kpi.direction, kpi.unit) \
            == "on_track"
        if met_now == met_before:
            continue
        target = format_in_unit(kpi.target_value, kpi.unit)
        found.append(Occurrence(
            f"{kpi.kpi_id}:{latest:%Y-%m}",
            f"{kpi.kpi_name} ({kpi.department_name}) {'met' if met_now else 'missed'} its "
            f"target of {target} ({goals.direction_text(kpi.direction)}) in "
            f"{_period_text(latest, kpi.period_grain)}: {format_in_unit(actual, kpi.unit)}, "
            f"against {format_in_unit(previous, kpi.unit)} in "
            f"{_period_text(before, kpi.period_grain)}.",
            pages.link("scorecard", department=str(kpi.department_id))))
    return found


def kpi_changes(frame: pd.DataFrame, window: PeriodWindow, metrics: Sequence[str] = (),
                revenue: bool = True) -> list[Occurrence]:
    """The wall's KPIs (kpi_windows rows; all, or those in `metrics`) whose change against the
    comparison period is beyond noise by the significance rule; never one within noise."""
    found = []
    for card in kpi_cards(frame, window, revenue):
        if metrics and card.metric.name not in metrics:
            continue
        # the brief's sentence: only a change shown at the display precision and beyond noise
        for sentence in change_sentences([card], window.comparison_label, count=1):
            found.append(Occurrence(
                f"{card.metric.name}:{window.period_key}:{window.end_month:%Y-%m}",
                f"{window.label}: {sentence.text}", sentence.link))
    return found


def churn_chances(accounts: pd.DataFrame, model: risk.ModelStatus, level_pct: float,
                  month: dt.date) -> tuple[list[Occurrence], str]:
    """Accounts (account_id, account_name, churn_risk_pct and its range) whose churn chance in
    `month` is above `level_pct`, and '' ; or no account and the reason when the churn model
    failed its checks (no chance from it is read)."""
    if not model.passed:
        return [], model.reason
    found = []
    above = accounts.loc[accounts["churn_risk_pct"].notna()
                         & (accounts["churn_risk_pct"].astype(float) > level_pct)]
    for row in above.sort_values(["churn_risk_pct", "account_id"],
                                 ascending=[False, True]).itertuples(index=False):
        chance = risk.chance_text(row.churn_risk_pct, row.churn_risk_low_pct,
                                  row.churn_risk_high_pct)
        found.append(Occurrence(
            f"{row.account_id}:{month:%Y-%m}",
            f"{row.account_name}'s chance of churning in the next 12 months is {chance} in "
            f"{month_label(month)}, above the {level_pct:g}% level.",
            account_page(row.account_id), account_name=str(row.account_name)))
    return found, ""


def renewals_at_risk(renewing: pd.DataFrame, as_of: dt.date, days: int, bands: Sequence[str],
                     level_pct: float | None, model_passed: bool) -> list[Occurrence]:
    """Accounts (renewal_accounts rows) renewing from `as_of` to `days` days after it whose
    health band is one of `bands`, or (the churn model passing its checks) whose churn chance is
    above `level_pct`."""
    found = []
    dates = pd.to_datetime(renewing["renewal_date"]).dt.date
    last = as_of + dt.timedelta(days=days)
    for date, row in zip(dates, renewing.itertuples(index=False), strict=True):
        if not as_of <= date <= last:
            continue
        chance = row.churn_risk_pct if model_passed else None
        by_band = row.band in bands
        by_chance = (level_pct is not None and not is_missing(chance)
                     and float(chance) > level_pct)
        if not (by_band or by_chance):
            continue
        left = (date - as_of).days
        when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
        why = [f"health {row.band}" if not is_missing(row.band) else "no health score"]
        if not is_missing(chance):
            shown = risk.chance_text(chance, row.churn_risk_low_pct, row.churn_risk_high_pct)
            why.append(f"churn chance {shown}")
        found.append(Occurrence(
            f"{row.account_id}:{date.isoformat()}",
            f"{row.account_name} renews on {date:%-d %b %Y}, {when}, with "
            f"{format_usd(float(row.arr_usd))} of ARR and {' and '.join(why)}.",
            account_page(row.account_id), account_name=str(row.account_name)))
    return found


def overdue_on_top_risks(actions: pd.DataFrame, at_risk: pd.DataFrame,
                         today: dt.date) -> list[Occurrence]:
    """Open actions past their due date (workspace actions) on the accounts of the at-risk list
    (health_accounts rows, its first accounts)."""
    if actions.empty or at_risk.empty:
        return []
    names = dict(zip(at_risk["account_id"].astype(str), at_risk["account_name"], strict=True))
    late = actions.loc[action_rules.is_overdue(actions, today)
                       & actions["account_id"].astype(str).isin(list(names))]
    found = []
    for row in late.sort_values(["due_on", "action_id"]).itertuples(index=False):
        days = (today - row.due_on).days
        name = str(names[str(row.account_id)])
        found.append(Occurrence(
            f"{row.action_id}:{row.due_on.isoformat()}",
            f"The action “{row.title}” on {name}, one of the {len(at_risk)} accounts at the top "
            f"of the at-risk list, is {days} day{'s' if days != 1 else ''} overdue (due "
            f"{row.due_on:%-d %b %Y}; owner {row.owner_name}).",
            account_page(row.account_id), account_name=name, hidden_text=str(row.title)))
    return found


# --- the forum's list of recent alerts ---------------------------------------------------------

# kinds whose alerts name no account: every role may read them
AGGREGATE_KINDS = frozenset({"kpi_target", "kpi_change"})
OUTCOME_WORDS = {"sent": "Sent", "unconfirmed": "Sent, not confirmed", "failed": "Not sent"}
HIDDEN = "[hidden]"


def recent_table(fired: pd.DataFrame, *, accounts: bool = True,
                 pseudonym: Callable[[str], str] | None = None) -> pd.DataFrame:
    """The alerts fired (workspace rows, newest first) as the forum lists them: one row per
    alert, its recipients together. Without `accounts` (a role that reads no account), only
    the alerts that name none; with `pseudonym` (a masked screen), account names replaced by
    it, quoted action text and e-mail addresses hidden."""
    if not accounts:
        fired = fired.loc[fired["kind"].isin(AGGREGATE_KINDS)]
    columns = ["When (UTC)", "Rule", "Why", "To", "Outcome"]
    if fired.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (rule, sentence), group in fired.groupby(["rule", "sentence"], sort=False):
        first = group.iloc[0]
        text = str(sentence)
        to = [str(recipient) for recipient in group["recipient"]]
        if pseudonym is not None:
            name = first["account_name"]
            if isinstance(name, str) and name:
                text = text.replace(name, pseudonym(name))
            hidden = first["hidden_text"]
            if isinstance(hidden, str) and hidden:
                text = text.replace(hidden, HIDDEN)
            to = [HIDDEN if channel == "email" else recipient
                  for recipient, channel in zip(to, group["channel"], strict=True)]
        outcomes = sorted({OUTCOME_WORDS.get(outcome, outcome) for outcome in group["outcome"]})
        rows.append({"When (UTC)": group["fired_at"].max().strftime("%d %b %Y %H:%M"),
                     "Rule": rule, "Why": text, "To": ", ".join(to),
                     "Outcome": "; ".join(outcomes)})
    return pd.DataFrame(rows, columns=columns)
