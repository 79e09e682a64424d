"""The server's own check of who may fetch what, in front of Streamlit (`serve.py` installs it
with `st.App(..., middleware=...)`).

With sign-in configured (an `[auth]` section in the secrets):

- `/media/…` — the files pages hand to the browser: CSV, Excel and brief downloads, images —
  answers only a request carrying a valid sign-in cookie of someone the access file lets in
  (northstar.data.registry.access.viewer_for), not signed out. Anything else gets 403 and no
  content.
- `/auth/logout` — where *Sign out* leads — records the sign-in as ended before Streamlit
  deletes the cookie, so a copy of that cookie is refused afterwards
  (northstar.data.workspace.sign_outs).
- A page connection (Streamlit's websocket) opened with a signed-out cookie has its sign-in
  cookies removed, so the session starts signed out: the sign-in page.

Without sign-in (local demo mode) it lets everything through unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from streamlit import config

from northstar.data.registry.access import load_access, viewer_for
from northstar.data.workspace import sign_outs
from northstar.ui import sign_in, sign_in_cookie

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MEDIA_PREFIX = "/media/"
SIGN_OUT_PATH = "/auth/logout"


def _base_path() -> str:
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _cookie_header(scope: Scope) -> str:
    return "; ".join(value.decode("latin-1") for name, value in scope.get("headers", ())
                     if name.lower() == b"cookie")


def request_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies by name, parsed as Streamlit's own handlers parse them."""
    return cookie_parser(_cookie_header(scope))


def without_sign_in(scope: Scope) -> Scope:
    """A copy of the request whose Cookie header has no sign-in cookie left."""
    kept = [part.strip() for part in _cookie_header(scope).split(";")
            if part.strip() and not sign_in_cookie.is_auth_cookie(part.split("=", 1)[0].strip())]
    headers = [(name, value) for name, value in scope.get("headers", ())
               if name.lower() != b"cookie"]
    if kept:
        headers.append((b"cookie", "; ".join(kept).encode("latin-1")))
    return {**scope, "headers": headers}


def may_fetch_media(cookie: sign_in_cookie.SignInCookie | None) -> bool:
    """Whether the bearer of this sign-in may fetch files: signed in, not signed out, and
    let in by the access file. Any doubt (an unreadable access file) refuses."""
    if cookie is None:
        return False
    try:
        if sign_outs.is_signed_out(cookie.digest):
            return False
        return viewer_for(cookie.claims, load_access()).has_access
    except Exception:
        return False


async def _refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-length", b"0"), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b""})


class SignInGuard:
    """ASGI middleware: the checks above, then Streamlit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not sign_in.auth_configured():
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        base = _base_path()
        relative = path[len(base):] if base and path.startswith(base) else path
        cookie = sign_in_cookie.read(request_cookies(scope))
        if scope["type"] == "http" and relative.startswith(MEDIA_PREFIX):
            if not await run_in_threadpool(may_fetch_media, cookie):
                await _refuse(send)
                return
        elif scope["type"] == "http" and relative == SIGN_OUT_PATH:
            if cookie is not None:
                await run_in_threadpool(sign_outs.record, cookie.digest)
        elif scope["type"] == "websocket" and cookie is not None and \
                await run_in_threadpool(sign_outs.is_signed_out, cookie.digest):
            scope = without_sign_in(scope)  # a signed-out cookie signs no one in
        await self.app(scope, receive, send)
