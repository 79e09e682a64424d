"""Presentation mode for board meetings: `?present=true` or the sidebar toggle.

Every page is a slide for a 1920×1080 screen: the sidebar starts collapsed, customer names are
masked, chart text is larger and charts a little shorter, previous / next (in board-deck order) and
the slide number sit at the top, and detail tables, export buttons and controls are left out,
so a slide's headline figures and its charts fit without scrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

import streamlit as st

from northstar.data.flags import parse_flag
from northstar.data.registry.pages import DECK

T = TypeVar("T")

PRESENT_KEY = "present"  # toggle key and URL parameter
CHART_SCALE = 0.78
FONT_SIZE = 18


def requested(key: str) -> bool | None:
    """What the address asks of a yes/no switch of the view (presentation, masking): on when
    any of its values is an "on" spelling (`?present=1&present=false` presents), off when
    some value is an "off" spelling and none is "on", None when it says nothing usable. A
    switch that hides names must never be turned off by a value added after it."""
    answers = {parse_flag(value) for value in st.query_params.get_all(key)}
    if True in answers:
        return True
    return False if False in answers else None


def flag_on(key: str) -> bool:
    """Whether a yes/no switch of the view (presentation, masking) is on: the toggle's state,
    or, before the toggle is drawn, its URL parameter (`requested`)."""
    try:
        if key in st.session_state:
            return bool(st.session_state[key])
        return requested(key) is True
    except Exception:  # outside a Streamlit session
        return False


def is_on() -> bool:
    """Whether this session presents."""
    return flag_on(PRESENT_KEY)


def accept_flag_spellings(keys: tuple[str, ...]) -> None:
    """Let `?present=1`, `?mask=YES`, `?mask=off` (any spelling `parse_flag` knows, repeated
    values read by `requested`) set the toggles bound to those parameters, which themselves
    only read "true" and "false", and only the last of repeated values."""
    for key in keys:
        value = requested(key)
        if key not in st.session_state and value is not None:
            st.session_state[key] = value


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
    base = base_url.rstrip("/")
    if page_path and base.endswith("/" + page_path):  # the browser's URL may hold the page
        base = base[: -len(page_path) - 1]
    address = base + ("/" + page_path if page_path else "/")
    query = urlencode(params)
    return f"{address}?{query}" if query else address


def current_params() -> list[tuple[str, str]]:
    """Every query parameter of this session's URL, repeated keys kept."""
    return [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]


def slide_position(current: str, available: list[str]) -> tuple[int, int] | None:
    """(number, count) of the current page in the viewer's deck, or None when it is not a
    slide."""
    deck = [key for key in DECK if key in available]
    return (deck.index(current) + 1, len(deck)) if current in deck else None


class SlideEnd(Exception):
    """Raised where a page's slide ends; app.py catches it and draws nothing further."""


def end_of_slide() -> None:
    """In presentation mode, end the page here: what follows is detail for the screen, not
    the slide."""
    if is_on():
        raise SlideEnd


def control(draw: Callable[[], T], key: str, default: T, options: Sequence[T] | None = None,
            cast: Callable[[str], T] = str,  # type: ignore[assignment]
            label: Callable[[T], str] | None = None) -> T:
    """A page control: drawn on screen; on a slide left out, its value taken from the address
    (a shared link's choice) or its default. A control bound to the address writes its
    option's label there when it has one (`label`, its format_func), so that is read back."""
    if not is_on():
        return draw()
    raw = st.query_params.get(key)
    if raw is None:
        return default
    if options is not None and label is not None:
        return next((option for option in options if label(option) == raw or option == raw),
                    default)
    try:
        value = cast(raw)
    except ValueError:
        return default
    return value if options is None or value in options else default


def choice(title: str, options: dict[str, str], default: str, key: str,
           container: object = st) -> str:
    """One of a few options (key → words) as a segmented control bound to the address; on a
    slide, not drawn (see `control`)."""
    return control(
        lambda: container.segmented_control(  # type: ignore[attr-defined]
            title, list(options), format_func=options.__getitem__, default=default, key=key,
            bind="query-params", required=True,
        ),
        key, default, list(options), label=options.__getitem__,
    )
