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
        st.Page("views/briefing.py", title="Briefing", icon=":material/dashboard:",
                url_path="briefing", default=True),
    ],
    "Retention": [
        st.Page("views/retention.py", title="Retention", icon=":material/autorenew:",
                url_path="retention"),
        st.Page("views/health.py", title="Health & risk", icon=":material/monitor_heart:",
                url_path="health"),
        st.Page("views/account.py", title="Account 360", icon=":material/person_search:",
                url_path="account"),
    ],
    "Programs": [
        st.Page("views/programs.py", title="CCO programs", icon=":material/groups:",
                url_path="programs"),
    ],
    "Voice of the customer": [
        st.Page("views/satisfaction.py", title="Satisfaction",
                icon=":material/sentiment_satisfied:", url_path="satisfaction"),
    ],
    "Reference": [
        st.Page("views/glossary.py", title="Glossary", icon=":material/menu_book:",
                url_path="glossary"),
        st.Page("views/data.py", title="Data", icon=":material/database:", url_path="data"),
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
