"""Renewals through AppTest: every role that may open it, a shared screen (names masked), a load
without renewal dates (the export that would fill them) and a churn model that failed its checks
(the reason and the observed churn, no ARR expected to renew)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics import display, renewals
from northstar.analytics.metrics import format_usd
from northstar.data.registry import access
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace
from tests.app.access_file import USERS
from tests.app.test_access import open_as, rendered_text
from tests.app.test_churn_model_gate import AUC_REASON, demo_failing_ranking  # noqa: F401
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")
PAGE = "views/renewals.py"
WINDOW_LABELS = [f"Up for renewal, next {days} days" for days in renewals.WINDOWS]


def open_page(query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if query_params:
        at.query_params.update(query_params)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def renewals_frame(at: AppTest):
    frames = [frame.value for frame in at.dataframe if "Window" in frame.value.columns]
    assert len(frames) == 1
    return frames[0]


def independent_totals(path: Path) -> list[tuple[int, float]]:
    """Accounts and ARR renewing in each window, counted straight from the tables."""
    with duckdb.connect(str(path), read_only=True) as con:
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
        last_month = as_of.replace(day=1)
        return [con.execute(
            "select count(*), coalesce(sum(m.mrr_usd * 12), 0)::double from accounts a "
            "join account_mrr_monthly m on m.account_id = a.account_id and m.month = $month "
            "where m.mrr_usd > 0 and a.renewal_date between $as_of and $until",
            {"month": last_month, "as_of": as_of,
             "until": as_of + dt.timedelta(days=days)}).fetchone()
            for days in renewals.WINDOWS]


def test_the_windows_add_up_what_the_tables_hold_with_what_is_expected_to_renew(demo, use_db):
    at = open_page()
    metrics = {metric.label: metric for metric in at.metric}
    assert list(metrics) == WINDOW_LABELS
    counted = independent_totals(demo)
    assert counted[0][0] > 0 and counted[0][0] < counted[1][0] < counted[2][0]
    captions = [caption.value for caption in at.caption]
    for label, (accounts, arr) in zip(WINDOW_LABELS, counted, strict=True):
        assert metrics[label].value == format_usd(arr), label
        assert "expected to renew" in metrics[label].proto.delta
        assert any(text.startswith(f"{accounts:,} accounts · expected to renew: 95% range $") for text in captions)
    table = renewals_frame(at)
    assert len(table) == counted[-1][0]
    assert table["Renewal"].is_monotonic_increasing
    assert {"Action", "Churn risk, 12 months", "95% range", "ARR expected to renew", "CSM",
            "Health", "Band"} <= set(table.columns)
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("role", list(USERS))
def test_every_role_that_may_open_it(signed_in, role):
    at = open_as(USERS[role], "renewals")
    assert not at.exception, [exception.message for exception in at.exception]
    if "renewals" not in access.ROLE_PAGES[role]:
        assert role == "department_head"
        assert any("does not include this page" in warning.value for warning in at.warning)
        assert not at.dataframe and not at.metric
        return
    assert [metric.label for metric in at.metric] == WINDOW_LABELS
    table = renewals_frame(at)
    # the CCO and executives record actions from a renewal; board members see no action
    assert ("Action" in table.columns) == (role in access.ACTION_ROLES)
    if role == "board":
        names = customer_names(signed_in)
        text = rendered_text(at)
        assert not [name for name in names if name in text]


def customer_names(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.execute("select account_name from accounts").fetchall()
                if row[0]}


def test_a_shared_screen_masks_account_names_and_the_actions_label(demo, use_db):
    at = open_page({"mask": "true"})
    names = customer_names(demo)
    text = rendered_text(at)
    assert not [name for name in names if name in text]
    table = renewals_frame(at)
    assert table["Account"].str.contains("#Account ").all()
    # the Action cell opens the dialog labelled with the account's ID, never a name
    at = click_action_cell(at, 0)
    dialog_text = " ".join(markdown.value for markdown in at.markdown).replace("\\", "")
    assert f"**Account:** {table['Account ID'].iloc[0]}" in dialog_text
    assert not [name for name in names if name in rendered_text(at)]


def click_action_cell(at: AppTest, row: int) -> AppTest:
    """A click on the Action cell of a row of the renewals table, as the browser reports it."""
    at.session_state["renewals_table"] = {"selection": {"rows": [], "columns": [],
                                                        "cells": [[row, "Action"]]}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_an_action_from_a_renewal_is_saved_on_its_account(demo, use_db, own_workspace):
    at = open_page()
    first = renewals_frame(at).iloc[0]
    at = click_action_cell(at, 0)
    what = next(widget for widget in at.text_input if widget.label == "What will be done")
    title = what.value
    assert title.startswith(f"Secure the renewal of {first['Renewal']:%-d %b %Y}")
    next(button for button in at.button if button.label == "Save action").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    store = Workspace(own_workspace)
    saved = store.actions(LOCAL_DEMO_VIEWER)
    store.dispose()
    assert list(saved["account_id"]) == [first["Account ID"]]
    assert saved["title"].iloc[0] == title and saved["status"].iloc[0] == "open"
    # the owner is the account's CSM
    assert saved["owner_name"].iloc[0] == first["CSM"]
    # the list now counts it
    assert renewals_frame(at)["Action"].iloc[0] == "1 open action · + new"


def test_without_renewal_dates_it_names_the_export(demo, use_db, tmp_path):
    path = tmp_path / "northstar.duckdb"
    shutil.copy(demo, path)
    with duckdb.connect(str(path)) as con:
        con.execute("update accounts set renewal_date = null")
    use_db(path)
    at = open_page()
    assert [info.value for info in at.info] == [renewals.no_dates_text()]
    assert "docs/loading-data.md" in at.info[0].value
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_a_failed_model_shows_the_reason_and_observed_churn_and_nothing_expected(
        demo_failing_ranking, use_db):  # noqa: F811 - the fixture imported above
    use_db(demo_failing_ranking)
    at = open_page()
    assert AUC_REASON in [info.value for info in at.info]
    assert [metric.label for metric in at.metric] == WINDOW_LABELS
    # ARR up for renewal only: no ARR expected to renew, no range, no chance
    assert all(not metric.proto.delta for metric in at.metric)
    text = rendered_text(at)
    assert "expected to renew (95% range" not in text
    table = renewals_frame(at)
    assert not {"Churn risk, 12 months", "95% range", "ARR expected to renew",
                "Main reasons"} & set(table.columns)
    observed = table["Observed churn of its segment, 12 months"]
    assert observed.str.contains(r"% \(95% interval ").all()
    # every number in its unit, the observed churn by segment too (20.5%, not 20.500000)
    for frame in at.dataframe:
        assert display.unformatted_numeric_columns(frame.value) == [], frame.value.columns
    assert "ARR expected to renew" not in [chart_title(chart) for chart in
                                           at.get("plotly_chart")][0]


def chart_title(chart) -> str:
    return json.loads(chart.proto.spec)["layout"]["title"]["text"]
