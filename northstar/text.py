"""Data-derived text on screen: shown literally, never interpreted as Markdown.

Streamlit renders titles, captions, labels and messages as Markdown (raw HTML stays off). Text
that comes from loaded data — account names, reasons, departments — is escaped first, so a
name like "[Click](https://…)" or "![x](…)" shows as typed instead of becoming a link or an
image fetched from elsewhere.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def literal(value: object) -> str:
    """`value` as text with every Markdown control character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
