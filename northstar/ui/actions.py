"""Actions on screen: the "New action" dialog, the list of actions linked to what a page shows,
and editing one (status, owner, due date, notes) without overwriting someone else's save.

Actions live in the workspace store (northstar.data.workspace), opened once per server. Who may
read or change them is decided by northstar.data.registry.access; board members see counts
only. While masking is on, action text (title, notes) is hidden and the thing it is about is
pseudonymised, the same way query results are.

When the workspace cannot be used (a server stopped or frozen, a folder that cannot be written),
pages still read as usual: where actions would show, a notice says they are unavailable and why,
and a save that fails says so and keeps what was typed in the form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from northstar.analytics import action_rules, goals
from northstar.analytics.literal_text import literal
from northstar.data.registry import access
from northstar.data.workspace.store import (
    PRIORITIES,
    STATUSES,
    ActionChanged,
    ActionInvalid,
    NewAction,
    Workspace,
    WorkspaceUnavailable,
    current_url,
    open_workspace,
)
from northstar.ui import downloads, masking, page_queries, sign_in, tables

# how action text is masked on shared screens, declared like a query's sensitive columns; the
# thing an action is about is then named by its key (an account or ticket ID), as masked tables
# show IDs
SENSITIVE = (("title", "text"), ("owner_email", "email"))


def workspace() -> Workspace:
    """The workspace of the data being shown (northstar.data.workspace.store.current_url):
    beside a DuckDB file or Parquet folder (or `$NORTHSTAR_WORKSPACE`). WorkspaceUnavailable
    when it cannot be opened."""
    # opened once per process by the store (not cached here: a cache would make sessions
    # wait in turn while the workspace is unreachable)
    return open_workspace(current_url())


def unavailable_notice(problem: WorkspaceUnavailable) -> None:
    """Where actions would show: that they are unavailable, why, and where the workspace is."""
    st.warning(literal(f"Actions are unavailable: {problem.reason} (the workspace at "
                       f"{problem.place}). The rest of this page is shown as usual; actions "
                       "come back once the workspace does."), icon=":material/cloud_off:")


def not_saved_message(problem: WorkspaceUnavailable) -> str:
    return literal(f"The action was not saved: {problem.reason} (the workspace at "
                   f"{problem.place}). What you typed is kept: save again once the workspace "
                   "is back.")


def department_names() -> dict[str, str]:
    frame = page_queries.run_query("goal_departments")
    return dict(zip(frame["department_id"], frame["department_name"], strict=True))


def today() -> dt.date:
    return dt.date.today()


def may_record() -> bool:
    viewer = sign_in.current_viewer()
    return viewer.role in access.ACTION_ROLES


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """An action list as this viewer may see it (masked on shared screens)."""
    if not masking.session_masked():
        return frame
    masked = masking.mask_frame(frame, SENSITIVE, "actions")
    customer = masked["subject_kind"].isin(action_rules.CUSTOMER_SUBJECTS)
    masked.loc[customer, "subject_label"] = masked.loc[customer, "subject_key"]
    return masked


def open_counts_by_account() -> dict[str, int] | None:
    """How many open actions each account has (for lists of accounts); None, after a notice
    saying why, when the workspace is unavailable."""
    viewer = sign_in.current_viewer()
    try:
        found = workspace().actions(viewer)
    except WorkspaceUnavailable as problem:
        unavailable_notice(problem)
        return None
    if found.empty:
        return {}
    open_actions = found.loc[found["status"].isin(action_rules.OPEN) & found["account_id"].notna()]
    return {str(k): int(v) for k, v in open_actions.groupby("account_id").size().items()}


def _departments_for(viewer: access.Viewer, names: dict[str, str]) -> list[str]:
    if viewer.role == "department_head":
        return [viewer.department] if viewer.department else []
    return list(names)


def _new_action_form(subject_kind: str, subject_key: str, subject_label: str,
                     account_id: str | None, department_id: str | None,
                     owner_employee_id: str | None, title: str,
                     on_saved: Callable[[], None] | None) -> None:
    viewer = sign_in.current_viewer()
    names = department_names()
    departments = _departments_for(viewer, names)
    st.markdown(f"**{action_rules.SUBJECTS[subject_kind]}:** {literal(subject_label)}")
    default_department = department_id if department_id in departments else departments[0]
    with st.form(f"new_action_{subject_kind}_{subject_key}", border=False):
        what = st.text_input("What will be done", value=title, max_chars=300)
        department = st.selectbox(
            "Department", departments, index=departments.index(default_department),
            format_func=lambda key: names.get(key, key))
        people = page_queries.run_query("action_people", department_id=None
                                        if viewer.role != "department_head" else viewer.department)
        people_by_id = {row.employee_id: row for row in people.itertuples(index=False)}
        owners = list(people_by_id)
        owner = st.selectbox(
            "Owner", owners,
            index=owners.index(owner_employee_id) if owner_employee_id in people_by_id else None,
            placeholder="Choose a person",
            format_func=lambda key: f"{people_by_id[key].employee_name} · "
                                    f"{people_by_id[key].job_title} · "
                                    f"{names.get(people_by_id[key].department_id, '')}")
        left, right = st.columns(2)
        due = left.date_input(
            "Due", value=today() + dt.timedelta(days=action_rules.DEFAULT_DUE_DAYS),
            format="DD/MM/YYYY")
        priority = right.selectbox("Priority", PRIORITIES, index=PRIORITIES.index("high"),
                                   format_func=action_rules.PRIORITY_LABELS.__getitem__)
        saved = st.form_submit_button("Save action", type="primary", icon=":material/task_alt:")
    if not saved:
        return
    if owner is None:
        st.error("Choose who owns the action.")
        return
    person = people_by_id[owner]
    # one ID per save of these values: saving again after a failure (which may have reached
    # the workspace after all) stores the action once
    pending_key = f"_pending_new_action_{subject_kind}_{subject_key}"
    values = (what, department, owner, due.isoformat(), priority)
    pending = st.session_state.get(pending_key)
    action_id = pending[1] if pending and pending[0] == values else uuid.uuid4().hex
    st.session_state[pending_key] = (values, action_id)
    try:
        workspace().create(viewer, NewAction(
            title=what, owner_employee_id=person.employee_id, owner_name=person.employee_name,
            owner_email=None if pd.isna(person.email) else person.email,
            department_id=department, due_on=due, subject_kind=subject_kind,
            subject_key=subject_key, subject_label=subject_label, priority=priority,
            account_id=account_id), action_id=action_id)
    except WorkspaceUnavailable as problem:
        st.error(not_saved_message(problem), icon=":material/cloud_off:")
        return  # the form keeps what was typed
    except (ActionInvalid, access.AccessDenied) as problem:
        st.error(str(problem))
        return
    st.session_state.pop(pending_key, None)
    if on_saved is not None:
        on_saved()
    st.session_state["_action_saved"] = f"Action saved: {what}"
    st.rerun()


def open_new_action(subject_kind: str, subject_key: str, subject_label: str, *,
                    account_id: str | None = None, department_id: str | None = None,
                    owner_employee_id: str | None = None, title: str = "",
                    table_key: str | None = None) -> None:
    """Open the "New action" dialog, prefilled for the thing it is about. Opened from a table
    cell (`table_key`), closing or saving it clears the cell, so it does not open again. The
    label is what the action is about in words (an account's name); on a masked screen pass
    the key (an account ID), never a pseudonym."""
    dismiss = tables.clear_selection_callback(table_key) if table_key else "ignore"

    def saved() -> None:
        if table_key:
            tables.clear_selection_on_next_run(table_key)

    dialog = st.dialog("New action", width="medium", on_dismiss=dismiss)
    dialog(_new_action_form)(subject_kind, subject_key, subject_label, account_id,
                             department_id, owner_employee_id, title, saved)


def new_action_button(subject_kind: str, subject_key: str, subject_label: str, *,
                      account_id: str | None = None, department_id: str | None = None,
                      owner_employee_id: str | None = None, title: str = "",
                      key: str | None = None) -> None:
    """A "New action" button that opens the dialog (nothing for a viewer who may not record)."""
    if not may_record():
        return
    if st.button("New action", icon=":material/add_task:",
                 key=key or f"new_action_{subject_kind}_{subject_key}"):
        open_new_action(subject_kind, subject_key, subject_label, account_id=account_id,
                        department_id=department_id, owner_employee_id=owner_employee_id,
                        title=title)


def saved_notice() -> None:
    """The confirmation of a save made in the dialog, shown once after it closes."""
    message = st.session_state.pop("_action_saved", None)
    if message:
        st.toast(literal(message), icon=":material/task_alt:")


# a list of actions, or why the workspace could not give it
Found = pd.DataFrame | WorkspaceUnavailable


def account_actions(account_id: str) -> Found:
    """Every action linked to one account (about it, or about its answers and tickets); empty
    for a viewer who may not read actions."""
    return _found_or_why(account_id=account_id)


def subject_actions(subject_kind: str, subject_key: str) -> Found:
    """The actions about one thing (a KPI, an answer, a ticket, a driver)."""
    return _found_or_why(subject_kind=subject_kind, subject_key=subject_key)


def department_actions(department_id: str) -> Found:
    """One department's actions, open ones first."""
    found = _found_or_why(department_id=department_id)
    if isinstance(found, WorkspaceUnavailable) or found.empty:
        return found
    order = found["status"].map({status: i for i, status in enumerate(STATUSES)})
    return found.assign(_order=order).sort_values(["_order", "due_on"]).drop(columns="_order")


def overdue_actions() -> pd.DataFrame | None:
    """The overdue actions the viewer may read (None for a viewer who may not read actions);
    WorkspaceUnavailable when the workspace cannot be used."""
    if not may_record():
        return None
    found = _found()
    return found.loc[action_rules.is_overdue(found, today())] if len(found) else found


def _found(**where: str) -> pd.DataFrame:
    viewer = sign_in.current_viewer()
    if viewer.role not in access.ACTION_ROLES:
        return pd.DataFrame(columns=["action_id", "status"])
    return workspace().actions(viewer, **where)


def _found_or_why(**where: str) -> Found:
    try:
        return _found(**where)
    except WorkspaceUnavailable as problem:
        return problem


def open_count_text(found: Found) -> str:
    """'2 open', or 'none open' (for a tab label); 'unavailable' without the workspace."""
    if isinstance(found, WorkspaceUnavailable):
        return "unavailable"
    count = int(found["status"].isin(action_rules.OPEN).sum()) if len(found) else 0
    return f"{count:,} open" if count else "none open"


def render_linked(found: Found, *, key: str, one_department: bool = False) -> None:
    """The actions linked to what a page shows, or a line saying there are none (or why they
    are unavailable)."""
    if isinstance(found, WorkspaceUnavailable):
        unavailable_notice(found)
        return
    if found.empty:
        st.caption("No actions recorded yet." if may_record()
                   else "Actions are for the CCO, executives and department heads.")
        return
    render_action_list(found, key=key, one_department=one_department)


def render_action_list(found: pd.DataFrame, *, key: str,
                       outcomes: Mapping[str, action_rules.Outcome] | None = None,
                       one_department: bool = False) -> None:
    """A table of actions; picking a row opens its editor below it (with the action's outcome
    from the data, when `outcomes` has it)."""
    names = department_names()
    table = action_rules.actions_table(shown(found), today(), names)
    if one_department:  # a department's own page: the column would repeat its name
        table = table.drop(columns="Department")
    tables.show(
        table, key=key, on_select="rerun", selection_mode="single-row",
        column_config={
            "Action": st.column_config.TextColumn(width="medium"),
            "About": st.column_config.TextColumn(width="medium"),
            "Due": tables.DATE,
        },
    )
    rows = tables.selected_rows(key)
    if rows and rows[0] < len(found):
        action_id = str(found["action_id"].iloc[rows[0]])
        edit_action(action_id, key=f"{key}_edit", outcome=(outcomes or {}).get(action_id))
    else:
        st.caption("Pick an action to change its status, owner or due date, or to add a note.")


def edit_action(action_id: str, *, key: str, outcome: action_rules.Outcome | None = None) -> None:
    """One action's editor: status, due date, priority and a note; a stale save is refused."""
    viewer = sign_in.current_viewer()
    try:
        store = workspace()
        action = store.get(viewer, action_id)
    except WorkspaceUnavailable as problem:
        unavailable_notice(problem)
        return
    # the version this person started from, kept across reruns until they save: a save made
    # by someone else in between is then refused instead of overwritten
    editing_key = f"_editing_{key}"
    editing = st.session_state.get(editing_key)
    if not editing or editing[0] != action.action_id:
        editing = st.session_state[editing_key] = (action.action_id, action.version)
    started_from = editing[1]
    masked = masking.session_masked()
    with st.container(border=True):
        title = masking.HIDDEN_TEXT if masked else action.title
        st.markdown(f"**{literal(title)}** · {action_rules.STATUS_LABELS[action.status]} · "
                    f"owner {literal(action.owner_name)}")
        st.caption(f"Created by {literal(action.created_by)} on {action.created_at:%-d %b %Y}; "
                   f"last changed by {literal(action.updated_by)} on "
                   f"{action.updated_at:%-d %b %Y %H:%M} UTC")
        if outcome is not None and action.status == "done":
            st.markdown(f"**Outcome:** {literal(outcome.text)} · "
                        f"{action_rules.worked_text(outcome.worked)}")
        with st.form(f"{key}_{action.action_id}", border=False):
            left, middle, right = st.columns(3)
            status = left.selectbox("Status", STATUSES, index=STATUSES.index(action.status),
                                    format_func=action_rules.STATUS_LABELS.__getitem__)
            due = middle.date_input("Due", value=action.due_on, format="DD/MM/YYYY")
            priority = right.selectbox(
                "Priority", PRIORITIES, index=PRIORITIES.index(action.priority),
                format_func=action_rules.PRIORITY_LABELS.__getitem__)
            note = st.text_area("Add a note", max_chars=4000, height=80,
                                placeholder="What was done, what was agreed, what is next")
            saved = st.form_submit_button("Save changes", icon=":material/save:")
        if saved:
            try:
                store.update(viewer, action.action_id, started_from, status=status,
                             due_on=due, priority=priority)
                if note.strip():
                    store.add_note(viewer, action.action_id, note)
            except ActionChanged as stale:
                st.session_state.pop(editing_key, None)  # the next run shows their version
                st.error(str(stale), icon=":material/sync_problem:")
                return
            except WorkspaceUnavailable as problem:
                st.error(literal(f"The changes were not saved: {problem.reason} (the workspace "
                                 f"at {problem.place}). What you typed is kept: save again "
                                 "once the workspace is back."), icon=":material/cloud_off:")
                return
            except (ActionInvalid, access.AccessDenied) as problem:
                st.error(str(problem))
                return
            st.session_state.pop(editing_key, None)
            st.session_state["_action_saved"] = "Action updated"
            st.rerun()
        if action.notes:
            notes = pd.DataFrame([{"Date": n.created_at, "By": n.author, "Note": n.body}
                                  for n in action.notes])
            if masked:
                notes["Note"] = masking.HIDDEN_TEXT
            tables.show(notes, column_config={
                "Date": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
                "Note": st.column_config.TextColumn(width="large")})


ACTION_COLUMN = tables.ACTION_COLUMN


def with_action_column(table: pd.DataFrame, subject_kind: str, keys: list[str],
                       position: int = 1) -> pd.DataFrame:
    """The table with an Action cell per row: the open actions on the row's subject and that a
    click records one. Unchanged for a viewer who may not record actions."""
    if not may_record():
        return table
    found = _found_or_why(subject_kind=subject_kind)
    shown_table = table.copy()
    if isinstance(found, WorkspaceUnavailable):
        unavailable_notice(found)
        shown_table.insert(position, ACTION_COLUMN,
                           [action_rules.action_cell_text(None)] * len(keys))
        return shown_table
    open_actions = found.loc[found["status"].isin(action_rules.OPEN)] if len(found) else found
    counts = open_actions.groupby("subject_key").size().to_dict() if len(open_actions) else {}
    shown_table.insert(position, ACTION_COLUMN,
                       [action_rules.action_cell_text(int(counts.get(key, 0))) for key in keys])
    return shown_table


def on_action_cell(table_key: str, subject_kind: str, rows: pd.DataFrame, *,
                   key: Callable[[pd.Series], str], label: Callable[[pd.Series], str],
                   title: Callable[[pd.Series], str],
                   account: Callable[[pd.Series], str | None] = lambda row: None,
                   department: Callable[[pd.Series], str | None] = lambda row: None,
                   owner: Callable[[pd.Series], str | None] = lambda row: None) -> None:
    """After a table with an Action column is drawn: a click on a row's Action cell opens the
    New action dialog for that row's subject. `rows` is the frame behind the table, row for
    row; the callables read the subject's key, label and defaults from one of its rows."""
    if not may_record():
        return
    row_position, column = tables.selected_cell(table_key)
    if row_position is None or column != ACTION_COLUMN or row_position >= len(rows):
        return
    row = rows.iloc[row_position]
    subject_key = key(row)
    masked = masking.session_masked() and subject_kind in action_rules.CUSTOMER_SUBJECTS
    open_new_action(
        subject_kind, subject_key, subject_key if masked else label(row),
        account_id=account(row), department_id=department(row), owner_employee_id=owner(row),
        title=title(row), table_key=table_key)


def off_track_kpis_table(runs: pd.DataFrame, kpis: pd.DataFrame, last_month: dt.date, *,
                         key: str) -> None:
    """The KPIs off track rules.RUN_THRESHOLD periods running (goals.off_track_runs rows),
    with an Action cell that gives one an owned action, and their downloads."""
    run_kpis = runs.merge(kpis, on="kpi_id")
    table = with_action_column(goals.accountability_table(runs, kpis, last_month), "kpi",
                               list(run_kpis["kpi_id"]), position=2)
    downloads.dataframe(
        table, title="KPIs off track", hide_index=True, key=key, on_select="rerun",
        selection_mode="single-cell",
        column_config={
            "Department": st.column_config.LinkColumn("Department", display_text=r"#(.*)$"),
            "Next review": tables.DATE,
        },
    )
    on_action_cell(
        key, "kpi", run_kpis,
        key=lambda row: row["kpi_id"], label=lambda row: row["kpi_name"],
        title=lambda row: f"Bring {row['kpi_name']} back on track",
        department=lambda row: row["department_id"],
        owner=lambda row: row["owner_employee_id"],
    )


def on_account_table_click(accounts: pd.DataFrame, table_key: str,
                           title: Callable[[pd.Series], str], recording: bool) -> None:
    """What a click on a table of accounts does (Health & risk, Renewals): its Action cell
    opens a new action on the account, prefilled with its CSM and `title`, saved with one more
    click; any other cell opens the account's 360 view in this tab, filters kept."""
    row, column = tables.selected_cell(table_key)
    if row is None:
        return
    account = accounts.iloc[row]
    if column == tables.ACTION_COLUMN and recording:
        open_new_action(
            "account", account["account_id"],
            account["account_id"] if masking.session_masked() else account["account_name"],
            account_id=account["account_id"],
            department_id=account["csm_department_id"],
            owner_employee_id=account["csm_employee_id"],
            title=title(account),
            table_key=table_key,
        )
    else:
        st.switch_page("views/account.py", query_params={"account": account["account_id"]})
