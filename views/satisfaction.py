"""Satisfaction: how customers feel at each touchpoint, what they say, who nobody called back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import display, periods, satisfaction, significance
from northstar.analytics.metrics import METRICS, format_delta, format_value, shown_delta
from northstar.analytics.significance import Status
from northstar.data import rules
from northstar.data.months import last_day
from northstar.data.registry import pages
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    masking,
    page_queries,
    presentation,
    tables,
)

OPEN_ANSWERS_TABLE = "closed_loop_open_answers"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
params = state.query_params()
period_dates = {"start_date": window.start_month, "end_date": last_day(window.end_month)}
comparison_dates = {
    "start_date": window.comparison_start_month,
    "end_date": last_day(window.comparison_end_month),
}

st.title("Satisfaction")
actions.saved_notice()
st.caption(filters.page_caption(state, metadata.as_of))

scores_tab, verbatims_tab, loop_tab = st.tabs(
    pages.tabs("satisfaction"), key="view", bind="query-params", on_change="rerun"
)

SURVEY_METRICS = {"NPS": "nps", "CSAT": "csat_pct", "CES": "ces_mean"}

with scores_tab:
    if scores_tab.open:
        current = page_queries.run_query("survey_scores", **params, **period_dates,
                                         group_by="none")
        previous = page_queries.run_query("survey_scores", **params, **comparison_dates,
                                          group_by="none")
        if current.empty:
            st.info("No survey answers in this period for these filters.", icon=":material/forum:")
        columns = st.columns(3)
        for column, (survey_type, name) in zip(columns, SURVEY_METRICS.items(), strict=True):
            metric = METRICS[name]
            now = satisfaction.estimate_for(current, survey_type)
            before = satisfaction.estimate_for(previous, survey_type)
            delta = shown_delta(metric, now.value, before.value)
            verdict = satisfaction.change_verdict(now, before)
            column.metric(
                metric.label,
                format_value(metric, now.value),
                format_delta(metric, delta),
                delta_color=metric.delta_color if verdict.is_real else "off",
                delta_arrow="auto" if verdict.is_real else "off",
                delta_description=satisfaction.change_note(verdict),
                help=metric.definition,
                border=True,
            )
            column.caption(satisfaction.estimate_caption(metric, now))

        st.subheader("Over time")
        # NPS first; a data set without NPS answers opens on the score it has
        answered = set(current["survey_type"]) if not current.empty else set()
        first = next((kind for kind in SURVEY_METRICS if kind in answered), "NPS")
        measure = first if presentation.is_on() else st.segmented_control(
            "Score",
            list(SURVEY_METRICS),
            default=first,
            key="score",
            bind="query-params",
            required=True,
        )
        monthly = page_queries.run_query(
            "survey_scores",
            **params,
            start_date=periods.EARLIEST,
            end_date=metadata.as_of,
            group_by="month",
        )
        trend = satisfaction.monthly_estimates(monthly, measure)
        if trend.empty:
            st.info(f"No {measure} answers yet.")
        else:
            metric = METRICS[SURVEY_METRICS[measure]]
            charts.show(
                charts.trend_with_band(
                    list(trend["month"]),
                    list(trend["value"]),
                    list(trend["low"]),
                    list(trend["high"]),
                    metric.label,
                    [satisfaction.estimate_caption(metric, estimate)
                     for estimate in trend["estimate"]],
                    tick_suffix="%" if metric.unit == "pct" else "",
                    title=f"{metric.label} by month"
                    + {"pct": ", %", "nps": ", points", "mean_score": ", mean of 1–7"}.get(
                        metric.unit, ""),
                )
            )
            st.caption(
                "The band is the 95% margin of error: months with few answers swing more. "
                "A change inside the band is noise."
            )
        presentation.end_of_slide()

        st.subheader("Score distribution")
        distribution = page_queries.run_query("survey_distribution", **params, **period_dates)
        columns = st.columns(3)
        for column, survey_type in zip(columns, SURVEY_METRICS, strict=True):
            scores, counts, colours = satisfaction.distribution(distribution, survey_type)
            with column:
                if not sum(counts):
                    st.info(f"No {survey_type} answers in the period.")
                    continue
                charts.show(
                    charts.score_distribution(scores, counts, colours, f"{survey_type} answers")
                )
                st.caption(
                    " · ".join(
                        f"{label}: {share:.1f}% ({answers:,})"
                        for label, answers, share
                        in satisfaction.band_shares(distribution, survey_type)
                    )
                )

        st.subheader("By touchpoint and customer")
        grouping = st.segmented_control(
            "Break down by",
            list(satisfaction.GROUPINGS),
            format_func=satisfaction.GROUPINGS.__getitem__,
            default="program",
            key="by",
            bind="query-params",
            required=True,
        )
        grouped = page_queries.run_query("survey_scores", **params, **period_dates,
                                         group_by=grouping)
        if grouped.empty:
            st.info("No survey answers in this period for these filters.")
        else:
            table = satisfaction.breakdown_table(grouped, grouping)
            downloads.dataframe(
                table, hide_index=True, column_config=tables.score_breakdown_column_config(table)
            )
            st.caption(satisfaction.BREAKDOWN_CAPTION)

with verbatims_tab:
    if verbatims_tab.open and data_needs.has_data("satisfaction", "Verbatims"):
        themes = satisfaction.load_themes()
        theme_params = satisfaction.theme_params(themes)
        labels = {theme.name: theme.label for theme in themes}
        monthly = page_queries.run_query("comment_theme_months", **params, **theme_params)
        spikes = satisfaction.detect_spikes(
            monthly, complaint_themes={t.name for t in themes if t.is_complaint}
        )
        period_months = list(pd.date_range(window.start_month, window.end_month, freq="MS"))
        summary = satisfaction.theme_summary(monthly, themes, period_months, spikes)
        flagged = summary.loc[summary["Spike"] != ""]
        for row in flagged.itertuples():
            st.warning(
                f"Complaint spike — {row.Theme}: {row.Spike}.", icon=":material/trending_up:"
            )
        st.caption(
            "A comment can fall under several themes. Select a theme to read its comments."
        )
        explain.how_computed(
            "Themes are found by keyword rules, one list of words and phrases per theme, kept "
            "in `config/comment_themes.toml` where an administrator can edit them."
        )
        downloads.dataframe(
            summary.drop(columns="theme"),
            hide_index=True,
            key="theme_table",
            on_select=tables.select_theme_from_table(summary),
            selection_mode="single-row",
            column_config={
                "Comments": st.column_config.NumberColumn(help="Comments in the period"),
                "Last 12 months": st.column_config.LineChartColumn(
                    help="Comments per month, last 12 months of data", y_min=0
                ),
                "Spike": st.column_config.TextColumn(
                    help="A month far above the theme's own 6-month baseline"
                ),
            },
        )
        search_column, theme_column = st.columns([2, 3])
        comments_masked = masking.session_masked()
        search = search_column.text_input(
            "Search comments", key="q", bind="query-params", placeholder="e.g. slow, training",
            disabled=comments_masked,
            help="Off while comments are masked: a search would tell what they say."
            if comments_masked else None,
        )
        theme = theme_column.pills(
            "Theme",
            list(labels),
            format_func=labels.__getitem__,
            key="theme",
            bind="query-params",
        )
        program_column, survey_column, score_column = st.columns([3, 2, 2])
        answered = page_queries.run_query("survey_scores", **params, **period_dates,
                                     group_by="program")
        programs = program_column.multiselect(
            "Programs",
            satisfaction.comment_programs(answered["group_value"]),
            format_func=satisfaction.program_label,
            key="programs",
            bind="query-params",
            placeholder="All programs",
        )
        survey_types = survey_column.multiselect(
            "Surveys",
            list(SURVEY_METRICS),
            key="surveys",
            bind="query-params",
            placeholder="NPS, CSAT and CES",
        )
        lowest, highest = score_column.slider(
            "Score",
            min_value=0,
            max_value=10,
            value=(0, 10),
            key="scores",
            bind="query-params",
            help="NPS answers run 0–10, CSAT 1–5 and CES 1–7.",
        )
        comments = page_queries.run_query(
            "survey_comments",
            **params,
            **period_dates,
            **theme_params,
            programs=programs,
            survey_types=survey_types,
            min_score=lowest,
            max_score=highest,
            search=(search or "").strip(),
            theme=theme or "",
            limit=500,
        )
        if comments.empty:
            st.info("No comments match.", icon=":material/search_off:")
        else:
            st.caption(f"{display.count_of(len(comments), 'comment')}, newest first (at most 500).")
            shown = satisfaction.comments_table(comments, labels)
            downloads.dataframe(
                shown, title="Survey comments", hide_index=True,
                column_config=tables.COMMENT_COLUMNS,
            )

with loop_tab:
    if loop_tab.open and data_needs.has_data("satisfaction", "Closed loop"):
        target_days = presentation.control(
            lambda: st.number_input(
                "Follow-up target (days)",
                min_value=1,
                max_value=60,
                value=7,
                step=1,
                key="target",
                bind="query-params",
                help="An unhappy answer counts as followed up when a detractor follow-up, QBR or "
                "executive meeting with the account starts within this many days.",
            ),
            "target", 7, None, cast=int,
        )
        loop_params = {**params, "target_days": int(target_days), "as_of_date": metadata.as_of}
        monthly = page_queries.run_query("closed_loop_monthly", **loop_params)
        in_period = satisfaction.months_between(monthly, window.start_month, window.end_month)
        totals = satisfaction.loop_totals(in_period)
        columns = st.columns(4)
        columns[0].metric(
            "Unhappy answers",
            f"{totals['unhappy_answers']:,}",
            border=True,
            help="NPS 0–6 and CSAT 1–2 answers in the period.",
        )
        columns[1].metric(
            "Followed up in time",
            satisfaction.format_pct(totals["follow_up_rate_pct"]),
            border=True,
            help="Share of answers past their target that were followed up within it.",
        )
        columns[2].metric(
            "Overdue",
            f"{totals['overdue']:,}",
            border=True,
            help="No follow-up, and the target has passed.",
        )
        columns[3].metric(
            "Due now",
            f"{totals['due']:,}",
            border=True,
            help="No follow-up yet, still within the target.",
        )
        left, right = st.columns(2)
        with left:
            if monthly.empty:
                st.info("No unhappy answers yet.")
            else:
                charts.show(
                    charts.trend(
                        list(monthly["month"]),
                        list(monthly["follow_up_rate_pct"]),
                        "Follow-up rate",
                        tick_suffix="%",
                        title="Followed up in time, by month",
                        hover_values=[
                            f"{satisfaction.format_pct(rate)} of {int(answers - due):,}"
                            for rate, answers, due in zip(
                                monthly["follow_up_rate_pct"],
                                monthly["unhappy_answers"],
                                monthly["due"],
                                strict=True,
                            )
                        ],
                    )
                )
        with right:
            retained = page_queries.run_query("closed_loop_retention", **loop_params,
                                         horizon_days=rules.CLOSED_LOOP_HORIZON_DAYS)
            loop_verdict = satisfaction.retention_verdict(retained)
            if retained.empty:
                st.info("Not enough history yet to compare (answers need "
                        f"{rules.CLOSED_LOOP_HORIZON_DAYS} days behind them).")
            elif loop_verdict.status is Status.TOO_FEW:
                st.info(
                    significance.too_few_text("Followed-up vs other detractors",
                                              loop_verdict.text, units="answers"),
                    icon=":material/query_stats:",
                )
            else:
                labels = [
                    "Followed up" if flag else "Not followed up"
                    for flag in retained["was_followed_up"]
                ]
                charts.show(
                    charts.grouped_bars(
                        labels,
                        list(retained["churn_pct"]),
                        title="Detractors whose account churned within "
                        f"{rules.CLOSED_LOOP_HORIZON_DAYS} days",
                        colors=[
                            charts.PALETTE["green"] if flag else charts.PALETTE["vermillion"]
                            for flag in retained["was_followed_up"]
                        ],
                        hover_extra=[
                            f"{int(c):,} of {int(n):,} answers"
                            for c, n in zip(
                                retained["churned_within_horizon"],
                                retained["detractor_answers"],
                                strict=True,
                            )
                        ],
                    )
                )
                st.caption(satisfaction.retention_note(retained))
        st.subheader("Nobody has called them back")
        open_answers = page_queries.run_query(
            "closed_loop_open", **loop_params, **period_dates, limit=300
        )
        if open_answers.empty:
            st.success("Every unhappy answer in the period was followed up in time.")
        else:
            shown = actions.with_action_column(
                satisfaction.open_answers_table(open_answers), "answer",
                list(open_answers["response_id"]))
            downloads.dataframe(
                shown,
                title="Unhappy answers not followed up",
                hide_index=True,
                column_config=tables.OPEN_ANSWER_COLUMNS,
                key=OPEN_ANSWERS_TABLE,
                on_select="rerun",
                selection_mode="single-cell",
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
                f"{display.count_of(len(open_answers), 'answer')}, overdue first (at most 300 "
                "shown)."
            )
