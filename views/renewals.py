"""Renewals: the renewals of the next 30, 90 and 180 days, the ARR expected to renew against the
ARR up for renewal, by month, and one click from a renewal to an action."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from northstar.analytics import display, renewals, risk
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
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
from northstar.ui import churn_model as churn_model_ui

RENEWALS_TABLE = "renewals_table"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
data = page_data.page_data("renewals", metadata, state)
until = metadata.as_of + dt.timedelta(days=renewals.LONGEST)

st.title("Renewals")
actions.saved_notice()
st.caption(
    f"Renewals from {metadata.as_of:%-d %b %Y} to {until:%-d %b %Y} · "
    f"{literal(state.scope_caption())} · data as of {metadata.as_of:%-d %b %Y}"
)

coverage = data["dates"].iloc[0]
if int(coverage["accounts_with_renewal_date"]) == 0:
    st.info(renewals.no_dates_text(), icon=":material/event_busy:")
    st.stop()

rows = data["renewals"]
model_status = churn_model_ui.status(data=data)
if not model_status.passed:
    # no chance of not renewing and no ARR expected to renew from a model that failed its
    # checks: the reason, and the churn observed instead
    rows = renewals.without_chances(rows)
    st.subheader("Observed churn in the last 12 months")
    churn_model_ui.show_observed(model_status, state.query_params(), metadata.last_month, data)

windows = renewals.by_window(rows, metadata.as_of)
for column, window in zip(st.columns(len(windows)), windows, strict=True):
    column.metric(
        f"Up for renewal, {window.label.lower()}",
        format_usd(window.arr_usd),
        delta=(f"{format_usd(window.expected_usd)} expected to renew"
               if window.expected_usd is not None else None),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="ARR (in the data's last month) of the accounts whose renewal date falls in the "
        "window; expected to renew = Σ ARR × (1 − the account's 12-month churn chance from the "
        "churn model).",
    )
    column.caption(
        display.count_of(window.accounts, "account")
        + (" · expected to renew: 95% range "
           + risk.usd_range_text(window.expected_low_usd, window.expected_high_usd)
           if window.expected_usd is not None else "")
    )
st.caption(renewals.coverage_text(int(coverage["active_accounts"]),
                                  int(coverage["active_with_renewal_date"]),
                                  int(coverage["active_renewal_passed"])))

if rows.empty:
    st.info(f"No active account in these filters renews in the next {renewals.LONGEST} days.",
            icon=":material/filter_alt_off:")
    st.stop()

months = renewals.by_month(rows, metadata.as_of)
charts.show(charts.up_and_expected(
    [month.label for month in months], [month.arr_usd for month in months],
    [month.expected_usd for month in months],
    [(month.expected_low_usd, month.expected_high_usd) if month.expected_usd is not None
     else None for month in months],
    title=("ARR up for renewal and expected to renew, by month of renewal"
           if model_status.passed else "ARR up for renewal, by month of renewal"),
))
unscored = windows[-1].unscored_accounts
st.caption(
    ("Expected to renew = ARR × (1 − the account's chance of churning in the next 12 months): "
     "the renewal falls inside those 12 months, and a contract ends at its renewal. The range "
     "adds up the accounts' own 95% ranges. "
     + (f"{display.count_of(unscored, 'account')} without a churn chance "
        f"{'is' if unscored == 1 else 'are'} left out of it. " if unscored else ""))
    if model_status.passed else
    "Without a churn model that passed its checks there is no ARR expected to renew: the bars "
    "show the ARR up for renewal only. "
)

presentation.end_of_slide()
st.subheader("Renewals, soonest first")
recording = actions.may_record()
# None: the workspace is unavailable (a notice above the table says why)
open_actions = actions.open_counts_by_account() if recording else None
observed = ({} if model_status.passed else renewals.observed_by_segment(
    churn_model_ui.observed(state.query_params(), metadata.last_month, data)))
table = renewals.renewals_table(
    rows, metadata.as_of,
    open_actions=({} if open_actions is None else open_actions) if recording else None,
    counts_known=open_actions is not None, by_model=model_status.passed, observed=observed)
st.caption(
    f"{display.count_of(len(rows), 'renewal')} in the next {renewals.LONGEST} days; "
    "click a row to open the account's 360 view"
    + (", or its Action cell to record an action on it." if recording else ".")
)
downloads.dataframe(
    table,
    title="Renewals",
    hide_index=True,
    column_config={
        **{column: setting for column, setting in tables.at_risk_column_config().items()
           if column in table.columns},
        "ARR expected to renew": tables.money_column(
            "ARR × (1 − the 12-month churn chance)"),
        "Window": st.column_config.TextColumn(help="The shortest window the renewal falls in"),
    },
    height=480,
    key=RENEWALS_TABLE,
    on_select="rerun",
    selection_mode=["single-row", "single-cell"],
)
actions.on_account_table_click(rows, RENEWALS_TABLE, renewals.action_title, recording)
