"""The CEO brief on the Briefing page: runs its queries for the current filters and draws its
three sections, every sentence escaped and its evidence link carrying the view state."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import streamlit as st

from northstar.analytics import invest, risk
from northstar.analytics.ceo_brief import (
    Brief,
    BriefSentence,
    change_sentences,
    investment_sentences,
    no_model_sentence,
    portfolio_sentence,
    risk_sentences,
)
from northstar.analytics.kpi_cards import KpiCard
from northstar.data import access, settings
from northstar.data.months import add_months, month_label
from northstar.data.workspace.store import WorkspaceUnavailable
from northstar.ui import actions, queries
from northstar.ui import churn_model as churn_model_ui
from northstar.ui.literal_text import literal
from northstar.ui.view_state import current_view_params, with_view


def markdown_line(sentence: BriefSentence, view: Sequence[tuple[str, str]] = ()) -> str:
    """The sentence as escaped Markdown followed by its evidence link, which carries the view
    state (masking, presentation, filters) of the session it is drawn in."""
    link = with_view(sentence.link, view)
    return f"{literal(sentence.text)} [{sentence.link_label} →]({link})"


def collect(state, metadata, cards: list[KpiCard], revenue: bool = True,
            ) -> tuple[Brief, WorkspaceUnavailable | None]:  # pragma: no cover
    """Run the queries behind the brief for the current filters and build its sentences; with
    why actions are unavailable when the workspace cannot be used (the brief is then built
    without the overdue actions). Without `revenue` (data without a revenue table) nothing is
    said in dollars: no initiative's return, no ARR at risk, only the observed logo churn."""
    try:
        overdue, actions_problem = actions.overdue_actions(), None
    except WorkspaceUnavailable as problem:
        overdue, actions_problem = None, problem
    config = settings.load_config()
    scope = state.query_params()
    results: list[invest.DriverResult] = []
    investments: list[BriefSentence] = []
    # initiatives are sized in ARR: none is ranked in data without revenue
    with contextlib.suppress(access.AccessDenied):  # the brief never takes the briefing down
        if revenue:
            counts = queries.run_query(
                "invest_driver_counts", **scope, as_of_month=metadata.last_month,
                opening_month=add_months(metadata.last_month, -12),
            )
            results = invest.driver_results(queries.run_query("invest_model_drivers", **scope),
                                            counts)
            initiatives = queries.run_query(
                "invest_initiatives", **scope, as_of_month=metadata.last_month
            )
            investments = investment_sentences(invest.initiatives_ranked(initiatives, results))
    params = {**scope, **config.query_params()}
    model = churn_model_ui.status(revenue)
    if not model.passed:
        # no chance or ARR at risk from a model that failed its checks: what was observed
        observed = churn_model_ui.observed(scope, metadata.last_month)
        return Brief(investments,
                     no_model_sentence(model.reason, observed, month_label(metadata.last_month)),
                     change_sentences(cards, state.period.comparison_label)), actions_problem
    whole = risk.portfolio(queries.run_query("risk_portfolio", **params,
                                             as_of_month=metadata.last_month))
    drivers = invest.sized_at_risk(results)
    at_risk = portfolio_sentence(whole, drivers)
    # a role without account lists sees the portfolio and the other two sections
    with contextlib.suppress(access.AccessDenied):
        at_risk += risk_sentences(queries.run_query(
            "health_accounts", **params, as_of_month=metadata.last_month,
            band_orders=[1, 2, 3, 4, 5], limit=3 - len(at_risk),
        ), count=3 - len(at_risk), overdue_actions=overdue)
    return Brief(
        investments,
        at_risk,
        change_sentences(cards, state.period.comparison_label),
    ), actions_problem


def render(brief: Brief) -> None:  # pragma: no cover - drawn in the AppTest
    """The brief in three columns; every sentence escaped, with its evidence link."""
    view = current_view_params()
    for column, section in zip(st.columns(3), brief.sections(), strict=True):
        with column:
            st.markdown(f"**{section.title}**")
            if not section.sentences:
                st.caption(section.empty_text)
            for sentence in section.sentences:
                st.markdown(markdown_line(sentence, view))
