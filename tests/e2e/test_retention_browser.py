"""Browser tests for the retention pages: deep links and the drill from risk to Account 360."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser import EXCEPTION, choose_option, wait_for_app_loaded

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
    drill = page.locator('[data-testid="stSelectbox"]').filter(has_text="Drill into an account")
    chosen = choose_option(page, drill)
    button = page.get_by_role("button", name="Account 360")
    button.wait_for(timeout=15000)
    button.click()
    name = chosen.rsplit(" (", 1)[0]
    account_id = chosen.rsplit("(", 1)[1].rstrip(")")
    heading = page.locator('[data-testid="stHeading"]').filter(has_text=name)
    heading.first.wait_for(timeout=30000)
    wait_for_app_loaded(page)
    # the address names the account, so the view can be sent as a link
    assert f"account={account_id}" in page.url, page.url
    assert page.get_by_text("Revenue & health").is_visible()
    assert page.locator(EXCEPTION).count() == 0
