"""Retention: how much revenue we kept, from whom, and why we lost the rest."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import kpi_cards, retention
from northstar.analytics.metrics import format_usd
from northstar.data.months import month_label
from northstar.data.registry import pages
from northstar.ui import (
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    forecast,
    kpi_wall,
    page_queries,
    presentation,
    tables,
)

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
params = state.query_params()

st.title("Retention")
st.caption(filters.page_caption(state, metadata.as_of))

# without revenue the figures count accounts from their start and churn dates, and one
# sentence stands for every dollar figure
revenue = data_needs.has_revenue()
data_months = page_queries.run_query("revenue_months" if revenue else "customer_months")
if data_months.empty:
    st.info("No recurring revenue has been loaded yet.", icon=":material/database:")
    st.stop()
if not revenue:
    data_needs.no_revenue_notice()
all_months = [month.date() for month in data_months["month"]]
# every month that has the month before it in the data can end a 1-month window
trend_months = all_months[1:]

overview, breakdown, cohorts, reasons, forecast_tab = st.tabs(
    pages.tabs("retention"),
    key="view",
    bind="query-params",
    on_change="rerun",
)

with overview:
    if overview.open:
        period = page_queries.run_query("kpi_windows", **params,
                                        end_months=window.query_end_months())
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
        current = period.loc[period["window_end_month"].dt.date == window.end_month]
        if current.empty or current["opening_accounts"].iloc[0] == 0:
            st.info("No accounts were active at the start of this period for these filters.")
        else:
            row = current.iloc[0]
            if revenue:
                left, right = st.columns(2)
                with left:
                    st.subheader("Revenue bridge")
                    st.caption(
                        f"{month_label(window.opening_month)} → "
                        f"{month_label(window.end_month)}. Starting + new + expansion − "
                        "contraction − churn = ending ARR."
                    )
                    charts.show(
                        charts.arr_bridge(
                            row["starting_arr_usd"],
                            row["new_arr_usd"],
                            row["expansion_arr_usd"],
                            row["contraction_arr_usd"],
                            row["churned_arr_usd"],
                            row["arr_usd"],
                        )
                    )
                trend_column = right
            else:
                # no bridge without dollars: the accounts behind the logo churn
                st.caption(
                    f"{int(row['churned_accounts']):,} of {int(row['opening_accounts']):,} "
                    f"accounts that were customers in {month_label(window.opening_month)} had "
                    f"churned by {month_label(window.end_month)}; "
                    f"{int(row['active_accounts']):,} accounts are customers at its end."
                )
                trend_column = st.container()
            with trend_column:
                st.subheader("Retention over time" if revenue else "Logo retention over time")
                measure = "NRR" if presentation.is_on() else st.segmented_control(
                    "Measure",
                    ["NRR", "GRR", "Logo retention"],
                    default="NRR",
                    key="trend_measure",
                    bind="query-params",
                    required=True,
                ) if revenue else "Logo retention"
                monthly = page_queries.run_query(
                    "kpi_windows", **{**params, "window_months": 1}, end_months=trend_months
                )
                trailing = page_queries.run_query(
                    "kpi_windows", **{**params, "window_months": 12}, end_months=trend_months[11:]
                )
                trend = retention.retention_trend(monthly, trailing, measure)
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
            moved = page_queries.run_query(
                "retention_accounts", **params, **retention.period_bounds(window),
                movement=movement, limit=retention.ACCOUNTS_LIMIT,
            )
            st.caption(retention.movement_caption(moved, movement, revenue=revenue))
            if not moved.empty:
                downloads.dataframe(
                    retention.movement_table(moved, revenue),
                    title=f"{retention.MOVEMENTS[movement]} accounts",
                    hide_index=True,
                    column_config={
                        "Account": st.column_config.LinkColumn(
                            "Account", display_text=r"#(.*)$", pinned=True, width="medium",
                            help="Opens the account's 360 view"),
                        "Churned on": tables.DATE,
                        "ARR then": st.column_config.NumberColumn(
                            help=f"ARR in {month_label(window.opening_month)}"),
                        "ARR now": st.column_config.NumberColumn(
                            help=f"ARR in {month_label(window.end_month)}"),
                    },
                )

with breakdown:
    if breakdown.open:
        dimension = presentation.choice(
            "Break down by", retention.BREAKDOWN_DIMENSIONS, "segment", "by"
        )
        label = retention.BREAKDOWN_DIMENSIONS[dimension]
        table = page_queries.run_query(
            "retention_breakdown", **params, **retention.period_bounds(window), dimension=dimension
        )
        if table.empty:
            st.info("No accounts were active at the start of this period for these filters.")
        else:
            shown = retention.breakdown_table(table, label, revenue)
            ranked = "ARR lost to churn and contraction" if revenue else "accounts churned"
            st.caption(
                f"Accounts active in {month_label(window.opening_month)}, "
                f"by {label.lower()}, sorted by {ranked} in the period."
            )
            charts.show(
                charts.horizontal_bars(
                    list(shown[label]),
                    list(shown["ARR lost" if revenue else "Churned"]),
                    title=("ARR lost to churn and contraction" if revenue
                           else "Accounts churned") + f", by {label.lower()}",
                    usd=revenue,
                )
            )
            downloads.dataframe(
                shown,
                title=f"Retention by {label.lower()}",
                hide_index=True,
                column_config=tables.breakdown_column_config(label),
            )

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
        frame = page_queries.run_query("cohort_retention", **params, cohort_grain=grain)
        if frame.empty:
            st.info("No accounts started inside the loaded history for these filters.")
        else:
            unit = "quarters" if grain == "quarter" else "months"
            st.subheader(
                f"{retention.COHORT_MEASURES[measure]} by {retention.COHORT_GRAINS[grain].lower()}"
            )
            st.caption(
                f"Rows: accounts grouped by when they started (n = cohort size). Columns: {unit} "
                "since start. Logo retention: members still paying ÷ cohort size; revenue "
                "retention: their MRR ÷ the cohort's starting MRR (can exceed 100%)."
                if revenue else
                f"Rows: accounts grouped by their start date (n = cohort size). Columns: {unit} "
                "since start. Logo retention: members still customers (not yet past their "
                "churn date) ÷ cohort size."
            )
            matrix = retention.cohort_matrix(frame, measure, grain)
            charts.show(charts.heatmap(matrix, x_title=f"{unit.capitalize()} since start"))
        survival = page_queries.run_query("survival_by_segment", **params)
        if not survival.empty:
            presentation.end_of_slide()
            st.subheader("Survival by segment")
            st.caption(
                "Share of accounts still customers a given number of months after they started."
            )
            explain.how_computed(
                "A Kaplan-Meier estimate: an account's first churn ends its survival; an "
                "account still active counts until the latest month and no further, so young "
                "accounts do not pull the curve down."
            )
            charts.show(charts.survival_curves(survival))

with reasons:
    if reasons.open:
        quarters = retention.quarter_ends(window.end_month, all_months[0])
        frame = page_queries.run_query(
            "churn_reasons",
            **{**params, "window_months": window.months},
            end_months=[window.end_month],
        )
        # without revenue the bars count churned accounts: no dollar figure is known
        measure = "churned_arr_usd" if revenue else "churned_accounts"
        what = "Churned ARR" if revenue else "Churned accounts"
        total_accounts = int(frame["churned_accounts"].sum()) if len(frame) else 0
        total_arr = float(frame["churned_arr_usd"].sum()) if revenue and len(frame) else 0.0
        st.caption(
            f"{total_accounts:,} accounts churned in the period ({window.label}), taking "
            f"{format_usd(total_arr)} of ARR (their ARR just before the period, as in the bridge)."
            if revenue else
            f"{total_accounts:,} accounts churned in the period ({window.label})."
        )
        period_ranking: list[str] = []
        if frame.empty:
            st.info("No churn in this period for these filters.")
        else:
            by_reason = retention.reasons_for_period(frame, window.end_month, "churn_reason",
                                                     measure)
            period_ranking = list(by_reason["churn_reason"])
            by_competitor = retention.reasons_for_period(
                frame, window.end_month, "lost_to_competitor", measure
            )
            left, right = st.columns(2)
            with left:
                charts.show(
                    charts.horizontal_bars(
                        list(by_reason["churn_reason"]),
                        list(by_reason[measure]),
                        title=f"{what} by reason",
                        usd=revenue,
                        hover_extra=[
                            f"{format_usd(arr)} · {accounts:,} accounts"
                            for arr, accounts in zip(
                                by_reason["churned_arr_usd"],
                                by_reason["churned_accounts"],
                                strict=True,
                            )
                        ] if revenue else None,
                    )
                )
            with right:
                if by_competitor.empty:
                    st.info("No churned account in this period named a competitor.")
                else:
                    charts.show(
                        charts.horizontal_bars(
                            list(by_competitor["lost_to_competitor"]),
                            list(by_competitor[measure]),
                            title=f"{what} lost to competitors",
                            usd=revenue,
                            color=charts.PALETTE["orange"],
                            hover_extra=[
                                f"{format_usd(arr)} · {accounts:,} accounts"
                                for arr, accounts in zip(
                                    by_competitor["churned_arr_usd"],
                                    by_competitor["churned_accounts"],
                                    strict=True,
                                )
                            ] if revenue else None,
                        )
                    )
                    in_all = (format_usd(float(by_competitor["churned_arr_usd"].sum()))
                              if revenue else
                              f"{int(by_competitor['churned_accounts'].sum()):,} accounts")
                    st.caption(
                        f"{in_all} in all: a "
                        "competitor is also named by accounts that left for another reason "
                        "(missing features, say), so this can exceed “Switched to competitor”."
                    )
        if quarters:
            history = page_queries.run_query(
                "churn_reasons",
                **{**params, "window_months": 3},
                end_months=quarters,
            )
            if not history.empty:
                trend = retention.reasons_by_quarter(history, measure)
                charts.show(
                    charts.stacked_bars(
                        trend,
                        "quarter",
                        measure,
                        "churn_reason",
                        title=f"{what} by reason, by quarter",
                        usd=revenue,
                        # the period's largest reasons (the chart above) keep their colour
                        first=period_ranking,
                    )
                )
                if revenue:
                    st.caption(retention.quarters_note(trend, total_arr, window.months))

with forecast_tab:
    if forecast_tab.open:
        if revenue:
            forecast.show_retention()
        else:
            st.caption("The forecast is of ARR, NRR and GRR, so it needs revenue (see the note "
                       "above).")
