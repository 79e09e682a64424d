"""The Briefing's PDF: prepared on request with its steps shown, then offered for download."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from northstar.ui import downloads
from tests.app.test_data_page import APP

FAKE_PDF = b"%PDF-1.7 brief"


@pytest.fixture()
def briefing(demo_db, use_db, monkeypatch) -> AppTest:
    use_db(demo_db)
    monkeypatch.setattr(downloads, "chromium_executable", lambda: "/usr/bin/chromium")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def labels(at: AppTest) -> list[str]:
    return [button.label for button in at.get("download_button")]


def test_the_pdf_is_prepared_with_its_steps_then_downloads(briefing, monkeypatch):
    printed = []
    monkeypatch.setattr(downloads, "html_to_pdf", lambda document: printed.append(document)
                        or FAKE_PDF)
    assert "Brief as HTML" in labels(briefing) and "Brief as PDF" not in labels(briefing)
    assert len(briefing.status) == 0
    briefing.button(key="brief_pdf_prepare").click().run()
    assert not briefing.exception
    [status] = briefing.status
    assert status.label.startswith("PDF ready") and status.state == "complete"
    assert [step.value for step in status.markdown] == [
        "Rendering charts and text", "Printing PDF (headless Chromium)"]
    assert "Data as of 31 Oct 2026" in printed[0]
    assert "Brief as PDF" in labels(briefing)
    assert "Prepare PDF" not in [button.label for button in briefing.button]
    briefing.run()  # the same brief: the PDF stays ready, nothing is printed again
    assert "Brief as PDF" in labels(briefing) and len(briefing.status) == 0
    assert len(printed) == 1


def test_a_pdf_that_cannot_be_printed_says_why(briefing, monkeypatch):
    def refuse(document):
        raise downloads.PdfUnavailable("Chromium did not produce a PDF; download the HTML brief "
                                       "instead.")

    monkeypatch.setattr(downloads, "html_to_pdf", refuse)
    briefing.button(key="brief_pdf_prepare").click().run()
    assert not briefing.exception
    [status] = briefing.status
    assert (status.label, status.state) == ("The PDF could not be printed", "error")
    assert "download the HTML brief" in status.markdown[-1].value
    assert "Brief as PDF" not in labels(briefing)
