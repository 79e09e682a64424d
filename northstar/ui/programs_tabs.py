"""The tabs of the CCO programs page (views/programs.py): each shows the frames the page's plan
read for it (northstar.analytics.plans.programs)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from northstar.analytics import display, invest, programs, significance
from northstar.analytics.metrics import format_usd, format_value, is_missing
from northstar.analytics.periods import PeriodWindow
from northstar.analytics.programs import pct_text
from northstar.analytics.significance import Status
from northstar.data import rules, settings
from northstar.data.months import month_label
from northstar.ui import actions, charts, downloads, masking, presentation, tables


def show_table(table: pd.DataFrame, height: int | None = None) -> None:
    downloads.dataframe(table, hide_index=True, column_config=tables.program_column_config(table),
                        height=height or "auto")


def survey(program: settings.SurveyProgram, rate_label: str, intro: str, total: pd.DataFrame,
           trend: pd.DataFrame, low: pd.DataFrame, by_topic: pd.DataFrame | None,
           topics_hidden: bool, as_of: dt.date) -> None:
    """The shared layout of the onboarding and professional-services survey tabs; `by_topic`:
    the scores by engagement topic (None: not broken down)."""
    due_label = f"{program.engagement_label.capitalize()}s due"
    st.caption(intro)
    if total.empty or int(total["engagements_due"].iloc[0]) == 0:
        st.info(f"No {program.engagement_label}'s survey window closed in this period for these "
                "filters.", icon=":material/event_busy:")
        return
    row = total.iloc[0]
    columns = st.columns(4)
    columns[0].metric(due_label, f"{int(row['engagements_due']):,}", border=True)
    columns[1].metric(
        rate_label, pct_text(row["completion_pct"]), border=True,
        help=f"{int(row['answered']):,} answered of {int(row['engagements_due']):,} due.")
    columns[2].metric(
        programs.survey_csat_label(program.engagement_label), pct_text(row["csat_pct"]),
        border=True,
        help=f"Share of the {int(row['answered']):,} answers scoring 4 or 5 on the 1–5 scale.")
    columns[3].metric(
        "Mean score", "—" if is_missing(row["mean_score"]) else f"{row['mean_score']:.2f} / 5",
        border=True, help=f"Mean of {int(row['answered']):,} answers, 1 (very dissatisfied) to 5.")
    awaiting = int(row["awaiting_answers"])
    if awaiting:
        st.caption(f"{display.count_of(awaiting, 'more ' + program.engagement_label)} ended "
                   "recently and their answer window is still open: they are not counted yet.")
    left, right = st.columns(2)
    with left:
        if by_topic is None:
            distribution = programs.score_distribution(row)
            charts.show(charts.grouped_bars(
                [f"Score {score}" for score in distribution["score"]],
                list(distribution["share_pct"]),
                title="Answers by score (share of answers)",
                colors=[charts.NEGATIVE] * 2 + [charts.TOTAL] + [charts.POSITIVE] * 2,
                hover_extra=[f"{count:,} answers" for count in distribution["answers"]]))
        else:
            scored = by_topic.dropna(subset=["csat_pct"]).sort_values("csat_pct")
            if scored.empty:
                st.info("No answers in this period.")
            else:
                charts.show(charts.grouped_bars(
                    list(scored["topic"]), list(scored["csat_pct"]),
                    title="CSAT by engagement topic",
                    hover_extra=[f"{answered:,} answers · mean {mean:.2f}" for answered, mean
                                 in zip(scored["answered"], scored["mean_score"], strict=True)]))
    with right:
        long = programs.survey_trend_long(trend, rate_label, as_of)
        if long.empty:
            st.info("No quarter has answers yet.")
        else:
            figure = charts.lines(long, "quarter", "value_pct", "series", y_suffix="%",
                                  title=f"{rate_label} and CSAT by quarter")
            charts.show(figure.update_yaxes(range=[0, 105]))
    if by_topic is not None:
        show_table(programs.topic_table(by_topic))
    elif topics_hidden:
        st.caption("Scores by engagement topic are hidden while names are masked: topics come "
                   "from the engagements' notes.")
    with st.expander("By quarter (all history)"):
        show_table(programs.survey_quarter_table(trend, rate_label, due_label))

    presentation.end_of_slide()
    st.subheader("Low scores (1–2) in the period")
    if low.empty:
        st.info("No answer of 1 or 2 in this period.", icon=":material/sentiment_satisfied:")
        return
    shown = display.count_of(len(low), "answer")
    if len(low) == rules.LIST_LIMIT:
        shown = f"the first {shown}"
    st.caption(f"Showing {shown}, lowest score and newest first. Select an account to open "
               "its 360 view.")
    show_table(programs.low_scores_table(
        low, f"{program.engagement_label.capitalize()} ended", by_topic is not None))


def board_comparison(comparison: pd.DataFrame, model_terms: pd.DataFrame,
                     window: PeriodWindow) -> None:
    """Whether advisory board accounts stay and grow more than comparable accounts."""
    groups = programs.comparison_groups(comparison)
    cab, comparable = groups[1], groups[2]
    st.subheader("Do advisory board accounts stay and grow more?")
    st.caption(
        f"Accounts active in {month_label(window.opening_month)} and what happened "
        f"to them by {month_label(window.end_month)}; NPS from relationship survey "
        f"answers in the period. {programs.COMPARABLE_RULE} Floors this period: "
        f"{programs.floors_text(comparison['comparable_floors'].iloc[0])}."
    )
    if int(cab["opening_accounts"]) == 0:
        st.info("No advisory board member was an active account at the start of this period for "
                "these filters, so there is nothing to compare.", icon=":material/groups:")
        return
    columns = st.columns(3)
    for column, (name, label, unit) in zip(
            columns, (("logo_churn_pct", "Logo churn", "pp"), ("nrr_pct", "NRR", "pp"),
                      ("nps", "NPS", "pts")), strict=True):
        gap = programs.difference(cab, comparable, name)
        verdict = programs.comparison_verdict(cab, comparable, name)
        good = "inverse" if name == "logo_churn_pct" else "normal"
        column.metric(
            f"{label}: members vs comparable",
            f"{format_value(name, cab[name])} vs {format_value(name, comparable[name])}",
            programs.points_text(gap, unit) if gap is not None else None,
            delta_color=good if verdict.is_real else "off",
            delta_arrow="auto" if verdict.is_real else "off",
            # the card is narrow: the verdict in it, the sample sizes in its help
            delta_description=verdict.status.value if gap is not None else None,
            border=True,
            help=(f"Members minus comparable accounts: {verdict.text}. Members: "
                  f"{programs.group_size_text(cab, name == 'nps')}; comparable: "
                  f"{programs.group_size_text(comparable, name == 'nps')}."),
        )
    show_table(programs.comparison_table(comparison))
    if int(comparable["opening_accounts"]) == 0:
        st.info("No non-member account is comparable to the members in this period.")
    st.caption(invest.model_reading("not_cab_member", model_terms))


def board_sessions(all_sessions: pd.DataFrame, members: pd.DataFrame, window: PeriodWindow,
                   as_of: dt.date) -> None:
    """The advisory board's sessions and attendance, and its current members."""
    st.subheader("Sessions and attendance")
    grain = st.segmented_control(
        "Sessions per", list(programs.SESSION_GRAINS), format_func=str.capitalize,
        default="quarter", key="cab_grain", bind="query-params", required=True)
    sessions = programs.sessions_at(all_sessions, grain)
    if sessions.empty:
        st.info("No advisory board session has been recorded for these filters.")
    else:
        in_period = programs.sessions_in_period(programs.sessions_at(all_sessions, "month"),
                                                window)
        st.caption(
            f"A session is the advisory board engagements held on one date. In the period: "
            f"{display.count_of(in_period['sessions'], 'session')}, "
            f"{in_period['attended']:,} of {in_period['invitations']:,} invitations attended "
            f"({pct_text(in_period['attendance_pct'])})."
        )
        left, right = st.columns(2)
        with left:
            charts.show(charts.stacked_bars(
                programs.sessions_long(sessions, grain, as_of), "period", "invitations",
                "status", usd=False, title=f"Member invitations per {grain}"))
        with right:
            attendance = charts.lines(
                sessions.assign(period=[programs.period_label(start, grain, as_of)
                                        for start in sessions["period_start"]],
                                series="Attendance rate"),
                "period", "attendance_pct", "series", y_suffix="%",
                title="Attendance rate (attended ÷ invited)")
            charts.show(attendance.update_yaxes(range=[0, 105]))

    st.subheader("Members")
    if members.empty:
        st.info("No current advisory board member matches these filters.")
    else:
        st.caption(f"{display.count_of(len(members), 'current member')}, largest ARR first; "
                   f"sessions counted over the 12 months to {as_of:%-d %b %Y}. Select an "
                   "account to open its 360 view.")
        show_table(programs.members_table(members))


def executive(top_n: int, months: programs.ExecMonths, coverage: pd.DataFrame,
              unmet: pd.DataFrame, model_terms: pd.DataFrame, as_of: dt.date) -> None:
    """Executive meetings with the top accounts: coverage now and over time, and what the top
    accounts met or not did next."""
    last_month, outcome_month = months.last_month, months.outcome_month
    trend = programs.coverage_trend(coverage)
    current = programs.coverage_at(trend, [last_month])
    st.caption(
        f"The top {top_n} active accounts by ARR in {month_label(last_month)} "
        "(accounts tied with the last one included). Met = an attended executive face-to-face "
        f"meeting in the 12 months to {as_of:%-d %b %Y} (a meeting exactly a year earlier "
        "counts). The period filter does not apply here; the account filters do."
    )
    if current.empty:
        st.info("No active account matches these filters.", icon=":material/filter_alt_off:")
        return
    now = current.iloc[0]
    columns = st.columns(3)
    columns[0].metric("Top accounts met in the last 12 months", pct_text(now["coverage_pct"]),
                      border=True,
                      help=f"{int(now['met_accounts'])} of {int(now['top_accounts'])} accounts.")
    columns[1].metric("Their share of top-account ARR", pct_text(now["arr_coverage_pct"]),
                      border=True,
                      help=f"{format_usd(now['met_arr_usd'])} of {format_usd(now['arr_usd'])}.")
    columns[2].metric("Top accounts not met",
                      f"{int(now['top_accounts'] - now['met_accounts']):,}", border=True)

    left, right = st.columns(2)
    with left:
        history = programs.coverage_at(trend, months.points)
        if len(history) < 2:
            st.info("The trend needs at least 15 months of history.")
        else:
            coverage_figure = charts.trend(
                list(history["snapshot_month"]), list(history["coverage_pct"]), "Coverage",
                tick_suffix="%", title="Share of top accounts met in the 12 months before",
                hover_values=[
                    f"{pct_text(pct)} ({int(met)} of {int(top)})" for pct, met, top in zip(
                        history["coverage_pct"], history["met_accounts"],
                        history["top_accounts"], strict=True)])
            charts.show(coverage_figure.update_yaxes(range=[0, 105]))
    with right:
        outcomes = programs.coverage_outcomes(coverage, outcome_month)
        verdict = programs.outcomes_verdict(outcomes)
        if len(outcomes) < 2:
            st.info("Met vs not met needs 24 months of history and both groups present.",
                    icon=":material/history:")
        elif verdict.status is Status.TOO_FEW:
            st.info(significance.too_few_text("Met vs not met", verdict.text),
                    icon=":material/query_stats:")
        else:
            charts.show(charts.grouped_bars(
                list(outcomes["Top accounts"]), list(outcomes["Logo churn"]),
                title=f"Churn in the 12 months after {month_label(outcome_month)}",
                colors=[charts.POSITIVE, charts.NEGATIVE],
                hover_extra=[f"{int(churned)} of {int(accounts)} accounts · "
                             f"NRR {format_value('nrr_pct', nrr)}"
                             for churned, accounts, nrr in zip(
                                 outcomes["Churned within 12 months"], outcomes["Accounts"],
                                 outcomes["NRR"], strict=True)]))
    if len(outcomes) >= 2:
        if verdict.status is not Status.TOO_FEW:
            st.caption(f"The difference in churn is {verdict.text}.")
        st.caption(
            f"The top {top_n} accounts of {month_label(outcome_month)}, split by "
            "whether they had met an executive in the 12 months before, and what they did "
            "over the next 12 months (churn: no revenue "
            f"in {month_label(last_month)}; NRR: their ARR then ÷ ARR "
            f"in {month_label(outcome_month)})."
        )
        show_table(outcomes)
    st.caption(invest.model_reading("no_executive_meeting", model_terms))

    presentation.end_of_slide()
    st.subheader("Top accounts not met in the last 12 months")
    if unmet.empty:
        st.success(f"Every top-{top_n} account met an executive in the last 12 months.",
                   icon=":material/check_circle:")
    else:
        st.caption("Largest ARR first. Select an account to open its 360 view.")
        show_table(programs.unmet_table(unmet))


def ticket_reasons(categories: pd.DataFrame, ageing: pd.DataFrame, as_of: dt.date) -> None:
    """Why tickets arrive, and the open tickets by age."""
    st.subheader("Why tickets arrive")
    if categories.empty:
        st.info("No ticket was opened in this period for these filters.")
    else:
        total = programs.ticket_totals(categories)
        columns = st.columns(4)
        columns[0].metric("Tickets opened", f"{int(total['opened_tickets']):,}", border=True)
        columns[1].metric(
            "Still open", f"{int(total['open_tickets']):,}", border=True,
            help=f"Of the tickets opened in the period, unresolved at {as_of:%-d %b %Y}.")
        columns[2].metric(
            "First response, median", display.hours_text(total["median_first_response_hours"]),
            border=True, help="Half of first responses came faster; 9 in 10 came within "
            f"{display.hours_text(total['p90_first_response_hours'])}.")
        columns[3].metric(
            "Resolution, median", display.hours_text(total["median_resolution_hours"]),
            border=True, help="Solved tickets only; 9 in 10 were solved within "
            f"{display.hours_text(total['p90_resolution_hours'])}.")
        st.caption(programs.TICKETS_OPENED_CAPTION)
        charts.show(charts.stacked_bars(
            programs.category_status_long(categories), "category", "tickets", "status",
            usd=False, title="Tickets opened in the period by category: solved vs still open"))
        show_table(programs.category_table(categories))

    presentation.end_of_slide()
    st.subheader("Open tickets by age")
    open_total = int(ageing["open_tickets"].sum())
    if open_total == 0:
        st.info(f"No ticket was open at the end of {as_of:%-d %b %Y}.")
        return
    st.caption(f"{display.count_of(open_total, 'ticket')} open at the end of {as_of:%-d %b %Y}, "
               "whenever they were opened; age = whole days from the day opened.")
    charts.show(charts.horizontal_bars(
        list(ageing["age_bucket"]), list(ageing["open_tickets"]), usd=False,
        color=charts.PALETTE["orange"],
        hover_extra=[f"{int(count):,} open · {int(escalated):,} escalated · "
                     f"{int(urgent):,} urgent or high" for count, escalated, urgent in zip(
                         ageing["open_tickets"], ageing["escalated_tickets"],
                         ageing["urgent_or_high_tickets"], strict=True)]))


def ticket_followups(followups: pd.DataFrame, table_key: str) -> None:
    """The tickets needing follow-up, an action one click away on each."""
    st.subheader("Tickets needing follow-up")
    counts = programs.follow_up_counts(followups)
    columns = st.columns(len(programs.FOLLOW_UP_COUNTS))
    for column, (name, label) in zip(columns, programs.FOLLOW_UP_COUNTS.items(), strict=True):
        column.metric(label, f"{counts[name]:,}", border=True)
    st.caption(
        "Open escalations and tickets open more than "
        f"{rules.OPEN_TICKET_FOLLOW_UP_DAYS} days, whenever opened; reopened "
        "tickets and tickets rated CSAT 1–2 among those opened in the period. Open tickets "
        "first, escalations first, then the oldest."
    )
    if followups.empty:
        st.info("No ticket needs follow-up.", icon=":material/task_alt:")
        return
    if counts["matching_tickets"] > len(followups):
        st.caption(f"Showing the first {len(followups):,} of "
                   f"{counts['matching_tickets']:,} tickets.")
    table = actions.with_action_column(
        programs.follow_up_table(followups), "ticket", list(followups["ticket_id"]), position=2)
    downloads.dataframe(
        table, hide_index=True, column_config=tables.program_column_config(table),
        height=420, key=table_key, on_select="rerun", selection_mode="single-cell")
    actions.on_action_cell(
        table_key, "ticket", followups,
        key=lambda row: row["ticket_id"],
        label=lambda row: f"{row['ticket_id']} from {row['account_name']}",
        title=lambda row: "Resolve the ticket and call the customer",
        account=lambda row: row["account_id"],
        department=lambda row: row["department_id"],
        owner=lambda row: row["csm_employee_id"],
    )


def kudos(quarters: pd.DataFrame, employees: pd.DataFrame, recent: pd.DataFrame,
          window: PeriodWindow, as_of: dt.date) -> None:
    """Kudos from customers by department and quarter, the most praised employees, the newest."""
    if quarters.empty:
        st.info("No kudos have been recorded for these filters.", icon=":material/favorite:")
    else:
        charts.show(charts.stacked_bars(
            programs.kudos_by_quarter(quarters, as_of), "quarter", "kudos", "department_name",
            usd=False, title="Kudos from customers by department, by quarter"))
    st.subheader(f"Most praised employees · {window.label}")
    if employees.empty:
        st.info("No kudos in this period.")
        return
    top = employees.head(10)
    left, right = st.columns([2, 3])
    with left:
        charts.show(charts.horizontal_bars(
            display.distinct_labels(list(top["employee_name"]), list(top["job_title"])),
            list(top["kudos"]), usd=False, color=charts.POSITIVE,
            hover_extra=[f"{int(count)} kudos · {department}" for count, department in zip(
                top["kudos"], top["department_name"], strict=True)]))
    with right:
        show_table(programs.kudos_employee_table(employees), height=440)
    presentation.end_of_slide()
    st.subheader("Recent kudos")
    st.caption(f"The newest {len(recent):,} kudos in the period, "
               + ("their words hidden while customer names are masked." if masking.session_masked()
                  else "as customers wrote them."))
    show_table(programs.kudos_recent_table(recent))
