"""Privacy on screen: customer names, contacts, e-mails and free text become pseudonyms.

Applied in one place — `northstar.db.run_query` masks every result while masking is on — so
tables, charts, hover labels, exports and the brief all show the same pseudonyms. A name
always maps to the same pseudonym within a running server (a keyed hash, so pseudonyms cannot
be reversed by hashing a list of known customer names).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pandas as pd
import streamlit as st

# column -> how its values are replaced
NAME_COLUMNS = {
    "account_name": "Account",
    "primary_contact_name": "Contact",
    "respondent_name": "Contact",
    "seat_holder_name": "Contact",
    "contact_name": "Contact",
}
EMAIL_COLUMNS = ("primary_contact_email", "contact_email", "email")
TEXT_COLUMNS = ("comment", "subject", "notes")
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


def _mask_value(value: object, kind: str) -> object:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return value
    return pseudonym(str(value), kind)


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a query result with names, e-mails and free text replaced."""
    columns = set(frame.columns)
    if not columns & {*NAME_COLUMNS, *EMAIL_COLUMNS, *TEXT_COLUMNS}:
        return frame
    masked = frame.copy()
    for column, kind in NAME_COLUMNS.items():
        if column in columns:
            masked[column] = [_mask_value(value, kind) for value in masked[column]]
    for column in EMAIL_COLUMNS:
        if column in columns:
            masked[column] = [
                value
                if value is None or value != value
                else f"{pseudonym(str(value), 'contact').split()[1].lower()}@hidden.invalid"
                for value in masked[column]
            ]
    for column in TEXT_COLUMNS:
        if column in columns:
            masked[column] = [
                value if value is None or value != value else HIDDEN_TEXT
                for value in masked[column]
            ]
    return masked


def masking_on(forced: bool = False) -> bool:
    """Whether this session shows masked data: the toggle, presentation mode, or the role."""
    if forced:
        return True
    try:
        if bool(st.session_state.get(MASK_KEY, False)):
            return True
    except Exception:  # outside a Streamlit session
        return False
    from northstar import present

    return present.is_on()
