"""Exports carry the as-of date, filters and masking; the HTML brief is self-contained."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import plotly.graph_objects as go
import pytest

from northstar import downloads

CONTEXT = downloads.ExportContext("Customer briefing", dt.date(2026, 10, 31),
                                  "Last 12 months · All accounts", masked=True)


def test_csv_starts_with_the_context():
    frame = pd.DataFrame({"Account": ["Acme"], "ARR": [1200.0]})
    text = downloads.table_csv(frame, CONTEXT).decode()
    assert text.splitlines()[:4] == [
        "# Northstar — Customer briefing", "# Data as of 31 Oct 2026",
        "# Filters: Last 12 months · All accounts", "# Customer names and comments are masked"]
    assert pd.read_csv(io.StringIO(text), comment="#").equals(frame)


def test_excel_has_the_data_and_an_about_sheet():
    frame = pd.DataFrame({"Account": ["Acme"], "When": [pd.Timestamp("2026-01-01", tz="UTC")]})
    workbook = pd.read_excel(io.BytesIO(downloads.table_excel(frame, CONTEXT)), sheet_name=None)
    assert list(workbook) == ["Data", "About"]
    assert workbook["Data"]["Account"].tolist() == ["Acme"]
    assert "Data as of 31 Oct 2026" in workbook["About"].iloc[:, 0].tolist()


def test_html_brief_is_self_contained_and_escaped():
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    document = downloads.briefing_html(
        CONTEXT, [downloads.Kpi("ARR", "$1.2M", "+$0.1M", None)],
        [("Where ARR moved", figure), ("Second", figure)],
        ["Invest in <b>support</b> first."],
    )
    assert document.count("plotly.js v") >= 1 and '<script src="http' not in document
    assert document.count('class="plotly-graph-div"') == 2
    assert "&lt;b&gt;support&lt;/b&gt;" in document
    assert "Data as of 31 Oct 2026" in document and "Filters: Last 12 months" in document


def test_pdf_through_chromium_or_a_clear_message(monkeypatch):
    document = downloads.briefing_html(CONTEXT, [downloads.Kpi("NPS", "+21", None, "n = 10")], [])
    if downloads.chromium_executable() is None:
        with pytest.raises(downloads.PdfUnavailable, match="Chromium"):
            downloads.html_to_pdf(document)
    else:
        assert downloads.html_to_pdf(document).startswith(b"%PDF")
    monkeypatch.setattr(downloads, "chromium_executable", lambda: None)
    with pytest.raises(downloads.PdfUnavailable, match="download the HTML brief"):
        downloads.html_to_pdf(document)
