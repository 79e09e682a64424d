"""Goal alignment: which departments' KPIs serve which customer outcomes, and are they on track."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import alignment, goals
from northstar.ui import (
    actions,
    charts,
    downloads,
    filters,
    page_data,
    page_queries,
    presentation,
    tables,
)
from northstar.ui import alignment_display as show

RUNS_TABLE = "alignment_off_track_runs"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period
data = page_data.page_data("alignment", metadata, state)

st.title("Goal alignment")
actions.saved_notice()
st.caption(
    f"{window.label} compared with {window.comparison_label} · data as of "
    f"{metadata.as_of:%-d %b %Y}. KPI actuals are company-wide: the segment, region and plan "
    "filters apply to the rows behind them on each department's scorecard."
)

kpis = data["kpis"]
if kpis.empty:
    st.info(
        "No department KPIs have been loaded yet: load `department_kpis` (and `kpi_outcomes`, "
        "`kpi_actuals`) to see how departments line up behind customer outcomes.",
        icon=":material/flag:",
    )
    st.stop()
actuals = data["actuals"]
departments = data["departments"]
outcomes = data["outcomes"]

statuses = goals.kpi_statuses(kpis, actuals, window.start_month, window.end_month)
previous = goals.kpi_statuses(
    kpis, actuals, window.comparison_start_month, window.comparison_end_month
)
scores = goals.department_scores(statuses, departments)
overall = goals.overall_score(scores)
previous_overall = goals.overall_score(goals.department_scores(previous, departments))
runs = goals.off_track_runs(kpis, actuals, metadata.last_month)

counts = statuses["status"].value_counts()
columns = st.columns(4)
columns[0].metric("Overall alignment score", goals.score_text(overall),
                  goals.score_change_text(overall, previous_overall),
                  delta_description=window.comparison_phrase, help=goals.score_rule(), border=True)
for column, status in zip(columns[1:3], ("on_track", "off_track"), strict=True):
    column.metric(f"KPIs {goals.STATUSES[status].label.lower()}",
                  f"{int(counts.get(status, 0))} of {len(statuses)}",
                  icon=goals.STATUSES[status].icon, help=goals.STATUSES[status].rule, border=True)
columns[3].metric("Off track 2+ in a row", f"{len(runs)}", icon=":material/assignment_late:",
                  help=goals.RUN_RULE, border=True)

st.subheader("Departments × customer outcomes")
st.caption(alignment.MATRIX_CAPTION)
charts.show(show.outcome_matrix(*alignment.matrix_grids(statuses, departments, outcomes)))
presentation.end_of_slide()  # the slide: the headline figures and the matrix

left, right = st.columns(2)
with left:
    st.subheader("Alignment score by department")
    ranked = alignment.ranked_scores(scores)
    if ranked.empty:
        st.info("No department has KPIs yet.")
    else:
        charts.show(charts.grouped_bars(
            list(ranked["department_name"]), list(ranked["score_pct"]), value_suffix="%",
            hover_extra=alignment.score_hover(ranked)).update_yaxes(range=[0, 110]))
with right:
    st.subheader("Departments")
    downloads.dataframe(alignment.score_table(scores), hide_index=True, column_config={
        "Department": st.column_config.LinkColumn(
            "Department", display_text=r"#(.*)$", help="Opens the department's scorecard")})

st.subheader("Alignment score by quarter")
trend = goals.quarterly_scores(kpis, actuals, departments, metadata.last_month)
if trend.empty:
    st.info("No KPI has actuals yet.")
else:
    table = alignment.quarterly_table(trend, list(departments["department_name"]))
    charts.show(charts.heatmap(table, value_suffix="%", height=90 + 40 * len(table)))
    st.caption("Each quarter judged on the mean of its months' actuals (the last quarter to "
               "date); Overall is the mean of the departments.")

st.subheader("Gaps")
show.gaps(alignment.gaps(statuses, kpis, outcomes, scores))

st.subheader(f"Accountability: {goals.OFF_TRACK_RUN} or more")
st.caption(goals.RUN_RULE)
if runs.empty:
    st.success(f"No KPI has been {goals.OFF_TRACK_RUN}.", icon=":material/check_circle:")
else:
    actions.off_track_kpis_table(runs, kpis, metadata.last_month, key=RUNS_TABLE)

st.subheader("Every KPI against its target")
st.caption(
    goals.actual_caption(window.phrase) + " "
    + " ".join(f"{goals.status_text(key)}: {status.rule}" for key, status in goals.STATUSES.items())
)
downloads.dataframe(
    goals.status_table(statuses, goals.latest_statuses(kpis, actuals, metadata.last_month),
                       as_of=metadata.last_month),
    hide_index=True,
    column_config={
        "Department": st.column_config.LinkColumn(
            "Department", display_text=r"#(.*)$", pinned=True,
            help="Opens the department's scorecard",
        ),
        **tables.KPI_STATUS_COLUMNS,
    },
)
