"""Goal alignment: which departments' KPIs serve which customer outcomes, and are they on track."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from northstar.analytics import goals, links
from northstar.analytics.literal_text import literal
from northstar.ui import actions, charts, downloads, filters, page_queries, presentation, tables

RUNS_TABLE = "alignment_off_track_runs"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
window = state.period

st.title("Goal alignment")
actions.saved_notice()
st.caption(
    f"{window.label} compared with {window.comparison_label} · data as of "
    f"{metadata.as_of:%-d %b %Y}. KPI actuals are company-wide: the segment, region and plan "
    "filters apply to the rows behind them on each department's scorecard."
)

kpis = page_queries.run_query("goal_kpis")
if kpis.empty:
    st.info(
        "No department KPIs have been loaded yet: load `department_kpis` (and `kpi_outcomes`, "
        "`kpi_actuals`) to see how departments line up behind customer outcomes.",
        icon=":material/flag:",
    )
    st.stop()
actuals = page_queries.run_query("goal_kpi_actuals")
departments = page_queries.run_query("goal_departments")
outcomes = page_queries.run_query("goal_outcomes")

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
columns[0].metric(
    "Overall alignment score",
    "—" if overall is None else f"{overall:.0f}%",
    None
    if overall is None or previous_overall is None
    else f"{overall - previous_overall:+.0f} pp",
    delta_description="vs comparison period",
    help=goals.SCORE_RULE,
    border=True,
)
for column, status in zip(columns[1:3], ("on_track", "off_track"), strict=True):
    column.metric(
        f"KPIs {goals.STATUSES[status].label.lower()}",
        f"{int(counts.get(status, 0))} of {len(statuses)}",
        icon=goals.STATUSES[status].icon,
        help=goals.STATUSES[status].rule,
        border=True,
    )
columns[3].metric(
    "Off track 2+ in a row",
    f"{len(runs)}",
    icon=":material/assignment_late:",
    help=goals.RUN_RULE,
    border=True,
)

st.subheader("Departments × customer outcomes")
st.caption(
    "Each cell: the department's KPIs serving that outcome and their status "
    "(✓ on track, ▲ at risk, ✕ off track, – no data). Shade = the share of credit the cell's KPIs "
    "earn (on track 1, at risk ½). The last column holds KPIs that serve no customer outcome."
)
matrix = goals.outcome_matrix(statuses, departments, outcomes)
names = list(departments["department_name"])
columns_order = list(outcomes["outcome_name"]) + [goals.NO_OUTCOME]
shares = matrix.pivot(index="department_name", columns="outcome", values="share_pct").reindex(
    index=names, columns=columns_order
)
texts = (
    matrix.assign(text=[goals.cell_text(row) for _, row in matrix.iterrows()])
    .pivot(index="department_name", columns="outcome", values="text")
    .reindex(index=names, columns=columns_order)
)
figure = go.Figure(
    go.Heatmap(
        z=shares.to_numpy(dtype=float),
        x=columns_order,
        y=names,
        text=texts.to_numpy(),
        texttemplate="%{text}",
        textfont={"size": 13},
        colorscale=[[0, "#FFFFFF"], [0.5, charts.PALETTE["sky"]], [1, charts.PALETTE["blue"]]],
        zmin=0,
        zmax=100,
        xgap=2,
        ygap=2,
        hoverongaps=False,
        colorbar={"ticksuffix": "%", "title": {"text": "Credit"}},
        hovertemplate="%{y} · %{x}<br>%{text}<br>credit %{z:.0f}%<extra></extra>",
    )
)
figure.update_yaxes(autorange="reversed", showgrid=False, type="category")
figure.update_xaxes(side="top", showgrid=False, type="category")
charts.show(charts.base_layout(figure, height=90 + 62 * len(names)))
presentation.end_of_slide()  # the slide: the headline figures and the matrix

left, right = st.columns(2)
with left:
    st.subheader("Alignment score by department")
    ranked = scores.dropna(subset=["score_pct"]).sort_values("score_pct", ascending=False)
    if ranked.empty:
        st.info("No department has KPIs yet.")
    else:
        charts.show(
            charts.grouped_bars(
                list(ranked["department_name"]),
                list(ranked["score_pct"]),
                value_suffix="%",
                hover_extra=[
                    f"{row.kpis} KPIs: {row.on_track} on track, {row.at_risk} at risk, "
                    f"{row.off_track} off track, {row.no_data} no data"
                    for row in ranked.itertuples()
                ],
            ).update_yaxes(range=[0, 110])
        )
score_table = pd.DataFrame(
    {
        "Department": [
            links.scorecard_link(department_id, name)
            for department_id, name in zip(
                scores["department_id"], scores["department_name"], strict=True
            )
        ],
        "Alignment score": scores["score_pct"],
        "KPIs": scores["kpis"],
        **{goals.status_text(status): scores[status] for status in goals.STATUS_ORDER},
        "Serving no outcome": scores["serving_no_outcome"],
    }
)
with right:
    st.subheader("Departments")
    downloads.dataframe(
        score_table,
        hide_index=True,
        column_config={
            "Department": st.column_config.LinkColumn(
                "Department", display_text=r"#(.*)$", help="Opens the department's scorecard"
            ),
        },
    )


st.subheader("Alignment score by quarter")
trend = goals.quarterly_scores(kpis, actuals, departments, metadata.last_month)
if trend.empty:
    st.info("No KPI has actuals yet.")
else:
    quarters = list(dict.fromkeys(trend["quarter"]))
    series = [*names, "Overall"]
    table = trend.pivot(index="series", columns="quarter", values="score_pct").reindex(
        index=[name for name in series if name in set(trend["series"])], columns=quarters
    )
    charts.show(charts.heatmap(table, value_suffix="%", height=90 + 40 * len(table)))
    st.caption(
        "Each quarter judged on the mean of its months' actuals (the last quarter to date); "
        "Overall is the mean of the departments."
    )

st.subheader("Gaps")
unaligned = statuses.loc[~statuses["serves_outcome"].astype(bool)]
unowned = goals.unowned_outcomes(kpis["outcome_ids"], outcomes)
without_kpis = scores.loc[scores["kpis"] == 0, "department_name"].tolist()
gap_left, gap_right = st.columns(2)
with gap_left:
    if unaligned.empty:
        st.success(
            "Every KPI serves at least one customer outcome.", icon=":material/check_circle:"
        )
    else:
        st.warning(
            "**KPIs that serve no customer outcome** (they earn no alignment credit):\n\n"
            + "\n".join(
                f"- {literal(row.kpi_name)} ({literal(row.department_name)}) — "
                f"{goals.status_text(row.status)}"
                for row in unaligned.itertuples()
            ),
            icon=":material/link_off:",
        )
with gap_right:
    if unowned:
        st.warning(
            "**Customer outcomes no department owns** (no KPI serves them): "
            + ", ".join(literal(outcome) for outcome in unowned)
            + ".",
            icon=":material/person_off:",
        )
    else:
        st.success(
            "Every customer outcome is served by at least one department's KPI.",
            icon=":material/check_circle:",
        )
    if without_kpis:
        st.warning(
            "**Departments without KPIs** (left out of the overall score): "
            + ", ".join(literal(department) for department in without_kpis)
            + ".",
            icon=":material/domain_disabled:",
        )

st.subheader("Accountability: off track two periods running or more")
st.caption(goals.RUN_RULE)
if runs.empty:
    st.success("No KPI has been off track two periods running.", icon=":material/check_circle:")
else:
    actions.off_track_kpis_table(runs, kpis, metadata.last_month, key=RUNS_TABLE)

st.subheader("Every KPI against its target")
st.caption(
    goals.actual_caption(window.label) + " "
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
