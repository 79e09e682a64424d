"""Department scorecard (`?department=<id>`): KPIs against targets over time, employee engagement,
kudos, the customer outcomes at the department's touchpoints, and the rows behind each number."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import goals
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_in_unit, is_missing
from northstar.data.months import add_months, last_day, month_label
from northstar.data.registry import access
from northstar.ui import (
    actions,
    charts,
    downloads,
    filters,
    page_queries,
    presentation,
    sign_in,
    tables,
)

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
scope = state.query_params()
as_of = metadata.as_of

st.title("Department scorecard")

departments = page_queries.run_query("goal_departments")
viewer = sign_in.current_viewer()
options = list(departments["department_id"])
if viewer.role == "department_head":
    # department heads see their own scorecard only (none when their department is unknown)
    options = [option for option in options if option == viewer.department]
if not options:
    st.info("No departments have been loaded.", icon=":material/domain_disabled:")
    st.stop()
names = dict(zip(departments["department_id"], departments["department_name"], strict=True))
heads = dict(zip(departments["department_id"], departments["head_name"], strict=True))
# the address carries the department's ID (?department=customer_service, what links build);
# the selector shows its name
DEPARTMENT_KEY = "department"
default = "customer_service" if "customer_service" in options else options[0]
asked = st.query_params.get(DEPARTMENT_KEY)
department_id = presentation.control(
    lambda: st.selectbox(
        "Department",
        options,
        index=options.index(asked if asked in options else default),
        format_func=lambda option: names.get(option, option),
        key="department_choice",
    ),
    DEPARTMENT_KEY, default, options,
)
st.query_params[DEPARTMENT_KEY] = department_id
department_name = names[department_id]
st.header(literal(department_name))
st.caption(
    f"Head: {literal(heads.get(department_id) or '—')} · {literal(state.caption())} · "
    f"data as of {as_of:%-d %b %Y}"
)

kpis = page_queries.run_query("goal_kpis")
actuals = page_queries.run_query("goal_kpi_actuals")
own = kpis.loc[kpis["department_id"] == department_id].reset_index(drop=True)
statuses = goals.kpi_statuses(own, actuals, window.start_month, window.end_month)
previous = goals.kpi_statuses(
    own, actuals, window.comparison_start_month, window.comparison_end_month
)
department_frame = departments.loc[departments["department_id"] == department_id]
score = goals.department_scores(statuses, department_frame)["score_pct"].iloc[0]
previous_score = goals.department_scores(previous, department_frame)["score_pct"].iloc[0]
runs = goals.off_track_runs(own, actuals, metadata.last_month)

st.subheader("KPIs against targets")
if own.empty:
    st.info(
        f"{literal(department_name)} has no KPIs in the catalogue yet, so it has no alignment "
        "score.",
        icon=":material/flag:",
    )
else:
    counts = statuses["status"].value_counts()
    columns = st.columns(4)
    columns[0].metric(
        "Alignment score",
        "—" if is_missing(score) else f"{score:.0f}%",
        None
        if is_missing(score) or is_missing(previous_score)
        else f"{score - previous_score:+.0f} pp",
        delta_description="vs comparison period",
        help=goals.SCORE_RULE,
        border=True,
    )
    for column, status in zip(columns[1:], ("on_track", "at_risk", "off_track"), strict=True):
        column.metric(
            goals.STATUSES[status].label,
            f"{int(counts.get(status, 0))} of {len(statuses)} KPIs",
            icon=goals.STATUSES[status].icon,
            help=goals.STATUSES[status].rule,
            border=True,
        )
    st.caption(goals.actual_caption(window.label))
    downloads.dataframe(
        goals.status_table(statuses, goals.latest_statuses(own, actuals, metadata.last_month),
                           department_links=False, as_of=metadata.last_month),
        hide_index=True,
        column_config=tables.KPI_STATUS_COLUMNS,
    )
    if not runs.empty:
        st.warning(
            "Off track two periods running or more: "
            + ", ".join(
                f"{literal(kpi_name)} ({periods} periods)"
                for kpi_name, periods in zip(
                    runs.merge(own, on="kpi_id")["kpi_name"], runs["periods_running"], strict=True
                )
            )
            + ". Listed for the accountability forum.",
            icon=":material/assignment_late:",
        )

    history_start = add_months(window.end_month, -(max(window.months, 12) - 1))
    on_slide = presentation.is_on() and len(own) > 2
    st.caption(
        f"Each KPI per period from {month_label(history_start)}, with its target (dashed)."
        + (f" The slide shows the first 2 of the department's {len(own)} KPIs; the page shows "
           "every one." if on_slide else "")
    )
    chart_columns = st.columns(2)
    for index, kpi in enumerate(own.itertuples(index=False)):
        if presentation.is_on() and index >= 2:
            break  # a slide shows one row of KPI charts
        series = actuals.loc[actuals["kpi_id"] == kpi.kpi_id].copy()
        series["period_start"] = pd.to_datetime(series["period_start"])
        series = series.loc[
            series["period_start"].dt.date >= goals.quarter_start(history_start)
            if kpi.period_grain == "quarter"
            else series["period_start"].dt.date >= history_start
        ]
        with chart_columns[index % 2]:
            if series.empty:
                st.info(f"{literal(kpi.kpi_name)}: no actuals in this window.")
                continue
            figure = charts.trend(
                list(series["period_start"]),
                list(series["actual_value"]),
                kpi.kpi_name,
                title=goals.chart_title(kpi.kpi_name, kpi.unit, kpi.target_value, kpi.direction),
                hover_values=[
                    format_in_unit(value, kpi.unit) for value in series["actual_value"]
                ],
                tick_prefix="$" if kpi.unit == "usd" else "",
                tick_suffix="%" if kpi.unit == "pct" else "",
            )
            if not is_missing(kpi.target_value):
                # the target is named in the title, so no label sits on the data line
                figure.add_hline(
                    y=kpi.target_value, line_dash="dash", line_color=charts.PALETTE["orange"]
                )
                shown = [*series["actual_value"].dropna(), kpi.target_value]
                pad = (max(shown) - min(shown)) * 0.1 or abs(kpi.target_value) * 0.1 or 1
                figure.update_yaxes(range=[min(shown) - pad, max(shown) + pad])
            charts.show(figure.update_layout(height=280))

period_dates = {
    "start_date": window.start_month,
    "end_date": as_of,
    "comparison_start_date": window.comparison_start_month,
    "comparison_end_date": last_day(window.comparison_end_month),
}

presentation.end_of_slide()
if actions.may_record():
    department_actions = actions.department_actions(department_id)
    st.subheader(f"Actions ({actions.open_count_text(department_actions)})")
    st.caption("What the department has committed to: open actions first. Record new ones "
               "from an off-track KPI on Goal alignment or the accountability forum.")
    actions.render_linked(department_actions, key="scorecard_actions", one_department=True)
st.subheader("Customer outcomes at its touchpoints")
touchpoints = page_queries.run_query(
    "goal_touchpoint_scores", **scope, **period_dates, department_id=department_id
)
if touchpoints.empty:
    st.info(
        f"No survey answer in the period names {literal(department_name)} as the touchpoint "
        "(for these filters).",
        icon=":material/sentiment_neutral:",
    )
else:
    st.caption(
        f"Survey answers in the period whose touchpoint is {literal(department_name)} "
        f"({literal(state.scope_caption())}); change against {window.comparison_label}. "
        "NPS: % promoters − % detractors; CSAT: % of answers 4–5; CES: mean on 1–7."
    )
    downloads.dataframe(goals.touchpoint_table(touchpoints), hide_index=True)

people_left, people_right = st.columns(2)
with people_left:
    st.subheader("Employee engagement")
    engagement = page_queries.run_query("goal_engagement", department_id=department_id)
    if engagement.empty:
        st.info("No employee engagement survey results for this department.")
    else:
        latest = engagement.iloc[-1]
        change = (
            latest["engagement_score"] - engagement.iloc[-2]["engagement_score"]
            if len(engagement) > 1
            else None
        )
        st.metric(
            f"Engagement, {goals.quarter_label(latest['quarter_start'])}",
            f"{latest['engagement_score']:.0f} / 100",
            None if change is None else f"{change:+.1f}",
            delta_description="vs the quarter before" if change is not None else None,
            help=f"{int(latest['respondents'])} of {int(latest['headcount'])} employees answered "
            f"({latest['response_rate_pct']:.0f}%).",
            border=True,
        )
        charts.show(
            charts.trend(
                [goals.quarter_label(start) for start in engagement["quarter_start"]],
                list(engagement["engagement_score"]),
                "Engagement",
                title="Engagement score by quarter (0–100)",
                hover_values=[
                    f"{score:.0f} · {int(respondents)} of {int(headcount)} answered"
                    for score, respondents, headcount in zip(
                        engagement["engagement_score"],
                        engagement["respondents"],
                        engagement["headcount"],
                        strict=True,
                    )
                ],
            )
            .update_xaxes(type="category", tickformat=None)
            .update_traces(hovertemplate="%{x}: %{text}<extra></extra>")
        )
with people_right:
    st.subheader("Kudos from customers")
    kudos = page_queries.run_query(
        "goal_kudos_employees",
        **scope,
        **period_dates,
        department_id=department_id,
        limit=goals.DRILL_LIMIT,
    )
    if kudos.empty:
        st.info(
            f"No customer gave kudos to {literal(department_name)} in the period "
            "(for these filters)."
        )
    else:
        st.metric(
            "Kudos in the period",
            f"{int(kudos['department_kudos'].iloc[0]):,}",
            help="Kudos given by accounts in the filters to this department's employees.",
            border=True,
        )
        downloads.dataframe(
            pd.DataFrame(
                {
                    "Employee": kudos["employee_name"],
                    "Role": kudos["job_title"],
                    "Kudos": kudos["kudos"],
                    "Accounts giving them": kudos["accounts"],
                    "Latest": kudos["latest_given_on"],
                }
            ),
            hide_index=True,
            column_config={"Latest": st.column_config.DateColumn(format="D MMM YYYY")},
            height=300,
        )

st.subheader("The rows behind the numbers")
computed = own.loc[own["computation"].isin(list(goals.DRILLS))]
choices = {f"kpi:{row.kpi_id}": row.kpi_name for row in computed.itertuples()}
if not touchpoints.empty:
    choices["touchpoint"] = f"Survey answers at {department_name}'s touchpoints"
if not choices:
    st.info(
        f"{literal(department_name)}'s KPIs are imported from the systems that hold them, so "
        "Northstar has no rows behind them; its touchpoints had no survey answers in the period.",
        icon=":material/info:",
    )
    st.stop()
choice = st.selectbox(
    "Show the rows behind", list(choices), format_func=choices.__getitem__, key="drill_kpi"
)
try:
    if choice == "touchpoint":
        query, params = (
            "goal_drill_answers",
            {
                "survey_types": ["NPS", "CSAT", "CES"],
                "programs": [],
                "department_ids": [department_id],
                "start_date": window.start_month,
                "end_date": as_of,
                "limit": goals.DRILL_LIMIT,
            },
        )
        described = (f"answers in {window.label} whose touchpoint is {literal(department_name)}, "
                     "lowest first")
    else:
        kpi = computed.loc[computed["kpi_id"] == choice.removeprefix("kpi:")].iloc[0]
        periods = sorted(
            (
                start.date()
                for start in pd.to_datetime(
                    actuals.loc[actuals["kpi_id"] == kpi["kpi_id"], "period_start"]
                )
            ),
            reverse=True,
        )
        if not periods:
            st.info(f"{literal(kpi['kpi_name'])} has no actuals yet.")
            st.stop()
        period_start = st.selectbox(
            "Period",
            periods[:24],
            format_func=lambda start: goals.period_label(
                start, kpi["period_grain"], metadata.last_month
            ),
            key="drill_period",
        )
        actual = actuals.loc[
            (actuals["kpi_id"] == kpi["kpi_id"])
            & (pd.to_datetime(actuals["period_start"]).dt.date == period_start),
            "actual_value",
        ]
        status = goals.kpi_status(
            actual.iloc[0] if len(actual) else None,
            kpi["target_value"],
            kpi["direction"],
            kpi["unit"],
        )
        st.caption(
            f"{literal(kpi['kpi_name'])} in "
            f"{goals.period_label(period_start, kpi['period_grain'], metadata.last_month)}: "
            f"{format_in_unit(actual.iloc[0] if len(actual) else None, kpi['unit'])} "
            f"against a target of {format_in_unit(kpi['target_value'], kpi['unit'])} — "
            f"{goals.status_text(status)}. The actual is company-wide; the rows below follow "
            "the account filters."
        )
        query, params = goals.drill_params(
            kpi["computation"], period_start, kpi["period_grain"], as_of
        )
        described = goals.DRILLS[kpi["computation"]].rows
    rows = page_queries.run_query(query, **scope, **params)
except access.AccessDenied as refusal:
    st.info(f"{refusal} The numbers above stay visible.", icon=":material/lock:")
    st.stop()
if rows.empty:
    st.info("No rows behind this number for these filters.", icon=":material/filter_alt_off:")
else:
    total = int(rows["total_rows"].iloc[0])
    shown = f"the first {len(rows):,} of {total:,}" if total > len(rows) else f"all {total:,}"
    covered = (
        f" {int(rows['covered_rows'].iloc[0]):,} of {total:,} accounts were surveyed."
        if "covered_rows" in rows
        else ""
    )
    st.caption(f"Showing {shown} {described}.{covered} Select an account to open its 360 view.")
    table = goals.drill_table(rows, query)
    downloads.dataframe(
        table, hide_index=True, column_config=tables.program_column_config(table), height=420
    )
