"""Department scorecard (`?department=<id>`): KPIs against targets over time, employee engagement,
kudos, the customer outcomes at the department's touchpoints, and the rows behind each number."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import goals, scorecard
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_in_unit
from northstar.data.registry import access
from northstar.ui import (
    actions,
    downloads,
    filters,
    page_data,
    page_queries,
    presentation,
    sign_in,
    tables,
)
from northstar.ui import scorecard_display as show

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
as_of = metadata.as_of

st.title("Department scorecard")

departments = page_data.page_data("scorecard", metadata, state)["departments"]
viewer = sign_in.current_viewer()
# department heads see their own scorecard only (none when their department is unknown)
options = scorecard.department_options(departments, viewer.role, viewer.department)
if not options:
    st.info("No departments have been loaded.", icon=":material/domain_disabled:")
    st.stop()
names = dict(zip(departments["department_id"], departments["department_name"], strict=True))
heads = dict(zip(departments["department_id"], departments["head_name"], strict=True))
# the address carries the department's ID (?department=customer_service, what links build);
# the selector shows its name
DEPARTMENT_KEY = "department"
default = scorecard.default_department(options)
asked = st.query_params.get(DEPARTMENT_KEY)
department_id = presentation.control(
    lambda: st.selectbox(
        "Department", options, index=options.index(asked if asked in options else default),
        format_func=lambda option: names.get(option, option), key="department_choice"),
    DEPARTMENT_KEY, default, options,
)
st.query_params[DEPARTMENT_KEY] = department_id
department_name = names[department_id]
data = page_data.page_data("scorecard", metadata, state, department=department_id)
st.header(literal(department_name))
st.caption(f"Head: {literal(heads.get(department_id) or '—')} · {literal(state.caption())} · "
           f"data as of {as_of:%-d %b %Y}")

actuals = data["actuals"]
own = scorecard.own_kpis(data["kpis"], department_id)
statuses, score, previous_score = scorecard.scores(own, actuals, departments, department_id,
                                                   window)
runs = goals.off_track_runs(own, actuals, metadata.last_month)

st.subheader("KPIs against targets")
if own.empty:
    st.info(f"{literal(department_name)} has no KPIs in the catalogue yet, so it has no "
            "alignment score.", icon=":material/flag:")
else:
    counts = statuses["status"].value_counts()
    columns = st.columns(4)
    columns[0].metric("Alignment score", goals.score_text(score),
                      goals.score_change_text(score, previous_score),
                      delta_description=window.comparison_phrase, help=goals.score_rule(),
                      border=True)
    for column, status in zip(columns[1:], ("on_track", "at_risk", "off_track"), strict=True):
        column.metric(goals.STATUSES[status].label,
                      f"{int(counts.get(status, 0))} of {len(statuses)} KPIs",
                      icon=goals.STATUSES[status].icon, help=goals.STATUSES[status].rule,
                      border=True)
    st.caption(goals.actual_caption(window.phrase))
    downloads.dataframe(
        goals.status_table(statuses, goals.latest_statuses(own, actuals, metadata.last_month),
                           department_links=False, as_of=metadata.last_month),
        hide_index=True, column_config=tables.KPI_STATUS_COLUMNS)
    if not runs.empty:
        st.warning(scorecard.off_track_text(runs, own), icon=":material/assignment_late:")
    show.kpi_charts(own, actuals, scorecard.history_start(window))

presentation.end_of_slide()
if actions.may_record():
    department_actions = actions.department_actions(department_id)
    st.subheader(f"Actions ({actions.open_count_text(department_actions)})")
    st.caption("What the department has committed to: open actions first. Record new ones "
               "from an off-track KPI on Goal alignment or the accountability forum.")
    actions.render_linked(department_actions, key="scorecard_actions", one_department=True)
st.subheader("Customer outcomes at its touchpoints")
touchpoints = data["touchpoints"]
if touchpoints.empty:
    st.info(f"No survey answer in the period names {literal(department_name)} as the "
            "touchpoint (for these filters).", icon=":material/sentiment_neutral:")
else:
    st.caption(
        f"Survey answers in the period whose touchpoint is {literal(department_name)} "
        f"({literal(state.scope_caption())}); change against {window.comparison_label}. "
        "NPS: % promoters − % detractors; CSAT: % of answers 4–5; CES: mean on 1–7."
    )
    downloads.dataframe(goals.touchpoint_table(touchpoints), hide_index=True)

people_left, people_right = st.columns(2)
with people_left:
    show.engagement(data["engagement"])
with people_right:
    show.kudos(data["kudos"], department_name)

st.subheader("The rows behind the numbers")
computed, choices = scorecard.drill_choices(own, not touchpoints.empty, department_name)
if not choices:
    st.info(f"{literal(department_name)}'s KPIs are imported from the systems that hold them, "
            "so Northstar has no rows behind them; its touchpoints had no survey answers in the "
            "period.", icon=":material/info:")
    st.stop()
choice = st.selectbox("Show the rows behind", list(choices), format_func=choices.__getitem__,
                      key="drill_kpi")
try:
    if choice == scorecard.TOUCHPOINT_DRILL:
        query, key = "goal_drill_answers", "drill:touchpoint"
        described = (f"answers in {window.phrase} whose touchpoint is "
                     f"{literal(department_name)}, lowest first")
    else:
        kpi = computed.loc[computed["kpi_id"] == choice.removeprefix("kpi:")].iloc[0]
        periods = scorecard.kpi_periods(actuals, kpi["kpi_id"])
        if not periods:
            st.info(f"{literal(kpi['kpi_name'])} has no actuals yet.")
            st.stop()
        period_start = st.selectbox(
            "Period", periods[:24], key="drill_period", format_func=lambda start: (
                goals.period_label(start, kpi["period_grain"], metadata.last_month)))
        actual = scorecard.actual_at(actuals, kpi["kpi_id"], period_start)
        status = goals.kpi_status(actual, kpi["target_value"], kpi["direction"], kpi["unit"])
        st.caption(
            f"{literal(kpi['kpi_name'])} in "
            f"{goals.period_label(period_start, kpi['period_grain'], metadata.last_month)}: "
            f"{format_in_unit(actual, kpi['unit'])} "
            f"against a target of {format_in_unit(kpi['target_value'], kpi['unit'])} — "
            f"{goals.status_text(status)}. The actual is company-wide; the rows below follow "
            "the account filters."
        )
        # the plan for the chosen KPI and period
        data = page_data.page_data(
            "scorecard", metadata, state, department=department_id,
            drill_computation=kpi["computation"], drill_period=period_start,
            drill_grain=kpi["period_grain"])
        query, key = goals.DRILLS[kpi["computation"]].query, "drill:kpi"
        described = goals.DRILLS[kpi["computation"]].rows
    rows = data[key]
except access.AccessDenied as refusal:
    st.info(f"{refusal} The numbers above stay visible.", icon=":material/lock:")
    st.stop()
if rows.empty:
    st.info("No rows behind this number for these filters.", icon=":material/filter_alt_off:")
else:
    st.caption(scorecard.drill_caption(rows, described))
    table = goals.drill_table(rows, query)
    downloads.dataframe(table, hide_index=True, column_config=tables.program_column_config(table),
                        height=420)
