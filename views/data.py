"""Data: freshness, rows per table, the last load's summary, refused rows and warnings."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import display
from northstar.analytics.literal_text import literal
from northstar.analytics.plans.data import PROBLEM_ROWS
from northstar.data.importer import data_status
from northstar.ui import filters, page_data, page_queries, presentation, progress, tables

PROBLEM_COLUMNS = {
    "table_name": st.column_config.TextColumn("Table"),
    "source_file": st.column_config.TextColumn("File"),
    "line": st.column_config.NumberColumn("Line", format="%d"),
    "column_name": st.column_config.TextColumn("Column"),
    "value": st.column_config.TextColumn("Value"),
    "rule": st.column_config.TextColumn("Rule"),
    "message": st.column_config.TextColumn("Why", width="large"),
}

metadata = page_queries.dataset_metadata()
data = page_data.page_data("data", metadata, filters.current(metadata.last_month))
facts = dict(data["metadata"].itertuples(index=False, name=None))
row_counts = data["table_rows"]
load_tables = data["load_tables"]
runs = data["load_run"]

st.title("Data")
st.caption(
    "What the dashboard is reading: how fresh it is, what each table holds, and what "
    "the last load refused."
)
progress.render_detail()
refused = page_queries.newest_version_refused()
if refused is not None:
    st.warning(
        f"This server could not open the newest published data ({literal(refused.version)}), "
        f"so it keeps showing the previous version (as of {metadata.as_of:%-d %b %Y}). It "
        f"tries again every {page_queries.RETRY_SECONDS:.0f} seconds. Why: {literal(refused.why)}",
        icon=":material/warning:",
    )

run = runs.iloc[0] if not runs.empty else None
columns = st.columns(4)
columns[0].metric("Data as of", f"{metadata.as_of:%-d %b %Y}", border=True)
columns[1].metric(
    "Source",
    "Your exports"
    if metadata.source == "load"
    else "Demo"
    if metadata.source == "demo"
    else metadata.source,
    border=True,
)
columns[2].metric(
    "Last load",
    f"{run['finished_at']:%-d %b %Y}" if run is not None else "Not yet",
    border=True,
    help=f"Finished {run['finished_at']:%-d %b %Y %H:%M} UTC" if run is not None else None,
)
columns[3].metric(
    "Rows refused", f"{int(run['rejected_rows']):,}" if run is not None else "—", border=True
)

missing = data_status.missing_tables(row_counts)
if missing:
    st.warning(
        f"{display.count_of(len(missing), 'table')} "
        f"{'has' if len(missing) == 1 else 'have'} no rows; "
        f"the parts of the app {'it feeds' if len(missing) == 1 else 'they feed'} show nothing "
        "until a load provides them.",
        icon=":material/table_rows:",
    )
    tables.show(
        pd.DataFrame([
            {"Table": table.label, "Required": table.required, "Affects": "; ".join(table.pages)}
            for table in missing
        ]),
        hide_index=True,
        column_config={"Affects": st.column_config.TextColumn("Affects", width="large")},
    )

presentation.end_of_slide()
st.subheader("Tables")
overview = data_status.table_overview(row_counts, load_tables)
tables.show(
    overview,
    hide_index=True,
    height=36 * (len(overview) + 1) + 2,  # every table without scrolling
    column_config={
        "Required": st.column_config.CheckboxColumn("Required"),
        "Rows": st.column_config.NumberColumn("Rows", format="localized"),
        "Rows in file": st.column_config.NumberColumn(
            "Rows in file", format="localized", help="Data rows the source file holds"),
        "Rows to load": st.column_config.NumberColumn(
            "Rows to load", format="localized",
            help="Rows after the mapping's where, aggregate or spread: refused + loaded"),
        "Refused": st.column_config.NumberColumn("Refused", format="localized"),
        "Warnings": st.column_config.NumberColumn("Warnings", format="localized"),
        "Feeds": st.column_config.TextColumn("Feeds", width="large"),
    },
)

st.subheader("Last load")
if run is None:
    st.info(
        "No load has run on this database: it holds demo data.", icon=":material/upload_file:"
    )
    with st.expander("How to load your own data", icon=":material/upload_file:"):
        st.markdown(
            "Your data administrator loads your exports with "
            "`python -m northstar.load SOURCE --mapping MAPPING`; the README's "
            '"Loading your own data" explains the mapping file.'
        )
    st.stop()

st.text(
    f"Source: {run['source_path']}\nMapping: {run['mapping_path']}\n"
    f"Took {run['duration_seconds']:.1f} s · "
    f"{int(load_tables['file_rows'].sum()):,} rows read, "
    f"{int(run['source_rows']):,} to load, "
    f"{int(run['loaded_rows']):,} loaded, {int(run['warnings']):,} warnings · "
    f"refuses a table above {run['max_reject_pct']:g}% refused rows"
)

files = data["load_files"]
if not files.empty:
    st.markdown("**Every line of every file**")
    st.caption(
        "Each physical line of a source file (a sheet row for Excel, a row for Parquet or a "
        "warehouse table) is the header or a preamble line above it, blank, inside a quoted "
        "multi-line value, refused while reading, left out by the mapping's where, refused by "
        "a rule, not used (a joined file's row no main row took), or loaded; the loaded rows "
        "then become the table's rows (fewer with aggregate or summed subscriptions, more "
        "with spread_months or subscriptions spread over their months)."
    )
    tables.show(
        data_status.file_lines_table(files),
        hide_index=True,
        column_config={
            "Account": st.column_config.TextColumn("Account", width="large"),
        },
    )

counts = data["rule_counts"]
if counts.empty:
    st.success(
        "Every row was loaded and no quality warnings were raised.", icon=":material/check_circle:"
    )
    st.stop()
tables.show(
    data_status.problems_table(counts),
    hide_index=True,
    column_config={
        "kind": st.column_config.TextColumn("Kind"),
        "table_name": st.column_config.TextColumn("Table"),
        "rule": st.column_config.TextColumn("Rule"),
        "problems": st.column_config.NumberColumn("Rows", format="localized"),
    },
)
refused_tab, warnings_tab = st.tabs(["Refused rows", "Warnings"])
for tab, key, empty_text in (
    (refused_tab, "refused", "No row was refused."),
    (warnings_tab, "warnings", "No quality warnings."),
):
    with tab:
        frame = data[key]
        if frame.empty:
            st.caption(empty_text)
            continue
        st.caption(
            f"The first {PROBLEM_ROWS:,} by table and line; the rejects CSV written "
            "by the load has every refused row."
        )
        tables.show(
            data_status.problems_table(frame), hide_index=True, column_config=PROBLEM_COLUMNS
        )
