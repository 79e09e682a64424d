"""The workspace store on SQLite and on a real PostgreSQL: migrations, permissions, the audit
trail, refused stale edits and many writers at once."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from northstar.data.registry.access import LOCAL_DEMO_VIEWER, AccessDenied, Viewer
from northstar.data.workspace.migrations import LATEST_VERSION
from northstar.data.workspace.store import (
    LIMITS,
    TIMEOUT_ENV,
    ActionChanged,
    ActionInvalid,
    NewAction,
    Workspace,
    WorkspaceUnavailable,
    default_url,
    open_workspace,
    shortened_label,
)

CCO = LOCAL_DEMO_VIEWER
EXEC = Viewer(email="exec@example.com", role="executive", signed_in=True)
CS_HEAD = Viewer(email="cs@example.com", role="department_head",
                 department="customer_service", signed_in=True)
SALES_HEAD = Viewer(email="sales@example.com", role="department_head", department="sales",
                    signed_in=True)
BOARD = Viewer(email="board@example.com", role="board", signed_in=True)


def new_action(department: str = "customer_service", **overrides) -> NewAction:
    values = dict(title="Call the sponsor about the renewal", owner_employee_id="E-7",
                  owner_name="Ana Ruiz", department_id=department, due_on=date(2026, 12, 10),
                  subject_kind="account", subject_key="A-1", subject_label="Acme Corp",
                  priority="high", account_id="A-1")
    return NewAction(**{**values, **overrides})


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'northstar.workspace.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"ws_{uuid.uuid4().hex[:12]}")


@pytest.fixture()
def workspace(workspace_url):
    store = Workspace(workspace_url)
    yield store
    store.dispose()


def test_the_default_store_sits_beside_the_analytics_database(tmp_path, monkeypatch):
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    assert default_url(tmp_path / "northstar.duckdb") == (
        f"sqlite:///{tmp_path / 'northstar.workspace.sqlite'}")
    monkeypatch.setenv("NORTHSTAR_WORKSPACE", "postgresql://db.internal/northstar")
    assert default_url(tmp_path / "northstar.duckdb") == "postgresql://db.internal/northstar"


def test_sqlite_store_is_in_wal_mode(tmp_path):
    store = Workspace(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("pragma journal_mode").scalar_one() == "wal"
    store.dispose()


def test_migrations_run_once_and_reopening_keeps_the_actions(workspace_url):
    first = Workspace(workspace_url)
    created = first.create(CCO, new_action())
    first.dispose()
    again = Workspace(workspace_url)
    assert again.schema_version() == LATEST_VERSION
    with again.engine.connect() as connection:
        assert connection.execute(text("select count(*) from workspace_schema")).scalar_one() == (
            LATEST_VERSION)
    assert again.get(CCO, created.action_id).title == created.title
    again.dispose()


def test_create_update_note_and_audit(workspace):
    created = workspace.create(CCO, new_action())
    assert (created.status, created.version, created.closed_at) == ("open", 1, None)
    started = workspace.update(EXEC, created.action_id, 1, status="in_progress")
    assert (started.status, started.version, started.updated_by) == (
        "in_progress", 2, "exec@example.com")
    workspace.add_note(CS_HEAD, created.action_id, "Sponsor agreed to a QBR on 8 Dec")
    done = workspace.update(CCO, created.action_id, 2, status="done")
    assert done.version == 3 and done.closed_at is not None
    reopened = workspace.update(CCO, created.action_id, 3, status="open")
    assert reopened.closed_at is None
    read = workspace.get(CCO, created.action_id)
    assert [note.body for note in read.notes] == ["Sponsor agreed to a QBR on 8 Dec"]
    assert read.notes[0].author == "cs@example.com"
    audit = workspace.audit(CCO, created.action_id)
    changes = [json.loads(change) for change in audit["change_json"]]
    assert list(audit["changed_by"]) == ["local CCO", "exec@example.com", "cs@example.com",
                                         "local CCO", "local CCO"]
    assert changes[0]["created"]["title"] == "Call the sponsor about the renewal"
    assert changes[1] == {"status": {"from": "open", "to": "in_progress"}}
    assert "note" in changes[2]
    assert changes[3]["status"] == {"from": "in_progress", "to": "done"}
    assert changes[3]["closed_at"]["from"] is None
    assert list(audit["version"]) == [1, 2, 2, 3, 4]


def test_an_unchanged_save_writes_nothing(workspace):
    created = workspace.create(CCO, new_action())
    same = workspace.update(CCO, created.action_id, 1, priority="high")
    assert same.version == 1 and workspace.audit_count() == 1


def test_a_stale_save_is_refused_and_names_who_changed_it(workspace):
    created = workspace.create(CCO, new_action())
    workspace.update(EXEC, created.action_id, 1, due_on=date(2026, 12, 17))
    with pytest.raises(ActionChanged, match=r"changed by exec@example\.com at \d\d \w{3} 2026"):
        workspace.update(CCO, created.action_id, 1, status="dropped")
    kept = workspace.get(CCO, created.action_id)
    assert (kept.status, kept.due_on, kept.version) == ("open", date(2026, 12, 17), 2)


def test_department_heads_record_actions_of_their_department_only(workspace):
    own = workspace.create(CS_HEAD, new_action())
    with pytest.raises(AccessDenied, match="own department"):
        workspace.create(CS_HEAD, new_action("sales"))
    theirs = workspace.create(CCO, new_action("sales"))
    with pytest.raises(AccessDenied):
        workspace.update(CS_HEAD, theirs.action_id, 1, status="done")
    with pytest.raises(AccessDenied):
        workspace.update(CS_HEAD, own.action_id, 1, department_id="sales")
    with pytest.raises(AccessDenied):
        workspace.add_note(SALES_HEAD, own.action_id, "not mine")
    assert list(workspace.actions(CS_HEAD)["action_id"]) == [own.action_id]
    assert len(workspace.actions(EXEC)) == 2


def test_board_members_see_counts_never_action_text(workspace):
    workspace.create(CCO, new_action(due_on=date(2026, 11, 1)))
    workspace.create(CCO, new_action("sales"))
    with pytest.raises(AccessDenied, match="counts"):
        workspace.actions(BOARD)
    first = workspace.actions(CCO)["action_id"].iloc[0]
    with pytest.raises(AccessDenied):
        workspace.get(BOARD, first)
    with pytest.raises(AccessDenied):
        workspace.create(BOARD, new_action())
    counts = workspace.counts(BOARD, today=date(2026, 12, 3))
    assert counts.to_dict("records") == [
        {"department_id": "customer_service", "open_count": 1, "overdue_count": 1,
         "done_count": 0, "dropped_count": 0},
        {"department_id": "sales", "open_count": 1, "overdue_count": 0, "done_count": 0,
         "dropped_count": 0}]
    assert "title" not in counts.columns


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "  ", "title is empty"),
    ("title", "x" * 301, "longer than 300"),
    ("priority", "asap", "priority 'asap'"),
    ("subject_kind", "deal", "one of account"),
])
def test_bad_fields_are_refused_with_the_field_named(workspace, field, value, message):
    with pytest.raises(ActionInvalid, match=message):
        workspace.create(CCO, new_action(**{field: value}))
    assert workspace.audit_count() == 0


def test_filters_by_subject_and_account(workspace):
    first = workspace.create(CCO, new_action())
    workspace.create(CCO, new_action(subject_kind="ticket", subject_key="T-9",
                                     subject_label="Ticket T-9", account_id="A-2"))
    assert list(workspace.actions(CCO, account_id="A-1")["action_id"]) == [first.action_id]
    tickets = workspace.actions(CCO, subject_kind="ticket", subject_key="T-9")
    assert list(tickets["account_id"]) == ["A-2"]


def test_text_is_stored_as_text(workspace):
    hostile = "Robert'); drop table actions;-- <script>alert(1)</script>"
    created = workspace.create(CCO, new_action(title=hostile))
    workspace.add_note(CCO, created.action_id, hostile)
    read = workspace.get(CCO, created.action_id)
    assert read.title == hostile and read.notes[0].body == hostile


def test_ten_sessions_writing_at_once_lose_and_duplicate_nothing(workspace_url):
    """Ten sessions create actions and race to update shared ones for a bounded time: every
    create is there once, every accepted update is in the audit, refused ones changed nothing."""
    shared_store = Workspace(workspace_url)
    shared = [shared_store.create(CCO, new_action(title=f"shared {n}")) for n in range(3)]
    deadline = time.monotonic() + 4
    created_ids: list[list[str]] = [[] for _ in range(10)]
    accepted = [0] * 10
    refused = [0] * 10
    errors: list[BaseException] = []

    def session(number: int) -> None:
        store = Workspace(workspace_url)
        viewer = Viewer(email=f"user{number}@example.com", role="executive", signed_in=True)
        try:
            step = 0
            while time.monotonic() < deadline:
                step += 1
                if step % 2:
                    action = store.create(viewer, new_action(title=f"s{number}-{step}"))
                    created_ids[number].append(action.action_id)
                    continue
                target = shared[step % len(shared)]
                current = store.get(viewer, target.action_id)
                try:
                    store.update(viewer, target.action_id, current.version,
                                 title=f"{target.title} by {number} at {step}")
                    accepted[number] += 1
                except ActionChanged:
                    refused[number] += 1
        except BaseException as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            store.dispose()

    threads = [threading.Thread(target=session, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    all_created = [action_id for ids in created_ids for action_id in ids]
    assert len(all_created) >= 10
    everything = shared_store.actions(CCO)
    assert everything["action_id"].is_unique
    assert set(all_created) <= set(everything["action_id"])
    assert len(everything) == len(all_created) + len(shared)
    # each accepted update moved its action on by one version, and is in the audit
    final_versions = everything.set_index("action_id").loc[[a.action_id for a in shared],
                                                           "version"]
    assert int(final_versions.sum()) - len(shared) == sum(accepted)
    assert shared_store.audit_count() == len(everything) + sum(accepted)
    engine = create_engine(shared_store.engine.url)
    with engine.connect() as connection:
        per_action = connection.execute(text(
            "select action_id, count(*), max(version) from action_audit group by action_id"
        )).all()
    engine.dispose()
    assert all(count == top for _, count, top in per_action)
    assert sum(accepted) > 0
    shared_store.dispose()


# --- a bad day: the workspace stopped, frozen or unwritable -----------------------------------

PASSWORD = "pw-never-shown"
BOUND = 2.0  # seconds: NORTHSTAR_WORKSPACE_TIMEOUT in these tests


@pytest.fixture()
def bound(monkeypatch):
    monkeypatch.setenv(TIMEOUT_ENV, f"{BOUND:g}")
    return BOUND


def test_a_stopped_server_is_reported_in_words_without_the_password(fault_postgres, bound):
    url = fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}", password=PASSWORD)
    fault_postgres.halt()
    try:
        started = time.monotonic()
        with pytest.raises(WorkspaceUnavailable) as raised:
            Workspace(url)
        assert time.monotonic() - started < bound + 1
    finally:
        fault_postgres.start()
    problem = raised.value
    assert "not running" in problem.reason
    assert PASSWORD not in str(problem) and PASSWORD not in problem.place
    assert problem.place.startswith("postgresql://northstar@/ws_")


def test_every_call_to_a_frozen_server_ends_within_the_bound(fault_postgres, bound):
    url = fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}")
    store = Workspace(url)
    store.create(CCO, new_action())
    fault_postgres.freeze()
    try:
        for call in (lambda: store.actions(CCO), lambda: store.counts(BOARD, date(2026, 1, 1)),
                     lambda: store.create(CCO, new_action()), lambda: Workspace(url)):
            started = time.monotonic()
            with pytest.raises(WorkspaceUnavailable, match=f"did not answer within {BOUND:g}"):
                call()
            assert time.monotonic() - started < bound + 1
    finally:
        fault_postgres.thaw()
    store.dispose()


def test_a_save_cut_off_by_a_frozen_server_is_stored_once(fault_postgres, bound):
    url = fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}")
    store = Workspace(url)
    assert store.actions(CCO).empty  # a connection is open and pooled before the freeze
    action_id = uuid.uuid4().hex
    fault_postgres.freeze()
    try:
        with pytest.raises(WorkspaceUnavailable):
            store.create(CCO, new_action(title="Call the CFO"), action_id=action_id)
    finally:
        fault_postgres.thaw()
    time.sleep(1)  # the cut-off save may still reach the server once it answers again
    again = store.create(CCO, new_action(title="Call the CFO"), action_id=action_id)
    assert again.action_id == action_id
    saved = store.actions(CCO)
    assert list(saved["action_id"]) == [action_id]
    assert store.audit_count() == 1
    store.dispose()


def test_a_read_only_folder_says_the_workspace_cannot_be_created(read_only_folder, bound):
    for place in (read_only_folder / "northstar.workspace.sqlite",
                  read_only_folder / "inner" / "northstar.workspace.sqlite"):
        with pytest.raises(WorkspaceUnavailable) as raised:
            Workspace(f"sqlite:///{place}")
        assert "read-only" in raised.value.reason
        assert raised.value.place == str(place)


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan"])
def test_a_bad_timeout_setting_is_named(monkeypatch, tmp_path, value):
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(WorkspaceUnavailable, match=TIMEOUT_ENV):
        Workspace(f"sqlite:///{tmp_path / 'w.sqlite'}")


def test_postgres_connections_carry_the_bound(fault_postgres, bound):
    store = Workspace(fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("show statement_timeout").scalar_one() == "2s"
    assert store.engine.pool.timeout() == BOUND
    store.dispose()


# --- long subject labels ------------------------------------------------------------------------

def test_a_long_subject_label_is_shortened_and_the_link_kept(workspace):
    name = "Very Long Holdings " * 30  # 570 characters, words all the way
    created = workspace.create(CCO, new_action(subject_label=name, subject_key="A-77",
                                               account_id="A-77"))
    stored = workspace.get(CCO, created.action_id)
    assert len(stored.subject_label) <= LIMITS["subject_label"]
    assert stored.subject_label.endswith("…")
    assert name.startswith(stored.subject_label[:-1])
    assert stored.subject_label[-2] != " " and name[len(stored.subject_label) - 1] == " "
    assert (stored.subject_key, stored.account_id) == ("A-77", "A-77")


def test_a_label_without_spaces_is_cut_on_a_character_boundary():
    label = "e\u0301" * 400  # é as a letter plus a combining accent, 800 code points
    short = shortened_label(label)
    assert len(short) <= LIMITS["subject_label"] and short.endswith("…")
    assert short[:-1] == "e\u0301" * ((len(short) - 1) // 2)  # never an accent cut off
    assert shortened_label("Acme Corp") == "Acme Corp"


def test_sessions_opening_a_frozen_workspace_at_once_each_wait_one_bound(fault_postgres, bound):
    """Opening is not queued behind other sessions: each waits the bound, not the sum."""
    url = fault_postgres.create_database(f"ws_{uuid.uuid4().hex[:12]}")
    waited: list[float] = []
    refused: list[WorkspaceUnavailable] = []

    def session() -> None:
        started = time.monotonic()
        try:
            open_workspace(url)
        except WorkspaceUnavailable as problem:
            refused.append(problem)
        waited.append(time.monotonic() - started)

    fault_postgres.freeze()
    try:
        threads = [threading.Thread(target=session) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        fault_postgres.thaw()
    assert len(refused) == 4
    assert max(waited) < bound + 1, waited
    assert open_workspace(url).schema_version() == LATEST_VERSION  # opened once it is back
