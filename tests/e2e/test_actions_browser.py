"""Browser test of the accountability loop: an action created from Health & risk in two clicks,
seen on Account 360 and the forum, closed there, with its outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser import EXCEPTION, wait_for_app_loaded
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROW = 36  # px: the header row and each data row of a Streamlit table
SELECT_BOX = 18  # px: the middle of the row-selection column
ACTION_CELL_X = 36 + 200 + 45  # the selection column, the Account column (medium), then Action


def loaded(page: Page) -> None:
    wait_for_app_loaded(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).all_inner_texts()


def test_an_action_from_health_to_the_forum_and_its_outcome(app_server: str, app_workspace: str,
                                                          page: Page) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    store = Workspace(app_workspace)
    # the browser tests share one workspace: only the action this test creates counts
    before = set(store.actions(LOCAL_DEMO_VIEWER)["action_id"])
    page.goto(f"{app_server}/health", wait_until="domcontentloaded")
    loaded(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # click one: the first account's Action cell; click two: Save action
    page.mouse.click(box["x"] + ACTION_CELL_X, box["y"] + ROW + ROW / 2)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("What will be done").wait_for(timeout=30000)
    dialog.get_by_role("button", name="Save action").click()
    page.get_by_text("Action saved").first.wait_for(timeout=30000)
    loaded(page)
    everything = store.actions(LOCAL_DEMO_VIEWER)
    saved = everything.loc[~everything["action_id"].isin(before)]
    assert len(saved) == 1 and saved["status"].iloc[0] == "open"
    account_id = saved["account_id"].iloc[0]

    # the account's 360 view lists it
    page.goto(f"{app_server}/account?account={account_id}", wait_until="domcontentloaded")
    loaded(page)
    page.get_by_role("tab", name="Actions (1 open)").click()
    page.get_by_text("Pick an action to change its status").wait_for(timeout=30000)

    # the forum lists it; close it there
    page.goto(f"{app_server}/forum", wait_until="domcontentloaded")
    loaded(page)
    every = page.locator('[data-testid="stDataFrame"]').last
    every.scroll_into_view_if_needed()
    every_box = every.bounding_box()
    assert every_box is not None
    page.mouse.click(every_box["x"] + SELECT_BOX, every_box["y"] + ROW + ROW / 2)
    page.get_by_role("button", name="Save changes").wait_for(timeout=30000)
    status = page.locator('[data-testid="stSelectbox"]').filter(has_text="Status").last
    status.click()
    page.get_by_role("option", name="Done").click()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Action updated").first.wait_for(timeout=30000)
    loaded(page)
    closed = store.get(LOCAL_DEMO_VIEWER, saved["action_id"].iloc[0])
    assert closed.status == "done" and closed.version == 2
    # its outcome, read from the data: the demo's data ends before the account's 90 days do
    page.get_by_text("Outcome:").first.wait_for(timeout=30000)
    assert page.get_by_text("Too early to tell").count() >= 1
    assert page.locator('[data-testid="stMetricValue"]').nth(3).inner_text() == "1"
    store.dispose()
