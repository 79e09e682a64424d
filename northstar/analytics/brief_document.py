"""The CEO brief as a document: the HTML a CEO keeps (printed to PDF by northstar.data.pdf), and
the same brief as an e-mail's HTML and plain-text bodies.

Built from the brief's sentences, the KPI wall and the charts as the reader may see them (the
caller runs the queries for that reader, masked or not), so the Briefing page's download and the
e-mailed brief are the same document. Every text from the data is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import plotly.graph_objects as go

from northstar.analytics.ceo_brief import BriefSection
from northstar.analytics.literal_text import plotly_safe
from northstar.data.db.masking import MASK_KEY


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


def evidence_url(base_url: str, link: str, masked: bool) -> str:
    """The absolute address of a sentence's evidence: the same page and tab the on-screen
    brief links to, masked when the reader sees masked data (the role forces it anyway)."""
    address, hash_mark, fragment = link.partition("#")
    page, _, query = address.partition("?")
    params = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True)
              if key != MASK_KEY]
    if masked:
        params.append((MASK_KEY, "true"))
    encoded = urlencode(params)
    return (f"{base_url.rstrip('/')}/{page}{'?' + encoded if encoded else ''}"
            f"{hash_mark}{fragment}")


def brief_email_html(context: ExportContext, kpis: Sequence[Kpi],
                     sections: Sequence[BriefSection], base_url: str) -> str:
    """The brief as an e-mail's HTML body: inline styles only and one column, as mail clients
    draw it; every sentence with its evidence link; every text escaped."""
    muted = "color:#4b4f56;font-size:13px;margin:2px 0"
    rows = "".join(
        "<tr>"
        f"<td style='padding:4px 12px 4px 0;color:#4b4f56'>{html.escape(kpi.label)}</td>"
        f"<td style='padding:4px 12px 4px 0;font-weight:bold'>{html.escape(kpi.value)}</td>"
        f"<td style='padding:4px 0;color:#4b4f56'>{html.escape(kpi.change or '')}</td>"
        "</tr>"
        for kpi in kpis
    )
    parts = []
    for section in sections:
        items = "".join(
            f"<li style='margin:6px 0'>{html.escape(sentence.text)} "
            f"<a href=\"{html.escape(evidence_url(base_url, sentence.link, context.masked))}\">"
            f"{html.escape(sentence.link_label)} →</a></li>"
            for sentence in section.sentences)
        body = (f"<ol style='margin:0;padding-left:20px'>{items}</ol>" if items else
                f"<p style='{muted}'>{html.escape(section.empty_text)}</p>")
        parts.append(f"<h3 style='font-size:16px;margin:18px 0 6px'>"
                     f"{html.escape(section.title)}</h3>{body}")
    meta = "".join(f"<p style='{muted}'>{html.escape(line)}</p>" for line in context.lines()[1:])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(context.title)}</title></head>
<body style="margin:0;padding:0;background:#ffffff">
<div style="max-width:640px;margin:0 auto;padding:16px;font-family:Arial,Helvetica,sans-serif;
font-size:15px;line-height:1.45;color:#262730">
<h1 style="font-size:22px;margin:0 0 4px">{html.escape(context.title)}</h1>{meta}
<table role="presentation" style="border-collapse:collapse;margin:14px 0;font-size:14px">{rows}
</table>{''.join(parts)}
<p style="{muted};margin-top:18px">The full brief, with its charts, is attached as a PDF.</p>
</div></body></html>
"""


def brief_email_text(context: ExportContext, kpis: Sequence[Kpi],
                     sections: Sequence[BriefSection], base_url: str) -> str:
    """The same e-mail as plain text, for clients that do not show HTML."""
    lines = [context.title, *context.lines()[1:], ""]
    lines += [f"{kpi.label}: {kpi.value}" + (f" ({kpi.change})" if kpi.change else "")
              for kpi in kpis]
    for section in sections:
        lines += ["", section.title.upper()]
        if not section.sentences:
            lines.append(section.empty_text)
        for number, sentence in enumerate(section.sentences, start=1):
            lines.append(f"{number}. {sentence.text}")
            lines.append(f"   {sentence.link_label}: "
                         f"{evidence_url(base_url, sentence.link, context.masked)}")
    lines += ["", "The full brief, with its charts, is attached as a PDF."]
    return "\n".join(lines)
