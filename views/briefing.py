"""Briefing: the state of the customer base on one screen."""

from __future__ import annotations

import streamlit as st

from northstar import brief, briefing, charts, db, filters, gate
from northstar.metrics import METRICS, format_value

gate.require_page("briefing")

metadata = db.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period

st.title("Customer briefing")
st.caption(f"{state.caption()} · data as of {metadata.as_of:%d %b %Y}")

frame = db.run_query("kpi_windows", **state.query_params(), end_months=window.query_end_months())
cards = briefing.kpi_cards(frame, window)
current = frame.loc[frame["window_end_month"].dt.date == window.end_month]

no_accounts = current.empty or (
    current["active_accounts"].iloc[0] == 0 and current["opening_accounts"].iloc[0] == 0
)
if no_accounts:
    st.info(
        "No accounts match these filters in the selected period. "
        "Clear the segment, region or plan filters in the sidebar.",
        icon=":material/filter_alt_off:",
    )
    st.stop()

compared = "vs prior period" if window.comparison_key == "previous_period" else "vs a year earlier"
for row_cards in (cards[:4], cards[4:]):
    for column, card in zip(st.columns(len(row_cards)), row_cards, strict=True):
        with column:
            st.metric(
                card.metric.label,
                card.value_text,
                delta=card.delta_text,
                delta_color=card.delta_color,
                delta_arrow="auto" if card.delta_is_change else "off",
                delta_description=compared if card.delta_text else None,
                help=card.metric.definition,
                border=True,
                chart_data=[value for value in card.sparkline if value is not None] or None,
                chart_type="area" if card.metric.unit == "usd" else "line",
            )
            if card.note:
                st.caption(card.note)

st.subheader("CEO brief")
brief.render(brief.collect(state, metadata, cards))

row = current.iloc[0]
left, right = st.columns([3, 2])
with left:
    st.subheader("Where ARR moved")
    opening = filters.month_label(window.opening_month)
    st.caption(
        f"From the ARR of accounts active in {opening} to ARR in "
        f"{filters.month_label(window.end_month)}; new accounts are those that started since."
    )
    figure = charts.arr_bridge(
        row["starting_arr_usd"],
        row["new_arr_usd"],
        row["expansion_arr_usd"],
        row["contraction_arr_usd"],
        row["churned_arr_usd"],
        row["arr_usd"],
    )
    charts.show(figure)
with right:
    st.subheader(f"NRR, rolling {window.months} month{'s' if window.months > 1 else ''}")
    trend = frame.loc[frame["window_end_month"].dt.date.isin(window.sparkline_end_months())]
    nrr = METRICS["nrr_pct"]
    figure = charts.trend(
        list(trend["window_end_month"]),
        list(trend["nrr_pct"]),
        nrr.label,
        tick_suffix="%",
        hover_values=[format_value(nrr, value) for value in trend["nrr_pct"]],
    )
    charts.show(figure)
    st.caption(
        f"Each point is NRR over the {window.months} month(s) ending that month. "
        f"{int(row['churned_accounts']):,} of {int(row['opening_accounts']):,} accounts "
        f"active at the start churned in the period."
    )
