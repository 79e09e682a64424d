"""The method behind a page or a tab, kept out of its copy: one "How this is computed"
expander under the plain sentence that says what the figures mean. Left out of slides."""

from __future__ import annotations

import streamlit as st

from northstar.ui import presentation

LABEL = "How this is computed"


def how_computed(*paragraphs: str) -> None:
    """The method in an expander (Markdown written by Northstar, never data)."""
    if presentation.is_on():
        return
    with st.expander(LABEL, icon=":material/functions:"):
        for paragraph in paragraphs:
            st.markdown(paragraph)
