"""Every page of the page registry in a real browser at 1920×1080: loads with no error element,
screenshot kept under test-artifacts/; a shared URL reproduces a view; the HTML brief downloads
and opens offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from browser import EXCEPTION, screenshot_full_page, share_link, wait_for_app_loaded
from northstar.data.registry.pages import HOME, PAGES, PAGES_BY_KEY
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"
# what a page is opened on when its address alone shows no record (every tab of every page is
# opened in a browser by test_house_style_browser.py)
OPENED_ON: dict[str, dict[str, str]] = {
    "account": {"account": "A0000001"},
    "scorecard": {"department": "customer_service"},
}


def address(key: str) -> str:
    path = "/" if key == HOME else f"/{key}"
    params = OPENED_ON.get(key)
    return f"{path}?{urlencode(params)}" if params else path


def test_pages_opened_on_a_record_are_pages_of_the_registry() -> None:
    assert set(OPENED_ON) <= set(PAGES_BY_KEY)


@pytest.mark.parametrize("name", [page.key for page in PAGES])
def test_page_loads_without_error(app_server: str, page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{app_server}{address(name)}", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    errors = page.locator(f'{EXCEPTION}, [data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()
    assert page.locator('[data-testid="stHeading"]').count() >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = screenshot_full_page(page, ARTIFACTS / f"{name}-1920x1080.png")
    assert shot.stat().st_size > 10_000


def test_the_sidebar_lists_every_page_without_folding_any(app_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_server, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    listed = nav.inner_text()
    assert "more" not in listed.lower(), listed
    for registered in PAGES:
        assert nav.get_by_text(registered.title, exact=True).first.is_visible(), registered.title


def test_a_shared_url_reproduces_the_view(app_server: str, page: Page) -> None:
    url = f"{app_server}/satisfaction?view=Closed+loop&target=14&segment=Enterprise&period=Last+6+months"
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Last 6 months" in main and "Segment: Enterprise" in main
    assert page.get_by_role("tab", name="Closed loop").get_attribute("aria-selected") == "true"
    assert page.get_by_test_id("stNumberInputField").input_value() == "14"
    link = share_link(page)
    assert link.startswith(f"{app_server}/satisfaction?"), link
    for part in ("view=Closed+loop", "target=14", "segment=Enterprise", "period=Last+6+months"):
        assert part in link, (part, link)


def test_html_brief_downloads_and_opens_offline(app_server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{app_server}/?segment=SMB", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="Brief as HTML").click()
    path = tmp_path / "brief.html"
    download.value.save_as(path)
    text = path.read_text()
    assert "Data as of 31 Oct 2026" in text and "Segment: SMB" in text
    offline = page.context.browser.new_context(offline=True).new_page()
    offline.goto(path.as_uri())
    offline.wait_for_selector(".plotly-graph-div .main-svg", timeout=30000)
    assert offline.locator(".plotly-graph-div").count() == 2
    offline.context.close()
