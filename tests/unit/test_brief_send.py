"""The CEO brief by e-mail against a real SMTP server on loopback, on the demo database: who
gets it, the subject, the PDF attached, the masking for board members, the evidence links, one
message per recipient and period however often it runs, and a refusing or hanging server."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import html
import io
import threading
import time
from email import policy

import duckdb
import pytest
from pypdf import PdfReader

from northstar import brief as command
from northstar.analytics import brief_mail
from northstar.data.db.viewer_queries import ViewerQueries
from northstar.data.registry.access import AccessList, Viewer
from tests.mail_server import Inbox, Refusing, free_port, mail_server, trickling_server

ACCESS = """
[[users]]
email = "ceo@corp.example"
role = "executive"

[[users]]
email = "cco@corp.example"
role = "cco"

[[users]]
email = "head@corp.example"
role = "department_head"
department = "customer_service"

[[domains]]
domain = "board.example"
role = "board"
"""
BASE_URL = "https://northstar.corp.example"
READERS = ["cco@corp.example", "ceo@corp.example", "chair@board.example"]
SUBJECT = "Northstar CEO brief: October 2026"  # the demo data is as of 31 Oct 2026


@pytest.fixture()
def configure(tmp_path, monkeypatch, demo_db):
    """Point the brief at the demo database, an access file and SMTP on `port`."""
    monkeypatch.setenv("NORTHSTAR_DB", str(demo_db))
    (tmp_path / "access.toml").write_text(ACCESS)
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(tmp_path / "access.toml"))
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))

    def write(port: int, smtp_extra: str = "", brief_extra: str = "") -> None:
        (tmp_path / "secrets.toml").write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n'
            f'sender = "Northstar <northstar@corp.example>"\nretry_pause_seconds = 0.1\n'
            f'{smtp_extra}\n'
            f'[brief]\nbase_url = "{BASE_URL}/"\nrecipients = ["chair@board.example"]\n'
            f'{brief_extra}\n')

    return write


def received(inbox: Inbox) -> dict[str, list[email.message.EmailMessage]]:
    by_recipient: dict[str, list[email.message.EmailMessage]] = {}
    for rcpt, message in inbox.messages:
        for address in rcpt:
            by_recipient.setdefault(address, []).append(message)
    return by_recipient


def pdf_text(message: email.message.EmailMessage) -> str:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "northstar-ceo-brief-2026-10.pdf"
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    return "\n".join(page.extract_text() for page in reader.pages)


def html_body(message: email.message.EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def account_names(demo_db) -> list[str]:
    with duckdb.connect(str(demo_db), read_only=True) as connection:
        return [name for (name,) in connection.execute("select account_name from accounts")
                .fetchall()]


def test_send_twice_sends_each_reader_one_brief_with_its_pdf_masked_for_the_board(
        configure, demo_db, capsys):
    inbox = Inbox()
    with mail_server(inbox) as controller:
        configure(controller.port)
        assert command.main(["--send"]) == 0
        first = capsys.readouterr()
        assert "Sent the CEO brief for October 2026 to 3 recipient(s)." in first.out
        # the department head's role is not in the default roles: not sent, and not an error
        assert first.err == ""
        assert command.main(["--send"]) == 0
        second = capsys.readouterr()
        assert ("Sent the CEO brief for October 2026 to 0 recipient(s); 3 already sent for "
                "2026-10 were skipped.") in second.out
    messages = received(inbox)
    assert sorted(messages) == READERS
    assert all(len(mails) == 1 for mails in messages.values())
    for address, (message,) in messages.items():
        assert message["Subject"] == SUBJECT and message["To"] == address

    # the executive's brief: its sentences in the body, each with its evidence link
    period = brief_mail.last_full_period(dt.date(2026, 10, 31))
    expected = brief_mail.brief_for(
        ViewerQueries(Viewer("ceo@corp.example", "executive", signed_in=True), b"k"),
        dt.date(2026, 10, 31), period, None).brief
    body = html_body(messages["ceo@corp.example"][0])
    sentences = [sentence for section in expected.sections() for sentence in section.sentences]
    assert len(sentences) >= 3
    for sentence in sentences:
        assert html.escape(sentence.text) in body
        assert f'href="{html.escape(f"{BASE_URL}/{sentence.link}")}"' in body
    ceo_pdf = pdf_text(messages["ceo@corp.example"][0])
    assert "Where ARR moved" in ceo_pdf and "Biggest risks" in ceo_pdf

    # the board member's brief: no account name anywhere, pseudonyms and masked links instead
    names = account_names(demo_db)
    board = messages["chair@board.example"][0]
    board_text = pdf_text(board) + html_body(board) + board.get_body(("plain",)).get_content()
    shown_to_ceo = [name for name in names if name in ceo_pdf]
    assert shown_to_ceo, "the executive's brief names accounts: the check below has teeth"
    assert [name for name in names if name in board_text] == []
    assert "Customer names and comments are masked" in board_text
    assert "Account " in board_text and "mask=true" in html_body(board)


def test_a_refused_reader_does_not_stop_the_others_and_a_rerun_sends_only_it(
        configure, capsys):
    inbox = Refusing({"ceo@corp.example"})
    with mail_server(inbox) as controller:
        configure(controller.port)
        assert command.main(["--send"]) == 1
        out = capsys.readouterr()
        assert sorted(received(inbox)) == ["cco@corp.example", "chair@board.example"]
        assert [line for line in out.err.splitlines() if "not sent" in line] == [
            "brief: not sent to ceo@corp.example (CEO brief): 550 5.1.1 mailbox unavailable"]

        inbox.messages.clear()
        inbox.refused.clear()
        assert command.main(["--send"]) == 0
        assert sorted(received(inbox)) == ["ceo@corp.example"]
        assert "2 already sent for 2026-10 were skipped" in capsys.readouterr().out

        # a reader whose e-mail went missing can be sent it again, on purpose only
        inbox.messages.clear()
        assert command.main(["--send", "--resend", "CCO@corp.example"]) == 0
        assert sorted(received(inbox)) == ["cco@corp.example"]


def test_a_server_that_never_answers_is_retried_within_the_deadline_then_reported(
        configure, capsys):
    stop = threading.Event()
    port = trickling_server(stop)
    try:
        configure(port, "timeout_seconds = 1\ndeadline_seconds = 3\n")
        started = time.monotonic()
        assert command.main(["--send"]) == 1
        assert time.monotonic() - started < 60  # building and printing the briefs included
    finally:
        stop.set()
    failed = [line for line in capsys.readouterr().err.splitlines() if "not sent" in line]
    assert len(failed) == 3, failed
    assert all("the brief's deadline of 3 s passed" in line for line in failed), failed

    # nothing was recorded as sent: a working server gets each brief once
    inbox = Inbox()
    with mail_server(inbox) as controller:
        configure(controller.port)
        assert command.main(["--send"]) == 0
    assert sorted(received(inbox)) == READERS
    assert all(len(mails) == 1 for mails in received(inbox).values())


class Hanging(Inbox):
    """Keeps every message, then waits far longer than the client does before saying 250."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(4)
        return "250 OK"


def test_a_server_that_hangs_after_the_message_never_gets_it_twice(configure, capsys):
    inbox = Hanging()
    with mail_server(inbox) as controller:
        configure(controller.port, "timeout_seconds = 1\nretries = 2\n")
        assert command.main(["--send"]) == 1
        err = capsys.readouterr().err
        unconfirmed = [line for line in err.splitlines() if "not confirmed" in line]
        assert len(unconfirmed) == 3, err
        assert "it may have arrived, so it is not sent again" in unconfirmed[0]

        # run again: nothing is sent twice, whatever the retries
        assert command.main(["--send"]) == 0
        assert "3 already sent for 2026-10 were skipped" in capsys.readouterr().out
    assert sorted(received(inbox)) == READERS
    assert all(len(mails) == 1 for mails in received(inbox).values())


def test_dry_run_writes_the_messages_to_a_folder_and_sends_nothing(configure, tmp_path,
                                                                   capsys):
    configure(free_port())  # nothing listens there: a dry run does not connect
    out = tmp_path / "outbox"
    assert command.main(["--dry-run", "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [f"{who}.eml" for who in READERS]
    message = email.message_from_bytes((out / "chair@board.example.eml").read_bytes(),
                                       policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert "Customer names and comments are masked" in pdf_text(message)
    assert "3 e-mail(s) for October 2026 written to" in capsys.readouterr().out


@pytest.mark.parametrize(("as_of", "period", "key", "label"), [
    (dt.date(2026, 10, 31), "month", "2026-10", "October 2026"),
    (dt.date(2026, 11, 15), "month", "2026-10", "October 2026"),
    (dt.date(2026, 10, 31), "quarter", "2026-Q3", "Q3 2026 (Jul 2026 – Sep 2026)"),
    (dt.date(2026, 12, 31), "quarter", "2026-Q4", "Q4 2026 (Oct 2026 – Dec 2026)"),
    (dt.date(2027, 1, 30), "quarter", "2026-Q4", "Q4 2026 (Oct 2026 – Dec 2026)"),
])
def test_the_last_full_period_ends_on_or_before_the_as_of_date(as_of, period, key, label):
    found = brief_mail.last_full_period(as_of, period)
    assert (found.key, found.label) == (key, label)
    assert found.window.months == brief_mail.PERIOD_MONTHS[period]


def test_settings_without_a_base_url_are_named(configure, tmp_path, capsys):
    configure(free_port())
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(secrets.read_text().replace(f'base_url = "{BASE_URL}/"\n', ""))
    assert command.main(["--send"]) == 2
    assert "[brief] base_url must be the address people open Northstar at" in (
        capsys.readouterr().err)


def test_readers_are_resolved_through_the_access_file_like_a_sign_in():
    rules = AccessList(
        {"ceo@corp.example": ("executive", None), "cco@corp.example": ("cco", None),
         "head@corp.example": ("department_head", "customer_service"),
         "member@corp.example": ("board", None)},
        {"board.example": ("board", None)})
    settings = brief_mail.BriefSettings(
        BASE_URL, recipients=("Chair@Board.example", "ceo@corp.example", "guest@partner.example",
                              "a@corp.example, b@evil.example", "head@corp.example"))
    readers, problems = brief_mail.readers(settings, rules)
    assert [(reader.address, reader.role) for reader in readers] == [
        ("cco@corp.example", "cco"), ("ceo@corp.example", "executive"),
        ("member@corp.example", "board"), ("chair@board.example", "board")]
    assert problems == [
        "not sent to guest@partner.example (CEO brief): the access file gives it no role",
        "not sent to 'a@corp.example, b@evil.example' (CEO brief): not one plain e-mail address",
        "not sent to head@corp.example (CEO brief): its role (department_head) is not in "
        "[brief] roles",
    ]
    assert all(reader.viewer.masking_forced == (reader.role == "board") for reader in readers)
