"""The CEO brief on the Briefing page: runs its queries for the current filters and draws its
three sections, every sentence escaped and its evidence link carrying the view state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from northstar.analytics.ceo_brief import Brief, BriefSentence, Runner, gather
from northstar.analytics.kpi_cards import KpiCard
from northstar.analytics.literal_text import literal
from northstar.data import settings
from northstar.data.workspace.store import WorkspaceUnavailable
from northstar.ui import actions, page_data, page_queries
from northstar.ui.view_state import current_view_params, with_view


def markdown_line(sentence: BriefSentence, view: Sequence[tuple[str, str]] = ()) -> str:
    """The sentence as escaped Markdown followed by its evidence link, which carries the view
    state (masking, presentation, filters) of the session it is drawn in."""
    link = with_view(sentence.link, view)
    return f"{literal(sentence.text)} [{sentence.link_label} →]({link})"


# the queries the brief runs -> the briefing plan's calls (keys under "brief:")
BRIEF_CALLS = {
    "invest_driver_counts": "driver_counts",
    "invest_model_drivers": "model_drivers",
    "invest_initiatives": "initiatives",
    "churn_model_checks": "model_checks",
    "retention_breakdown": "observed_churn",
    "risk_portfolio": "portfolio",
    "health_accounts": "at_risk",
}


def runner(data: page_data.PageData, prefix: str = "brief:") -> Runner:
    """The brief's queries read from the page's data: each the plan's call of that query, which
    must ask for what the brief asks (else the benchmark would time another query)."""
    def run(query: str, **params: Any) -> pd.DataFrame:
        key = prefix + BRIEF_CALLS[query]
        planned = data.params(key)
        if planned != params:
            raise ValueError(f"The briefing plan's call {key!r} runs {query} with "
                             f"{planned!r}; the CEO brief asks for {params!r}.")
        return data[key]
    return run


def collect(state, metadata, cards: list[KpiCard], revenue: bool = True,
            data: page_data.PageData | None = None,
            ) -> tuple[Brief, WorkspaceUnavailable | None]:  # pragma: no cover
    """Run the queries behind the brief for the current filters (or read them from `data`, the
    page's data holding the briefing plan's calls) and build its sentences; with why actions
    are unavailable when the workspace cannot be used (the brief is then built without the
    overdue actions). Without `revenue` (data without a revenue table) nothing is said in
    dollars: no initiative's return, no ARR at risk, only the observed logo churn."""
    try:
        overdue, actions_problem = actions.overdue_actions(), None
    except WorkspaceUnavailable as problem:
        overdue, actions_problem = None, problem
    run = page_queries.run_query if data is None else runner(data)
    brief = gather(run, state.query_params(), metadata.last_month, cards,
                   state.period.comparison_label, settings.load_config().query_params(),
                   overdue, revenue)
    return brief, actions_problem


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
