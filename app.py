"""Northstar entrypoint: page config, sign-in gate, global filters, navigation."""

from __future__ import annotations

import streamlit as st

from northstar import (
    access,
    db,
    filters,
    gate,
    mask,
    present,
    progress_view,
    rollups,
    view_state,
)

st.set_page_config(
    page_title="Northstar · Customer briefing",
    page_icon=":material/explore:",
    layout="wide",
    initial_sidebar_state="collapsed" if present.is_on() else "expanded",
)

present.accept_flag_spellings(view_state.FLAG_KEYS)
viewer = access.current_viewer()
if not viewer.signed_in and not viewer.local_demo:
    gate.render_sign_in()
    st.stop()
if not viewer.has_access:
    gate.render_no_access(viewer)
    st.stop()


def page(script: str, title: str, icon: str, key: str, default: bool = False) -> st.Page:
    """A page, hidden from the navigation of roles that may not open it (the page itself also
    refuses them, and the query runner refuses their queries)."""
    visibility = "visible" if access.may_open(viewer, key) else "hidden"
    return st.Page(
        script, title=title, icon=icon, url_path=key, default=default, visibility=visibility
    )


pages = {
    "Overview": [
        page("views/briefing.py", "Briefing", ":material/dashboard:", "briefing", default=True),
    ],
    "Retention": [
        page("views/retention.py", "Retention", ":material/autorenew:", "retention"),
        page("views/health.py", "Health & risk", ":material/monitor_heart:", "health"),
        page("views/account.py", "Account 360", ":material/person_search:", "account"),
    ],
    "Voice of the customer": [
        page(
            "views/satisfaction.py",
            "Satisfaction",
            ":material/sentiment_satisfied:",
            "satisfaction",
        ),
    ],
    "Programs": [
        page("views/programs.py", "CCO programs", ":material/groups:", "programs"),
    ],
    "Goals": [
        page("views/alignment.py", "Goal alignment", ":material/hub:", "alignment"),
        page("views/scorecard.py", "Department scorecard", ":material/scoreboard:", "scorecard"),
    ],
    "Invest": [
        page("views/invest.py", "Where to invest", ":material/savings:", "invest"),
    ],
    "Reference": [
        page("views/glossary.py", "Glossary", ":material/menu_book:", "glossary"),
        page("views/data.py", "Data", ":material/database:", "data"),
    ],
}
navigation = st.navigation(pages)
gate.render_viewer_badge(viewer)

try:
    metadata = db.dataset_metadata()
except db.DatabaseMissingError as error:
    # a first build or load running: its progress instead of the error
    if not progress_view.refresh_running():
        st.error(str(error), icon=":material/database:")
    progress_view.render_notice()
    st.stop()

if metadata.schema_fingerprint != rollups.schema_fingerprint():
    st.warning(
        "This database was built by an older version of Northstar, so some pages may fail. "
        "Rebuild the demo with `make demo`, or load your data again with `make load`.",
        icon=":material/update:",
    )
filters.render_sidebar(db.filter_options())
with st.sidebar:
    if viewer.masking_forced:
        st.caption("Customer names and comments are masked for board members.")
    else:
        st.toggle(
            "Mask customer names",
            key=mask.MASK_KEY,
            bind="query-params",
            help="Replace account names, contacts, e-mails and comments with pseudonyms, "
            "for shared screens.",
        )
    st.toggle(
        "Presentation mode",
        key=present.PRESENT_KEY,
        bind="query-params",
        help="For a shared screen: larger charts, names masked, previous / next in board-deck "
        "order, sidebar folded away.",
    )
    st.caption(f"Data as of **{metadata.as_of:%d %b %Y}** · source: {metadata.source}")
    progress_view.render_notice()

try:
    navigation.run()
except access.AccessDenied as refusal:
    # a section the viewer's role may not see: say so, show nothing of it
    st.warning(str(refusal), icon=":material/lock:")

if st.context.url:
    with st.sidebar:
        st.caption("Link to this view (copy with the button on the right)")
        st.code(
            present.share_url(st.context.url, navigation.url_path,
                              view_state.with_view_params(present.current_params())),
            language=None,
            wrap_lines=True,
        )

if present.is_on():
    scripts = {access.page_key(page): page for group in pages.values() for page in group}
    previous, following = present.deck_neighbours(
        access.page_key(navigation),
        [key for key in scripts if access.may_open(viewer, key)],
    )
    left, _, right = st.columns([1, 4, 1])
    if previous and left.button(f"◀ {scripts[previous].title}", key="deck_previous"):
        st.switch_page(scripts[previous], query_params={})
    if following and right.button(f"{scripts[following].title} ▶", key="deck_next"):
        st.switch_page(scripts[following], query_params={})
