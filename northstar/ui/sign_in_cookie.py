"""The sign-in cookie Streamlit's `st.login` sets, read the way Streamlit reads it: signed with
the `[auth]` `cookie_secret`, possibly split into numbered chunks, holding the identity
provider's claims (e-mail, `email_verified`, issuer).

Read by the page scripts (from `st.context.cookies`) and by the server guard (from a request's
cookies), so both name a sign-in the same way (northstar.data.workspace.sign_outs.digest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from streamlit.auth_util import get_cookie_with_chunks
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value
from streamlit.web.server.starlette.starlette_server_config import (
    TOKENS_COOKIE_NAME,
    USER_COOKIE_NAME,
)

from northstar.data.workspace import sign_outs

# the identity cookie, the provider's tokens, and their numbered chunks
_AUTH_COOKIE = re.compile(
    rf"^(?:{re.escape(USER_COOKIE_NAME)}|{re.escape(TOKENS_COOKIE_NAME)})(?:_\d+)?$")


@dataclass(frozen=True)
class SignInCookie:
    digest: str  # names this sign-in (northstar.data.workspace.sign_outs)
    claims: dict[str, Any]  # what the identity provider said about the person


def is_auth_cookie(name: str) -> bool:
    """Whether a cookie is part of Streamlit's sign-in (identity, tokens or a chunk of them)."""
    return bool(_AUTH_COOKIE.match(name))


def read(cookies: Mapping[str, str]) -> SignInCookie | None:
    """The sign-in the cookies carry, when its identity cookie is present, correctly signed and
    unexpired and says someone signed in; otherwise None."""
    if USER_COOKIE_NAME not in cookies:
        return None
    secret = get_cookie_secret()
    if not secret:
        return None
    used: list[str] = []

    def single(name: str) -> bytes | None:
        raw = cookies.get(name)
        if raw is None:
            return None
        used.append(raw)
        try:
            return decode_signed_value(secret, name, raw.encode("latin-1"))
        except (UnicodeError, ValueError):
            return None

    payload = get_cookie_with_chunks(single, USER_COOKIE_NAME)
    if payload is None:
        return None
    try:
        claims = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(claims, dict) or claims.get("is_logged_in") is not True:
        return None
    return SignInCookie(sign_outs.digest(used), claims)
