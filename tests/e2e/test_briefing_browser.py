"""Browser smoke test: the Briefing (home) page renders its KPI wall in real Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from browser import EXCEPTION, screenshot_full_page, wait_for_app_loaded

if TYPE_CHECKING:
    from playwright.sync_api import Page

METRIC = '[data-testid="stMetric"]'


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
