"""The Where to invest page's tables' column help and its charts (views/invest.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from northstar.analytics import invest
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data import rules
from northstar.ui import actions, charts, downloads, presentation


def driver_columns() -> dict:
    return {
        "Hazard ratio (95% interval)": st.column_config.TextColumn(
            help="From the churn model: every driver and the segment together; the "
            "interval allows for the same account appearing in many months"
        ),
        "Reading": st.column_config.TextColumn(
            help="An interval that includes 1 means the data cannot tell the driver "
            "from chance"
        ),
        "ARR at risk from the driver": st.column_config.NumberColumn(
            help="— for a driver that cannot be told from chance: the data cannot show "
            "that it puts any ARR at risk"
        ),
        "Crude churn exposed": st.column_config.NumberColumn(
            help="Crude: exposed account-months that churned within 12 months, all "
            "segments pooled, nothing else taken into account",
        ),
        "Crude relative risk": st.column_config.TextColumn(
            help="Crude churn exposed ÷ not exposed with its 95% interval: for "
            "reference, not adjusted for the other drivers or the segment"
        ),
        "NPS difference (adjusted)": st.column_config.TextColumn(
            help="NPS of exposed minus not exposed accounts' relationship answers in "
            "the following 12 months, within segment; 95% interval in brackets"
        ),
    }


def initiative_columns() -> dict:
    return {
        "Rank": st.column_config.NumberColumn(
            help="Initiatives whose driver raises churn beyond noise and whose "
            "reduction is planned or measured beyond noise; sized ones first; — for "
            "the others", width=60,
        ),
        "Initiative": st.column_config.TextColumn(pinned=True, width=260),
        "95% range": st.column_config.TextColumn(width="medium"),
        "Reading": st.column_config.TextColumn(width="medium"),
        "ARR protected a year": st.column_config.NumberColumn(
            help="ARR the initiative keeps in a year: the driver's ARR at risk × "
            "the churn reduction it is judged by"
        ),
        "Return on cost": st.column_config.NumberColumn(
            help="ARR protected a year ÷ cost"
        ),
        "Payback (months)": st.column_config.NumberColumn(
            help="Months of protected ARR that pay back the cost"
        ),
        "Churn reduction": st.column_config.TextColumn(
            help="What the size rests on: the reduction measured against the "
            "accounts not exposed (with its 95% interval), or the planned one "
            "before it can be measured"
        ),
    }


def progress_columns() -> dict:
    return {
        "Monthly churn of exposed, 12 months before": st.column_config.NumberColumn(
            "Churn before", help="Monthly churn of the exposed accounts in the 12 "
            "months before the initiative started"
        ),
        "Since the start": st.column_config.NumberColumn(
            "Churn since", help="Monthly churn of the exposed accounts since the "
            "start"
        ),
        "Reduction vs unexposed accounts": st.column_config.NumberColumn(
            help="The measured reduction every page judges the initiative by"
        ),
    }


def account_columns() -> dict:
    return {"Account": st.column_config.LinkColumn(
        "Account", display_text=r"#(.*)$", pinned=True, help="Opens the account's 360 view")}


def driver_chart(recommended: Sequence[invest.DriverResult]) -> go.Figure:
    """ARR at risk from each recommended driver, with its 95% range."""
    return charts.horizontal_bars(
        [r.driver.label for r in recommended],
        [r.at_risk_arr_usd.value for r in recommended],
        title="ARR at risk from each driver, next 12 months (with its 95% range)",
        # the slide has the screen to itself: bars tall enough to read across a room
        height=(90 * len(recommended) + 140) if presentation.is_on() else None,
        ranges=[(r.at_risk_arr_usd.low, r.at_risk_arr_usd.high) for r in recommended],
        hover_extra=[
            f"{format_usd(r.at_risk_arr_usd.value)} (95% range "
            f"{format_usd(r.at_risk_arr_usd.low)}–{format_usd(r.at_risk_arr_usd.high)})"
            f"; hazard ratio {r.hazard_ratio.text()}"
            for r in recommended
        ],
    )


def motion_scatter(scored: pd.DataFrame, threshold: float, healthy_from: float) -> go.Figure:
    """ARR against health of the scored accounts, one colour per motion, with the thresholds."""
    figure = go.Figure()
    for index, motion in enumerate(invest.MOTION_ORDER):
        rows = scored.loc[scored["motion"] == motion]
        figure.add_trace(go.Scatter(
            x=rows["arr_usd"],
            y=rows["health_score"],
            mode="markers",
            name=motion,
            marker={"color": charts.SEQUENCE[index], "size": 7, "opacity": 0.7},
            customdata=[format_usd(value) for value in rows["arr_usd"]],
            hovertemplate="%{fullData.name}: %{customdata} ARR, health %{y:.0f}<extra></extra>",
        ))
    if not math.isnan(threshold):
        figure.add_vline(x=threshold, line_dash="dot", line_color=charts.TOTAL)
    figure.add_hline(y=healthy_from, line_dash="dot", line_color=charts.TOTAL)
    figure.update_xaxes(type="log", title="ARR (log scale)")
    charts.money_axis(figure, list(scored["arr_usd"]), axis="x", log=True, include_zero=False)
    figure.update_yaxes(title="Health score", range=[0, 100])
    charts.base_layout(figure, f"The {rules.LIST_LIMIT:,} largest accounts of each motion", 420)
    figure.update_layout(showlegend=True,
                         legend={"orientation": "h", "y": -0.2, "x": 0, "title": None})
    return figure


def cards(figures: Sequence[invest.Card]) -> None:
    """Figure cards side by side."""
    for column, card in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(card.label, card.value, delta=card.delta, delta_color=card.delta_color,
                      delta_arrow=card.delta_arrow, delta_description=card.delta_description,
                      border=True, help=card.help)


def driver_table(results: Sequence[invest.DriverResult], model_passed: bool, key: str) -> None:
    """The drivers' table (without ARR at risk when the churn model failed its checks), its
    Action cells opening a new action on the driver."""
    table = invest.driver_table(results)
    if not model_passed:
        table = table.drop(columns=list(invest.AT_RISK_COLUMNS))
    rows = invest.driver_rows(results)
    table = actions.with_action_column(table, "driver", list(rows["driver_id"]))
    downloads.dataframe(table, hide_index=True, key=key, on_select="rerun",
                        selection_mode="single-cell", column_config=driver_columns())
    actions.on_action_cell(
        key, "driver", rows,
        key=lambda row: row["driver_id"], label=lambda row: row["label"],
        title=lambda row: f"Cut the churn from: {row['label'].lower()}")


def attributes_and_meanings(results: Sequence[invest.DriverResult],
                            attributes: Sequence[invest.AttributeResult],
                            planted: pd.DataFrame) -> None:
    """The account attributes beyond noise, what each driver means, and (on demo data) the
    planted effects against the model's estimates."""
    st.subheader("Account attributes")
    if not presentation.is_on():
        st.markdown(invest.ATTRIBUTES_METHOD)
    ranked_attributes = invest.ranked_attributes(attributes)
    if ranked_attributes:
        st.markdown("\n".join(f"- {literal(item.text)}" for item in ranked_attributes))
    else:
        st.info("No account attribute changes churn beyond noise.", icon=":material/query_stats:")
    if attributes:
        with st.expander("Every attribute level the model took"):
            downloads.dataframe(invest.attribute_table(attributes), hide_index=True)
    with st.expander("What each driver means"):
        for result in results:
            note = f" *{literal(result.note)}.*" if result.note else ""
            st.markdown(f"**{result.driver.label}** — {result.driver.definition}{note}")
    if not planted.empty:
        with st.expander("Truth check: does the model find what the demo planted?"):
            st.markdown(invest.TRUTH_CHECK_TEXT)
            check = invest.truth_check(results, planted)
            downloads.dataframe(check.drop(columns="driver_id"), hide_index=True)


def motion_cards(totals: Sequence[invest.MotionTotal]) -> None:
    """A card per motion: its accounts, with their ARR and margin under it."""
    for column, total in zip(st.columns(len(totals)), totals, strict=True):
        # the count alone in the card (a narrow card cuts "16,514 accounts"), its noun under
        # it, as on Health & risk's band cards
        column.metric(total.motion, f"{total.accounts:,}", border=True,
                      help=invest.motion_help(total.motion))
        column.caption(total.caption())
