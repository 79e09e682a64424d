"""Actions through AppTest: two clicks from an at-risk account to an owned action, the action on
Account 360 and the forum, the forum for every role, and masking of action text."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.registry.access import LOCAL_DEMO_VIEWER, Viewer
from northstar.data.workspace.store import LIMITS, NewAction, Workspace
from tests.app.test_access import USERS, open_as
from tests.app.test_retention_pages import open_page
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def texts(at: AppTest) -> str:
    parts = [str(element.value) for kind in ("markdown", "caption", "title", "header",
                                             "subheader", "info", "warning", "success")
             for element in at.get(kind)]
    for table in at.dataframe:
        parts.append(table.value.to_csv())
    return "\n".join(parts)


@pytest.fixture()
def store(own_workspace):
    workspace = Workspace(own_workspace)
    yield workspace
    workspace.dispose()


def record(store: Workspace, title: str, department: str = "customer_service",
           due: dt.date | None = None, account: str = "A0000001") -> str:
    return store.create(LOCAL_DEMO_VIEWER, NewAction(
        title=title, owner_employee_id="E00001", owner_name="Mei Lund",
        department_id=department, due_on=due or dt.date.today() - dt.timedelta(days=3),
        subject_kind="account", subject_key=account, subject_label="Named Customer Inc",
        account_id=account)).action_id


def test_two_clicks_from_an_at_risk_account_to_an_owned_action(demo, store):
    at = open_page("views/health.py")
    table = at.dataframe[0].value
    assert table.columns[1] == "Action" and set(table["Action"]) == {"+ New action"}
    account_id = table["Account ID"].iloc[0]
    # click one: the first account's Action cell opens the dialog, prefilled
    at.session_state["at_risk_table"] = {"selection": {"rows": [], "columns": [],
                                                       "cells": [[0, "Action"]]}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Health & risk"  # the cell does not drill to Account 360
    what = next(widget for widget in at.text_input if widget.label == "What will be done")
    # prefilled from the account's main reasons (a generic title when it has none)
    title = ("Lower the churn risk" if not table["Main reasons"].iloc[0].startswith("no warning")
             else "Lower the account's churn risk")
    assert what.value.startswith(title)
    owner = next(widget for widget in at.selectbox if widget.label == "Owner")
    assert owner.value is not None  # the account's CSM
    # click two: save
    next(button for button in at.button if button.label == "Save action").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    saved = store.actions(LOCAL_DEMO_VIEWER)
    assert list(saved["subject_key"]) == [account_id]
    assert saved["status"].iloc[0] == "open" and saved["priority"].iloc[0] == "high"
    assert at.dataframe[0].value["Action"].iloc[0] == "1 open action · + new"
    # the dialog's cell is cleared, so it does not open again
    assert not any(widget.label == "What will be done" for widget in at.text_input)

    account = open_page("views/account.py", {"account": account_id})
    assert "Actions (1 open)" in [tab.label for tab in account.tabs]
    assert title in texts(account)


def test_the_forum_runs_the_weekly_meeting(demo, store):
    overdue = record(store, "Call the sponsor")
    record(store, "Plan the QBR", due=dt.date.today() + dt.timedelta(days=3))
    done = record(store, "Fix the login issue", due=dt.date.today())
    store.update(LOCAL_DEMO_VIEWER, done, 1, status="done")
    at = open_page("views/forum.py")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {"Open actions": "2", "Overdue": "1", "Due this week": "1",
                       "Closed since the last forum": "1"}
    shown = texts(at)
    assert "Call the sponsor" in shown and "Fix the login issue" in shown
    comparison = next(table.value for table in at.dataframe
                      if "Reading" in table.value.columns)
    assert list(comparison["Action on"]) == ["Account", "Survey answer", "Ticket", "KPI"]
    assert store.get(LOCAL_DEMO_VIEWER, overdue).status == "open"


def test_an_action_whose_account_left_the_data_is_flagged(demo, store):
    record(store, "Win back the ghost", account="A9999999")
    at = open_page("views/forum.py")
    assert any("no longer in the data" in str(warning.value) for warning in at.warning)


def test_masked_forum_hides_action_text_and_names(demo, store):
    record(store, "Call Named Customer Inc's CFO")
    at = open_page("views/forum.py", {"mask": "true"})
    shown = texts(at)
    assert "Named Customer Inc" not in shown and "CFO" not in shown
    assert "A0000001" in shown


def test_board_members_see_counts_only(signed_in, store):
    record(store, "Board must not read this")
    at = open_as(USERS["board"], "forum")
    assert not at.exception
    shown = texts(at)
    assert "Board must not read this" not in shown
    counts = at.dataframe[0].value
    assert list(counts.columns) == ["Department", "Open", "Overdue", "Done", "Dropped"]
    assert int(counts["Open"].sum()) == 1


def test_department_heads_see_their_department_only(signed_in, store):
    record(store, "Support's own action")
    record(store, "Sales' action", department="sales")
    at = open_as(USERS["department_head"], "forum")
    assert not at.exception
    shown = texts(at)
    assert "Support's own action" in shown and "Sales' action" not in shown


def test_a_stale_edit_is_refused_on_screen(demo, store):
    action_id = record(store, "Call the sponsor")
    at = open_page("views/forum.py")
    at.session_state["forum_all"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    # someone else saves in between
    store.update(Viewer(email="ceo@northstar.example", role="executive", signed_in=True),
                 action_id, 1, priority="urgent")
    status = next(widget for widget in at.selectbox if widget.label == "Status")
    status.set_value("done")
    next(button for button in at.button if button.label == "Save changes").click()
    at.run()
    assert any("changed by ceo@northstar.example" in str(error.value) for error in at.error)
    assert store.get(LOCAL_DEMO_VIEWER, action_id).status == "open"


def test_the_scorecard_lists_the_departments_actions(demo, store):
    record(store, "Support's own action")
    record(store, "Sales' action", department="sales")
    at = open_page("views/scorecard.py", {"department": "customer_service"})
    assert "Actions (1 open)" in [header.value for header in at.subheader]
    table = next(t.value for t in at.dataframe if "Action" in t.value.columns)
    assert list(table["Action"]) == ["Support's own action"]
    assert "Department" not in table.columns


def test_an_account_with_a_very_long_name_gets_its_action(demo_db, use_db, tmp_path, store):
    long_db = tmp_path / "long-names.duckdb"
    shutil.copy(demo_db, long_db)
    with duckdb.connect(str(long_db)) as con:
        con.execute("update accounts set account_name = account_name || ?",
                    [" Holdings Group" * 25])  # every name 375 characters longer
    use_db(long_db)
    at = open_page("views/health.py")
    account_id = at.dataframe[0].value["Account ID"].iloc[0]
    at.session_state["at_risk_table"] = {"selection": {"rows": [], "columns": [],
                                                       "cells": [[0, "Action"]]}}
    at.run()
    next(button for button in at.button if button.label == "Save action").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [str(error.value) for error in at.error]
    saved = store.actions(LOCAL_DEMO_VIEWER)
    assert (list(saved["subject_key"]), list(saved["account_id"])) == ([account_id], [account_id])
    label = saved["subject_label"].iloc[0]
    with duckdb.connect(str(long_db), read_only=True) as con:
        name = con.execute("select account_name from accounts where account_id = ?",
                           [account_id]).fetchone()[0]
    assert len(name) > LIMITS["subject_label"]
    assert len(label) <= LIMITS["subject_label"] and label.endswith("…")
    assert name.startswith(label[:-1])
    # the list of the account's actions links to it by ID, with the shortened name
    account = open_page("views/account.py", {"account": account_id})
    assert "Actions (1 open)" in [tab.label for tab in account.tabs]
