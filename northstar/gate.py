"""What a viewer without access sees: the sign-in page or a polite refusal. No data is read."""

from __future__ import annotations

import streamlit as st

from northstar.access import Viewer
from northstar.text import literal


def render_sign_in() -> None:
    st.title("Northstar")
    st.subheader("Sign in to see the customer dashboard")
    st.write(
        "Northstar shows revenue and customer data, so it is only open to people on its access "
        "list. Sign in with your company account."
    )
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)


def render_no_access(viewer: Viewer) -> None:
    st.title("Northstar")
    address = literal(viewer.email or "an account without an e-mail address")
    if viewer.email_unverified:
        st.subheader("Your e-mail address is not verified")
        st.write(
            f"You are signed in as {address}, but your identity provider has not verified this "
            "address, so Northstar cannot tell that it is yours. Verify it with your provider "
            "(or sign in with your company account) and sign in again."
        )
    else:
        st.subheader("You don't have access yet")
        st.write(
            f"You are signed in as {address}, but this address is not on Northstar's access "
            "list. Ask the CCO's office to add you; nothing from the dashboard is shown until "
            "then."
        )
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def render_viewer_badge(viewer: Viewer) -> None:
    """Sidebar: who is signed in, or the local demo mode warning."""
    with st.sidebar:
        if viewer.local_demo:
            st.warning(
                "Local demo mode: no sign-in is configured, so Northstar only listens on this "
                "machine (127.0.0.1).",
                icon=":material/lock_open:",
            )
        else:
            st.caption(f"Signed in as **{literal(viewer.email)}** · {literal(viewer.label)}")
            st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")


def require_page(key: str) -> None:
    """Stop a page the viewer's role may not open, with a refusal and no data."""
    from northstar.access import current_viewer, may_open

    viewer = current_viewer()
    if not may_open(viewer, key):
        st.warning(
            f"Your role ({viewer.label}) does not include this page. Ask the CCO's office if "
            "you need it.",
            icon=":material/lock:",
        )
        st.stop()
