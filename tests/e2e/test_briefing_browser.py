"""Browser smoke test: the Briefing (home) page renders its KPI wall in real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from browser import EXCEPTION, choose_option, screenshot_full_page, wait_for_app_loaded

if TYPE_CHECKING:
    from playwright.sync_api import Page

METRIC = '[data-testid="stMetric"]'
MAIN_CAPTION = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'


def test_briefing_kpi_wall(app_server: str, page: Page, tmp_path: Path) -> None:
    response = page.goto(f"{app_server}/", wait_until="domcontentloaded")
    assert response is not None and response.ok, f"GET {app_server}/ failed"
    wait_for_app_loaded(page)

    metrics = page.locator(METRIC)
    count = metrics.count()
    assert count >= 8, f"expected at least 8 KPI metrics on the Briefing page, found {count}"
    for i in range(count):
        assert metrics.nth(i).is_visible(), f"KPI metric #{i} is not visible"

    kpi_text = "\n".join(metrics.all_inner_texts())
    for label in ("ARR", "NPS"):
        assert label in kpi_text, f"KPI wall has no {label!r}; metrics read:\n{kpi_text}"

    exceptions = page.locator(EXCEPTION)
    assert exceptions.count() == 0, "app shows an exception:\n" + "\n".join(
        exceptions.all_inner_texts()
    )

    shot = screenshot_full_page(page, tmp_path / "briefing.png")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000, f"bad screenshot {shot}"


def test_filters_live_in_the_url(app_server: str, page: Page) -> None:
    """A link with filters reopens the same view; changing a filter rewrites the URL."""
    page.goto(f"{app_server}/?segment=Enterprise&period=Last+3+months", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    caption = page.locator(MAIN_CAPTION).first.inner_text()
    assert "Last 3 months" in caption and "Segment: Enterprise" in caption, caption

    page.goto(f"{app_server}/", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    period = page.locator('[data-testid="stSelectbox"]').filter(has_text="Period")
    choose_option(page, period, "Last 6 months")
    page.wait_for_url("**period=Last*6*months*", timeout=15000)
    wait_for_app_loaded(page)
    caption = page.locator(MAIN_CAPTION).first.inner_text()
    assert "Last 6 months" in caption, caption
