"""Sign-outs: the sign-ins someone ended with *Sign out*, so that a copy of their cookie opens
nothing afterwards, on any server.

A sign-in is named by a digest of its cookie (`digest`), never by the cookie itself. Sign-outs
are kept in the workspace store, which every server of a deployment shares, for as long as a
sign-in cookie can be valid (`KEPT_FOR`). Every sign-out is also kept by the server process
that handled it, so when the workspace cannot be reached the cookie is still refused there;
other servers learn of it only through the workspace. A sign-in this process has not seen
ended is looked up in the workspace at most once per `RECHECK_SECONDS`, since every page run
asks; when the workspace cannot answer, only this process's sign-outs count.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from northstar.data.workspace.store import Workspace, _stamp, current_url, open_workspace

# a sign-in cookie is valid for 30 days, and Streamlit accepts one for a day longer
KEPT_FOR = timedelta(days=32)
# how long a "not signed out" answer from the workspace is trusted before asking again
RECHECK_SECONDS = 2.0

_LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_SIGNED_OUT_HERE: dict[str, datetime] = {}  # digest -> when this process recorded it
_LAST_CLEAR: dict[str, float] = {}  # digest -> when the workspace last said "not signed out"


def shared_workspace() -> Workspace:
    """The workspace of the data being shown, where every server looks for sign-outs."""
    return open_workspace(current_url())


def digest(cookie_values: Sequence[str]) -> str:
    """The name of one sign-in: a SHA-256 of its cookie's signed value(s), in order."""
    return hashlib.sha256("\n".join(cookie_values).encode("utf-8")).hexdigest()


def record(cookie_digest: str, workspace: Callable[[], Workspace] = shared_workspace) -> bool:
    """Record that a sign-in ended. True when the workspace holds it (every server refuses the
    cookie from now on); False when only this process does (the workspace failed)."""
    now = datetime.now(UTC)
    with _LOCK:
        _SIGNED_OUT_HERE[cookie_digest] = now
        _LAST_CLEAR.pop(cookie_digest, None)
        for name, moment in list(_SIGNED_OUT_HERE.items()):
            if now - moment > KEPT_FOR:
                del _SIGNED_OUT_HERE[name]
    def write(shared: Workspace) -> None:
        with shared.engine.begin() as connection:
            connection.execute(text("delete from sign_outs where signed_out_at < :cutoff"),
                               {"cutoff": _stamp(now - KEPT_FOR)})
            connection.execute(text(
                "insert into sign_outs (cookie_digest, signed_out_at) "
                "select cast(:digest as varchar(64)), cast(:moment as varchar(32)) "
                "where not exists (select 1 from sign_outs where cookie_digest = :digest)"),
                {"digest": cookie_digest, "moment": _stamp(now)})

    try:
        shared = workspace()
        shared.bounded(lambda: write(shared))  # within the workspace's time bound
    except IntegrityError:
        return True  # another server recorded the same sign-out at the same moment
    except Exception as error:  # the workspace is down, read-only or misconfigured
        _LOG.warning("A sign-out could not be written to the workspace (%s); this server "
                     "refuses the cookie, other servers may not.", type(error).__name__)
        return False
    return True


def is_signed_out(cookie_digest: str,
                  workspace: Callable[[], Workspace] = shared_workspace) -> bool:
    """Whether the sign-in named by `cookie_digest` was ended with *Sign out*."""
    with _LOCK:
        if cookie_digest in _SIGNED_OUT_HERE:
            return True
        cleared = _LAST_CLEAR.get(cookie_digest)
        if cleared is not None and time.monotonic() - cleared < RECHECK_SECONDS:
            return False
    def read(shared: Workspace) -> Any:
        with shared.engine.connect() as connection:
            return connection.execute(
                text("select signed_out_at from sign_outs where cookie_digest = :digest"),
                {"digest": cookie_digest}).first()

    try:
        shared = workspace()
        found = shared.bounded(lambda: read(shared))  # within the workspace's time bound
    except Exception as error:  # the workspace cannot answer: this server's sign-outs only
        _LOG.warning("Sign-outs could not be read from the workspace (%s).",
                     type(error).__name__)
        return False
    with _LOCK:
        if found is not None:
            _SIGNED_OUT_HERE[cookie_digest] = datetime.fromisoformat(found[0])
            return True
        if len(_LAST_CLEAR) > 10_000:  # forget old answers rather than grow without end
            _LAST_CLEAR.clear()
        _LAST_CLEAR[cookie_digest] = time.monotonic()
    return False
