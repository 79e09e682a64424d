"""The workspace store: actions, their notes and audit trail, on SQLite or PostgreSQL.

The default store is an SQLite file beside the analytics database (`<db>.workspace.sqlite`),
in WAL mode so readers never wait for a writer; `NORTHSTAR_WORKSPACE` may name any SQLAlchemy
URL instead, e.g. `postgresql+psycopg://user@host/northstar` (a plain `postgresql://` URL is
read as psycopg), for more than one server. The same statements run on both.

Every change is one transaction that also writes an audit row (who, when, the fields before
and after). An update names the version it started from; when someone else saved in between,
it is refused with `ActionChanged` ("changed by X at T") and nothing is written.

Every call is bounded in time by one setting, `NORTHSTAR_WORKSPACE_TIMEOUT` (seconds): it is the
connect, statement, lock and pool timeout, and each call runs with that deadline on the client
too, which also holds when the server is frozen and answers nothing. A workspace that cannot be
reached, answers too late, or cannot be created raises `WorkspaceUnavailable`, which says why in
words and where the workspace is (never with a password).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from northstar.data.db.data_source import current_source
from northstar.data.db.paths import DEFAULT_DB_PATH
from northstar.data.registry.access import (
    AccessDenied,
    Viewer,
    may_change_actions,
    may_read_actions,
)
from northstar.data.workspace.migrations import LATEST_VERSION, MIGRATIONS

WORKSPACE_ENV = "NORTHSTAR_WORKSPACE"
TIMEOUT_ENV = "NORTHSTAR_WORKSPACE_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 5.0  # how long any one workspace call may take
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "in_progress", "done", "dropped")
OPEN_STATUSES = ("open", "in_progress")
SUBJECT_KINDS = ("account", "answer", "ticket", "kpi", "driver")
EDITABLE = ("title", "owner_employee_id", "owner_name", "owner_email", "department_id",
            "due_on", "priority", "status")
LIMITS = {"title": 300, "owner_name": 200, "owner_email": 320, "subject_label": 300,
          "note": 4000}
ELLIPSIS = "…"
# joiners and variation selectors belong to the character before them, like combining marks
_JOINED = frozenset("\u200c\u200d\ufe0e\ufe0f")
_Result = TypeVar("_Result")


class ActionChanged(RuntimeError):
    """Someone else saved the action after this edit started; nothing was written."""


class ActionInvalid(ValueError):
    """An action's fields break a rule; the message names the field."""


class WorkspaceUnavailable(ConnectionError):
    """The workspace cannot be used now. `reason` says why in words, `place` where the
    workspace is (a file, or the server URL without its password)."""

    def __init__(self, reason: str, place: str) -> None:
        super().__init__(f"{reason} (the workspace at {place})")
        self.reason = reason
        self.place = place


@dataclass(frozen=True)
class NewAction:
    title: str
    owner_employee_id: str
    owner_name: str
    department_id: str
    due_on: date
    subject_kind: str
    subject_key: str
    subject_label: str
    priority: str = "normal"
    account_id: str | None = None
    owner_email: str | None = None


@dataclass(frozen=True)
class Action:
    action_id: str
    title: str
    owner_employee_id: str
    owner_name: str
    owner_email: str | None
    department_id: str
    due_on: date
    priority: str
    status: str
    subject_kind: str
    subject_key: str
    subject_label: str
    account_id: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    closed_at: datetime | None
    version: int
    notes: tuple[Note, ...] = field(default=(), compare=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Note:
    note_id: str
    action_id: str
    body: str
    author: str
    created_at: datetime


COLUMNS = tuple(f.name for f in fields(Action) if f.name != "notes")


def default_url(analytics_db: Path | str) -> str:
    """Where the workspace lives: `$NORTHSTAR_WORKSPACE`, else an SQLite file beside the DB."""
    configured = os.environ.get(WORKSPACE_ENV, "").strip()
    if configured:
        return configured
    path = Path(analytics_db)
    return f"sqlite:///{path.with_name(path.stem + '.workspace.sqlite')}"


def current_url() -> str:
    """The workspace of the data being shown: beside a DuckDB file or Parquet folder (or
    `$NORTHSTAR_WORKSPACE`); for a remote source, beside the default database path."""
    source = current_source()
    beside = Path(source.location) if source.kind in ("duckdb", "parquet") else DEFAULT_DB_PATH
    return default_url(beside)


def timeout_seconds() -> float:
    """How long any one workspace call may take: `$NORTHSTAR_WORKSPACE_TIMEOUT` seconds, else
    DEFAULT_TIMEOUT_SECONDS; ValueError naming the setting when it is not a positive number."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{TIMEOUT_ENV} is {raw!r}: it must be a number of seconds above 0, "
                         f"e.g. {DEFAULT_TIMEOUT_SECONDS:g}")
    return value


def workspace_place(url: str) -> str:
    """Where the workspace is, for messages: the SQLite file, or the server URL without any
    password."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        return f"the URL in {WORKSPACE_ENV}, which is not a database URL"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    driver = "postgresql" if parsed.drivername == "postgresql+psycopg" else parsed.drivername
    login = f"{parsed.username}@" if parsed.username else ""
    address = (parsed.host or "") + (f":{parsed.port}" if parsed.port else "")
    place = f"{driver}://{login}{address}/{parsed.database or ''}"
    query = [f"{key}={value}" for key, values in parsed.query.items()
             if key.lower() not in ("password", "passfile")
             for value in ((values,) if isinstance(values, str) else values)]
    return place + ("?" + "&".join(query) if query else "")


def shortened_label(label: object, limit: int = LIMITS["subject_label"]) -> str:
    """The label as stored: whole when it fits the limit, else cut at the last word that fits
    (or between two characters, never inside one) and ended with "…"."""
    whole = "" if label is None else str(label).strip()
    if len(whole) <= limit:
        return whole
    cut = limit - len(ELLIPSIS)
    # never part a letter from its accents, joiners or variation selectors
    while cut > 0 and (unicodedata.combining(whole[cut]) or whole[cut] in _JOINED):
        cut -= 1
    head = whole[:cut]
    if not whole[cut].isspace():
        last_space = max((match.start() for match in re.finditer(r"\s", head)), default=-1)
        if last_space >= cut // 2:  # a word boundary not too far back
            head = head[:last_space]
    return head.rstrip() + ELLIPSIS


def _engine_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _create_engine(url: URL, timeout: float) -> Engine:
    """An engine whose every wait is bounded by `timeout` seconds."""
    if url.get_backend_name() == "sqlite":
        if _in_memory(url):
            return create_engine(url)
        return create_engine(url, pool_pre_ping=True, pool_timeout=timeout,
                             connect_args={"timeout": timeout})
    seconds = max(2, math.ceil(timeout))  # libpq counts whole seconds, at least 2
    millis = max(1, round(timeout * 1000))
    given = url.query.get("options")
    options = " ".join(part for part in (
        given if isinstance(given, str) else None,
        f"-c statement_timeout={millis}", f"-c lock_timeout={millis}") if part)
    return create_engine(url, pool_pre_ping=True, pool_timeout=timeout, connect_args={
        "connect_timeout": seconds, "options": options,
        # a server gone from the network: TCP gives up instead of waiting for minutes
        "keepalives": 1, "keepalives_idle": seconds, "keepalives_interval": 1,
        "keepalives_count": 3, "tcp_user_timeout": millis})


# what a workspace that cannot be reached, answers too late or cannot be created raises
_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
                sa_exc.DisconnectionError, OSError)


def _is_failure(error: BaseException) -> bool:
    """Whether an error means the workspace failed (not a refusal or a rule it enforces)."""
    return isinstance(error, _UNAVAILABLE) and not isinstance(
        error, (WorkspaceUnavailable, AccessDenied))


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _who(viewer: Viewer) -> str:
    return viewer.email or ("local CCO" if viewer.local_demo else "unknown")


def _check(name: str, value: Any) -> str:
    text_value = "" if value is None else str(value).strip()
    if name in LIMITS and len(text_value) > LIMITS[name]:
        raise ActionInvalid(f"{name.replace('_', ' ')} is longer than {LIMITS[name]} characters")
    return text_value


def _validated(values: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of the given fields, or ActionInvalid naming the first bad one."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "due_on":
            if not isinstance(value, date):
                raise ActionInvalid("due date must be a date")
            out[name] = value.isoformat()
        elif name == "priority":
            if value not in PRIORITIES:
                raise ActionInvalid(f"priority {value!r} is not one of {', '.join(PRIORITIES)}")
            out[name] = value
        elif name == "status":
            if value not in STATUSES:
                raise ActionInvalid(f"status {value!r} is not one of {', '.join(STATUSES)}")
            out[name] = value
        elif name == "subject_kind":
            if value not in SUBJECT_KINDS:
                raise ActionInvalid(f"an action is about one of {', '.join(SUBJECT_KINDS)}")
            out[name] = value
        elif name in ("owner_email", "account_id"):
            out[name] = _check(name, value) or None
        elif name == "subject_label":
            # a long name (an account's, say) is shortened: the action links by subject_key
            label = shortened_label(value)
            if not label:
                raise ActionInvalid("subject label is empty")
            out[name] = label
        else:
            checked = _check(name, value)
            if not checked:
                raise ActionInvalid(f"{name.replace('_', ' ')} is empty")
            out[name] = checked
    return out


def _action(row: Mapping[str, Any], notes: tuple[Note, ...] = ()) -> Action:
    values = dict(row)
    values["due_on"] = date.fromisoformat(values["due_on"])
    for name in ("created_at", "updated_at", "closed_at"):
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    values["version"] = int(values["version"])
    return Action(**{name: values[name] for name in COLUMNS}, notes=notes)


class Workspace:
    """One workspace database; safe to share between Streamlit sessions and threads. Every
    public call ends within `timeout` seconds, or raises WorkspaceUnavailable."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.place = workspace_place(url)
        try:
            self.timeout = timeout_seconds()
            parsed = _engine_url(url)
            self.engine: Engine = _create_engine(parsed, self.timeout)
        except (ValueError, sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as problem:
            reason = (str(problem) if TIMEOUT_ENV in str(problem) else
                      f"{WORKSPACE_ENV} is not a database URL Northstar can use ({problem})")
            raise WorkspaceUnavailable(reason, self.place) from None
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # an in-memory SQLite database lives in one thread: its calls run in the caller's
        self._inline = _in_memory(parsed)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_connect(self.timeout))
            event.listen(self.engine, "begin", _sqlite_begin)
        try:
            self._bounded(self._migrate)
        except WorkspaceUnavailable:
            self.engine.dispose()
            raise

    # --- time bound and failures -------------------------------------------

    def bounded(self, work: Callable[[], _Result]) -> _Result:
        """Run `work` (which uses `self.engine`) within the workspace's time bound;
        WorkspaceUnavailable when it fails or does not answer in time."""
        return self._bounded(work)

    def _bounded(self, work: Callable[[], _Result]) -> _Result:
        """Run `work` with the deadline: a frozen server never answers, so no server-side
        timeout ends the wait; the caller stops waiting and the call's thread is left to end
        when the server answers or the connection breaks."""
        if self._inline:
            try:
                return work()
            except _UNAVAILABLE as error:
                if not _is_failure(error):
                    raise
                raise self._unavailable(error) from error
        outcome: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = work()
            except BaseException as error:  # noqa: BLE001 - handed to the caller below
                outcome["error"] = error
            finally:
                finished.set()

        threading.Thread(target=run, name="northstar-workspace-call", daemon=True).start()
        if not finished.wait(self.timeout):
            raise WorkspaceUnavailable(
                f"the workspace database did not answer within {self.timeout:g} seconds",
                self.place)
        error = outcome.get("error")
        if error is None:
            return outcome["value"]
        if _is_failure(error):
            raise self._unavailable(error) from error
        raise error

    def _unavailable(self, error: BaseException) -> WorkspaceUnavailable:
        return WorkspaceUnavailable(self._reason(error), self.place)

    def _reason(self, error: BaseException) -> str:
        """Why the workspace failed, in words a maintainer can act on."""
        seconds = f"{self.timeout:g} seconds"
        if isinstance(error, sa_exc.TimeoutError):
            return f"every connection to the workspace database stayed busy for {seconds}"
        detail = str(getattr(error, "orig", None) or error).strip()
        lowered = detail.lower()
        if self.is_sqlite:
            return _sqlite_reason(Path(self.place), lowered, detail, seconds)
        if "statement timeout" in lowered or "lock timeout" in lowered:
            return f"a request to the workspace database took longer than {seconds}"
        if "timeout expired" in lowered or "timed out" in lowered:
            return f"the PostgreSQL server did not answer within {seconds}"
        if any(words in lowered for words in ("connection refused", "no such file or directory",
                                              "is the server running")):
            return "the PostgreSQL server is not running or refuses connections"
        if "authentication" in lowered or "password" in lowered:
            return "the PostgreSQL server refused the login (check the user and password)"
        if "does not exist" in lowered:
            return "the database or user named in the URL does not exist on the server"
        if "translate host name" in lowered or "name or service not known" in lowered:
            return "the server's host name cannot be found"
        if "server closed the connection" in lowered or "terminating connection" in lowered:
            return "the PostgreSQL server closed the connection (it may be restarting)"
        first_line = detail.splitlines()[0][:200] if detail else type(error).__name__
        return f"the workspace database cannot be used: {first_line}"

    # --- schema -------------------------------------------------------------

    def _migrate(self) -> None:
        if self.is_sqlite and not self._inline:
            Path(self.place).parent.mkdir(parents=True, exist_ok=True)
        with self._write() as connection:
            if not self.is_sqlite:
                # one server migrates at a time; the others wait, then see the new version
                connection.execute(text("select pg_advisory_xact_lock(727274)"))
            connection.execute(text(
                "create table if not exists workspace_schema (version integer primary key, "
                "description varchar(200) not null, applied_at varchar(32) not null)"))
            current = connection.execute(
                text("select coalesce(max(version), 0) from workspace_schema")).scalar_one()
            for version, description, statements in MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    connection.execute(text(statement))
                connection.execute(
                    text("insert into workspace_schema values (:v, :d, :t)"),
                    {"v": version, "d": description, "t": _stamp(_now())})

    def schema_version(self) -> int:
        def read() -> int:
            with self.engine.connect() as connection:
                return int(connection.execute(
                    text("select max(version) from workspace_schema")).scalar_one())
        return self._bounded(read)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    # --- changes ------------------------------------------------------------

    def create(self, viewer: Viewer, new: NewAction, *, action_id: str | None = None) -> Action:
        """Record a new action. A save given the `action_id` of an earlier attempt (one cut
        off by a failure, which may have reached the database after all) returns the action
        already stored instead of storing it twice."""
        if not may_change_actions(viewer, new.department_id):
            raise AccessDenied(_refusal(viewer, new.department_id))
        values = _validated({name: getattr(new, name) for name in (
            "title", "owner_employee_id", "owner_name", "owner_email", "department_id",
            "due_on", "priority", "subject_kind", "subject_key", "subject_label", "account_id")})
        moment, who = _stamp(_now()), _who(viewer)
        row = {**values, "action_id": action_id or uuid.uuid4().hex, "status": "open",
               "created_by": who, "created_at": moment, "updated_by": who, "updated_at": moment,
               "closed_at": None, "version": 1}
        return self._bounded(lambda: self._insert(row))

    def _insert(self, row: dict[str, Any]) -> Action:
        try:
            with self._write() as connection:
                existing = connection.execute(text(
                    f"select {', '.join(COLUMNS)} from actions where action_id = :id"),
                    {"id": row["action_id"]}).mappings().first()
                if existing is not None:  # an earlier attempt of this save got through
                    return _action(existing)
                connection.execute(text(
                    f"insert into actions ({', '.join(COLUMNS)}) "
                    f"values ({', '.join(':' + name for name in COLUMNS)})"), row)
                self._audit(connection, row["action_id"], row["created_by"], row["created_at"],
                            1, {"created": {name: row[name] for name in EDITABLE}})
        except sa_exc.IntegrityError:
            # the earlier attempt committed while this one was inserting
            with self.engine.connect() as connection:
                return _action(self._row(connection, row["action_id"]))
        return _action(row)

    def update(self, viewer: Viewer, action_id: str, version: int,
               **changes: Any) -> Action:
        """Save changes made to `version` of the action; ActionChanged when it moved on."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ActionInvalid(f"{', '.join(sorted(unknown))} cannot be changed")
        values = _validated(changes)
        return self._bounded(lambda: self._update(viewer, action_id, version, values))

    def _update(self, viewer: Viewer, action_id: str, version: int,
                values: dict[str, Any]) -> Action:
        with self._write() as connection:
            current = self._row(connection, action_id)
            for department in {current["department_id"], values.get("department_id")} - {None}:
                if not may_change_actions(viewer, department):
                    raise AccessDenied(_refusal(viewer, department))
            if int(current["version"]) != version:
                raise ActionChanged(_changed_message(current))
            before = {name: current[name] for name in values}
            changed = {name: value for name, value in values.items() if before[name] != value}
            if not changed:
                return _action(current)
            moment, who = _stamp(_now()), _who(viewer)
            if "status" in changed:
                closed_at = None if changed["status"] in OPEN_STATUSES else moment
                if (current["closed_at"] is None) != (closed_at is None):
                    changed["closed_at"] = closed_at
            assignments = ", ".join(f"{name} = :{name}" for name in changed)
            result = connection.execute(text(
                f"update actions set {assignments}, updated_by = :who, updated_at = :moment, "
                "version = version + 1 where action_id = :action_id and version = :version"),
                {**changed, "who": who, "moment": moment, "action_id": action_id,
                 "version": version})
            if result.rowcount != 1:
                # another writer got in between our read and our update
                raise ActionChanged(_changed_message(self._row(connection, action_id)))
            self._audit(connection, action_id, who, moment, version + 1, {
                name: {"from": current[name], "to": value} for name, value in changed.items()})
            return _action(self._row(connection, action_id))

    def add_note(self, viewer: Viewer, action_id: str, body: str) -> Note:
        """A dated note; notes are only ever added, so they never conflict with an edit."""
        text_body = _check("note", body)
        if not text_body:
            raise ActionInvalid("the note is empty")
        return self._bounded(lambda: self._add_note(viewer, action_id, text_body))

    def _add_note(self, viewer: Viewer, action_id: str, text_body: str) -> Note:
        with self._write() as connection:
            current = self._row(connection, action_id)
            if not may_change_actions(viewer, current["department_id"]):
                raise AccessDenied(_refusal(viewer, current["department_id"]))
            moment, who = _stamp(_now()), _who(viewer)
            note = {"note_id": uuid.uuid4().hex, "action_id": action_id, "body": text_body,
                    "author": who, "created_at": moment}
            connection.execute(text(
                "insert into action_notes values (:note_id, :action_id, :body, :author, "
                ":created_at)"), note)
            self._audit(connection, action_id, who, moment, int(current["version"]),
                        {"note": note["note_id"]})
        return Note(**{**note, "created_at": datetime.fromisoformat(moment)})

    def _audit(self, connection: Connection, action_id: str, who: str, moment: str,
               version: int, change: dict[str, Any]) -> None:
        connection.execute(text(
            "insert into action_audit values (:audit_id, :action_id, :who, :moment, :version, "
            ":change)"), {"audit_id": uuid.uuid4().hex, "action_id": action_id, "who": who,
                          "moment": moment, "version": version,
                          "change": json.dumps(change, sort_keys=True, default=str)})

    @staticmethod
    def _row(connection: Connection, action_id: str) -> Mapping[str, Any]:
        row = connection.execute(text(
            f"select {', '.join(COLUMNS)} from actions where action_id = :id"),
            {"id": action_id}).mappings().first()
        if row is None:
            raise KeyError(f"no action {action_id}")
        return row

    # --- reads --------------------------------------------------------------

    def get(self, viewer: Viewer, action_id: str) -> Action:
        return self._bounded(lambda: self._get(viewer, action_id))

    def _get(self, viewer: Viewer, action_id: str) -> Action:
        with self.engine.connect() as connection:
            row = self._row(connection, action_id)
            if not may_read_actions(viewer, row["department_id"]):
                raise AccessDenied(_refusal(viewer, row["department_id"]))
            notes = connection.execute(text(
                "select * from action_notes where action_id = :id order by created_at, note_id"),
                {"id": action_id}).mappings().all()
        return _action(row, tuple(
            Note(**{**note, "created_at": datetime.fromisoformat(note["created_at"])})
            for note in notes))

    def actions(self, viewer: Viewer, *, subject_kind: str | None = None,
                subject_key: str | None = None, account_id: str | None = None,
                department_id: str | None = None) -> pd.DataFrame:
        """The actions the viewer may read, newest first (one row each, every column)."""
        if viewer.role == "department_head":
            if department_id not in (None, viewer.department):
                raise AccessDenied(_refusal(viewer, department_id))
            department_id = viewer.department
        elif not may_read_actions(viewer, department_id):
            raise AccessDenied("Action text is for the CCO, executives and department heads; "
                               "board members see counts.")
        where = {"subject_kind": subject_kind, "subject_key": subject_key,
                 "account_id": account_id, "department_id": department_id}
        conditions = [f"{name} = :{name}" for name, value in where.items() if value is not None]
        sql = f"select {', '.join(COLUMNS)} from actions"
        if conditions:
            sql += " where " + " and ".join(conditions)

        def read() -> pd.DataFrame:
            with self.engine.connect() as connection:
                return pd.read_sql_query(text(sql + " order by created_at desc, action_id"),
                                         connection, params={k: v for k, v in where.items()
                                                             if v is not None})
        return _typed(self._bounded(read))

    def counts(self, viewer: Viewer, today: date) -> pd.DataFrame:
        """Open, overdue and closed actions per department: what every role may see."""
        del viewer  # counts name no account, person or action text

        def read() -> pd.DataFrame:
            with self.engine.connect() as connection:
                return pd.read_sql_query(text(
                    "select department_id, "
                    "sum(case when status in ('open', 'in_progress') then 1 else 0 end) "
                    "as open_count, "
                    "sum(case when status in ('open', 'in_progress') and due_on < :today "
                    "then 1 else 0 end) as overdue_count, "
                    "sum(case when status = 'done' then 1 else 0 end) as done_count, "
                    "sum(case when status = 'dropped' then 1 else 0 end) as dropped_count "
                    "from actions group by department_id order by department_id"),
                    connection, params={"today": today.isoformat()})
        frame = self._bounded(read)
        for column in ("open_count", "overdue_count", "done_count", "dropped_count"):
            frame[column] = frame[column].astype("int64")
        return frame

    def audit(self, viewer: Viewer, action_id: str) -> pd.DataFrame:
        def read() -> pd.DataFrame:
            self._get(viewer, action_id)  # the same rule as reading the action
            with self.engine.connect() as connection:
                return pd.read_sql_query(text(
                    "select changed_by, changed_at, version, change_json from action_audit "
                    "where action_id = :id order by changed_at, version"), connection,
                    params={"id": action_id})
        return self._bounded(read)

    def audit_count(self) -> int:
        def read() -> int:
            with self.engine.connect() as connection:
                return int(connection.execute(
                    text("select count(*) from action_audit")).scalar_one())
        return self._bounded(read)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_reason(path: Path, lowered: str, detail: str, seconds: str) -> str:
    """Why an SQLite workspace cannot be used: above all, a folder it cannot be written in."""
    if not path.exists():
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            return (f"the folder {folder} is read-only, so the SQLite workspace cannot be "
                    "created there")
    elif not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return "the SQLite file or its folder is read-only, so actions cannot be saved"
    if "locked" in lowered or "busy" in lowered:
        return f"another writer kept the SQLite file locked for more than {seconds}"
    if "readonly" in lowered or "read-only" in lowered:
        return "the SQLite file is read-only, so actions cannot be saved"
    if "disk" in lowered and "full" in lowered:
        return "the disk holding the SQLite file is full"
    first_line = detail.splitlines()[0][:200] if detail else "unknown error"
    return f"the SQLite file cannot be opened or written: {first_line}"


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    for name in ("created_at", "updated_at", "closed_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    frame["version"] = frame["version"].astype("int64")
    return frame


def _changed_message(row: Mapping[str, Any]) -> str:
    moment = datetime.fromisoformat(row["updated_at"]).strftime("%d %b %Y %H:%M UTC")
    return (f"This action was changed by {row['updated_by']} at {moment} after you opened it. "
            "Your changes were not saved: reload it to see theirs, then make yours again.")


def _refusal(viewer: Viewer, department: str | None) -> str:
    if viewer.role == "department_head":
        return (f"Department heads change actions of their own department "
                f"({viewer.department}), not {department}.")
    if viewer.role == "board":
        return "Board members see how many actions are open, not the actions themselves."
    return "Only the CCO, executives and department heads record actions."


def _sqlite_connect(timeout: float) -> Callable[[Any, Any], None]:
    def connected(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy's "begin" event start each transaction (below), not the driver
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode = wal")
        # a writer waits for another at most the workspace's time bound
        cursor.execute(f"pragma busy_timeout = {max(1, round(timeout * 1000))}")
        cursor.execute("pragma foreign_keys = on")
        cursor.execute("pragma synchronous = normal")
        cursor.close()
    return connected


def _sqlite_begin(connection: Connection) -> None:
    # take the write lock at the start, so two writers queue instead of failing half-way
    connection.exec_driver_sql("begin immediate")


_OPEN: dict[str, Workspace] = {}
_OPEN_LOCK = threading.Lock()


def open_workspace(url: str) -> Workspace:
    """The workspace at `url`, opened (and brought to the latest schema) once per process.
    Sessions opening it at the same time each wait at most the time bound, never in a queue
    behind each other: the lock is not held while the database is reached."""
    with _OPEN_LOCK:
        if url in _OPEN:
            return _OPEN[url]
    opened = Workspace(url)
    with _OPEN_LOCK:
        kept = _OPEN.setdefault(url, opened)
    if kept is not opened:  # another session opened it meanwhile
        opened.dispose()
    return kept


__all__ = ["LATEST_VERSION", "TIMEOUT_ENV", "Action", "ActionChanged", "ActionInvalid",
           "NewAction", "Note", "Workspace", "WorkspaceUnavailable", "current_url",
           "default_url", "open_workspace", "shortened_label", "timeout_seconds",
           "workspace_place"]
