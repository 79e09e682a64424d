"""What a reader sees of a Markdown string Northstar drew: escapes resolved, joiners dropped.

AppTest hands back the Markdown an element was given; pages escape every data-derived part
(northstar.analytics.literal_text.literal), so tests compare what it shows, not its source.
"""

from __future__ import annotations

import re

from northstar.analytics.literal_text import WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_shown(markdown: str) -> str:
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")
