"""Retention: how much revenue we kept, from whom, and why we lost the rest."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import kpi_cards, retention
from northstar.data.months import month_label
from northstar.data.registry import pages
from northstar.ui import (
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
from northstar.ui import retention as retention_ui

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
data = page_data.page_data("retention", metadata, state)

st.title("Retention")
st.caption(filters.page_caption(state, metadata.as_of))

# without revenue the figures count accounts from their start and churn dates, and one
# sentence stands for every dollar figure
revenue = data_needs.has_revenue()
months = retention.months_of(data["revenue_months" if revenue else "customer_months"])
if not months:
    st.info("No recurring revenue has been loaded yet.", icon=":material/database:")
    st.stop()
if not revenue:
    data_needs.no_revenue_notice()

overview, breakdown, cohorts, reasons, forecast_tab = st.tabs(
    pages.tabs("retention"), key="view", bind="query-params", on_change="rerun",
)

with overview:
    if overview.open:
        period = data["overview:kpi_windows"]
        cards = {card.metric.name: card
                 for card in kpi_cards.kpi_cards(period, window, revenue=revenue)}
        shown_cards = [name for name in ("nrr_pct", "grr_pct", "logo_churn_pct", "arr_usd")
                       if name in cards]
        # on a slide the cards are left out: the deck's first slide shows them already
        for column, name in zip(
            st.columns(4) if not presentation.is_on() else [], shown_cards, strict=False
        ):
            with column:
                kpi_wall.render_card(cards[name], window.comparison_phrase, sparkline=False)
        row = retention.window_row(period, window.end_month)
        if row is None:
            st.info("No accounts were active at the start of this period for these filters.")
        else:
            if revenue:
                left, trend_column = st.columns(2)
                with left:
                    st.subheader("Revenue bridge")
                    st.caption(retention.bridge_caption(window))
                    charts.show(charts.arr_bridge(
                        row["starting_arr_usd"], row["new_arr_usd"], row["expansion_arr_usd"],
                        row["contraction_arr_usd"], row["churned_arr_usd"], row["arr_usd"],
                    ))
            else:
                # no bridge without dollars: the accounts behind the logo churn
                st.caption(retention.logo_churn_caption(row, window))
                trend_column = st.container()
            with trend_column:
                st.subheader("Retention over time" if revenue else "Logo retention over time")
                measure = "NRR" if presentation.is_on() else st.segmented_control(
                    "Measure", ["NRR", "GRR", "Logo retention"], default="NRR",
                    key="trend_measure", bind="query-params", required=True,
                ) if revenue else "Logo retention"
                trend = retention.retention_trend(data["overview:monthly"],
                                                  data["overview:trailing"], measure)
                charts.show(charts.reference_line(
                    charts.lines(trend, "window_end_month", "value_pct", "series", y_suffix="%"),
                    100, "100%",
                ))
                st.caption(
                    "Monthly: each month against the month before. Trailing 12 months: the "
                    "12 months ending that month, against the month before they began."
                )
            presentation.end_of_slide()
            st.subheader("The accounts behind these figures")
            movement = presentation.choice(
                "Show the accounts that",
                retention.MOVEMENTS if revenue else retention.LOGO_MOVEMENTS, "churn", "accounts"
            )
            moved = page_data.page_data("retention", metadata, state,
                                        movement=movement)["overview:accounts"]
            st.caption(retention.movement_caption(moved, movement, revenue=revenue))
            if not moved.empty:
                downloads.dataframe(
                    retention.movement_table(moved, revenue),
                    title=f"{retention.MOVEMENTS[movement]} accounts", hide_index=True,
                    column_config=retention_ui.movement_columns(
                        month_label(window.opening_month), month_label(window.end_month)),
                )

with breakdown:
    if breakdown.open:
        dimension = presentation.choice(
            "Break down by", retention.BREAKDOWN_DIMENSIONS, "segment", "by"
        )
        label = retention.BREAKDOWN_DIMENSIONS[dimension]
        table = page_data.page_data("retention", metadata, state,
                                    dimension=dimension)["breakdown"]
        if table.empty:
            st.info("No accounts were active at the start of this period for these filters.")
        else:
            retention_ui.breakdown(retention.breakdown_table(table, label, revenue), label,
                                   month_label(window.opening_month), revenue)

with cohorts:
    if cohorts.open:
        grain_column, measure_column = st.columns(2)
        grain = presentation.choice(
            "Cohorts by", retention.COHORT_GRAINS, "quarter", "cohort", grain_column
        )
        measure = presentation.choice(
            "Retention of", retention.COHORT_MEASURES, "logo_retention_pct", "cohort_measure",
            measure_column,
        ) if revenue else "logo_retention_pct"
        frame = page_data.page_data("retention", metadata, state, cohort_grain=grain)["cohorts"]
        if frame.empty:
            st.info("No accounts started inside the loaded history for these filters.")
        else:
            unit = "quarters" if grain == "quarter" else "months"
            st.subheader(
                f"{retention.COHORT_MEASURES[measure]} by {retention.COHORT_GRAINS[grain].lower()}"
            )
            st.caption(retention.cohort_caption(unit, revenue))
            matrix = retention.cohort_matrix(frame, measure, grain)
            charts.show(charts.heatmap(matrix, x_title=f"{unit.capitalize()} since start"))
        retention_ui.survival(data["survival"])

with reasons:
    if reasons.open:
        quarters = retention.quarter_ends(window.end_month, months[0])
        retention_ui.churn_reasons(data["reasons"], data["reasons:quarters"] if quarters else None,
                           window, revenue)

with forecast_tab:
    if forecast_tab.open:
        if revenue:
            forecast.show_retention(data, "forecast:")
        else:
            st.caption("The forecast is of ARR, NRR and GRR, so it needs revenue (see the note "
                       "above).")
