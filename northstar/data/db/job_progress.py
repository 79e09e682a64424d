"""Progress of long operations (demo build, load, export) for the app to show.

The command-line tools write a small JSON record beside the database they work on:
`<db>.progress.json` for a demo build or a load (the operations that replace the database)
and `<db>.export.progress.json` for an export. Each write replaces the file atomically
(`os.replace`), so a reader never sees half a record. A finished operation removes its
record; a failed one leaves it marked failed with the reason. A record still marked running
whose process is gone (killed, machine restarted) reads as interrupted.

No Streamlit import: the command-line tools import this.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

OPERATIONS = {"demo": "Demo build", "load": "Data load", "export": "Export"}
REFRESHES = ("demo", "load")  # operations that replace the database
RUNNING, FAILED, INTERRUPTED = "running", "failed", "interrupted"


def record_path(db_path: Path, operation: str) -> Path:
    """Where the record of `operation` on the database `db_path` is written."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}")
    db_path = Path(db_path)
    infix = "" if operation in REFRESHES else f".{operation}"
    return db_path.with_name(f"{db_path.name}{infix}.progress.json")


def step_name(stem: str) -> str:
    """A script's stem without its ordering prefix: '04_driver_exposures' → 'driver_exposures'."""
    return re.sub(r"^\d+_", "", stem)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return os.environ.get("USER") or "unknown"


def _process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None where unreadable."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()


def _process_started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    fields = _process_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process `pid` (started at `started`, when known) still runs on this machine."""
    if os.name != "posix":
        return True  # no safe check (os.kill would end the process on Windows)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    fields = _process_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X"):  # exited, not yet reaped
            return False
        if started and len(fields) > 19 and fields[19] != started:
            return False  # the pid now belongs to another process
    return True


@dataclass(frozen=True)
class JobStatus:
    """One operation's record as written by the tool (and read by the app)."""

    operation: str
    target: str  # the database
    detail: str  # what it works from or to, in words
    started_at: str  # ISO 8601, UTC
    updated_at: str
    fraction: float  # 0..1
    step: str  # what it is doing now
    state: str  # running, failed or interrupted
    message: str  # why it failed or stopped
    pid: int
    process_started: str | None
    host: str
    user: str
    token: str  # tells this run's record from a later run's

    @property
    def title(self) -> str:
        return OPERATIONS.get(self.operation, self.operation)

    @property
    def running(self) -> bool:
        return self.state == RUNNING

    @property
    def refresh(self) -> bool:
        return self.operation in REFRESHES

    @property
    def percent(self) -> int:
        return int(100 * max(0.0, min(1.0, self.fraction)))

    @property
    def started(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.started_at)

    @property
    def started_by(self) -> str:
        return f"{self.user} on {self.host} (process {self.pid})"

    def elapsed(self, now: dt.datetime | None = None) -> dt.timedelta:
        return (now or _now()) - self.started

    def remaining(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time left at the pace so far; None before there is a pace to go by."""
        if not self.running or not 0.05 <= self.fraction < 1:
            return None
        return self.elapsed(now) * ((1 - self.fraction) / self.fraction)

    def notice(self) -> str:
        """The one-line notice: 'Data refresh running: loading support_tickets — 45%'."""
        what = "Data refresh" if self.refresh else self.title
        return f"{what} running: {self.step} — {self.percent}%"


def format_duration(span: dt.timedelta) -> str:
    """'45 s', '3 min 05 s', '1 h 02 min'."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def read(db_path: Path, operation: str) -> JobStatus | None:
    """The record of `operation` on `db_path` (for "demo" and "load" alike: the one of either),
    or None; a running record whose process is gone from this machine reads as interrupted."""
    return _read(record_path(db_path, operation))


def _read(path: Path) -> JobStatus | None:
    try:
        fields = json.loads(path.read_text())
        status = JobStatus(**fields)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        return None  # not a record this version wrote
    if (status.running and status.host == socket.gethostname()
            and not process_alive(status.pid, status.process_started)):
        status = replace(status, state=INTERRUPTED,
                         message="The process stopped before the end (killed or shut down).")
    return status


def read_all(db_path: Path) -> list[JobStatus]:
    """The records on `db_path`: the demo build or load first, then the export."""
    paths = dict.fromkeys(record_path(db_path, operation) for operation in OPERATIONS)
    return [status for status in map(_read, paths) if status is not None]


def running(db_path: Path) -> list[JobStatus]:
    """The operations running now on `db_path`."""
    return [status for status in read_all(db_path) if status.running]


class JobRecord:
    """Writes one operation's record; `advance` is the tools' progress callback.

    `steps` are what the operation does, in order (shown as the current step): the first is
    current when it starts, each `advance` moves to the next.
    """

    def __init__(
        self, operation: str, db_path: Path | None, detail: str = "", steps: Sequence[str] = ()
    ) -> None:
        # no database file (a remote or Parquet source): nothing is written
        target = Path(db_path).resolve() if db_path else None
        self.path = record_path(target, operation) if target else None
        self.steps = list(steps)
        self.position = 0
        started = _now().isoformat(timespec="seconds")
        self.status = JobStatus(
            operation=operation, target=str(target or ""), detail=detail,
            started_at=started, updated_at=started, fraction=0.0,
            step=self.steps[0] if self.steps else "starting",
            state=RUNNING, message="", pid=os.getpid(), process_started=_process_started(
                os.getpid()), host=socket.gethostname(), user=current_user(),
            token=uuid.uuid4().hex,
        )

    def _write(self, **changes: object) -> None:
        self.status = replace(self.status, updated_at=_now().isoformat(timespec="seconds"),
                              **changes)
        if self.path is None:
            return
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(asdict(self.status), indent=1))
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # progress is a courtesy: never fail the job

    def _ours(self) -> bool:
        """Whether the record on disk is still this run's (a later run may have replaced it)."""
        if self.path is None:
            return False
        try:
            return json.loads(self.path.read_text()).get("token") == self.status.token
        except (OSError, ValueError, AttributeError):
            return False

    def start(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write()

    def update(self, fraction: float, step: str | None = None) -> None:
        self._write(fraction=max(0.0, min(1.0, fraction)), step=step or self.status.step)

    def advance(self, fraction: float, done: str = "") -> None:
        """One step done (`done` says which), `fraction` of the whole: the next of `steps` is
        current; without steps, the one done is shown."""
        if self.steps:
            self.position = min(self.position + 1, len(self.steps) - 1)
            self.update(fraction, self.steps[self.position])
        else:
            self.update(fraction, f"after {done}" if done else None)

    def tee(self, show: Callable[[str, float], None]) -> Callable[[str, float], None]:
        """A `progress(message, fraction)` callback that shows the line and advances."""
        def callback(message: str, fraction: float) -> None:
            show(message, fraction)
            self.advance(fraction, message)
        return callback

    def finish(self) -> None:
        """Done: the record goes (the app's notice with it)."""
        if self._ours():
            self.path.unlink(missing_ok=True)

    def fail(self, message: str, state: str = FAILED) -> None:
        if self._ours():
            self._write(state=state, message=message)


@contextmanager
def recording(
    operation: str, db_path: Path | None, detail: str = "", steps: Sequence[str] = ()
) -> Iterator[JobRecord]:
    """Record an operation from start to end: removed when the block completes, marked
    failed (with the error) when it raises, interrupted on Ctrl-C."""
    record = JobRecord(operation, db_path, detail, steps)
    record.start()
    try:
        yield record
    except Exception as error:
        record.fail(str(error) or type(error).__name__)
        raise
    except BaseException:
        record.fail("Stopped before the end (interrupted).", INTERRUPTED)
        raise
    record.finish()
