"""One writer per database: a demo build or a load takes an exclusive lock first.

Two loads into the same database at once would each build a new file beside it and move it
over the database; the second could move a half-built file. So every operation that replaces a
database holds an exclusive OS lock (`flock`) on `<db>.lock` from before it writes anything
(its progress record included) until the new file is in place. The lock file says who holds
it, so a second load can say whom it is waiting for. The operating system releases the lock
when the process ends, however it ends (kill -9 included), so a crashed load never blocks the
next one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from northstar.data.db.job_progress import current_user

_HELD: dict[Path, int] = {}  # lock files this process holds -> how many times, for nesting


class DatabaseBusy(RuntimeError):
    """Another process is replacing the database; the message says who and since when."""


def lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def holder(db_path: Path) -> str:
    """Who holds (or last held) the lock, in words."""
    try:
        facts = json.loads(lock_path(db_path).read_text() or "{}")
    except (OSError, ValueError):
        facts = {}
    if not facts:
        return "another process (a build or load that is just starting)"
    return (f"{facts.get('operation', 'an operation')} started by {facts.get('user', '?')} on "
            f"{facts.get('host', '?')} at {facts.get('started', '?')} (process "
            f"{facts.get('pid', '?')})")


@contextmanager
def exclusive(db_path: Path, operation: str, wait: bool = False,
              waiting: Callable[[str], None] | None = None,
              poll_seconds: float = 0.5) -> Iterator[None]:
    """Hold the database's write lock for the block. Without `wait`, raise DatabaseBusy at
    once when another process holds it; with `wait`, call `waiting(who)` once and wait."""
    path = lock_path(Path(db_path).resolve())
    if path in _HELD:  # this process holds it already (a load inside the load command)
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                who = holder(db_path)
                if not wait:
                    raise DatabaseBusy(
                        f"{db_path} is being replaced by {who}. Wait for it to finish, or run "
                        "again with --wait.") from None
                if not told and waiting is not None:
                    waiting(who)
                    told = True
                time.sleep(poll_seconds)
        facts = {"operation": operation, "pid": os.getpid(), "user": current_user(),
                 "host": socket.gethostname(), "command": " ".join(sys.argv),
                 "started": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(facts).encode(), 0)
        _HELD[path] = 1
        try:
            yield
        finally:
            del _HELD[path]
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
