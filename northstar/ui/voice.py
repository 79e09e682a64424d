"""Satisfaction's longer Streamlit parts: a score's trend, the theme table, the comment filters,
the churn of followed-up against other detractors' accounts and the answers nobody followed up."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from northstar.analytics import display, satisfaction, significance
from northstar.analytics.metrics import METRICS
from northstar.analytics.significance import Status
from northstar.data import rules
from northstar.ui import actions, charts, downloads, masking, tables

THEME_COLUMNS = {
    "Comments": st.column_config.NumberColumn(help="Comments in the period"),
    "Last 12 months": st.column_config.LineChartColumn(
        help="Comments per month, last 12 months of data", y_min=0),
    "Spike": st.column_config.TextColumn(
        help="A month far above the theme's own 6-month baseline"),
}


def theme_table(summary: pd.DataFrame) -> None:  # pragma: no cover - drawn in the AppTest
    """The themes with their comments, trend and spike; selecting one filters the comments."""
    downloads.dataframe(
        summary.drop(columns="theme"), hide_index=True, key="theme_table",
        on_select=tables.select_theme_from_table(summary), selection_mode="single-row",
        column_config=THEME_COLUMNS,
    )


def comment_choices(labels: dict[str, str],
                    answered_programs: pd.Series) -> dict[str, Any]:  # pragma: no cover
    """The comment filters (search, theme, programs, surveys, score), as keyword arguments of
    the page's plan."""
    search_column, theme_column = st.columns([2, 3])
    masked = masking.session_masked()
    search = search_column.text_input(
        "Search comments", key="q", bind="query-params", placeholder="e.g. slow, training",
        disabled=masked,
        help="Off while comments are masked: a search would tell what they say."
        if masked else None,
    )
    theme = theme_column.pills(
        "Theme", list(labels), format_func=labels.__getitem__, key="theme",
        bind="query-params",
    )
    program_column, survey_column, score_column = st.columns([3, 2, 2])
    programs = program_column.multiselect(
        "Programs", satisfaction.comment_programs(answered_programs),
        format_func=satisfaction.program_label, key="programs", bind="query-params",
        placeholder="All programs",
    )
    survey_types = survey_column.multiselect(
        "Surveys", list(satisfaction.SURVEY_METRICS), key="surveys", bind="query-params",
        placeholder="NPS, CSAT and CES",
    )
    lowest, highest = score_column.slider(
        "Score", min_value=0, max_value=10, value=(0, 10), key="scores",
        bind="query-params", help="NPS answers run 0–10, CSAT 1–5 and CES 1–7.",
    )
    return {"comment_search": search or "", "theme": theme or "", "programs": programs,
            "survey_types": survey_types, "min_score": lowest, "max_score": highest}


def follow_up_churn(retained: pd.DataFrame) -> None:  # pragma: no cover - drawn in the AppTest
    """How often followed-up and other detractors' accounts churned within the horizon."""
    verdict = satisfaction.retention_verdict(retained)
    if retained.empty:
        st.info("Not enough history yet to compare (answers need "
                f"{rules.CLOSED_LOOP_HORIZON_DAYS} days behind them).")
    elif verdict.status is Status.TOO_FEW:
        st.info(significance.too_few_text("Followed-up vs other detractors", verdict.text,
                                          units="answers"), icon=":material/query_stats:")
    else:
        bars = satisfaction.retention_bars(retained)
        charts.show(charts.grouped_bars(
            bars.labels, bars.churn_pct,
            title=f"Detractors whose account churned within {rules.CLOSED_LOOP_HORIZON_DAYS} days",
            colors=[charts.PALETTE["green"] if flag else charts.PALETTE["vermillion"]
                    for flag in bars.followed_up],
            hover_extra=bars.hover,
        ))
        st.caption(satisfaction.retention_note(retained))


OPEN_ANSWERS_TABLE = "closed_loop_open_answers"


def open_answers(open_answers: pd.DataFrame) -> None:  # pragma: no cover - drawn in the AppTest
    """The unhappy answers nobody followed up, overdue first, each with its Action cell."""
    if open_answers.empty:
        st.success("Every unhappy answer in the period was followed up in time.")
    else:
        shown = actions.with_action_column(
            satisfaction.open_answers_table(open_answers), "answer",
            list(open_answers["response_id"]))
        downloads.dataframe(
            shown, title="Unhappy answers not followed up", hide_index=True,
            column_config=tables.OPEN_ANSWER_COLUMNS, key=OPEN_ANSWERS_TABLE,
            on_select="rerun", selection_mode="single-cell",
        )
        actions.on_action_cell(
            OPEN_ANSWERS_TABLE, "answer", open_answers,
            key=lambda row: row["response_id"],
            label=satisfaction.answer_label,
            title=lambda row: "Call the customer back about their answer",
            account=lambda row: row["account_id"],
            department=lambda row: row["csm_department_id"],
            owner=lambda row: row.get("csm_employee_id"),
        )
        st.caption(
            f"{display.count_of(len(open_answers), 'answer')}, overdue first (at most "
            f"{rules.OPEN_ANSWERS_LIMIT:,} shown)."
        )


def score_trend(trend: pd.DataFrame,
                survey_type: str) -> None:  # pragma: no cover - drawn in the AppTest
    """A score by month with its 95% margin of error (`trend`: satisfaction.monthly_estimates)."""
    if trend.empty:
        st.info(f"No {survey_type} answers yet.")
        return
    metric = METRICS[satisfaction.SURVEY_METRICS[survey_type]]
    charts.show(charts.trend_with_band(
        list(trend["month"]), list(trend["value"]), list(trend["low"]), list(trend["high"]),
        metric.label,
        [satisfaction.estimate_caption(metric, estimate) for estimate in trend["estimate"]],
        tick_suffix="%" if metric.unit == "pct" else "",
        title=satisfaction.trend_title(metric),
    ))
    st.caption("The band is the 95% margin of error: months with few answers swing more. A "
               "change inside the band is noise.")
