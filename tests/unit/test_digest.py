"""The action digest against a real SMTP server on loopback: who gets which e-mail, the
subjects, and that no board member ever receives action text."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from northstar.data.registry.access import LOCAL_DEMO_VIEWER, AccessList
from northstar.data.workspace import action_digest
from northstar.data.workspace.store import NewAction, Workspace
from tests.mail_server import Busy, Refusing, free_port, mail_server, trickling_server

TODAY = dt.date(2026, 12, 3)


@pytest.fixture()
def workspace(tmp_path):
    store = Workspace(f"sqlite:///{tmp_path / 'w.sqlite'}")

    def add(title, owner, email_address, due, department="customer_service"):
        return store.create(LOCAL_DEMO_VIEWER, NewAction(
            title=title, owner_employee_id=owner, owner_name=owner, owner_email=email_address,
            department_id=department, due_on=due, subject_kind="account", subject_key="A1",
            subject_label="Acme Corp", account_id="A1"))

    add("Call Acme's sponsor", "Ana", "ana@corp.example", dt.date(2026, 11, 30))  # overdue
    add("Send the renewal plan", "Ana", "ana@corp.example", dt.date(2026, 12, 5))  # this week
    add("Quarterly review", "Ana", "ana@corp.example", dt.date(2026, 12, 20))  # later
    add("Fix the SSO bug", "Bo", "bo@corp.example", dt.date(2026, 12, 1), "product")
    add("Board-visible secret", "Cy", "board@corp.example", dt.date(2026, 12, 1))
    add("No address", "Di", None, dt.date(2026, 12, 1))
    done = add("Already done", "Ed", "ed@corp.example", dt.date(2026, 11, 1))
    store.update(LOCAL_DEMO_VIEWER, done.action_id, 1, status="done")
    yield store
    store.dispose()


def test_owners_and_the_cco_get_their_digest_and_the_board_nothing(smtp_server, workspace):
    controller, inbox = smtp_server
    rules = AccessList({"cco@corp.example": ("cco", None),
                        "board@corp.example": ("board", None)}, {})
    messages, unusable = action_digest.build_messages(
        workspace.actions(action_digest.DIGEST_VIEWER), TODAY, rules,
        "Northstar <northstar@corp.example>",
        "https://northstar.corp.example", {"customer_service": "Customer Service"})
    assert unusable == []
    assert action_digest.send(messages, action_digest.SmtpSettings("127.0.0.1", controller.port, False,
                                                     "Northstar <northstar@corp.example>")) == []
    received = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(received) == {("ana@corp.example",), ("bo@corp.example",), ("cco@corp.example",)}
    ana = received[("ana@corp.example",)]
    assert ana["Subject"] == "Northstar: 1 overdue and 1 due this week"
    body = ana.get_content()
    assert "Call Acme's sponsor" in body and "overdue by 3 days" in body
    assert "Send the renewal plan" in body and "due in 2 days" in body
    assert "Quarterly review" not in body and "Fix the SSO bug" not in body
    assert "https://northstar.corp.example/forum" in body
    summary = received[("cco@corp.example",)]
    assert summary["Subject"] == "Northstar forum summary: 6 open, 4 overdue"
    text = summary.get_content()
    assert "Customer Service: 5, 3" in text and "product: 1, 1" in text
    assert "closed in the last 7 days: 1" in text
    assert "not sent a digest: Di" in text
    for recipients, message in inbox.messages:
        assert "board@corp.example" not in recipients
        assert "board@corp.example" not in message["To"]


def test_dry_run_prints_and_sends_nothing(tmp_path, workspace, capsys, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(tmp_path / "none.toml"))
    code = action_digest.main(["--dry-run", "--workspace", workspace.url, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert code == 0
    assert "Subject: Northstar: 1 overdue and 1 due this week" in out.out
    assert "3 e-mail(s) would be sent." in out.out  # Ana, Bo, Cy; no CCO in the access file
    assert "nobody the CCO role" in out.err


def test_missing_smtp_settings_are_named(tmp_path, workspace, capsys, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))
    (tmp_path / "secrets.toml").write_text('[smtp]\nport = 25\n')
    code = action_digest.main(["--workspace", workspace.url])
    assert code == 2
    assert "[smtp] host is missing" in capsys.readouterr().err


def test_smtp_settings_are_read_from_secrets(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('[smtp]\nhost = "mail.corp.example"\nport = 587\nstarttls = true\n'
                    'sender = "Northstar <n@corp.example>"\napp_url = "https://n.example/"\n')
    settings = action_digest.load_smtp(path)
    assert (settings.host, settings.port, settings.starttls, settings.app_url) == (
        "mail.corp.example", 587, True, "https://n.example")


def test_no_retries_and_no_pause_are_settings_a_timeout_of_zero_is_not(tmp_path):
    path = tmp_path / "secrets.toml"
    base = '[smtp]\nhost = "mail.corp.example"\nsender = "Northstar <n@corp.example>"\n'
    path.write_text(base + "retries = 0\nretry_pause_seconds = 0\n")
    settings = action_digest.load_smtp(path)
    assert (settings.retries, settings.retry_pause_seconds) == (0, 0.0)
    path.write_text(base + "timeout_seconds = 0\n")
    with pytest.raises(action_digest.DigestConfigError, match="timeout_seconds must be a number of "
                                                       "seconds above 0"):
        action_digest.load_smtp(path)


ACCESS = """
[[users]]
email = "cco@corp.example"
role = "cco"

[[domains]]
domain = "board.example"
role = "board"
"""


def configure(tmp_path, monkeypatch, port: int, extra: str = "") -> None:
    (tmp_path / "access.toml").write_text(ACCESS)
    (tmp_path / "secrets.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
        f'sender = "Northstar <northstar@corp.example>"\n{extra}')
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(tmp_path / "access.toml"))
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))


def test_a_refused_address_does_not_stop_the_others_and_a_rerun_skips_what_was_sent(
        tmp_path, monkeypatch, workspace, capsys):
    inbox = Refusing({"bo@corp.example"})
    with mail_server(inbox) as controller:
        configure(tmp_path, monkeypatch, controller.port)
        run = ["--workspace", workspace.url, "--today", TODAY.isoformat()]
        assert action_digest.main(run) == 1
        out = capsys.readouterr()
        # Ana, Cy (board@corp.example is no board member here) and the CCO's summary still go
        assert inbox.recipients() == ["ana@corp.example", "board@corp.example",
                                     "cco@corp.example"]
        assert [line for line in out.err.splitlines() if "not sent" in line] == [
            "digest: not sent to bo@corp.example (their actions): 550 5.1.1 mailbox unavailable"]
        assert "Sent 3 e-mail(s)" in out.out

        # the same day again: only the one that failed is tried
        inbox.messages.clear()
        inbox.refused.clear()
        assert action_digest.main(run) == 0
        out = capsys.readouterr()
        assert inbox.recipients() == ["bo@corp.example"]
        assert "Sent 1 e-mail(s); 3 already sent for 2026-12-03 were skipped." in out.out

        # another day is another digest
        inbox.messages.clear()
        assert action_digest.main(["--workspace", workspace.url, "--today", "2026-12-04"]) == 0
        assert len(inbox.messages) == 4


def test_addresses_are_checked_at_send_and_a_board_member_gets_no_action_text(
        tmp_path, monkeypatch, workspace, smtp_server, capsys):
    controller, inbox = smtp_server
    configure(tmp_path, monkeypatch, controller.port)
    for title, address in (
            ("Two recipients", "victim@corp.example, attacker@evil.example"),
            ("Header injection", "eve@corp.example\r\nBcc: attacker@evil.example"),
            ("Board by domain", "member@board.example"),
            ("Board look-alike", "attacker@evil.example@board.example")):
        workspace.create(LOCAL_DEMO_VIEWER, NewAction(
            title=title, owner_employee_id=title, owner_name=title, owner_email=address,
            department_id="customer_service", due_on=TODAY, subject_kind="account",
            subject_key="A1", subject_label="Acme Corp", account_id="A1"))
    assert action_digest.main(["--workspace", workspace.url, "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err
    assert inbox.recipients() == ["ana@corp.example", "bo@corp.example", "board@corp.example",
                                 "cco@corp.example"]
    for _, message in inbox.messages:
        assert "attacker" not in str(message) and "Board by domain" not in message.get_content()
    problems = [line for line in err.splitlines() if "not sent" in line]
    assert problems == [
        "digest: not sent to 'attacker@evil.example@board.example' (their actions): "
        "not one plain e-mail address",
        "digest: not sent to 'eve@corp.example\\r\\nBcc: attacker@evil.example' "
        "(their actions): not one plain e-mail address",
        "digest: not sent to 'victim@corp.example, attacker@evil.example' (their actions): "
        "not one plain e-mail address",
    ]


def test_a_trickling_server_cannot_hold_the_run_past_its_deadline(tmp_path, monkeypatch,
                                                                  workspace, capsys):
    stop = threading.Event()
    port = trickling_server(stop)
    try:
        configure(tmp_path, monkeypatch, port, "timeout_seconds = 10\ndeadline_seconds = 2\n")
        started = time.monotonic()
        assert action_digest.main(["--workspace", workspace.url, "--today", TODAY.isoformat()]) == 1
        assert time.monotonic() - started < 6
    finally:
        stop.set()
    err = capsys.readouterr().err
    failed = [line for line in err.splitlines() if "not sent" in line]
    assert len(failed) == 4  # Ana, Bo, Cy and the CCO's summary: one line each
    assert all("the digest's deadline of 2 s passed" in line for line in failed), failed


def test_a_temporary_failure_is_retried_and_delivered_once(tmp_path, monkeypatch, workspace,
                                                          capsys):
    inbox = Busy({"ana@corp.example"})
    with mail_server(inbox) as controller:
        configure(tmp_path, monkeypatch, controller.port, "retry_pause_seconds = 0.1\n")
        assert action_digest.main(["--workspace", workspace.url, "--today", TODAY.isoformat()]) == 0
    assert inbox.recipients() == ["ana@corp.example", "bo@corp.example", "board@corp.example",
                                 "cco@corp.example"]
    assert "not sent" not in capsys.readouterr().err


def test_a_closed_port_is_tried_again_and_reported(tmp_path, monkeypatch, workspace, capsys):
    configure(tmp_path, monkeypatch, free_port(), "retries = 1\nretry_pause_seconds = 0.1\n")
    assert action_digest.main(["--workspace", workspace.url, "--today", TODAY.isoformat()]) == 1
    failed = [line for line in capsys.readouterr().err.splitlines() if "not sent" in line]
    assert len(failed) == 4
    assert all("(after 2 tries)" in line for line in failed), failed
