"""What a page or tab shows when the loaded data lacks a table it needs: which export would
fill it, instead of empty charts. The tables each page needs are declared in the page registry
(northstar.data.registry.pages); what fills each table in northstar.data.importer.datasets."""

from __future__ import annotations

import streamlit as st

from northstar.data.importer.datasets import (
    DATASETS_BY_NAME,
    NO_REVENUE_TEXT,
    REVENUE_TABLE,
    Dataset,
)
from northstar.data.registry.pages import PAGES_BY_KEY
from northstar.ui import page_queries


def _present() -> set[str]:
    presence = page_queries.run_query("table_presence")
    return set(presence.loc[presence["has_rows"], "table_name"])


def has_revenue() -> bool:
    """Whether the loaded data has a revenue table with rows (else the pages count accounts
    from their start and churn dates, and show no dollar figure)."""
    return REVENUE_TABLE in _present()


def no_revenue_notice() -> None:
    """The one sentence that stands for every dollar figure of a page in data without
    revenue."""
    st.info(NO_REVENUE_TEXT, icon=":material/payments:")


def missing_tables(page_key: str, tab: str | None = None) -> list[Dataset]:
    """The tables the page (or its tab) needs that hold no rows, in registry order."""
    needed = PAGES_BY_KEY[page_key].tables_needed(tab)
    if not needed:
        return []
    present = _present()
    return [DATASETS_BY_NAME[name] for name in dict.fromkeys(needed) if name not in present]


def needs_text(missing: list[Dataset], what: str) -> str:
    """'This tab needs Engagements (meetings and ...), which the loaded data does not have.'"""
    listed = [f"**{dataset.label}** ({dataset.export})" for dataset in missing]
    names = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    return (f"This {what} needs {names}; the loaded data has none yet. Add that export to "
            "the load (see “Loading your own data” in the README).")


def has_data(page_key: str, tab: str | None = None) -> bool:
    """True when the page (or tab) has the tables it needs; otherwise say which export would
    fill it and return False."""
    missing = missing_tables(page_key, tab)
    if missing:
        st.info(needs_text(missing, "tab" if tab else "page"), icon=":material/database:")
    return not missing
