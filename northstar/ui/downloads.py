"""Exports that carry what the viewer saw: the briefing as HTML or PDF, tables as CSV or Excel.

Every export states the data-as-of date and the filters used, and is built from query results,
so it follows the same masking as the screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import time
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from openpyxl.worksheet.worksheet import Worksheet

from northstar.analytics import display
from northstar.analytics.brief_document import ExportContext, Kpi, briefing_html
from northstar.analytics.ceo_brief import BriefSection
from northstar.analytics.links import without_links
from northstar.data.formula_guard import FORMULA_PREFIXES, neutralise_frame
from northstar.data.pdf import PdfUnavailable, chromium_executable, html_to_pdf
from northstar.ui import filters, masking, page_queries, presentation, tables, view_state


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
        number_format = display.excel_format(str(column), frame[column])
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
            cell.number_format = number_format


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
    metadata = page_queries.dataset_metadata()
    state = filters.current(metadata.last_month)
    name = title or " and ".join(str(column) for column in list(data.columns)[:2])
    columns_key = hashlib.sha1("|".join(map(str, data.columns)).encode()).hexdigest()[:6]
    render_table_downloads(
        data, name, context_for(name, metadata.as_of, state.caption()), key_suffix=columns_key
    )
