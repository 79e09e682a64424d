"""Exports carry the as-of date, filters and masking; the HTML brief is self-contained."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook

from northstar.analytics import brief_document
from northstar.analytics.ceo_brief import Brief, BriefSentence
from northstar.data import pdf
from northstar.ui import downloads

CONTEXT = downloads.ExportContext("Customer briefing", dt.date(2026, 10, 31),
                                  "Last 12 months · All accounts", masked=True)


def test_csv_starts_with_the_context():
    frame = pd.DataFrame({"Account": ["Acme"], "ARR": [1200.0]})
    text = downloads.table_csv(frame, CONTEXT).decode()
    assert text.split("\r\n")[:4] == [
        "# Northstar — Customer briefing", "# Data as of 31 Oct 2026",
        "# Filters: Last 12 months · All accounts", "# Customer names and comments are masked"]
    assert pd.read_csv(io.StringIO(text), comment="#").equals(frame)


def test_excel_has_the_data_and_an_about_sheet():
    frame = pd.DataFrame({"Account": ["Acme"], "When": [pd.Timestamp("2026-01-01", tz="UTC")]})
    workbook = pd.read_excel(io.BytesIO(downloads.table_excel(frame, CONTEXT)), sheet_name=None)
    assert list(workbook) == ["Data", "About"]
    assert workbook["Data"]["Account"].tolist() == ["Acme"]
    assert "Data as of 31 Oct 2026" in workbook["About"].iloc[:, 0].tolist()


FORMULAS = ["=HYPERLINK(\"http://evil.invalid\",\"Click\")", "+1+1", "-2+3", "@SUM(A1)",
            "\tTabbed", "\rReturn", "=cmd|' /C calc'!A0"]


def test_csv_cells_that_would_run_as_formulas_are_text():
    import csv

    frame = pd.DataFrame({"Account": [*FORMULAS, "Plain = fine"],
                          "ARR": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]})
    text = downloads.table_csv(frame, CONTEXT).decode()
    rows = [row for row in csv.reader(io.StringIO(text, newline=""))
            if not row[0].startswith("#")]
    assert [row[0] for row in rows[1:]] == [f"'{value}" for value in FORMULAS] + ["Plain = fine"]
    assert rows[1][1] == "-5.0"  # numbers stay numbers, negative ones included


def test_csv_column_names_are_neutralised_too():
    text = downloads.table_csv(pd.DataFrame({"=1+1": ["x"]}), CONTEXT).decode()
    assert text.split("\r\n")[4] == "'=1+1"


def test_excel_writes_text_as_text_and_numbers_as_numbers():
    frame = pd.DataFrame({"Account": FORMULAS, "ARR": [-5.0, 1, 2, 3, 4, 5, 6]})
    book = load_workbook(io.BytesIO(downloads.table_excel(frame, CONTEXT)))
    sheet = book["Data"]
    cells = [row for row in sheet.iter_rows(min_row=2)]
    # the exact text, not evaluated (XML stores a carriage return as a line feed)
    assert [row[0].value for row in cells] == [value.replace("\r", "\n") for value in FORMULAS]
    assert {row[0].data_type for row in cells} == {"s"}  # no formula cell
    assert all(row[0].quotePrefix for row in cells)
    assert [row[1].value for row in cells][0] == -5 and cells[0][1].data_type == "n"
    assert not any(cell.data_type == "f" for row in book["About"].iter_rows() for cell in row)


def test_html_brief_is_self_contained_and_escaped():
    figure = go.Figure(go.Bar(x=["a"], y=[1]))
    document = downloads.briefing_html(
        CONTEXT, [downloads.Kpi("ARR", "$1.2M", "+$0.1M", None)],
        [("Where ARR moved", figure), ("Second", figure)],
        Brief([BriefSentence("Invest in <b>support</b> first.", "invest")], [], []).sections(),
    )
    assert document.count("plotly.js v") >= 1 and '<script src="http' not in document
    assert document.count('class="plotly-graph-div"') == 2
    assert "&lt;b&gt;support&lt;/b&gt;" in document
    assert "Data as of 31 Oct 2026" in document and "Filters: Last 12 months" in document
    # three sections under their headings; an empty one says why
    headings = ["<h3>Where to invest</h3>", "<h3>Biggest risks</h3>", "<h3>What changed</h3>"]
    positions = [document.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "No account has ARR at risk under these filters." in document
    assert 'counter(page) " of " counter(pages)' in document


def test_printed_charts_have_room_for_their_axes():
    figure = go.Figure(go.Bar(x=["a"], y=[1])).update_layout(margin={"l": 8, "b": 8}, width=None)
    printed = brief_document.print_figure(figure)
    assert printed.layout.width == brief_document.PRINT_CHART_WIDTH_PX
    assert printed.layout.margin.l >= 60 and printed.layout.margin.b >= 50
    assert printed.layout.yaxis.automargin and printed.layout.xaxis.automargin
    assert figure.layout.margin.l == 8  # the screen's figure is left as it was


def test_pdf_through_chromium_or_a_clear_message(monkeypatch):
    document = downloads.briefing_html(CONTEXT, [downloads.Kpi("NPS", "+21", None, "n = 10")], [])
    if downloads.chromium_executable() is None:
        with pytest.raises(downloads.PdfUnavailable, match="Chromium"):
            downloads.html_to_pdf(document)
    else:
        assert downloads.html_to_pdf(document).startswith(b"%PDF")
    monkeypatch.setattr(pdf, "chromium_executable", lambda: None)
    with pytest.raises(downloads.PdfUnavailable, match="download the HTML brief"):
        downloads.html_to_pdf(document)


def test_excel_cells_keep_full_precision_and_show_the_unit():
    frame = pd.DataFrame({"Account": ["Acme"], "ARR": [70_960_920.12], "Logo churn": [15.5885],
                          "Accounts": [1193]})
    sheet = load_workbook(io.BytesIO(downloads.table_excel(frame, CONTEXT)))["Data"]
    arr, churn, accounts = sheet["B2"], sheet["C2"], sheet["D2"]
    assert arr.value == 70_960_920.12 and arr.number_format == '"$"#,##0'
    assert churn.value == 15.5885 and churn.number_format == '0.0"%"'
    assert accounts.value == 1193 and accounts.number_format == "#,##0"
