"""Northstar entrypoint: page config, sign-in gate, global filters, navigation."""

from __future__ import annotations

import streamlit as st

from northstar.data.db import rollups
from northstar.data.registry import access, pages
from northstar.ui import (
    data_needs,
    filters,
    masking,
    page_queries,
    presentation,
    progress,
    sign_in,
    styles,
    view_state,
)

st.set_page_config(
    page_title="Northstar · Customer briefing",
    page_icon=":material/explore:",
    layout="wide",
    # "auto": open on a desktop, folded away on a phone, where it would cover the page
    initial_sidebar_state="collapsed" if presentation.is_on() else "auto",
)
st.html(styles.PHONE_CSS)

presentation.accept_flag_spellings(view_state.FLAG_KEYS)
viewer = sign_in.current_viewer()
if not viewer.signed_in and not viewer.local_demo:
    sign_in.render_sign_in()
    st.stop()
if not viewer.has_access:
    sign_in.render_no_access(viewer)
    st.stop()


def navigation_pages() -> dict[str, list[st.Page]]:
    """The page registry as st.navigation's groups; a page the viewer's role may not open is
    hidden from its navigation (and refused below; the query runner refuses its queries)."""
    groups: dict[str, list[st.Page]] = {}
    for page in pages.PAGES:
        visibility = "visible" if access.may_open(viewer, page.key) else "hidden"
        groups.setdefault(page.group, []).append(st.Page(
            page.script, title=page.title, icon=page.icon, url_path=page.key,
            default=page.default, visibility=visibility,
        ))
    return groups


# every page listed: with more than a handful Streamlit would fold the rest under "View more"
navigation = st.navigation(navigation_pages(), expanded=True)
sign_in.render_viewer_badge(viewer)
sign_in.render_refused_entries(viewer)

try:
    metadata = page_queries.dataset_metadata()
except page_queries.DatabaseMissingError as error:
    # a first build or load running: its progress instead of the error
    if not progress.refresh_running():
        st.error(str(error), icon=":material/database:")
    progress.render_notice()
    st.stop()

if access.department_unknown(viewer, page_queries.run_query("goal_departments")["department_id"]):
    # deny by default: a department head's department must be one the data has
    sign_in.render_unknown_department(viewer)
    st.stop()

if metadata.schema_fingerprint != rollups.schema_fingerprint():
    st.warning(
        "This database was built with other settings (config/health_score.toml) or by another "
        "version of Northstar, so some figures may not follow today's settings or pages may "
        "fail. Rebuild the demo with `make demo`, or load your data again with `make load`.",
        icon=":material/update:",
    )
filters.render_sidebar(page_queries.filter_options())
with st.sidebar:
    if viewer.masking_forced:
        st.caption("Customer names and comments are masked for board members.")
    else:
        st.toggle(
            "Mask customer names",
            key=masking.MASK_KEY,
            bind="query-params",
            help="Replace account names, contacts, e-mails and comments with pseudonyms, "
            "for shared screens.",
        )
    st.toggle(
        "Presentation mode",
        key=presentation.PRESENT_KEY,
        bind="query-params",
        help="For a shared screen: each page one slide (headline figures and charts), names "
        "masked, previous / next in board-deck order at the top, sidebar folded away.",
    )
    st.caption(f"Data as of **{metadata.as_of:%-d %b %Y}** · source: {metadata.source}")
    progress.render_notice()

if presentation.is_on():
    # a slide: previous / next and the slide number on top, so they never sit off-screen
    st.html(styles.SLIDE_CSS)
    deck_pages = sorted(access.ROLE_PAGES.get(viewer.role or "", ()))
    current_key = access.page_key(navigation)
    previous, following = presentation.deck_neighbours(current_key, deck_pages)
    position = presentation.slide_position(current_key, deck_pages)
    left, middle, right = st.columns([1, 3, 1], vertical_alignment="center")
    for column, key, label, align in ((left, previous, "◀ {}", "left"),
                                      (right, following, "{} ▶", "right")):
        with column.container(horizontal=True, horizontal_alignment=align):
            if key and st.button(label.format(pages.PAGES_BY_KEY[key].title),
                                 key=f"deck_{key}"):
                st.switch_page(pages.PAGES_BY_KEY[key].script, query_params={})
    if position:
        middle.markdown(f":gray[Slide {position[0]} of {position[1]}]", text_alignment="center")

try:
    if access.may_open(viewer, access.page_key(navigation)):
        if data_needs.has_data(access.page_key(navigation)):
            navigation.run()
    else:
        sign_in.render_refusal(viewer)
except presentation.SlideEnd:
    pass  # the slide is complete; the page's detail is for the screen
except access.AccessDenied as refusal:
    # a section the viewer's role may not see: say so, show nothing of it
    st.warning(str(refusal), icon=":material/lock:")

if st.context.url:
    # in a popover: the code block's highlighter is loaded only when someone opens it
    with st.sidebar, st.popover("Link to this view", icon=":material/link:", width="stretch"):
        st.caption("Copy it with the button on the right; it opens this view as you see it.")
        st.code(
            # the home page lives at "/" (its own path is not an address Streamlit serves)
            presentation.share_url(st.context.url,
                                   "" if access.page_key(navigation) == pages.HOME
                                   else navigation.url_path,
                              view_state.with_view_params(presentation.current_params())),
            language=None,
            wrap_lines=True,
        )

