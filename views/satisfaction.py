"""Satisfaction: how customers feel at each touchpoint, what they say, who nobody called back."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import display, satisfaction
from northstar.analytics.metrics import delta_color
from northstar.analytics.plans.satisfaction import DEFAULT_TARGET_DAYS
from northstar.data import rules
from northstar.data.registry import pages
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    page_data,
    page_queries,
    presentation,
    tables,
    voice,
)

SURVEY_METRICS = satisfaction.SURVEY_METRICS

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
data = page_data.page_data("satisfaction", metadata, state)

st.title("Satisfaction")
actions.saved_notice()
st.caption(filters.page_caption(state, metadata.as_of))

scores_tab, verbatims_tab, loop_tab = st.tabs(
    pages.tabs("satisfaction"), key="view", bind="query-params", on_change="rerun"
)

with scores_tab:
    if scores_tab.open:
        current = data["scores:current"]
        if current.empty:
            st.info("No survey answers in this period for these filters.", icon=":material/forum:")
        cards = satisfaction.score_cards(current, data["scores:previous"])
        for column, card in zip(st.columns(3), cards, strict=True):
            column.metric(
                card.metric.label, card.value, card.delta,
                delta_color=delta_color(card.metric) if card.is_real else "off",
                delta_arrow="auto" if card.is_real else "off",
                delta_description=card.note, help=card.metric.described, border=True,
            )
            column.caption(card.caption)

        st.subheader("Over time")
        # NPS first; a data set without NPS answers opens on the score it has
        first = satisfaction.first_score(current)
        measure = first if presentation.is_on() else st.segmented_control(
            "Score", list(SURVEY_METRICS), default=first, key="score", bind="query-params",
            required=True,
        )
        voice.score_trend(satisfaction.monthly_estimates(data["scores:monthly"], measure),
                          measure)
        presentation.end_of_slide()

        st.subheader("Score distribution")
        distribution = data["scores:distribution"]
        for column, survey_type in zip(st.columns(3), SURVEY_METRICS, strict=True):
            scores, counts, colours = satisfaction.distribution(distribution, survey_type)
            with column:
                if not sum(counts):
                    st.info(f"No {survey_type} answers in the period.")
                    continue
                charts.show(
                    charts.score_distribution(scores, counts, colours, f"{survey_type} answers")
                )
                st.caption(satisfaction.band_caption(distribution, survey_type))

        st.subheader("By touchpoint and customer")
        grouping = st.segmented_control(
            "Break down by", list(satisfaction.GROUPINGS),
            format_func=satisfaction.GROUPINGS.__getitem__, default="program", key="by",
            bind="query-params", required=True,
        )
        grouped = page_data.page_data("satisfaction", metadata, state,
                                      grouping=grouping)["scores:breakdown"]
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
        labels = {theme.name: theme.label for theme in themes}
        monthly = data["verbatims:themes"]
        spikes = satisfaction.detect_spikes(
            monthly, complaint_themes={t.name for t in themes if t.is_complaint}
        )
        summary = satisfaction.theme_summary(
            monthly, themes, satisfaction.period_months(window.start_month, window.end_month),
            spikes)
        for warning in satisfaction.spike_warnings(summary):
            st.warning(warning, icon=":material/trending_up:")
        st.caption(
            "A comment can fall under several themes. Select a theme to read its comments."
        )
        explain.how_computed(
            "Themes are found by keyword rules, one list of words and phrases per theme, kept "
            "in `config/comment_themes.toml` where an administrator can edit them."
        )
        voice.theme_table(summary)
        choices = voice.comment_choices(labels, data["verbatims:programs"]["group_value"])
        comments = page_data.page_data("satisfaction", metadata, state,
                                       **choices)["verbatims:comments"]
        if comments.empty:
            st.info("No comments match.", icon=":material/search_off:")
        else:
            st.caption(f"{display.count_of(len(comments), 'comment')}, newest first "
                       f"(at most {rules.COMMENTS_LIMIT:,}).")
            downloads.dataframe(
                satisfaction.comments_table(comments, labels), title="Survey comments",
                hide_index=True, column_config=tables.COMMENT_COLUMNS,
            )

with loop_tab:
    if loop_tab.open and data_needs.has_data("satisfaction", "Closed loop"):
        target_days = presentation.control(
            lambda: st.number_input(
                "Follow-up target (days)", min_value=1, max_value=60, value=DEFAULT_TARGET_DAYS,
                step=1, key="target", bind="query-params",
                help="An unhappy answer counts as followed up when a detractor follow-up, QBR or "
                "executive meeting with the account starts within this many days.",
            ),
            "target", DEFAULT_TARGET_DAYS, None, cast=int,
        )
        loop_data = page_data.page_data("satisfaction", metadata, state,
                                        target_days=int(target_days))
        monthly = loop_data["loop:monthly"]
        totals = satisfaction.loop_totals(
            satisfaction.months_between(monthly, window.start_month, window.end_month))
        for column, (label, value, help_text) in zip(
                st.columns(4), satisfaction.loop_cards(totals), strict=True):
            column.metric(label, value, border=True, help=help_text)
        left, right = st.columns(2)
        with left:
            if monthly.empty:
                st.info("No unhappy answers yet.")
            else:
                charts.show(charts.trend(
                    list(monthly["month"]), list(monthly["follow_up_rate_pct"]),
                    "Follow-up rate", tick_suffix="%", title="Followed up in time, by month",
                    hover_values=satisfaction.follow_up_hover(monthly),
                ))
        with right:
            voice.follow_up_churn(loop_data["loop:retention"])
        st.subheader("Nobody has called them back")
        voice.open_answers(loop_data["loop:open"])
