"""The CEO brief: plain sentences generated from the data, each with its number and evidence.

Three sections of (at most) three sentences: the investments with the most ARR protected per
dollar, the biggest risks (accounts outside the Healthy band with the most ARR at risk),
and what changed most against the comparison period. The builders are pure functions on query
results (unit tested); `collect` runs the queries and `render` draws the brief, escaping every
sentence so no data-derived text can inject Markdown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pandas as pd
import streamlit as st

from northstar.briefing import KpiCard
from northstar.metrics import format_usd, format_value
from northstar.months import add_months
from northstar.text import literal
from northstar.view_state import current_view_params, with_view

# the page that holds the evidence for each KPI of the wall
KPI_EVIDENCE = {
    "arr_usd": "retention?view=Overview",
    "nrr_pct": "retention?view=Overview",
    "grr_pct": "retention?view=Overview",
    "logo_churn_pct": "retention?view=Breakdown&by=Segment",
    "nps": "satisfaction?view=Scores",
    "csat_pct": "satisfaction?view=Scores",
    "ces_mean": "satisfaction?view=Scores",
    "open_escalations": "programs?program=Support+review",
}


@dataclass(frozen=True)
class BriefSentence:
    text: str  # plain text, never Markdown
    link: str  # relative URL of the evidence
    link_label: str = "Evidence"


@dataclass(frozen=True)
class Brief:
    investments: list[BriefSentence]
    risks: list[BriefSentence]
    changes: list[BriefSentence]


def markdown_line(sentence: BriefSentence, view: Sequence[tuple[str, str]] = ()) -> str:
    """The sentence as escaped Markdown followed by its evidence link, which carries the view
    state (masking, presentation, filters) of the session it is drawn in."""
    link = with_view(sentence.link, view)
    return f"{literal(sentence.text)} [{sentence.link_label} →]({link})"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def investment_sentences(ranked: pd.DataFrame, count: int = 3) -> list[BriefSentence]:
    """The initiatives with the most ARR protected per dollar (from invest.initiatives_ranked)."""
    if ranked.empty:
        return []
    useful = ranked.loc[ranked["protected_arr_usd"] > 0].head(count)
    sentences = []
    for row in useful.itertuples(index=False):
        payback = (
            f"pays back in {row.payback_months:.0f} months"
            if math.isfinite(row.payback_months) else "does not pay back"
        )
        sentences.append(
            BriefSentence(
                f"{row.initiative_name} ({row.department_name}, {row.status}) protects about "
                f"{format_usd(row.protected_arr_usd)} of ARR a year "
                f"(95% range {format_usd(row.protected_low_usd)}–"
                f"{format_usd(row.protected_high_usd)}) for {format_usd(row.cost_usd)}: "
                f"${row.protected_per_dollar:.2f} of ARR a year per dollar; it {payback}.",
                "invest?view=Initiatives",
            )
        )
    return sentences


def risk_sentences(at_risk: pd.DataFrame, count: int = 3) -> list[BriefSentence]:
    """The accounts with the most ARR at risk (from the health_accounts query)."""
    sentences = []
    for row in at_risk.head(count).itertuples(index=False):
        renewal = (
            "" if _missing(row.renewal_date) or pd.isna(row.renewal_date)
            else f", renewing {pd.Timestamp(row.renewal_date):%d %b %Y}"
        )
        sentences.append(
            BriefSentence(
                f"{row.account_name} ({row.segment}) has {format_usd(row.arr_at_risk_usd)} of "
                f"ARR at risk: {format_usd(row.arr_usd)} ARR, health {row.health_score:.0f} "
                f"({row.band}){renewal}.",
                "account?" + urlencode({"account": row.account_id}, quote_via=quote),
            )
        )
    return sentences


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
    """The KPIs that moved most against the comparison period, each as one sentence."""
    moved = sorted(
        (card for card in cards if change_size(card) > 0), key=change_size, reverse=True
    )
    sentences = []
    for card in moved[:count]:
        delta = card.delta or 0.0
        good = (delta > 0) == (card.metric.direction == "higher_is_better")
        before = card.comparison_value
        sentences.append(
            BriefSentence(
                f"{card.metric.label} {'rose' if delta > 0 else 'fell'} to {card.value_text} "
                f"from {format_value(card.metric, before)} in {comparison_label} "
                f"({card.delta_text}), {'an improvement' if good else 'a deterioration'}.",
                KPI_EVIDENCE.get(card.metric.name, "briefing"),
            )
        )
    return sentences


def collect(state, metadata, cards: list[KpiCard]) -> Brief:  # pragma: no cover - glue
    """Run the queries behind the brief for the current filters and build its sentences."""
    from northstar import access, db, health, invest

    config = health.load_config()
    scope = state.query_params()
    try:
        counts = db.run_query(
            "invest_driver_counts", **scope, as_of_month=metadata.last_month,
            opening_month=add_months(metadata.last_month, -12),
        )
        results = invest.driver_results(counts)
        initiatives = db.run_query(
            "invest_initiatives", **scope, as_of_month=metadata.last_month
        )
        investments = investment_sentences(invest.initiatives_ranked(initiatives, results))
    except access.AccessDenied:
        investments = []  # the brief never takes the briefing down with it
    params = {**scope, **config.query_params()}
    risks = health.band_risks(db.run_query("health_band_churn", **params))
    try:
        at_risk = risk_sentences(db.run_query(
            "health_accounts", **params, as_of_month=metadata.last_month, band_risk_pct=risks,
            band_orders=[2, 3, 4], limit=3,
        ))
    except access.AccessDenied:
        at_risk = []  # a role without account lists sees the other two sections
    return Brief(
        investments,
        at_risk,
        change_sentences(cards, state.period.comparison_label),
    )


def render(brief: Brief) -> None:  # pragma: no cover - drawn in the AppTest
    """The brief in three columns; every sentence escaped, with its evidence link."""
    sections = (
        ("Where to invest", brief.investments, "No initiative protects ARR under these filters."),
        ("Biggest risks", brief.risks, "No scored account has ARR at risk under these filters."),
        ("What changed", brief.changes, "No KPI moved against the comparison period."),
    )
    view = current_view_params()
    for column, (title, sentences, empty) in zip(st.columns(3), sections, strict=True):
        with column:
            st.markdown(f"**{title}**")
            if not sentences:
                st.caption(empty)
            for sentence in sentences:
                st.markdown(markdown_line(sentence, view))
