"""The Accountability forum's list of recent alerts: when, which rule, why, to whom and how it
went, from the workspace's record of alerts sent (northstar.data.workspace.alert_delivery)."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import alert_checks
from northstar.data.registry.roles import STAFF
from northstar.data.workspace import alert_delivery
from northstar.data.workspace.store import Workspace, WorkspaceUnavailable
from northstar.ui import downloads, masking, sign_in

NO_ALERTS = ("No alert has been sent yet. Alert rules are set by the data owner in "
             "config/alerts.toml (see docs/alerts.md).")


def show_recent(store: Workspace) -> None:  # pragma: no cover - drawn in the AppTest
    """The latest alerts as this viewer may read them: a role without account lists sees the
    alerts that name no account; a masked screen sees pseudonyms for account names."""
    st.subheader("Recent alerts")
    try:
        fired = alert_delivery.recent(store)
    except WorkspaceUnavailable as problem:
        st.caption(f"Recent alerts are unavailable: {problem.reason}.")
        return
    viewer = sign_in.current_viewer()
    table = alert_checks.recent_table(
        fired, accounts=viewer.role in STAFF,
        pseudonym=masking.pseudonym if masking.session_masked() else None)
    if table.empty:
        st.caption(NO_ALERTS)
        return
    downloads.dataframe(table, title="Recent alerts", hide_index=True)
