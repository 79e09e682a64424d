"""The server guard in front of Streamlit: downloads only for a live sign-in on the access list,
sign-out recorded at /auth/logout, a signed-out cookie stripped from a page connection, and
nothing changed in local demo mode."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from northstar.data.workspace import sign_outs
from northstar.ui import server_guard, sign_in, sign_in_cookie

SECRET = "test-cookie-secret"
ACCESS = '[[users]]\nemail = "cco@northstar.example"\nrole = "cco"\n'


@pytest.fixture(autouse=True)
def signed_in_deployment(tmp_path, monkeypatch):
    path = tmp_path / "access.toml"
    path.write_text(ACCESS)
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(path))
    monkeypatch.setattr(sign_in, "auth_configured", lambda: True)
    monkeypatch.setattr(sign_in_cookie, "get_cookie_secret", lambda: SECRET)
    monkeypatch.setattr(sign_outs, "_SIGNED_OUT_HERE", {})
    monkeypatch.setattr(sign_outs, "_LAST_CLEAR", {})
    return path


def cookie_for(email: str, verified: bool = True, issued: str = "1") -> str:
    claims = {"email": email, "email_verified": verified, "is_logged_in": True,
              "origin": "http://127.0.0.1", "provider": "default", "iat": issued}
    signed = create_signed_value(SECRET, "_streamlit_user", json.dumps(claims))
    return f"_streamlit_user={signed.decode()}; theme=dark"


def call(path: str, cookie: str | None = None, kind: str = "http") -> tuple[int | None, dict]:
    """(status sent by the guard or None when it passed the request on, the scope Streamlit got)"""
    seen: dict = {}
    sent: list[dict] = []

    async def streamlit(scope, receive, send):
        seen.update(scope)

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = {"type": kind, "path": path, "method": "GET", "headers": headers}
    # on a thread of its own: an earlier test (a browser driven from this process) may have
    # left an event loop running on this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, server_guard.SignInGuard(streamlit)(scope, receive, send)
                    ).result()
    status = sent[0]["status"] if sent else None
    if sent:
        assert b"".join(message.get("body", b"") for message in sent[1:]) == b""
    return status, seen


def test_a_download_needs_a_valid_cookie_of_someone_on_the_access_list(signed_in_deployment):
    assert call("/media/abc.csv")[0] == 403
    assert call("/media/abc.csv", cookie_for("cco@northstar.example"))[0] is None
    assert call("/media/abc.csv", cookie_for("stranger@elsewhere.example"))[0] == 403
    assert call("/media/abc.csv", cookie_for("cco@northstar.example", verified=False))[0] == 403
    tampered = cookie_for("cco@northstar.example").replace("_streamlit_user=", "_streamlit_user=x")
    assert call("/media/abc.csv", tampered)[0] == 403
    # removed from the access file: refused at once
    signed_in_deployment.write_text("")
    assert call("/media/abc.csv", cookie_for("cco@northstar.example"))[0] == 403


def test_sign_out_ends_that_cookie_for_downloads_and_page_connections():
    ended, other = cookie_for("cco@northstar.example"), cookie_for("cco@northstar.example", issued="2")
    assert call("/auth/logout", ended)[0] is None  # Streamlit then deletes the cookie
    assert call("/media/abc.csv", ended)[0] == 403
    assert call("/media/abc.csv", other)[0] is None  # another sign-in of the same person
    _, scope = call("/_stcore/stream", ended, kind="websocket")
    assert dict(scope["headers"]) == {b"cookie": b"theme=dark"}  # signed out, other cookies kept
    _, scope = call("/_stcore/stream", other, kind="websocket")
    assert b"_streamlit_user=" in dict(scope["headers"])[b"cookie"]


def test_local_demo_mode_passes_everything_through(monkeypatch):
    monkeypatch.setattr(sign_in, "auth_configured", lambda: False)
    assert call("/media/abc.csv")[0] is None
    assert call("/", None)[0] is None
