"""The global filters in the sidebar (period, comparison, segment, region, plan), bound to
the URL so a copied link reopens the same view; the periods themselves are
northstar.analytics.periods."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from northstar.analytics.literal_text import literal
from northstar.analytics.periods import (
    COMPARISONS,
    DEFAULT_COMPARISON,
    DEFAULT_PERIOD,
    PERIODS,
    FilterState,
    resolve_period,
)

# widget keys double as URL query-parameter names
PERIOD_KEY, COMPARISON_KEY, SEGMENT_KEY, REGION_KEY, PLAN_KEY = (
    "period", "compare", "segment", "region", "plan",
)


PERIOD_BY_LABEL = {label: key for key, (label, _) in PERIODS.items()}
COMPARISON_BY_LABEL = {label: key for key, label in COMPARISONS.items()}


def render_sidebar(options: dict[str, list[str]]) -> None:
    """Draw the global filters in the sidebar, each bound to the URL.

    Options are the labels themselves, so the URL reads like the screen
    (`?period=Last+3+months&segment=SMB`).
    """
    with st.sidebar:
        st.selectbox(
            "Period", list(PERIOD_BY_LABEL),
            index=list(PERIOD_BY_LABEL.values()).index(DEFAULT_PERIOD),
            key=PERIOD_KEY, bind="query-params",
            help="Whole months ending with the latest month in the data.",
        )
        st.selectbox(
            "Compare with", list(COMPARISON_BY_LABEL),
            index=list(COMPARISON_BY_LABEL.values()).index(DEFAULT_COMPARISON),
            key=COMPARISON_KEY, bind="query-params",
        )
        for label, key, dimension in (
            ("Segment", SEGMENT_KEY, "segment"),
            ("Region", REGION_KEY, "region"),
            ("Plan", PLAN_KEY, "plan"),
        ):
            st.multiselect(
                label, options.get(dimension, []), key=key, bind="query-params",
                placeholder="All", help=f"Leave empty for every {label.lower()}.",
            )


def current(last_month: dt.date) -> FilterState:
    """The filters as currently set (defaults where a widget has not been drawn)."""
    state = st.session_state
    period = resolve_period(
        last_month,
        PERIOD_BY_LABEL.get(state.get(PERIOD_KEY) or "", DEFAULT_PERIOD),
        COMPARISON_BY_LABEL.get(state.get(COMPARISON_KEY) or "", DEFAULT_COMPARISON),
    )
    return FilterState(
        period,
        tuple(state.get(SEGMENT_KEY) or ()),
        tuple(state.get(REGION_KEY) or ()),
        tuple(state.get(PLAN_KEY) or ()),
    )


def page_caption(state: FilterState, as_of: dt.date) -> str:
    """The line under a page's title: the filters (as text, whatever the data calls its
    segments, regions and plans) and the data's as-of date."""
    return f"{literal(state.caption())} · data as of {as_of:%-d %b %Y}"
