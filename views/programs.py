"""CCO programs: advisory board, executive meetings, onboarding and services surveys, support
ticket review and kudos — and whether the programs move retention."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import programs
from northstar.data import rules, settings
from northstar.data.registry import pages
from northstar.ui import (
    actions,
    data_needs,
    filters,
    masking,
    page_data,
    page_queries,
    presentation,
)
from northstar.ui import programs_tabs as show

FOLLOW_UP_TABLE = "support_follow_up_tickets"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
as_of = metadata.as_of
# topics are the engagements' notes: free text, so not broken down while masking is on
masked = masking.session_masked()
data = page_data.page_data("programs", metadata, state, masked=masked)

st.title("CCO programs")
actions.saved_notice()
st.caption(filters.page_caption(state, as_of))


def survey_tab(program: settings.SurveyProgram, name: str, rate_label: str, intro: str) -> None:
    """The shared layout of the onboarding and professional-services survey tabs."""
    by_topic = program is settings.PROFESSIONAL_SERVICES and not masked
    show.survey(program, rate_label, intro, data[f"{name}:total"], data[f"{name}:trend"],
                data[f"{name}:low"], data[f"{name}:topic"] if by_topic else None,
                program is settings.PROFESSIONAL_SERVICES and masked, as_of)


tabs = st.tabs(pages.tabs("programs"), key="program", bind="query-params", on_change="rerun")
board_tab, executive_tab, onboarding_tab, services_tab, support_tab, kudos_tab = tabs

with board_tab:
    if board_tab.open and data_needs.has_data("programs", "Advisory board"):
        show.board_comparison(data["cab:comparison"], data["cab:model"], state.period)
        presentation.end_of_slide()
        show.board_sessions(data["cab:sessions"], data["cab:members"], state.period, as_of)

with executive_tab:
    if executive_tab.open and data_needs.has_data("programs", "Executive meetings"):
        top_n = presentation.control(
            lambda: st.segmented_control(
                "Top accounts by ARR", list(rules.TOP_N_OPTIONS),
                format_func=lambda n: f"Top {n}", default=rules.DEFAULT_TOP_N, key="top",
                bind="query-params", required=True),
            "top", rules.DEFAULT_TOP_N, list(rules.TOP_N_OPTIONS),
            label=lambda n: f"Top {n}",
        )
        # the plan for the chosen number of top accounts
        data = page_data.page_data("programs", metadata, state, masked=masked, top_n=top_n)
        show.executive(top_n, programs.exec_months(metadata.last_month, data["exec:months"]),
                       data["exec:coverage"], data["exec:unmet"], data["exec:model"], as_of)

with onboarding_tab:
    if onboarding_tab.open and data_needs.has_data("programs", "Onboarding"):
        survey_tab(
            settings.ONBOARDING, "onboarding", "Completion rate",
            programs.survey_timing(settings.ONBOARDING, "onboarding survey")
            + " Completion rate = installations answered ÷ installations due; CSAT = share of "
            f"answers scoring {rules.CSAT_SATISFIED_FROM} or more.",
        )

with services_tab:
    if services_tab.open and data_needs.has_data("programs", "Professional services"):
        survey_tab(
            settings.PROFESSIONAL_SERVICES, "services", "Response rate",
            programs.survey_timing(settings.PROFESSIONAL_SERVICES, "follow-up survey",
                                   "a professional-services engagement")
            + " Response rate = engagements answered ÷ engagements due; CSAT = share of answers "
            f"scoring {rules.CSAT_SATISFIED_FROM} or more. Topic = the engagement's recorded "
            "subject.",
        )

with support_tab:
    if support_tab.open and data_needs.has_data("programs", "Support review"):
        show.ticket_reasons(data["support:categories"], data["support:ageing"], as_of)
        show.ticket_followups(data["support:followups"], FOLLOW_UP_TABLE)

with kudos_tab:
    if kudos_tab.open and data_needs.has_data("programs", "Kudos"):
        show.kudos(data["kudos:quarters"], data["kudos:employees"], data["kudos:recent"],
                   state.period, as_of)
