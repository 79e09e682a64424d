"""Northstar entrypoint: page config, global filters, navigation."""

from __future__ import annotations

import streamlit as st

from northstar import db, filters

st.set_page_config(
    page_title="Northstar · Customer briefing",
    page_icon=":material/explore:",
    layout="wide",
    initial_sidebar_state="expanded",
)

pages = {
    "Overview": [
        st.Page("pages/briefing.py", title="Briefing", icon=":material/dashboard:",
                url_path="briefing", default=True),
    ],
    "Reference": [
        st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:",
                url_path="glossary"),
    ],
}
navigation = st.navigation(pages)

try:
    metadata = db.dataset_metadata()
except db.DatabaseMissingError as error:
    st.error(str(error), icon=":material/database:")
    st.stop()

filters.render_sidebar(db.filter_options())
with st.sidebar:
    st.caption(f"Data as of **{metadata.as_of:%d %b %Y}** · source: {metadata.source}")

navigation.run()
