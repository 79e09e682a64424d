"""The action digest against a real SMTP server on loopback: who gets which e-mail, the
subjects, and that no board member ever receives action text."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from northstar.data.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace import digest
from northstar.data.workspace.store import NewAction, Workspace

TODAY = dt.date(2026, 12, 3)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


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
    messages = digest.build_messages(
        workspace.actions(digest.DIGEST_VIEWER), TODAY, ["cco@corp.example"],
        {"board@corp.example"}, "Northstar <northstar@corp.example>",
        "https://northstar.corp.example", {"customer_service": "Customer Service"})
    digest.send(messages, digest.SmtpSettings("127.0.0.1", controller.port, False,
                                              "Northstar <northstar@corp.example>"))
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
    code = digest.main(["--dry-run", "--workspace", workspace.url, "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    assert code == 0
    assert "Subject: Northstar: 1 overdue and 1 due this week" in out.out
    assert "3 e-mail(s) would be sent." in out.out  # Ana, Bo, Cy; no CCO in the access file
    assert "nobody the CCO role" in out.err


def test_missing_smtp_settings_are_named(tmp_path, workspace, capsys, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))
    (tmp_path / "secrets.toml").write_text('[smtp]\nport = 25\n')
    code = digest.main(["--workspace", workspace.url])
    assert code == 2
    assert "[smtp] host is missing" in capsys.readouterr().err


def test_smtp_settings_are_read_from_secrets(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('[smtp]\nhost = "mail.corp.example"\nport = 587\nstarttls = true\n'
                    'sender = "Northstar <n@corp.example>"\napp_url = "https://n.example/"\n')
    settings = digest.load_smtp(path)
    assert (settings.host, settings.port, settings.starttls, settings.app_url) == (
        "mail.corp.example", 587, True, "https://n.example")
