"""Browser test of Renewals: the page opens with its windows, chart and list, and an action is
created from one renewal in two clicks (its Action cell, then Save action)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser import EXCEPTION, wait_for_app_loaded
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROW = 36  # px: the header row and each data row of a Streamlit table
ACTION_CELL_X = 36 + 200 + 45  # the selection column, the Account column (medium), then Action


def loaded(page: Page) -> None:
    wait_for_app_loaded(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).all_inner_texts()


def test_open_renewals_and_create_an_action_from_a_renewal(app_server: str, app_workspace: str,
                                                           page: Page) -> None:
    store = Workspace(app_workspace)
    before = set(store.actions(LOCAL_DEMO_VIEWER)["action_id"])
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_server}/renewals", wait_until="domcontentloaded")
    loaded(page)
    page.get_by_role("heading", name="Renewals", exact=True).first.wait_for(timeout=30000)
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert labels == ["Up for renewal, next 30 days", "Up for renewal, next 90 days",
                      "Up for renewal, next 180 days"]
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # click one: the soonest renewal's Action cell; the dialog opens prefilled
    page.mouse.click(box["x"] + ACTION_CELL_X, box["y"] + ROW + ROW / 2)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("What will be done").wait_for(timeout=30000)
    title = dialog.get_by_label("What will be done").input_value()
    assert title.startswith("Secure the renewal of ")
    # click two: Save action
    dialog.get_by_role("button", name="Save action").click()
    page.get_by_text("Action saved").first.wait_for(timeout=30000)
    loaded(page)
    saved = store.actions(LOCAL_DEMO_VIEWER)
    new = saved.loc[~saved["action_id"].isin(before)]
    assert len(new) == 1
    assert new["title"].iloc[0] == title and new["status"].iloc[0] == "open"
    assert new["subject_kind"].iloc[0] == "account"
    assert new["account_id"].iloc[0] == new["subject_key"].iloc[0]
    store.dispose()
