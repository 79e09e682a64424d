"""Northstar's server: `streamlit run serve.py` serves the dashboard (app.py and its pages)
behind Northstar's sign-in guard (northstar.ui.server_guard), which, with sign-in configured,
lets only signed-in people on the access list fetch downloads and images and ends a sign-in's
cookie on *Sign out*. Without sign-in (local demo mode) it serves app.py unchanged."""

import streamlit as st
from starlette.middleware import Middleware

from northstar.ui.server_guard import SignInGuard

app = st.App("app.py", middleware=[Middleware(SignInGuard)])
