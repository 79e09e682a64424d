"""Presentation mode in a real browser: sidebar folded away, deck navigation keeps the view,
names masked on screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from browser import EXCEPTION, wait_for_app_loaded

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

MAIN = '[data-testid="stMain"]'


def test_presentation_mode_hides_the_sidebar_and_walks_the_deck(app_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_server}/?present=true&segment=SMB", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_attribute("data-collapsed") == "true"
    assert "Segment: SMB" in page.locator(MAIN).inner_text()
    page.get_by_role("button", name="Retention ▶").click()
    page.get_by_role("heading", name="Retention").first.wait_for(timeout=30000)
    wait_for_app_loaded(page)
    assert "/retention" in page.url
    assert "present=true" in page.url and "segment=SMB" in page.url, page.url
    assert "Segment: SMB" in page.locator(MAIN).inner_text()
    assert page.locator(EXCEPTION).count() == 0


def test_presentation_shows_no_customer_name(app_server: str, demo_db: Path, page: Page) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        names = [row[0] for row in con.execute("select account_name from accounts").fetchall()]
    for path in ("/health?present=true", "/satisfaction?present=true&view=Verbatims"):
        page.goto(f"{app_server}{path}", wait_until="domcontentloaded")
        wait_for_app_loaded(page)
        text = page.locator(MAIN).inner_text()
        leaked = [name for name in names if name in text]
        assert not leaked, (path, leaked[:5])
