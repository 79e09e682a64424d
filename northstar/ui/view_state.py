"""What the viewer has switched on, carried by every link Northstar draws.

A link opens a new session (a link column opens a new tab), and a new session knows only its
URL. So every link, drill and page button carries the view state of the session it was drawn
in: masking (on whenever this viewer sees masked data: the toggle, presentation mode or a
board member's role), presentation mode, and the global filters (period, comparison, segment,
region, plan). A drill from a masked view opens masked.

Data and analytics code builds plain relative targets (`account?account=A0001#Acme`); the
drawing code (tables, the brief, the share link) adds the view state here. `st.switch_page`
stays in the same session, where the widgets bound to these parameters in app.py keep them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

import pandas as pd
import streamlit as st

from northstar.analytics import periods
from northstar.ui import filters, masking, presentation, sign_in

# the URL parameters that make up the view state, in the order links carry them
FILTER_KEYS = (
    filters.PERIOD_KEY, filters.COMPARISON_KEY, filters.SEGMENT_KEY, filters.REGION_KEY,
    filters.PLAN_KEY,
)
FLAG_KEYS = (masking.MASK_KEY, presentation.PRESENT_KEY)
VIEW_KEYS = (*FLAG_KEYS, *FILTER_KEYS)
# a filter at its default needs no parameter (the new session starts there anyway)
DEFAULTS = {
    filters.PERIOD_KEY: periods.PERIODS[periods.DEFAULT_PERIOD][0],
    filters.COMPARISON_KEY: periods.COMPARISONS[periods.DEFAULT_COMPARISON],
}


def view_params(masked: bool, presenting: bool,
                filter_values: Mapping[str, object]) -> list[tuple[str, str]]:
    """The view state as URL parameters: the two switches when on, then each filter that is
    set (a multiselect as repeated parameters, the way its widget reads them)."""
    params: list[tuple[str, str]] = []
    if masked:
        params.append((masking.MASK_KEY, "true"))
    if presenting:
        params.append((presentation.PRESENT_KEY, "true"))
    for key in FILTER_KEYS:
        value = filter_values.get(key)
        if isinstance(value, str):
            if value and value != DEFAULTS.get(key):
                params.append((key, value))
        elif isinstance(value, Iterable):
            params += [(key, str(item)) for item in value]
    return params


def current_view_params() -> list[tuple[str, str]]:
    """This session's view state (masking as this viewer sees it)."""
    try:
        forced = sign_in.current_viewer().masking_forced
        state = st.session_state
        values = {key: state.get(key) for key in FILTER_KEYS}
        for key in FILTER_KEYS:
            if values[key] is None and key in st.query_params:  # before the sidebar is drawn
                values[key] = st.query_params.get_all(key)
    except Exception:  # outside a Streamlit session
        return []
    return view_params(masking.masking_on(forced), presentation.is_on(), values)


def with_view(target: str, view: Sequence[tuple[str, str]]) -> str:
    """A relative link with the view state merged into its query: the target's own page
    parameters are kept, the view's keys come from `view` (the '#' display text is kept)."""
    address, hash_mark, fragment = target.partition("#")
    page, _, query = address.partition("?")
    own = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True)
           if key not in VIEW_KEYS]
    merged = urlencode([*own, *view])
    return f"{page}?{merged}{hash_mark}{fragment}" if merged else f"{page}{hash_mark}{fragment}"


def with_view_params(params: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """A page's own URL parameters (tab, selections) followed by this session's view state."""
    return [(key, value) for key, value in params if key not in VIEW_KEYS] + current_view_params()


def link(target: str) -> str:
    """A relative link carrying this session's view state."""
    return with_view(target, current_view_params())


def is_link_column(config: object) -> bool:
    """Whether a column_config entry is an st.column_config.LinkColumn."""
    return isinstance(config, Mapping) and (config.get("type_config") or {}).get("type") == "link"


def with_view_links(frame: pd.DataFrame, column_config: Mapping[str, object] | None,
                    view: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """A copy of a table whose link columns carry the view state (the frame when it has none)."""
    columns = [name for name, config in (column_config or {}).items()
               if is_link_column(config) and name in frame.columns]
    if not columns:
        return frame
    linked = frame.copy()
    for name in columns:
        linked[name] = [
            with_view(value, view) if isinstance(value, str) and value else value
            for value in linked[name]
        ]
    return linked
