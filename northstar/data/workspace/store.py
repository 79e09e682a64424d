"""The workspace store: actions, their notes and audit trail, on SQLite or PostgreSQL.

The default store is an SQLite file beside the analytics database (`<db>.workspace.sqlite`),
in WAL mode so readers never wait for a writer; `NORTHSTAR_WORKSPACE` may name any SQLAlchemy
URL instead, e.g. `postgresql+psycopg://user@host/northstar` (a plain `postgresql://` URL is
read as psycopg), for more than one server. The same statements run on both.

Every change is one transaction that also writes an audit row (who, when, the fields before
and after). An update names the version it started from; when someone else saved in between,
it is refused with `ActionChanged` ("changed by X at T") and nothing is written.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from northstar.data.access import AccessDenied, Viewer, may_change_actions, may_read_actions
from northstar.data.paths import DEFAULT_DB_PATH
from northstar.data.source import current_source
from northstar.data.workspace.migrations import LATEST_VERSION, MIGRATIONS

WORKSPACE_ENV = "NORTHSTAR_WORKSPACE"
PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "in_progress", "done", "dropped")
OPEN_STATUSES = ("open", "in_progress")
SUBJECT_KINDS = ("account", "answer", "ticket", "kpi", "driver")
EDITABLE = ("title", "owner_employee_id", "owner_name", "owner_email", "department_id",
            "due_on", "priority", "status")
LIMITS = {"title": 300, "owner_name": 200, "owner_email": 320, "subject_label": 300,
          "note": 4000}


class ActionChanged(RuntimeError):
    """Someone else saved the action after this edit started; nothing was written."""


class ActionInvalid(ValueError):
    """An action's fields break a rule; the message names the field."""


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


def _engine_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


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
    """One workspace database; safe to share between Streamlit sessions and threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(_engine_url(url), pool_pre_ping=True)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._migrate()

    # --- schema -------------------------------------------------------------

    def _migrate(self) -> None:
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
        with self.engine.connect() as connection:
            return int(connection.execute(
                text("select max(version) from workspace_schema")).scalar_one())

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    # --- changes ------------------------------------------------------------

    def create(self, viewer: Viewer, new: NewAction) -> Action:
        if not may_change_actions(viewer, new.department_id):
            raise AccessDenied(_refusal(viewer, new.department_id))
        values = _validated({name: getattr(new, name) for name in (
            "title", "owner_employee_id", "owner_name", "owner_email", "department_id",
            "due_on", "priority", "subject_kind", "subject_key", "subject_label", "account_id")})
        moment, who = _stamp(_now()), _who(viewer)
        row = {**values, "action_id": uuid.uuid4().hex, "status": "open", "created_by": who,
               "created_at": moment, "updated_by": who, "updated_at": moment,
               "closed_at": None, "version": 1}
        with self._write() as connection:
            connection.execute(text(
                f"insert into actions ({', '.join(COLUMNS)}) "
                f"values ({', '.join(':' + name for name in COLUMNS)})"), row)
            self._audit(connection, row["action_id"], who, moment, 1,
                        {"created": {name: row[name] for name in EDITABLE}})
        return _action(row)

    def update(self, viewer: Viewer, action_id: str, version: int,
               **changes: Any) -> Action:
        """Save changes made to `version` of the action; ActionChanged when it moved on."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ActionInvalid(f"{', '.join(sorted(unknown))} cannot be changed")
        values = _validated(changes)
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
        with self.engine.connect() as connection:
            frame = pd.read_sql_query(text(sql + " order by created_at desc, action_id"),
                                      connection, params={k: v for k, v in where.items()
                                                          if v is not None})
        return _typed(frame)

    def counts(self, viewer: Viewer, today: date) -> pd.DataFrame:
        """Open, overdue and closed actions per department: what every role may see."""
        del viewer  # counts name no account, person or action text
        with self.engine.connect() as connection:
            frame = pd.read_sql_query(text(
                "select department_id, "
                "sum(case when status in ('open', 'in_progress') then 1 else 0 end) as open_count, "
                "sum(case when status in ('open', 'in_progress') and due_on < :today "
                "then 1 else 0 end) as overdue_count, "
                "sum(case when status = 'done' then 1 else 0 end) as done_count, "
                "sum(case when status = 'dropped' then 1 else 0 end) as dropped_count "
                "from actions group by department_id order by department_id"),
                connection, params={"today": today.isoformat()})
        for column in ("open_count", "overdue_count", "done_count", "dropped_count"):
            frame[column] = frame[column].astype("int64")
        return frame

    def audit(self, viewer: Viewer, action_id: str) -> pd.DataFrame:
        self.get(viewer, action_id)  # the same rule as reading the action
        with self.engine.connect() as connection:
            return pd.read_sql_query(text(
                "select changed_by, changed_at, version, change_json from action_audit "
                "where action_id = :id order by changed_at, version"), connection,
                params={"id": action_id})

    def audit_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("select count(*) from action_audit")).scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()


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


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy's "begin" event start each transaction (below), not the driver
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma journal_mode = wal")
    cursor.execute("pragma busy_timeout = 30000")
    cursor.execute("pragma foreign_keys = on")
    cursor.execute("pragma synchronous = normal")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # take the write lock at the start, so two writers queue instead of failing half-way
    connection.exec_driver_sql("begin immediate")


_OPEN: dict[str, Workspace] = {}
_OPEN_LOCK = threading.Lock()


def open_workspace(url: str) -> Workspace:
    """The workspace at `url`, opened (and brought to the latest schema) once per process."""
    with _OPEN_LOCK:
        if url not in _OPEN:
            _OPEN[url] = Workspace(url)
        return _OPEN[url]


__all__ = ["LATEST_VERSION", "Action", "ActionChanged", "ActionInvalid", "NewAction", "Note",
           "Workspace", "current_url", "default_url", "open_workspace"]
