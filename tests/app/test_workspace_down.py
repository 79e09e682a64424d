"""Pages with the workspace down: a stopped or frozen PostgreSQL, or an SQLite workspace that
cannot be created. Reading pages keep working and say why actions are unavailable; a save says
it failed, keeps what was typed, and is stored once when the workspace is back."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import TIMEOUT_ENV, Workspace, open_workspace
from tests.app.test_actions_pages import texts
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
BOUND = 2.0  # seconds: NORTHSTAR_WORKSPACE_TIMEOUT in these tests
PASSWORD = "pw-never-shown"
PAGES = ("views/briefing.py", "views/health.py", "views/account.py", "views/forum.py")
NOTICE = "Actions are unavailable: "


@pytest.fixture()
def bound(monkeypatch):
    monkeypatch.setenv(TIMEOUT_ENV, f"{BOUND:g}")
    return BOUND


@pytest.fixture()
def fresh_workspace(fault_postgres, monkeypatch) -> str:
    """A new database on the module's own server, as the workspace (with a password in its
    URL, which must never be shown)."""
    url = fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}", password=PASSWORD)
    monkeypatch.setenv("NORTHSTAR_WORKSPACE", url)
    return url


def timed_page(page: str) -> tuple[AppTest, float]:
    at = AppTest.from_file(APP, default_timeout=60)
    if page == "views/account.py":
        at.query_params["account"] = "A0000001"
    at.run()
    started = time.monotonic()
    at.switch_page(page).run()
    elapsed = time.monotonic() - started
    assert not at.exception, [exception.message for exception in at.exception]
    return at, elapsed


def plain(markdown: object) -> str:
    """Shown text as read: Markdown escapes and the joiners that break automatic links gone."""
    return re.sub(r"\\(.)", r"\1", str(markdown)).replace("\u2060", "")


def notices(at: AppTest) -> list[str]:
    return [plain(warning.value) for warning in at.warning if NOTICE in plain(warning.value)]


def assert_reads_as_usual(page: str, at: AppTest) -> None:
    title = {"views/briefing.py": "Customer briefing", "views/health.py": "Health & risk",
             "views/account.py": "Account 360", "views/forum.py": "Accountability forum"}[page]
    assert at.title[0].value == title
    if page == "views/briefing.py":
        assert len(at.metric) == 8 and "CEO brief" in [h.value for h in at.subheader]
    elif page == "views/health.py":
        assert "Account ID" in at.dataframe[0].value.columns
    elif page == "views/account.py":
        assert "Revenue & health" in [tab.label for tab in at.tabs]
        assert "Actions (unavailable)" in [tab.label for tab in at.tabs]


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_with_postgres_stopped(page, demo, bound, fresh_workspace, fault_postgres):
    fault_postgres.halt()
    try:
        at, _ = timed_page(page)
    finally:
        fault_postgres.start()
    shown = notices(at)
    assert len(shown) == 1, texts(at)
    assert "not running" in shown[0]
    assert "the workspace at postgresql://northstar@/ws_" in shown[0]
    assert PASSWORD not in texts(at) + "".join(shown)
    assert_reads_as_usual(page, at)


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_with_postgres_frozen(page, demo, bound, fresh_workspace, fault_postgres):
    _, usual = timed_page(page)  # the workspace is open, its connection pooled
    fault_postgres.freeze()
    try:
        at, elapsed = timed_page(page)
    finally:
        fault_postgres.thaw()
    shown = notices(at)
    assert len(shown) == 1, texts(at)
    assert f"did not answer within {BOUND:g} seconds" in shown[0]
    assert PASSWORD not in shown[0]
    # the first render of the page, with the workspace up, plus one bound at most
    assert elapsed < usual + BOUND + 2, (elapsed, usual)
    assert_reads_as_usual(page, at)


@pytest.mark.parametrize("page", PAGES)
def test_pages_read_with_the_workspace_folder_read_only(page, demo, bound, read_only_folder,
                                                       monkeypatch):
    place = read_only_folder / "northstar.workspace.sqlite"
    monkeypatch.setenv("NORTHSTAR_WORKSPACE", f"sqlite:///{place}")
    at, _ = timed_page(page)
    shown = notices(at)
    assert len(shown) == 1, texts(at)
    assert "read-only" in shown[0] and str(place) in shown[0]
    assert_reads_as_usual(page, at)


def open_dialog() -> AppTest:
    at, _ = timed_page("views/health.py")
    at.session_state["at_risk_table"] = {"selection": {"rows": [], "columns": [],
                                                       "cells": [[0, "Action"]]}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def what_field(at: AppTest):
    return next(widget for widget in at.text_input if widget.label == "What will be done")


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_a_save_with_the_workspace_down_says_so_keeps_the_text_and_stores_once(
        fault, demo, bound, fresh_workspace, fault_postgres):
    open_workspace(fresh_workspace)  # up when the server started; down from here on
    down, back = ((fault_postgres.halt, fault_postgres.start) if fault == "stopped"
                  else (fault_postgres.freeze, fault_postgres.thaw))
    down()
    try:
        at = open_dialog()
        what_field(at).set_value("Call the CFO before the renewal")
        next(button for button in at.button if button.label == "Save action").click()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        errors = [plain(error.value) for error in at.error]
        assert any(error.startswith("The action was not saved: ") for error in errors), errors
        assert PASSWORD not in "".join(errors)
        assert what_field(at).value == "Call the CFO before the renewal"
    finally:
        back()
    time.sleep(1)  # a save cut off by the freeze may still land once the server answers
    next(button for button in at.button if button.label == "Save action").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    store = Workspace(fresh_workspace)
    saved = store.actions(LOCAL_DEMO_VIEWER)
    store.dispose()
    assert list(saved["title"]) == ["Call the CFO before the renewal"]
