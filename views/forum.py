"""Accountability forum: the CCO's weekly meeting on one screen — open and overdue actions by
department and owner, what closed since the last forum and whether it worked, and the KPIs off
track with nobody acting on them."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from northstar.analytics import action_rules, goals, significance
from northstar.analytics.display import count_of
from northstar.analytics.literal_text import literal
from northstar.data.registry import access
from northstar.data.workspace.store import WorkspaceUnavailable
from northstar.ui import (
    action_outcomes,
    actions,
    downloads,
    explain,
    filters,
    page_data,
    page_queries,
    presentation,
    recent_alerts,
    sign_in,
    tables,
)

NO_ACTION_TABLE = "forum_kpis_without_action"

metadata = page_queries.dataset_metadata()
data = page_data.page_data("forum", metadata, filters.current(metadata.last_month))
viewer = sign_in.current_viewer()
today = actions.today()
names = actions.department_names()

st.title("Accountability forum")
actions.saved_notice()
st.caption(f"Today {today:%-d %b %Y} · outcomes from data as of {metadata.as_of:%-d %b %Y}")

try:
    store = actions.workspace()
    # board members: how many, never what
    counts = None if actions.may_record() else store.counts(viewer, today)
    found = store.actions(viewer) if counts is None else None
except WorkspaceUnavailable as problem:
    actions.unavailable_notice(problem)
    st.stop()
if counts is not None:
    st.caption("Board members see how many actions each department has, not the actions.")
    if counts.empty:
        st.info("No actions have been recorded yet.", icon=":material/checklist:")
    else:
        tables.show(action_rules.department_counts_table(counts, names))
    recent_alerts.show_recent(store)
    st.stop()

overdue = found.loc[action_rules.is_overdue(found, today)] if len(found) else found
due_soon = found.loc[action_rules.is_due_soon(found, today)] if len(found) else found
since = presentation.control(
    lambda: st.date_input("Closed since (the last forum)", value=action_rules.forum_since(today),
                          max_value=today, format="DD/MM/YYYY", key="forum_since"),
    "forum_since", action_rules.forum_since(today), cast=dt.date.fromisoformat)
closed = action_rules.closed_since(found, since) if len(found) else found
try:
    by_action, comparison = (action_outcomes.outcomes(found, metadata.as_of) if len(found)
                             else ({}, None))
    outcomes_refused = False
except access.AccessDenied:
    # outcomes read accounts, answers and tickets, which a department head's role does not see
    by_action, comparison, outcomes_refused = {}, None, True
kpis = data["kpis"]
runs = goals.off_track_runs(kpis, data["actuals"], metadata.last_month) if len(kpis) else None
uncovered = action_rules.kpis_without_action(runs, found) if runs is not None else None

columns = st.columns(4)
columns[0].metric("Open actions", f"{int(found['status'].isin(action_rules.OPEN).sum()):,}"
                  if len(found) else "0", border=True)
columns[1].metric("Overdue", f"{len(overdue):,}", border=True, icon=":material/alarm:",
                  help="Open or in progress, past the due date.")
columns[2].metric("Due this week", f"{len(due_soon):,}", border=True,
                  help=f"Open or in progress, due in the next {action_rules.DUE_SOON_DAYS} days.")
columns[3].metric("Closed since the last forum", f"{len(closed):,}", border=True,
                  help=f"Done or dropped since {since:%-d %b %Y}.")

# a slide: the four figures; the lists are for the screen
presentation.end_of_slide()
st.subheader("Open actions by department and owner")
summary = action_rules.owner_summary(found, today, names) if len(found) else None
if summary is None or summary.empty:
    st.info("No open actions. Record one from an at-risk account, an unhappy answer, a ticket, "
            "an off-track KPI or a churn driver.", icon=":material/checklist:")
else:
    downloads.dataframe(summary, title="Open actions by owner", hide_index=True)

st.subheader("Overdue")
if overdue.empty:
    st.success("Nothing is overdue.", icon=":material/check_circle:")
else:
    actions.render_action_list(overdue.sort_values("due_on"), key="forum_overdue",
                               outcomes=by_action)

st.subheader(f"{goals.OFF_TRACK_RUN.capitalize()}, with no action")
st.caption(goals.RUN_RULE)
if uncovered is None or uncovered.empty:
    st.success(f"Every KPI {goals.OFF_TRACK_RUN} has an action.",
               icon=":material/check_circle:")
else:
    actions.off_track_kpis_table(uncovered, kpis, metadata.last_month, key=NO_ACTION_TABLE)
    st.caption("Click a KPI's Action cell to give it an owned action.")

recent_alerts.show_recent(store)

st.subheader("Did it work?")
if outcomes_refused:
    st.caption("Outcomes are read from account, answer and ticket data, which your role does "
               "not include; the CCO and executives see them here.")
if comparison is not None:
    st.caption("Done actions whose outcome is known, against comparable items nobody acted on.")
    downloads.dataframe(comparison, title="Actioned vs not", hide_index=True)
explain.how_computed(
    "An action's outcome is read from the data, never typed in. "
    + " ".join(f"{action_rules.SUBJECTS[kind]}: worked when {rule}." for kind, rule in
               action_rules.OUTCOME_RULES.items())
    + " Each kind is compared with items nobody acted on: "
    + "; ".join(f"{action_rules.SUBJECTS[kind].lower()} actions with {rule}"
                for kind, rule in action_rules.COMPARISON_RULES.items())
    + ". A difference counts only when it is beyond noise, by the rule every page uses. "
    + action_rules.COMPARISON_MINIMUM.format(accounts=significance.MIN_ACCOUNTS,
                                      events=significance.MIN_EVENTS)
)

st.subheader(f"Closed since {since:%-d %b %Y}")
if closed.empty:
    st.info("No action was closed since then.", icon=":material/event_available:")
else:
    downloads.dataframe(
        action_rules.closed_table(actions.shown(closed), by_action), title="Closed actions",
        hide_index=True,
        column_config={"Action": st.column_config.TextColumn(width="medium"),
                       "Outcome": st.column_config.TextColumn(width="large"),
                       "Closed": tables.DATE},
    )

gone = action_rules.missing_targets(found, by_action) if by_action else found.iloc[0:0]
if len(gone):
    st.warning(
        f"{count_of(len(gone), 'action')} "
        f"{'is' if len(gone) == 1 else 'are'} about something no longer in the data (after "
        "a load): they are kept, with what they were about, and listed here.",
        icon=":material/link_off:")
    actions.render_action_list(gone, key="forum_gone")

st.subheader("Every action")
if found.empty:
    st.caption("No actions recorded yet.")
else:
    actions.render_action_list(found, key="forum_all", outcomes=by_action)
    st.caption(literal(f"{count_of(len(found), 'action')} in all."))
