"""Briefing: the state of the customer base on one screen."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import display, figures, kpi_cards
from northstar.analytics.metrics import METRICS, format_value
from northstar.data.months import month_label
from northstar.ui import (
    actions,
    ceo_brief,
    charts,
    data_needs,
    downloads,
    filters,
    forecast,
    kpi_wall,
    page_data,
    page_queries,
    presentation,
)

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
presenting = presentation.is_on()

st.title("Customer briefing")
st.caption(filters.page_caption(state, metadata.as_of))
# without revenue the wall counts accounts (logo churn from their start and churn dates) and
# one sentence stands for every dollar figure
revenue = data_needs.has_revenue()
if not revenue:
    data_needs.no_revenue_notice()

data = page_data.page_data("briefing", metadata, state)
frame = data["kpi_windows"]
cards = kpi_cards.kpi_cards(frame, window, revenue=revenue)
row = figures.period_row(frame, window)
if row is None:
    st.info(
        "No accounts match these filters in the selected period. "
        "Clear the segment, region or plan filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

compared = window.comparison_phrase
first_row = 4 if revenue else len(cards)
for row_cards in (cards[:first_row], cards[first_row:]):
    if not row_cards:
        continue
    for column, card in zip(st.columns(len(row_cards)), row_cards, strict=True):
        with column:
            # a slide leaves the sparklines out to keep the brief on the same screen
            kpi_wall.render_card(card, compared, sparkline=not presenting)
            if card.note and not presenting:
                st.caption(card.note)

brief, actions_problem = ceo_brief.collect(state, metadata, cards, revenue, data)
st.subheader("CEO brief")
if actions_problem is not None:
    actions.unavailable_notice(actions_problem)
ceo_brief.render(brief)
# the deck opens with the figures and the brief; where ARR moved is Retention's slide
presentation.end_of_slide()

if revenue:
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Where ARR moved")
        opening = month_label(window.opening_month)
        if not presenting:
            st.caption(
                f"From the ARR of accounts active in {opening} to ARR in "
                f"{month_label(window.end_month)}; new accounts are those that started since."
            )
        bridge = charts.arr_bridge(
            row["starting_arr_usd"],
            row["new_arr_usd"],
            row["expansion_arr_usd"],
            row["contraction_arr_usd"],
            row["churned_arr_usd"],
            row["arr_usd"],
        )
        charts.show(bridge)
    with right:
        st.subheader(f"NRR, rolling {window.months} month{'s' if window.months > 1 else ''}")
        trend = figures.nrr_points(frame, window)
        nrr = METRICS["nrr_pct"]
        nrr_trend = charts.trend(
            list(trend["window_end_month"]),
            list(trend["nrr_pct"]),
            nrr.label,
            tick_suffix="%",
            hover_values=[format_value(nrr, value) for value in trend["nrr_pct"]],
        )
        charts.reference_line(nrr_trend, 100, "100%: revenue kept in full")
        charts.show(nrr_trend)
        if not presenting:
            st.caption(
                f"Each point is NRR over the {display.count_of(window.months, 'month')} ending "
                f"that month. {int(row['churned_accounts']):,} of "
                f"{int(row['opening_accounts']):,} accounts active at the start churned in the "
                "period."
            )
else:
    # no ARR to bridge: the accounts behind the wall's logo churn
    st.caption(
        f"{int(row['churned_accounts']):,} of {int(row['opening_accounts']):,} accounts that "
        f"were customers in {month_label(window.opening_month)} had churned by "
        f"{month_label(window.end_month)}."
    )

if revenue:  # the forecast is of ARR: without revenue the notice above stands for it
    forecast.show_briefing(data, "forecast:")

presentation.end_of_slide()
st.subheader("Keep this briefing")
export_context = downloads.context_for("Customer briefing", metadata.as_of, state.caption())
export_kpis = [
    downloads.Kpi(
        card.metric.label,
        card.value_text,
        card.change_text(compared),
        card.note,
    )
    for card in cards
]
export_figures = figures.briefing_figures(frame, window) if revenue else []

downloads.render_brief_exports(
    export_context, export_kpis, export_figures, brief.sections(),
    f"northstar-brief-{metadata.as_of:%Y-%m-%d}",
)
