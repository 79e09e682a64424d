"""Browser tests for the retention pages: deep links and the drill from risk to Account 360."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser import EXCEPTION, wait_for_app_loaded

if TYPE_CHECKING:
    from playwright.sync_api import Page

NAV_LINK = '[data-testid="stSidebarNavLink"]'


def open_app(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).all_inner_texts()


def test_deep_link_runs_through_the_entrypoint(app_server: str, page: Page) -> None:
    open_app(page, f"{app_server}/retention?view=Cohorts")
    nav = [text.splitlines()[-1] for text in page.locator(NAV_LINK).all_inner_texts()]
    assert "Briefing" in nav and "Account 360" in nav, nav
    assert page.get_by_text("Survival by segment").is_visible()


def test_drill_from_an_at_risk_account_to_account_360(app_server: str, page: Page) -> None:
    open_app(page, f"{app_server}/health")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # one click on the first row (its selection box, left of the pinned account name)
    page.mouse.click(box["x"] + 18, box["y"] + 36 + 18)
    page.locator('[data-testid="stHeading"]').filter(has_text="Account 360").first.wait_for(
        timeout=30000)
    wait_for_app_loaded(page)
    # the same tab, and the address names the account, so the view can be sent as a link
    assert "/account?" in page.url and "account=A" in page.url, page.url
    assert page.get_by_text("Revenue & health").is_visible()
    assert page.locator(EXCEPTION).count() == 0
