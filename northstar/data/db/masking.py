"""Masking customer names, contacts, e-mails and free text: the rule, without the screen.

What a query's result hides for a masked viewer is what its header declares (`-- sensitive:
account_name (account), comment (text)`): each declared column's values become pseudonyms (or
a hidden-text marker). A pseudonym is a keyed hash of the name, so it cannot be reversed by
hashing a list of known customer names; the key decides how long a pseudonym stays the same
(northstar.ui.masking: one key per running server; an e-mailed brief: one per run).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pandas as pd

HIDDEN_TEXT = "[hidden: masking is on]"
MASK_KEY = "mask"  # the URL parameter (and the sidebar switch) that turns masking on
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def pseudonym(value: str, kind: str, key: bytes) -> str:
    """A stable pseudonym for one name under one key, e.g. 'Account K7Q2M'."""
    digest = hmac.new(key, value.strip().lower().encode(), hashlib.sha256).digest()
    code = "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[:5])
    return f"{kind} {code}"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _account(value: object, key: bytes) -> object:
    return value if _missing(value) else pseudonym(str(value), "Account", key)


def _contact(value: object, key: bytes) -> object:
    return value if _missing(value) else pseudonym(str(value), "Contact", key)


def _email(value: object, key: bytes) -> object:
    if _missing(value):
        return value
    return f"{pseudonym(str(value), 'contact', key).split()[1].lower()}@hidden.invalid"


def _text(value: object, key: bytes) -> object:
    return value if _missing(value) else HIDDEN_TEXT


# what a query may declare a sensitive output column to be, and how its values are replaced
KINDS: dict[str, Callable[[object, bytes], object]] = {
    "account": _account, "contact": _contact, "email": _email, "text": _text,
}


class UndeclaredColumn(KeyError):
    """A query declares a sensitive column its result does not have (a stale declaration)."""


def mask_frame(frame: pd.DataFrame, sensitive: tuple[tuple[str, str], ...], query: str,
               key: bytes) -> pd.DataFrame:
    """A copy of a query result with its declared sensitive columns replaced."""
    if not sensitive:
        return frame
    masked = frame.copy()
    for column, kind in sensitive:
        if column not in masked.columns:
            raise UndeclaredColumn(f"{query} declares sensitive column {column!r}, which its "
                                   "result does not have")
        replace = KINDS[kind]
        masked[column] = pd.Series([replace(value, key) for value in masked[column]],
                                   index=masked.index, dtype=object)
    return masked
