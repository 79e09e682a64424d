"""The CEO brief: plain sentences generated from the data, each with its number and evidence.

Three sections of (at most) three sentences, each taken only from items that pass the one rule
for what is beyond noise (northstar/analytics/significance.py), each with its range and its
evidence link: the investments with the most return on cost whose driver raises churn beyond
noise, judged by what they measurably achieved once that can be told (sized ones first); the
biggest risks (the accounts with the largest expected ARR loss in the next 12 months from the
churn model, with their main reasons); and the KPIs that moved most beyond noise against the
comparison period. The builders are pure functions on query
results (unit tested); `gather` runs the brief's queries through the runner it is given (the
app's, for the viewer on screen; or one role's, for the e-mailed brief), and
northstar.ui.ceo_brief draws it, escaping every sentence so no data-derived text can inject
Markdown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from northstar.analytics import display, invest, retention, risk
from northstar.analytics.kpi_cards import KpiCard
from northstar.analytics.metrics import format_delta, format_usd, format_value
from northstar.data.months import add_months, month_label
from northstar.data.registry import access, pages

# runs a named query with its parameters (parameters it does not use are ignored)
Runner = Callable[..., pd.DataFrame]

# the page that holds the evidence for each KPI of the wall
KPI_EVIDENCE = {
    "arr_usd": pages.link("retention", "Overview"),
    "nrr_pct": pages.link("retention", "Overview"),
    "grr_pct": pages.link("retention", "Overview"),
    # the churned accounts behind it, listed under the bridge
    "logo_churn_pct": pages.link("retention", "Overview", accounts=retention.MOVEMENTS["churn"]),
    "nps": pages.link("satisfaction", "Scores"),
    "csat_pct": pages.link("satisfaction", "Scores"),
    "ces_mean": pages.link("satisfaction", "Scores"),
    "open_escalations": pages.link("programs", "Support review"),
}


@dataclass(frozen=True)
class BriefSentence:
    text: str  # plain text, never Markdown
    link: str  # relative URL of the evidence
    link_label: str = "Evidence"


@dataclass(frozen=True)
class BriefSection:
    title: str
    sentences: list[BriefSentence]
    empty_text: str  # what the section says when nothing passes the rule


@dataclass(frozen=True)
class Brief:
    investments: list[BriefSentence]
    risks: list[BriefSentence]
    changes: list[BriefSentence]

    def sections(self) -> list[BriefSection]:
        """The three sections, in order, with their headings: the screen and the document
        both draw these."""
        return [
            BriefSection(
                "Where to invest", self.investments,
                "No initiative targets a driver that raises churn beyond noise under these "
                "filters.",
            ),
            BriefSection("Biggest risks", self.risks,
                         "No account has ARR at risk under these filters."),
            BriefSection("What changed", self.changes,
                         "No KPI moved beyond noise against the comparison period."),
        ]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _range(low: float, high: float, unit: display.Unit) -> str:
    return f"{display.format_number(low, unit)}–{display.format_number(high, unit)}"


def investment_basis(row: object) -> str:
    """'planned 15% churn reduction' or 'measured 12.0% churn reduction so far': what the
    initiative's size rests on, in the words of the Initiatives tab."""
    pct = display.format_number(row.reduction_pct, "pct")  # type: ignore[attr-defined]
    if row.basis == "measured":  # type: ignore[attr-defined]
        so_far = " so far" if row.status == "running" else ""  # type: ignore[attr-defined]
        return f"measured {pct} churn reduction{so_far}"
    return f"planned {pct} churn reduction"


def investment_sentences(ranked: pd.DataFrame, count: int = 3) -> list[BriefSentence]:
    """The ranked initiatives, from invest.initiatives_ranked: those whose size can be repeated
    first, most return on cost first; one whose range is too wide says it can't be sized yet.
    An initiative that is not ranked (its driver can't be told from chance, or it was measured
    and did not work) is never written here."""
    if ranked.empty:
        return []
    useful = ranked.loc[ranked["rankable"] & (ranked["protected_arr_usd"] > 0)].head(count)
    sentences = []
    for row in useful.itertuples(index=False):
        who = f"{row.initiative_name} ({row.department_name}, {row.status}; " \
              f"{investment_basis(row)})"
        verb = "would protect" if row.status == "proposed" else "protects"
        if not row.sized:
            text = (f"{who} targets a driver that raises churn, but what it protects can't "
                    f"be sized yet: {_range(row.protected_low_usd, row.protected_high_usd, 'usd')}"
                    f" of ARR a year for {format_usd(row.cost_usd)}.")
        else:
            payback = (
                f"it pays back in {display.format_number(row.payback_months, 'months')} months "
                f"({_range(row.payback_low_months, row.payback_high_months, 'months')})"
                if math.isfinite(row.payback_high_months) else "it may not pay back"
            )
            text = (f"{who} {verb} about {format_usd(row.protected_arr_usd)} of ARR a year "
                    f"(95% range {_range(row.protected_low_usd, row.protected_high_usd, 'usd')}) "
                    f"for {format_usd(row.cost_usd)}: "
                    f"{display.format_number(row.return_multiple, 'multiple')} its cost "
                    f"({_range(row.return_low, row.return_high, 'multiple')}); {payback}.")
        sentences.append(BriefSentence(text, pages.link("invest", "Initiatives")))
    return sentences


def overdue_text(overdue: pd.DataFrame) -> str:
    """' Overdue: 2 actions (Ana Ruiz, due 26 Nov 2026; ...).' for one account's overdue
    actions, owners and due dates only (never the action's text); '' without any."""
    if overdue.empty:
        return ""
    ordered = overdue.sort_values("due_on")
    who = "; ".join(f"{owner}, due {pd.Timestamp(due):%-d %b %Y}"
                    for owner, due in zip(ordered["owner_name"], ordered["due_on"], strict=True))
    return f" Overdue: {display.count_of(len(ordered), 'action')} ({who})."


def risk_sentences(at_risk: pd.DataFrame, count: int = 3,
                   overdue_actions: pd.DataFrame | None = None) -> list[BriefSentence]:
    """The accounts with the largest expected ARR loss (from the health_accounts query), each
    with its range, main reasons and the overdue actions on it (account_id, owner_name,
    due_on rows)."""
    sentences = []
    # only accounts the churn model gave a chance (never one from a model that failed its checks)
    scored = at_risk.loc[at_risk["churn_risk_pct"].notna()]
    for row in scored.head(count).itertuples(index=False):
        renewal = (
            "" if _missing(row.renewal_date) or pd.isna(row.renewal_date)
            else f"; renews {pd.Timestamp(row.renewal_date):%-d %b %Y}"
        )
        overdue = "" if overdue_actions is None else overdue_text(
            overdue_actions.loc[overdue_actions["account_id"] == row.account_id])
        sentences.append(
            BriefSentence(
                f"{row.account_name} ({row.segment}, {format_usd(row.arr_usd)} ARR) could cost "
                f"{format_usd(row.arr_at_risk_usd)} in the next 12 months (95% range "
                f"{risk.usd_range_text(row.arr_at_risk_low_usd, row.arr_at_risk_high_usd)}): a "
                f"{risk.chance_pct_text(row.churn_risk_pct)} chance of churning. Main reasons: "
                f"{risk.reasons_text(row.reasons)}{renewal}.{overdue}",
                pages.link("account", account=row.account_id),
            )
        )
    return sentences


def portfolio_sentence(whole: risk.Portfolio | None,
                       drivers: list[tuple[str, float]]) -> list[BriefSentence]:
    """The biggest risk first: the ARR at risk over every scored account, where it sits and the
    drivers adding most (label, ARR at risk from the driver; sized drivers only), with Health &
    risk as its evidence."""
    if whole is None or whole.arr_at_risk_usd <= 0:
        return []
    return [BriefSentence(risk.portfolio_text(whole, drivers), pages.link("health"))]


def no_model_sentence(reason: str, observed: list[risk.ObservedChurn],
                      period: str) -> list[BriefSentence]:
    """Where the churn model failed its checks: why there is no model, then the churn observed
    in the last 12 months with its interval (and the segment churning most), with Health &
    risk as its evidence."""
    return [BriefSentence(f"{reason} {risk.observed_churn_text(observed, period)}",
                          pages.link("health"))]


def margin_text(card: KpiCard) -> str:
    """' ± 3.1 pts, beyond noise' for a change tested against its margin; '' for a total."""
    if card.verdict.margin is None:
        return ""
    return f" ± {format_delta(card.metric, card.verdict.margin).lstrip('+')}, beyond noise"


def change_size(card: KpiCard) -> float:
    """How big a KPI's change is, comparable across units: the relative change |Δ| ÷ |before|
    (NPS, on −100..+100, against 100)."""
    if card.delta is None or not card.delta_is_change:
        return 0.0
    base = 100.0 if card.metric.unit == "nps" else abs(card.comparison_value or 0)
    return abs(card.delta) / base if base else 0.0


def change_sentences(
    cards: list[KpiCard], comparison_label: str, count: int = 3
) -> list[BriefSentence]:
    """The KPIs that moved most beyond noise against the comparison period, each as one
    sentence with its margin when it is a sample (survey scores, churn rates)."""
    moved = sorted(
        (card for card in cards if change_size(card) > 0 and card.verdict.is_real),
        key=change_size, reverse=True,
    )
    sentences = []
    for card in moved[:count]:
        delta = card.delta or 0.0
        good = (delta > 0) == (card.metric.good == "up")
        before = card.comparison_value
        sentences.append(
            BriefSentence(
                f"{card.metric.label} {'rose' if delta > 0 else 'fell'} to {card.value_text} "
                f"from {format_value(card.metric, before)} in {comparison_label} "
                f"({card.delta_text}{margin_text(card)}), "
                f"{'an improvement' if good else 'a deterioration'}.",
                KPI_EVIDENCE.get(card.metric.name, pages.link(pages.HOME)),
            )
        )
    return sentences


AT_RISK_SENTENCES = 3  # the at-risk section: the portfolio's sentence, then the top accounts


def at_risk_limit(portfolio: pd.DataFrame) -> int:
    """How many accounts the at-risk section lists after the portfolio's sentence (over the
    risk_portfolio rows)."""
    return AT_RISK_SENTENCES - len(portfolio_sentence(risk.portfolio(portfolio), []))


def gather(run: Runner, scope: Mapping[str, Any], last_month: dt.date, cards: list[KpiCard],
           comparison_label: str, health_params: Mapping[str, Any],
           overdue: pd.DataFrame | None = None, revenue: bool = True) -> Brief:
    """Run the queries behind the brief through `run` for the account filters in `scope` and
    the period ending `last_month`, and build its sentences (`overdue`: the overdue actions
    the reader may see, or None). A query the reader's role may not run leaves its part out,
    never the brief. Without `revenue` (data without a revenue table) nothing is said in
    dollars: no initiative's return, no ARR at risk, only the observed logo churn."""
    results: list[invest.DriverResult] = []
    investments: list[BriefSentence] = []
    # initiatives are sized in ARR: none is ranked in data without revenue
    with contextlib.suppress(access.AccessDenied):
        if revenue:
            counts = run("invest_driver_counts", **scope, as_of_month=last_month,
                         opening_month=add_months(last_month, -12))
            results = invest.driver_results(run("invest_model_drivers", **scope), counts)
            initiatives = run("invest_initiatives", **scope, as_of_month=last_month)
            investments = investment_sentences(invest.initiatives_ranked(initiatives, results))
    params = {**scope, **health_params}
    model = risk.model_status(run("churn_model_checks"))
    if not revenue:
        model = model.without_revenue()
    changes = change_sentences(cards, comparison_label)
    if not model.passed:
        # no chance or ARR at risk from a model that failed its checks: what was observed
        observed = observed_churn(run, scope, last_month)
        return Brief(investments,
                     no_model_sentence(model.reason, observed, month_label(last_month)), changes)
    whole = risk.portfolio(run("risk_portfolio", **params, as_of_month=last_month))
    at_risk = portfolio_sentence(whole, invest.sized_at_risk(results))
    # a role without account lists sees the portfolio and the other two sections
    with contextlib.suppress(access.AccessDenied):
        at_risk += risk_sentences(run(
            "health_accounts", **params, as_of_month=last_month,
            band_orders=[1, 2, 3, 4, 5], limit=AT_RISK_SENTENCES - len(at_risk),
        ), count=AT_RISK_SENTENCES - len(at_risk), overdue_actions=overdue)
    return Brief(investments, at_risk, changes)


def observed_churn(run: Runner, scope: Mapping[str, Any],
                   last_month: dt.date) -> list[risk.ObservedChurn]:
    """Logo churn of the 12 months to `last_month`, in total and by segment: the same figures
    as Retention's breakdown by segment."""
    return risk.observed_churn(run(
        "retention_breakdown", **scope, dimension="segment",
        opening_month=add_months(last_month, -12), closing_month=last_month))
