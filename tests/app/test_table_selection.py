"""Clearing a table's selection draws the table under a new widget key, and the selection is
read from the table as it is drawn now."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import pandas as pd
    import streamlit as st

    from northstar.ui import tables

    tables.show(pd.DataFrame({"Account": ["Acme", "Globex"]}), key="accounts",
                on_select="rerun", selection_mode="single-cell")
    st.write(f"key={tables.widget_key('accounts')} cell={tables.selected_cell('accounts')}")
    if st.button("Clear"):
        tables.clear_selection_on_next_run("accounts")
        st.rerun()


def test_a_cleared_selection_is_a_new_table_with_nothing_selected() -> None:
    at = AppTest.from_function(_page).run()
    assert "key=accounts cell=(None, None)" in at.markdown[0].value
    at.session_state["accounts"] = {"selection": {"rows": [], "columns": [],
                                                   "cells": [(1, "Account")]}}
    at.run()
    assert "cell=(1, 'Account')" in at.markdown[0].value
    at.button[0].click().run()
    # the old table's selection (and any focus the browser would restore on it) is gone
    assert "key=accounts~1 cell=(None, None)" in at.markdown[0].value
