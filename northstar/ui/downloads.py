"""Exports that carry what the viewer saw: the briefing as HTML or PDF, tables as CSV or Excel.

Every export states the data-as-of date and the filters used, and is built from query results,
so it follows the same masking as the screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from openpyxl.worksheet.worksheet import Worksheet

from northstar.analytics import display
from northstar.analytics.ceo_brief import BriefSection
from northstar.analytics.links import without_links
from northstar.data.formula_guard import FORMULA_PREFIXES, neutralise_frame
from northstar.data.paths import REPO_ROOT
from northstar.ui import filters, masking, presentation, queries, tables, view_state
from northstar.ui.literal_text import plotly_safe

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


@dataclass(frozen=True)
class ExportContext:
    title: str
    as_of: dt.date
    filters: str  # the filters in words
    masked: bool

    def lines(self) -> list[str]:
        lines = [
            f"Northstar — {self.title}",
            f"Data as of {self.as_of:%-d %b %Y}",
            f"Filters: {self.filters}",
        ]
        if self.masked:
            lines.append("Customer names and comments are masked")
        return lines


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    change: str | None
    note: str | None


def table_csv(frame: pd.DataFrame, context: ExportContext) -> bytes:
    """CSV with the context as leading `#` comment lines (pandas: `read_csv(..., comment="#")`).
    Text a spreadsheet would run as a formula starts with `'` (numbers stay numbers)."""
    # CRLF line ends (RFC 4180), so a value holding a carriage return is quoted as well
    header = "".join(f"# {line}\r\n" for line in context.lines())
    body = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return (header + body).encode("utf-8")


def _text_as_text(sheet: Worksheet) -> None:
    """Every text cell stored as text, never as a formula; one that looks like a formula also
    gets Excel's quote prefix, so editing it keeps it text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_PREFIXES):
                    cell.quotePrefix = True


def table_excel(frame: pd.DataFrame, context: ExportContext) -> bytes:
    """An .xlsx workbook: the table, and an About sheet with the as-of date and filters. Numbers
    are numbers and text is text: nothing loaded can become a live formula."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        export = frame.copy()
        for column in export.columns:
            if isinstance(export[column].dtype, pd.DatetimeTZDtype):
                export[column] = export[column].dt.tz_localize(None)
        export.to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame({"About this export": context.lines()}).to_excel(
            writer, sheet_name="About", index=False
        )
        for sheet in writer.sheets.values():
            _text_as_text(sheet)
        _number_formats(writer.sheets["Data"], export)
    return buffer.getvalue()


def _number_formats(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Each numeric column shown in its unit ($#,##0 for money, 0.0% for rates) while the cell
    keeps its full value; each column wide enough for its header."""
    for position, column in enumerate(frame.columns, start=1):
        letter = sheet.cell(row=1, column=position).column_letter
        sheet.column_dimensions[letter].width = max(10, min(60, len(str(column)) + 4))
        unit = display.column_unit(str(column), frame[column])
        if unit is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            cell.number_format = display.EXCEL_FORMATS[unit]


# a chart in the printed brief: the width of an A4 page inside its margins, axes in full
PRINT_CHART_WIDTH_PX = 680
PRINT_CHART_HEIGHT_PX = 330


def print_figure(figure: go.Figure) -> go.Figure:
    """A copy of a chart sized for the page, with room for every axis label (the screen's
    tight margins would cut them off at print size)."""
    printed = go.Figure(figure)
    printed.update_layout(
        title=None, width=PRINT_CHART_WIDTH_PX, height=PRINT_CHART_HEIGHT_PX,
        margin={"l": 72, "r": 24, "t": 36, "b": 56}, font={"size": 12},
        hoverlabel={"font_size": 12},
    )
    printed.update_xaxes(automargin=True)
    printed.update_yaxes(automargin=True)
    return printed


def briefing_html(
    context: ExportContext,
    kpis: Sequence[Kpi],
    figures: Sequence[tuple[str, go.Figure]],
    sections: Sequence[BriefSection] = (),
) -> str:
    """The brief as a document a CEO keeps: a header with the period, filters and as-of date;
    the KPI wall; the brief's three sections under their headings; the charts with full axes
    at print size; page numbers when printed. Self-contained: opens offline, charts
    interactive (plotly.js embedded once)."""
    cards = "\n".join(
        "<div class='card'>"
        f"<div class='label'>{html.escape(kpi.label)}</div>"
        f"<div class='value'>{html.escape(kpi.value)}</div>"
        + (f"<div class='change'>{html.escape(kpi.change)}</div>" if kpi.change else "")
        + (f"<div class='note'>{html.escape(kpi.note)}</div>" if kpi.note else "")
        + "</div>"
        for kpi in kpis
    )
    charts = []
    for index, (title, figure) in enumerate(figures):
        chart = plotly_safe(print_figure(figure)).to_html(
            full_html=False, include_plotlyjs=index == 0,
            config={"displayModeBar": False, "responsive": False},
        )
        charts.append(f"<section class='chart'><h2>{html.escape(title)}</h2>{chart}</section>")
    brief_parts = []
    for section in sections:
        items = "".join(f"<li>{html.escape(sentence.text)}</li>" for sentence in section.sentences)
        body = f"<ol>{items}</ol>" if items else (
            f"<p class='empty'>{html.escape(section.empty_text)}</p>")
        brief_parts.append(f"<section class='part'><h3>{html.escape(section.title)}</h3>"
                           f"{body}</section>")
    brief = f"<h2>CEO brief</h2>{''.join(brief_parts)}" if brief_parts else ""
    meta = "".join(f"<p class='meta'>{html.escape(line)}</p>" for line in context.lines()[1:])
    footer = html.escape(f"{context.lines()[0]} · data as of {context.as_of:%-d %b %Y}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(context.lines()[0])}</title>
<style>
@page {{ size: A4; margin: 16mm 14mm 18mm;
  @bottom-left {{ content: "{footer}"; font: 9pt Arial, sans-serif; color: #6b6f76; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font: 9pt Arial, sans-serif; color: #6b6f76; }} }}
body {{ font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; margin: 0 auto;
       max-width: {PRINT_CHART_WIDTH_PX + 40}px; padding: 24px 16px; color: #262730;
       font-size: 14px; line-height: 1.4; }}
@media print {{ body {{ padding: 0; }} }}
header {{ border-bottom: 2px solid #0072B2; padding-bottom: 8px; margin-bottom: 12px; }}
h1 {{ margin: 0 0 4px; font-size: 26px; }} .meta {{ color: #4b4f56; margin: 2px 0; }}
h2 {{ font-size: 18px; margin: 20px 0 8px; }} h3 {{ font-size: 15px; margin: 12px 0 4px; }}
.wall {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 12px 0; }}
.card {{ border: 1px solid #d6d9de; border-radius: 6px; padding: 8px 10px; break-inside: avoid; }}
.label {{ color: #6b6f76; font-size: 12px; }} .value {{ font-size: 22px; }}
.change, .note {{ color: #4b4f56; font-size: 11px; }}
ol {{ margin: 0; padding-left: 20px; }} li {{ margin: 3px 0; }} .empty {{ color: #6b6f76; }}
section {{ break-inside: avoid; }} .chart {{ margin-top: 16px; }}
</style></head>
<body><header><h1>{html.escape(context.title)}</h1>{meta}</header>
<div class="wall">{cards}</div>{brief}{"".join(charts)}
</body></html>
"""


def chromium_executable() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if path:
            return path
    return None


class PdfUnavailable(RuntimeError):
    """No headless chromium on this machine to print the PDF."""


def html_to_pdf(document: str, timeout_seconds: float = 90) -> bytes:
    """Print an HTML document to PDF with headless chromium (raises PdfUnavailable without it)."""
    chromium = chromium_executable()
    if chromium is None:
        raise PdfUnavailable(
            "PDF export needs Chromium (Debian package 'chromium'); download the HTML brief "
            "instead and print it from a browser."
        )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "brief.html"
        target = Path(folder) / "brief.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        subprocess.run(
            command, check=False, capture_output=True, timeout=timeout_seconds, cwd=REPO_ROOT
        )
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium did not produce a PDF; download the HTML brief instead.")
        return target.read_bytes()


def brief_key(
    context: ExportContext, kpis: Sequence[Kpi], figures: Sequence[tuple[str, go.Figure]],
    sections: Sequence[BriefSection],
) -> str:
    """Identity of a brief's content: a PDF prepared for one brief is not offered for another."""
    digest = hashlib.sha256(repr((context, list(kpis), list(sections))).encode())
    for title, figure in figures:
        digest.update(title.encode())
        digest.update(figure.to_json().encode())
    return digest.hexdigest()


_PDF_STATE = "_brief_pdf"  # session state: (brief_key, pdf bytes) of the last PDF prepared


def render_brief_exports(
    context: ExportContext,
    kpis: Sequence[Kpi],
    figures: Sequence[tuple[str, go.Figure]],
    sections: Sequence[BriefSection],
    file_stem: str,
) -> None:
    """The brief as HTML (built on click) and as PDF: printing takes a few seconds, so the PDF
    is prepared on request with its steps shown, then offered for download."""
    if presentation.is_on():
        return  # a slide has no export buttons
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "Brief as HTML",
        lambda: briefing_html(context, kpis, figures, sections).encode("utf-8"),
        file_name=f"{file_stem}.html",
        mime="text/html",
        icon=":material/html:",
        on_click="ignore",
        help="One file that opens offline, with interactive charts, the filters and the as-of "
        "date.",
    )
    with row:
        if chromium_executable():
            _render_pdf_export(context, kpis, figures, sections, f"{file_stem}.pdf")
        else:
            st.caption(
                "PDF export needs Chromium on the server (Debian package `chromium`); the HTML "
                "brief prints to PDF from any browser."
            )


def _pdf_download(pdf: bytes, file_name: str) -> None:
    st.download_button(
        "Brief as PDF", pdf, file_name=file_name, mime="application/pdf",
        icon=":material/picture_as_pdf:", on_click="ignore", key="brief_pdf_download",
        help=f"Ready: {len(pdf) / 1024:,.0f} KB.",
    )


def _render_pdf_export(
    context: ExportContext,
    kpis: Sequence[Kpi],
    figures: Sequence[tuple[str, go.Figure]],
    sections: Sequence[BriefSection],
    file_name: str,
) -> None:  # pragma: no cover - drawn in the AppTest
    @st.fragment
    def pdf_export() -> None:
        # a fragment: preparing the PDF reruns this corner, not the page
        key = brief_key(context, kpis, figures, sections)
        ready = st.session_state.get(_PDF_STATE)
        if ready is not None and ready[0] == key:
            _pdf_download(ready[1], file_name)
            return
        slot = st.empty()
        if not slot.button("Prepare PDF", icon=":material/picture_as_pdf:",
                           key="brief_pdf_prepare",
                           help="Printed by headless Chromium; takes a few seconds."):
            return
        slot.empty()
        status = st.status("Preparing the PDF brief", expanded=True)
        started = time.perf_counter()
        status.write("Rendering charts and text")
        document = briefing_html(context, kpis, figures, sections)
        status.write("Printing PDF (headless Chromium)")
        try:
            pdf = html_to_pdf(document)
        except (PdfUnavailable, subprocess.TimeoutExpired) as error:
            status.update(label="The PDF could not be printed", state="error")
            status.write(str(error) if isinstance(error, PdfUnavailable) else
                         "Chromium took too long; download the HTML brief instead.")
            return
        status.update(label=f"PDF ready ({time.perf_counter() - started:.1f} s)",
                      state="complete", expanded=False)
        st.session_state[_PDF_STATE] = (key, pdf)
        _pdf_download(pdf, file_name)

    pdf_export()


def context_for(title: str, as_of: dt.date, filters_caption: str) -> ExportContext:
    """The export context of the current session (masking as the screen shows it)."""
    return ExportContext(title, as_of, filters_caption, masking.session_masked())


def render_table_downloads(
    frame: pd.DataFrame, title: str, context: ExportContext, key_suffix: str = ""
) -> None:
    """CSV and Excel download buttons for one table, side by side. The files are built on
    click, from the table as people read it: links as their text, raw codes in words."""
    slug = "-".join(title.lower().split())
    key = f"{slug}-{key_suffix}" if key_suffix else slug
    def export() -> pd.DataFrame:
        # a row's "record an action" cell is a control on screen, not part of the table
        kept = frame.drop(columns=[tables.ACTION_COLUMN], errors="ignore")
        return display.with_people_words(without_links(kept))

    # side by side at their labels' width, so a narrow column never cuts a label to "C."
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "CSV",
        lambda: table_csv(export(), context),
        file_name=f"northstar-{slug}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"csv-{key}",
        on_click="ignore",
    )
    row.download_button(
        "Excel",
        lambda: table_excel(export(), context),
        file_name=f"northstar-{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        key=f"xlsx-{key}",
        on_click="ignore",
    )


def dataframe(data: pd.DataFrame, title: str | None = None, **kwargs: object) -> None:
    """st.dataframe plus CSV and Excel downloads that carry the as-of date and the filters."""
    if presentation.is_on():
        return  # a slide shows no detail table and no export button
    if not isinstance(data, pd.DataFrame):
        if "key" in kwargs:
            kwargs["key"] = tables.widget_key(str(kwargs["key"]))
        st.dataframe(data, **kwargs)
        return
    # link columns carry the viewer's masking, presentation and filters into the new tab
    linked = view_state.with_view_links(data, kwargs.get("column_config"),  # type: ignore[arg-type]
                                        view_state.current_view_params())
    tables.show(linked, **kwargs)
    if data.empty:
        return
    metadata = queries.dataset_metadata()
    state = filters.current(metadata.last_month)
    name = title or " and ".join(str(column) for column in list(data.columns)[:2])
    columns_key = hashlib.sha1("|".join(map(str, data.columns)).encode()).hexdigest()[:6]
    render_table_downloads(
        data, name, context_for(name, metadata.as_of, state.caption()), key_suffix=columns_key
    )
