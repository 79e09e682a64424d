"""Sign-outs are kept where every server sees them (the workspace, SQLite or PostgreSQL), and
by the server that handled them when the workspace cannot be reached."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from northstar.data.workspace import sign_outs
from northstar.data.workspace.store import Workspace


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """Each test starts as a server process that has recorded no sign-out."""
    monkeypatch.setattr(sign_outs, "_SIGNED_OUT_HERE", {})
    monkeypatch.setattr(sign_outs, "_LAST_CLEAR", {})


def forget_this_process() -> None:
    """What another server process knows: nothing but the workspace."""
    sign_outs._SIGNED_OUT_HERE.clear()
    sign_outs._LAST_CLEAR.clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'northstar.workspace.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(
            f"so_{uuid.uuid4().hex[:12]}")
    store = Workspace(url)
    yield store
    store.dispose()


def unreachable() -> Workspace:
    raise ConnectionError("connection refused")


def test_a_sign_out_reaches_every_server_through_the_workspace(workspace):
    ended, live = sign_outs.digest(["cookie-a"]), sign_outs.digest(["cookie-b"])
    assert not sign_outs.is_signed_out(ended, lambda: workspace)
    assert sign_outs.record(ended, lambda: workspace) is True
    assert sign_outs.record(ended, lambda: workspace) is True  # twice is harmless
    forget_this_process()
    assert sign_outs.is_signed_out(ended, lambda: workspace)
    assert not sign_outs.is_signed_out(live, lambda: workspace)
    with workspace.engine.connect() as connection:
        stored = connection.execute(text("select cookie_digest from sign_outs")).scalars().all()
    assert stored == [ended]  # a digest, never the cookie


def test_another_servers_sign_out_is_seen_after_the_recheck_interval(workspace, monkeypatch):
    cookie = sign_outs.digest(["cookie-a"])
    assert not sign_outs.is_signed_out(cookie, lambda: workspace)  # remembered as clear
    with workspace.engine.begin() as connection:  # another server signs it out
        connection.execute(text("insert into sign_outs values (:d, :t)"),
                           {"d": cookie, "t": datetime.now(UTC).isoformat()})
    monkeypatch.setattr(sign_outs, "RECHECK_SECONDS", 0.0)
    assert sign_outs.is_signed_out(cookie, lambda: workspace)


def test_without_the_workspace_the_server_that_signed_out_still_refuses_the_cookie():
    ended, other = sign_outs.digest(["cookie-a"]), sign_outs.digest(["cookie-b"])
    assert sign_outs.record(ended, unreachable) is False
    assert sign_outs.is_signed_out(ended, unreachable)  # fails closed for this cookie here
    assert not sign_outs.is_signed_out(other, unreachable)  # pages keep working for others


def test_sign_outs_older_than_any_cookie_are_dropped(workspace):
    old = sign_outs.digest(["cookie-old"])
    long_ago = datetime.now(UTC) - sign_outs.KEPT_FOR * 2
    with workspace.engine.begin() as connection:
        connection.execute(text("insert into sign_outs values (:d, :t)"),
                           {"d": old, "t": long_ago.isoformat(timespec="milliseconds")})
    sign_outs.record(sign_outs.digest(["cookie-new"]), lambda: workspace)
    with workspace.engine.connect() as connection:
        assert connection.execute(text("select count(*) from sign_outs")).scalar_one() == 1


def test_a_digest_names_one_cookie_and_its_chunks_in_order():
    assert sign_outs.digest(["a", "b"]) != sign_outs.digest(["b", "a"])
    assert len(sign_outs.digest(["a"])) == 64
