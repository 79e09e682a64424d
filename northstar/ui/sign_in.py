"""Who the viewer is (Streamlit's sign-in), and what a viewer without access sees: the sign-in
page or a polite refusal. No data is read before access is settled."""

from __future__ import annotations

import streamlit as st

from northstar.data.access import (
    LOCAL_DEMO_VIEWER,
    Viewer,
    email_verified,
    load_access,
    refused_entry,
    resolve,
)
from northstar.ui.literal_text import literal


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
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


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
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


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
            st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")


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


def current_viewer() -> Viewer:
    """The person using this session (local demo CCO when no sign-in is configured)."""
    if not auth_configured():
        return LOCAL_DEMO_VIEWER
    try:
        user = st.user
        signed_in = bool(user.get("is_logged_in", False))
        email = user.get("email") if signed_in else None
    except Exception:  # outside a Streamlit session (e.g. a command-line tool)
        return Viewer(email=None, role=None)
    if not signed_in:
        return Viewer(email=None, role=None)
    access = load_access()
    if not email_verified(user, access):
        # an unverified address proves nothing about who signed in: no role, whoever it names
        return Viewer(email=email, role=None, signed_in=True, email_unverified=True)
    resolved = resolve(email, access)
    if resolved is None:
        return Viewer(email=email, role=None, signed_in=True,
                      entry_refused=refused_entry(email, access))
    role, department = resolved
    return Viewer(email=email, role=role, department=department, signed_in=True)
