"""Privacy on screen: customer names, contacts, e-mails and free text become pseudonyms.

Applied in one place — `northstar.ui.queries.run_query` masks every result while masking is on — so
tables, charts, hover labels, exports and the brief all show the same pseudonyms. What is
masked is what each query declares in its header (`-- sensitive: account_name (account),
comment (text)`), so a column renamed or derived in SQL is masked as long as the query says
what it is; a test runs every query on a database whose customer texts are marked and fails on
any marked text a masked viewer would see. A name always maps to the same pseudonym within a
running server (a keyed hash, so pseudonyms cannot be reversed by hashing a list of known
customer names).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd
import streamlit as st

from northstar.ui import presentation, sign_in

HIDDEN_TEXT = "[hidden: masking is on]"
MASK_KEY = "mask"  # the sidebar toggle's key and URL parameter


@st.cache_resource(show_spinner=False)
def _server_key() -> bytes:
    """A random key per running server: pseudonyms are stable for a meeting, not across servers."""
    return secrets.token_bytes(32)


def pseudonym(value: str, kind: str = "Account") -> str:
    """A stable pseudonym for one name, e.g. 'Account K7Q2M'."""
    digest = hmac.new(_server_key(), value.strip().lower().encode(), hashlib.sha256).digest()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(alphabet[byte % len(alphabet)] for byte in digest[:5])
    return f"{kind} {code}"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _account(value: object) -> object:
    return value if _missing(value) else pseudonym(str(value), "Account")


def _contact(value: object) -> object:
    return value if _missing(value) else pseudonym(str(value), "Contact")


def _email(value: object) -> object:
    if _missing(value):
        return value
    return f"{pseudonym(str(value), 'contact').split()[1].lower()}@hidden.invalid"


def _text(value: object) -> object:
    return value if _missing(value) else HIDDEN_TEXT


# what a query may declare a sensitive output column to be, and how its values are replaced
KINDS = {"account": _account, "contact": _contact, "email": _email, "text": _text}


class UndeclaredColumn(KeyError):
    """A query declares a sensitive column its result does not have (a stale declaration)."""


def mask_frame(frame: pd.DataFrame, sensitive: tuple[tuple[str, str], ...],
               query: str = "query") -> pd.DataFrame:
    """A copy of a query result with its declared sensitive columns replaced."""
    if not sensitive:
        return frame
    masked = frame.copy()
    for column, kind in sensitive:
        if column not in masked.columns:
            raise UndeclaredColumn(f"{query} declares sensitive column {column!r}, which its "
                                   "result does not have")
        replace = KINDS[kind]
        masked[column] = pd.Series([replace(value) for value in masked[column]],
                                   index=masked.index, dtype=object)
    return masked


def masking_on(forced: bool = False) -> bool:
    """Whether this session shows masked data: the role, the toggle, or presentation mode."""
    return forced or presentation.flag_on(MASK_KEY) or presentation.is_on()


def session_masked() -> bool:
    """Whether the current viewer sees masked data (their role, the toggle or presentation)."""
    return masking_on(sign_in.current_viewer().masking_forced)
