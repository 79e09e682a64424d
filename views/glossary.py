"""Glossary: every measure's definition and how it is computed, straight from the measures file."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import glossary
from northstar.analytics.metrics import glossary_rows
from northstar.data.registry import access, pages
from northstar.ui import presentation, sign_in

st.title("Glossary")
st.caption("How every number in Northstar is defined.")
# a slide shows the KPI wall's measures in a sentence each; the page itself, every measure
st.table(pd.DataFrame(glossary_rows(slide=presentation.is_on())).set_index("Metric"))

presentation.end_of_slide()
for topic in glossary.TERMS:
    st.subheader(topic)
    st.table(pd.DataFrame(glossary.rows(topic)).set_index("Term"))

st.subheader("Goals and alignment")
st.table(pd.DataFrame(glossary.alignment_rows()).set_index("Term"))

st.subheader("Pages")
viewer = sign_in.current_viewer()
st.caption("What each page you can open answers.")
st.markdown(pages.page_table(tuple(page.key for page in pages.PAGES
                                   if access.may_open(viewer, page.key))))

st.subheader("Conventions")
st.markdown(
    """
- **Periods** are whole calendar months ending with the latest month in the data. The
  *previous period* is the same number of months just before; *same period a year earlier*
  is shifted by twelve months.
- **Deltas** are the period's value minus the comparison period's, in percentage points
  (pp) for percentages and points (pts) for NPS. Green means better for that metric, so a
  fall in churn is green; a change within noise is not coloured.
- **Sparklines** show the same metric for the rolling period ending in each of the last
  twelve months.
- **Survey metrics** show the number of answers behind them (n); few answers mean a wide
  margin of error.
- **Filters** (segment, region, plan) select accounts by their current attributes and apply
  to every number on the page.
"""
)
