"""Privacy on screen: customer names, contacts, e-mails and free text become pseudonyms.

Applied in one place — `northstar.ui.page_queries.run_query` masks every result while masking is
on — so tables, charts, hover labels, exports and the brief all show the same pseudonyms. What is
masked is what each query declares in its header (`-- sensitive: account_name (account),
comment (text)`), so a column renamed or derived in SQL is masked as long as the query says
what it is; a test runs every query on a database whose customer texts are marked and fails on
any marked text a masked viewer would see. The rule itself is northstar.data.db.masking; here a
name always maps to the same pseudonym within a running server (one key per server).
"""

from __future__ import annotations

import secrets

import pandas as pd
import streamlit as st

from northstar.data.db import masking as rule
from northstar.data.db.masking import HIDDEN_TEXT, MASK_KEY, UndeclaredColumn
from northstar.ui import presentation, sign_in

__all__ = ["HIDDEN_TEXT", "MASK_KEY", "UndeclaredColumn", "mask_frame", "masking_on", "pseudonym",
           "session_masked"]


@st.cache_resource(show_spinner=False)
def _server_key() -> bytes:
    """A random key per running server: pseudonyms are stable for a meeting, not across servers."""
    return secrets.token_bytes(32)


def pseudonym(value: str, kind: str = "Account") -> str:
    """A stable pseudonym for one name, e.g. 'Account K7Q2M'."""
    return rule.pseudonym(value, kind, _server_key())


def mask_frame(frame: pd.DataFrame, sensitive: tuple[tuple[str, str], ...],
               query: str = "query") -> pd.DataFrame:
    """A copy of a query result with its declared sensitive columns replaced."""
    return rule.mask_frame(frame, sensitive, query, _server_key())


def masking_on(forced: bool = False) -> bool:
    """Whether this session shows masked data: the role, the toggle, or presentation mode."""
    return forced or presentation.flag_on(MASK_KEY) or presentation.is_on()


def session_masked() -> bool:
    """Whether the current viewer sees masked data (their role, the toggle or presentation)."""
    return masking_on(sign_in.current_viewer().masking_forced)
