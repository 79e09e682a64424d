"""Text from data or the URL on screen: shown literally, never interpreted.

Streamlit renders titles, captions, labels, tab names, metric labels and messages as Markdown
(raw HTML stays off). Every string that came from loaded data or the address bar — account,
department, KPI and people's names, reasons, the `?account=` of a link — goes through
`literal` before it reaches one of those, so "[Click](https://…)", "![x](…)", "**bold**" or a
bare "www.example.com" shows as typed instead of becoming a link, an image fetched from
elsewhere, bold text or an automatic link.
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

from northstar.analytics.display import without_bidi_controls

# every ASCII punctuation character Markdown (with its character references, &…;),
# Streamlit's directives (:red[…], :material/…:) or its LaTeX ($…$) can act on, escaped with
# a backslash
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&@])")
# automatic links are found in the rendered text (http://…, www.…, user@host), after escapes
# are resolved; an invisible word joiner after the '://', 'www' and '@' they need breaks them
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"(\\:(?=//)|(?i:www)(?=\\\.)|\\@)")


def literal(value: object) -> str:
    """`value` as Markdown that shows exactly its text (without bidirectional controls, which
    would reorder how it reads)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", without_bidi_controls(str(value)))
    return _AUTOLINK_START.sub(lambda match: match.group(1) + WORD_JOINER, escaped)


# Plotly draws its strings (titles, ticks, legends, hover labels) as a small HTML subset, in
# which <a href>, <b>, <i> and <span style> work; every string of a figure is drawn with < > &
# as entities instead (Plotly shows those as the characters). Only the line break Northstar's
# own labels use is kept. Hover and text templates keep their %{...} placeholders (the values
# they take are escaped with the data) and <extra></extra>; their own text is escaped too, so a
# name written into a template (a series' name in its hover label) is text as well.
_PLOTLY_TEMPLATES = frozenset({"hovertemplate", "texttemplate"})
_KEPT_TAGS = ("<br>", "<extra>", "</extra>")


def _with_tags(escaped: str, tags: tuple[str, ...]) -> str:
    for tag in tags:
        escaped = escaped.replace(html.escape(tag), tag)
    return escaped


def plotly_literal(value: str) -> str:
    """A string as Plotly shows it literally (line breaks kept)."""
    return _with_tags(html.escape(without_bidi_controls(value), quote=False), _KEPT_TAGS[:1])


def plotly_template(value: str) -> str:
    """A hover or text template whose text is shown literally: its placeholders, line breaks
    and <extra></extra> kept."""
    return _with_tags(html.escape(without_bidi_controls(value), quote=False), _KEPT_TAGS)


def _literal_strings(node: Any, key: str | None = None) -> Any:
    if isinstance(node, str):
        return plotly_template(node) if key in _PLOTLY_TEMPLATES else plotly_literal(node)
    if isinstance(node, dict):
        return {name: _literal_strings(value, name) for name, value in node.items()}
    if isinstance(node, list | tuple):
        return [_literal_strings(item, key) for item in node]
    if isinstance(node, np.ndarray) and node.dtype == object:
        return [_literal_strings(item, key) for item in node.tolist()]
    return node


def plotly_safe(figure: go.Figure) -> go.Figure:
    """A copy of the figure whose every string (data labels, series names, titles, ticks) is
    shown literally. The figure was validated when it was built and escaping changes only
    strings, so the copy is not validated again (which took longer than the escaping)."""
    return go.Figure(_literal_strings(figure.to_plotly_json()), _validate=False)
