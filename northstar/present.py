"""Presentation mode for board meetings: `?present=true` or the sidebar toggle.

The sidebar starts collapsed, customer names are masked, charts are larger, filters read as a
caption on every page, and previous / next buttons walk the board-deck order of pages.
"""

from __future__ import annotations

import streamlit as st

PRESENT_KEY = "present"  # toggle key and URL parameter
DECK = ("briefing", "retention", "satisfaction", "alignment", "invest")
CHART_SCALE = 1.3
FONT_SIZE = 18


def is_on() -> bool:
    """Whether this session presents (the toggle's state, or the URL before it is drawn)."""
    try:
        if PRESENT_KEY in st.session_state:
            return bool(st.session_state[PRESENT_KEY])
        return st.query_params.get(PRESENT_KEY, "").lower() in ("1", "true", "yes")
    except Exception:  # outside a Streamlit session
        return False


def accept_short_form() -> None:
    """Let `?present=1` (as well as the toggle's own `?present=true`) switch presentation on."""
    if PRESENT_KEY not in st.session_state and st.query_params.get(PRESENT_KEY, "") in ("1", "yes"):
        st.session_state[PRESENT_KEY] = True


def deck_neighbours(current: str, available: list[str]) -> tuple[str | None, str | None]:
    """The previous and next pages of the board deck around `current` (pages the viewer has)."""
    deck = [key for key in DECK if key in available]
    if current not in deck:
        return None, deck[0] if deck else None
    index = deck.index(current)
    previous = deck[index - 1] if index > 0 else None
    following = deck[index + 1] if index + 1 < len(deck) else None
    return previous, following


def share_url(base_url: str, page_path: str, params: list[tuple[str, str]]) -> str:
    """The address that reopens this exact view: page, filters, tabs, selections and drills."""
    from urllib.parse import urlencode

    base = base_url.rstrip("/")
    if page_path and base.endswith("/" + page_path):  # the browser's URL may hold the page
        base = base[: -len(page_path) - 1]
    address = base + ("/" + page_path if page_path else "/")
    query = urlencode(params)
    return f"{address}?{query}" if query else address


def current_params() -> list[tuple[str, str]]:
    """Every query parameter of this session's URL, repeated keys kept."""
    return [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
