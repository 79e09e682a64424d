"""The CEO brief as a PDF, printed by the app in a real browser session: a header with the
period, filters and as-of date, the three sections under their headings, charts with their
axes, page numbers on every page. Every page is rendered to a PNG under test-artifacts/brief/
so it can be looked at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2
from pypdf import PdfReader

from browser import wait_for_app_loaded
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = REPO_ROOT / "test-artifacts" / "brief"


def test_pdf_brief_is_a_document(app_server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{app_server}/?segment=Enterprise", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    page.get_by_role("button", name="Prepare PDF").click()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Brief as PDF").click(timeout=120_000)
    path = tmp_path / "brief.pdf"
    download.value.save_as(path)

    reader = PdfReader(path)
    pages = [sheet.extract_text() for sheet in reader.pages]
    count = len(pages)
    assert 1 <= count <= 4, f"{count} pages"
    text = "\n".join(pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Customer briefing" in pages[0]
    assert "Data as of 31 Oct 2026" in flat and "Segment: Enterprise" in flat
    assert "Last 12 months, Nov 2025 – Oct 2026" in flat
    for heading in ("CEO brief", "Where to invest", "Biggest risks", "What changed",
                    "Where ARR moved", "NRR, rolling 12 months"):
        assert heading in flat, heading
    # the charts' axes are drawn in full: money ticks and every bridge step's label
    for label in ("Starting ARR", "Expansion", "Contraction", "Ending ARR", "$0"):
        assert label in flat, label
    for number, sheet_text in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in re.sub(r"\s+", " ", sheet_text), number
    assert "None" not in flat and "nan" not in flat.split()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(str(path))
    for index in range(len(document)):
        image = document[index].render(scale=1.5).to_pil()
        image.save(ARTIFACTS / f"brief-page-{index + 1}.png")
        assert image.width > 800 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
