"""Who the viewer is (Streamlit's sign-in), and what a viewer without access sees: the sign-in
page or a polite refusal. No data is read before access is settled."""

from __future__ import annotations

import streamlit as st

from northstar.analytics.literal_text import literal
from northstar.data.registry.access import LOCAL_DEMO_VIEWER, Viewer, load_access, viewer_for
from northstar.data.workspace import sign_outs
from northstar.ui import sign_in_cookie


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
    if viewer.entry_refused is not None:
        st.subheader("Your access-list entry is invalid")
        st.write(
            f"You are signed in as {address}, but the entry in Northstar's access list that "
            f"decides your access is invalid, so it grants nothing: "
            f"{literal(viewer.entry_refused.describe())}. Ask the CCO's office to correct the "
            "entry; nothing from the dashboard is shown until then."
        )
    elif viewer.email_unverified:
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
    st.button("Sign out", icon=":material/logout:", on_click=sign_out)


def render_unknown_department(viewer: Viewer) -> None:
    """What a department head whose department is not in the data sees instead of any page."""
    st.title("Northstar")
    st.subheader("Your department is not in the data")
    st.write(
        f"You are signed in as {literal(viewer.email or '')}, and Northstar's access list makes "
        f"you the head of the department {literal(repr(viewer.department))}, but the loaded data "
        "has no department with that ID, so nothing from the dashboard is shown. Ask the CCO's "
        "office to correct the department in your access-list entry (it must be a department ID "
        "as loaded, e.g. customer_service)."
    )
    st.button("Sign out", icon=":material/logout:", on_click=sign_out)


def render_refused_entries(viewer: Viewer) -> None:
    """Sidebar, for a signed-in CCO: the access-file entries refused for a defect."""
    if viewer.role != "cco" or viewer.local_demo:
        return
    refused = load_access().refused
    if refused:
        count = (f"{len(refused)} entries in the access file are" if len(refused) > 1
                 else "1 entry in the access file is")
        st.sidebar.warning(
            f"{count} refused and grant nobody access until corrected:\n\n"
            + "\n".join(f"- {literal(entry.describe())}" for entry in refused),
            icon=":material/person_off:",
        )


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
            st.button("Sign out", icon=":material/logout:", on_click=sign_out, key="sign_out")


def render_refusal(viewer: Viewer) -> None:
    """What a page the viewer's role may not open shows instead of itself."""
    st.warning(
        f"Your role ({literal(viewer.label)}) does not include this page. Ask the CCO's office "
        "if you need it.",
        icon=":material/lock:",
    )


def auth_configured() -> bool:
    """Whether `.streamlit/secrets.toml` configures OpenID Connect sign-in."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _session_cookie() -> sign_in_cookie.SignInCookie | None:
    """The sign-in cookie this session was opened with (None in tests and local demo mode)."""
    try:
        return sign_in_cookie.read(st.context.cookies)
    except Exception:  # outside a Streamlit session
        return None


def sign_out() -> None:
    """*Sign out*: end this sign-in everywhere (a copy of its cookie opens nothing afterwards,
    northstar.data.workspace.sign_outs), then Streamlit's sign-out."""
    cookie = _session_cookie()
    if cookie is not None:
        sign_outs.record(cookie.digest)
    st.logout()


def current_viewer() -> Viewer:
    """The person using this session (local demo CCO when no sign-in is configured); a
    session opened with a sign-in cookie that was signed out is not signed in."""
    if not auth_configured():
        return LOCAL_DEMO_VIEWER
    try:
        user = st.user
        signed_in = bool(user.get("is_logged_in", False))
    except Exception:  # outside a Streamlit session (e.g. a command-line tool)
        return Viewer(email=None, role=None)
    if not signed_in:
        return Viewer(email=None, role=None)
    cookie = _session_cookie()
    if cookie is not None and sign_outs.is_signed_out(cookie.digest):
        return Viewer(email=None, role=None)
    return viewer_for(user, load_access())
