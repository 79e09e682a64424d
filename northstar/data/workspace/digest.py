"""The action digest: each owner's overdue and due-this-week actions, and a forum summary for
the CCO, sent over SMTP (or printed with --dry-run).

SMTP is configured in `.streamlit/secrets.toml` (or the file `$NORTHSTAR_SECRETS` names):

    [smtp]
    host = "smtp.example.com"
    port = 587
    starttls = true
    sender = "Northstar <northstar@example.com>"
    username = "northstar@example.com"   # optional
    password = "..."                     # optional
    app_url = "https://northstar.example.com"  # optional: links in the e-mails
    timeout_seconds = 30    # optional: each connect, read or write with the server
    deadline_seconds = 300  # optional: the whole run; what is not sent by then is reported

The CCO summary goes to every address the access file gives the CCO role. Board members never
receive a digest: action text is not for them. Every recipient is resolved through the access
file as sign-in does (exact address, then domain), so a board member listed by domain is left
out too, and so is an address whose access-file entry is refused.

Each e-mail has one recipient, and each address must be one plain address (no list, display
name or line break): an unusable one is reported and skipped. A refused or unreachable
recipient is reported (one line each, exit status 1) and the others are still sent. Every e-mail
sent is recorded in the workspace (`digest_sends`), so running the digest again for the same
day sends only what was not sent yet.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import smtplib
import socket
import ssl
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from northstar.data.access import AccessList, Viewer, load_access, refused_entry, resolve
from northstar.data.addresses import mail_address
from northstar.data.named_queries import DatabaseMissingError, QueryError, execute
from northstar.data.paths import REPO_ROOT
from northstar.data.source import current_source
from northstar.data.workspace.store import OPEN_STATUSES, Workspace, default_url, open_workspace

SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"
DIGEST_VIEWER = Viewer(email="northstar digest", role="cco")
DUE_SOON_DAYS = 7
STATUS_WORDS = {"open": "open", "in_progress": "in progress"}
# how long the digest may wait on the SMTP server: each operation, and the whole run
TIMEOUT_SECONDS = 30.0
DEADLINE_SECONDS = 300.0
# what an e-mail is (recorded with each send), and how the report names it
OWNER_DIGEST = "actions"
FORUM_SUMMARY = "forum_summary"
WHAT_WORDS = {OWNER_DIGEST: "their actions", FORUM_SUMMARY: "forum summary"}


class DigestConfigError(ValueError):
    """The [smtp] settings are missing or wrong; the message names the file and key."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    sender: str
    username: str | None = None
    password: str | None = None
    app_url: str = ""
    timeout_seconds: float = TIMEOUT_SECONDS
    deadline_seconds: float = DEADLINE_SECONDS


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to one recipient."""

    recipient: str  # one plain address
    what: str  # OWNER_DIGEST or FORUM_SUMMARY
    message: EmailMessage

    def label(self) -> str:
        return f"{self.recipient} ({WHAT_WORDS[self.what]})"


def load_smtp(path: Path | None = None) -> SmtpSettings:
    path = Path(path or os.environ.get("NORTHSTAR_SECRETS", SECRETS_FILE))
    if not path.exists():
        raise DigestConfigError(f"{path} does not exist: add an [smtp] section (host, port, "
                                "starttls, sender) to send the digest, or use --dry-run")
    with path.open("rb") as handle:
        raw = tomllib.load(handle).get("smtp")
    if not isinstance(raw, dict):
        raise DigestConfigError(f"{path} has no [smtp] section (host, port, starttls, sender)")
    for key in ("host", "sender"):
        if not str(raw.get(key, "")).strip():
            raise DigestConfigError(f"{path}: [smtp] {key} is missing")
    try:
        port = int(raw.get("port", 587))
    except (TypeError, ValueError):
        raise DigestConfigError(f"{path}: [smtp] port must be a number") from None
    seconds = {}
    for key, default in (("timeout_seconds", TIMEOUT_SECONDS),
                         ("deadline_seconds", DEADLINE_SECONDS)):
        try:
            seconds[key] = float(raw.get(key, default))
        except (TypeError, ValueError):
            seconds[key] = -1.0
        if not 0 < seconds[key] < 86_400:
            raise DigestConfigError(f"{path}: [smtp] {key} must be a number of seconds above 0")
    return SmtpSettings(str(raw["host"]), port, bool(raw.get("starttls", True)),
                        str(raw["sender"]), raw.get("username"), raw.get("password"),
                        str(raw.get("app_url", "")).rstrip("/"), **seconds)


def cco_addresses(access: AccessList) -> list[str]:
    return sorted(email for email, (role, _) in access.users.items() if role == "cco")


def may_receive_action_text(address: str, access: AccessList) -> bool:
    """Whether action text may go to this (plain) address: never to whoever the access file
    makes a board member (by address or by domain), nor to an address whose entry is refused."""
    resolved = resolve(address, access)
    if resolved is not None and resolved[0] == "board":
        return False
    return refused_entry(address, access) is None


def _line(action: pd.Series, today: dt.date) -> str:
    days = (action["due_on"] - today).days
    when = (f"overdue by {-days} day{'s' if days != -1 else ''}" if days < 0
            else "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}")
    return (f"- {action['title']} — {when} ({action['due_on']:%-d %b %Y}), "
            f"{STATUS_WORDS.get(action['status'], action['status'])}, about "
            f"{action['subject_label']}")


def build_messages(actions: pd.DataFrame, today: dt.date, access: AccessList, sender: str,
                   app_url: str = "", department_names: Mapping[str, str] | None = None,
                   ) -> tuple[list[Outgoing], list[str]]:
    """One e-mail per owner with overdue or due-this-week actions, and the forum summary for
    each CCO; and, one line each, the owners whose address cannot be used. Nobody on the board
    receives one, whatever else they are."""
    forum_link = f"\n\nThe accountability forum: {app_url}/forum" if app_url else ""
    open_actions = actions.loc[actions["status"].isin(OPEN_STATUSES)]
    last_day = today + dt.timedelta(days=DUE_SOON_DAYS - 1)
    overdue = open_actions.loc[open_actions["due_on"] < today]
    due_soon = open_actions.loc[(open_actions["due_on"] >= today)
                                & (open_actions["due_on"] <= last_day)]
    outgoing: list[Outgoing] = []
    unusable: list[str] = []
    listed = pd.concat([overdue, due_soon])
    for email, mine in listed.groupby("owner_email", sort=True):
        if not email:
            continue
        address = mail_address(email)
        if address is None:
            unusable.append(f"not sent to {email!r} ({WHAT_WORDS[OWNER_DIGEST]}): not one plain "
                            "e-mail address")
            continue
        if not may_receive_action_text(str(address), access):
            continue
        late = mine.loc[mine["due_on"] < today].sort_values("due_on")
        soon = mine.loc[mine["due_on"] >= today].sort_values("due_on")
        parts = [f"Hello {mine['owner_name'].iloc[0]},", ""]
        if len(late):
            parts += ["Overdue:", *(_line(row, today) for _, row in late.iterrows()), ""]
        if len(soon):
            parts += ["Due this week:", *(_line(row, today) for _, row in soon.iterrows())]
        outgoing.append(_outgoing(
            sender, str(address), OWNER_DIGEST,
            f"Northstar: {len(late)} overdue and {len(soon)} due this week",
            "\n".join(parts) + forum_link))
    ccos = [email for email in cco_addresses(access) if may_receive_action_text(email, access)]
    if ccos:
        without_email = sorted(set(listed.loc[listed["owner_email"].isna(), "owner_name"]))
        week_ago = pd.Timestamp(today - dt.timedelta(days=7), tz="UTC")
        closed = actions.loc[~actions["status"].isin(OPEN_STATUSES)
                             & actions["closed_at"].notna() & (actions["closed_at"] >= week_ago)]
        by_department = open_actions.groupby("department_id").agg(
            open=("action_id", "count"),
            overdue=("due_on", lambda due: int((due < today).sum())))
        parts = [f"Forum summary for {today:%-d %b %Y}", "",
                 f"Open actions: {len(open_actions)}; overdue: {len(overdue)}; due this week: "
                 f"{len(due_soon)}; closed in the last 7 days: {len(closed)}.", "",
                 "By department (open, overdue):",
                 *(f"- {(department_names or {}).get(department, department)}: "
                   f"{row.open}, {row.overdue}"
                   for department, row in by_department.iterrows())]
        if len(overdue):
            parts += ["", "Overdue:", *(f"{_line(row, today)} — owner {row['owner_name']}"
                                       for _, row in overdue.sort_values("due_on").iterrows())]
        if without_email:
            parts += ["", "No e-mail address on file, so not sent a digest: "
                      + ", ".join(without_email)]
        subject = f"Northstar forum summary: {len(open_actions)} open, {len(overdue)} overdue"
        outgoing += [_outgoing(sender, cco, FORUM_SUMMARY, subject, "\n".join(parts) + forum_link)
                     for cco in ccos]
    return outgoing, unusable


def _outgoing(sender: str, recipient: str, what: str, subject: str, body: str) -> Outgoing:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    return Outgoing(recipient, what, message)


class _Deadline:
    """The whole run's deadline. Socket timeouts bound each read, but a server that sends a
    byte just before each timeout would never trip one: when the deadline passes, the open
    connection's socket is shut down, which ends whatever is waiting on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._smtp: smtplib.SMTP | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._timer.cancel()

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.ends

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, smtp: smtplib.SMTP | None) -> None:
        with self._lock:
            self._smtp = smtp
        if smtp is not None and self.passed:
            self._expire()

    def _expire(self) -> None:
        with self._lock:
            sock = getattr(self._smtp, "sock", None)
        if sock is not None:
            # the plain socket's shutdown, under TLS too: it wakes a blocked read
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _connect(settings: SmtpSettings, deadline: _Deadline) -> smtplib.SMTP:
    smtp = smtplib.SMTP(timeout=min(settings.timeout_seconds, max(deadline.remaining(), 0.01)))
    deadline.watch(smtp)
    try:
        smtp.connect(settings.host, settings.port)
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            deadline.watch(smtp)
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        deadline.watch(None)
        raise
    return smtp


def _reason(problem: BaseException) -> str:
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(message)}"
                         for code, message in problem.recipients.values())
    if isinstance(problem, smtplib.SMTPResponseException):
        return f"{problem.smtp_code} {_text(problem.smtp_error)}"
    return str(problem) or type(problem).__name__


def _text(message: bytes | str) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def send(outgoing: Sequence[Outgoing], settings: SmtpSettings,
         on_sent: Callable[[Outgoing], None] | None = None) -> list[str]:
    """Send each e-mail to its one recipient, going on past a refused or failed one, within
    the settings' deadline; `on_sent` is told of each e-mail the server accepted. Returns what
    was not sent, one line each."""
    failures: list[str] = []
    smtp: smtplib.SMTP | None = None
    where = f"{settings.host}:{settings.port}"
    with _Deadline(settings.deadline_seconds) as deadline:
        for item in outgoing:
            if mail_address(item.recipient) is None or item.message["To"] != item.recipient:
                failures.append(f"not sent to {item.recipient!r} ({WHAT_WORDS[item.what]}): not "
                                "one plain e-mail address")
                continue
            if deadline.passed:
                failures.append(f"not sent to {item.label()}: the digest's deadline of "
                                f"{deadline.seconds:g} s passed")
                continue
            try:
                if smtp is None:
                    smtp = _connect(settings, deadline)
                smtp.send_message(item.message, to_addrs=[item.recipient])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError) as problem:
                failures.append(f"not sent to {item.label()}: {_reason(problem)}")
            except (smtplib.SMTPException, OSError) as problem:
                # the connection is lost: report this one, open a new one for the next
                reason = (f"the digest's deadline of {deadline.seconds:g} s passed"
                          if deadline.passed else f"{where}: {_reason(problem)}")
                failures.append(f"not sent to {item.label()}: {reason}")
                if smtp is not None:
                    smtp.close()
                smtp = None
                deadline.watch(None)
            else:
                if on_sent is not None:
                    on_sent(item)
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return failures


def already_sent(store: Workspace, period: str) -> set[tuple[str, str]]:
    """(recipient, what) of every digest e-mail recorded as sent for this period."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("select recipient, what from digest_sends where period = :period"),
            {"period": period}).all()
    return {(recipient, what) for recipient, what in rows}


def record_sent(store: Workspace, period: str, item: Outgoing) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text("insert into digest_sends (recipient, period, what, sent_at) "
                 "values (:recipient, :period, :what, :sent_at)"),
            {"recipient": item.recipient.lower(), "period": period, "what": item.what,
             "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")})


def workspace_for_source() -> Workspace:
    source = current_source()
    beside = Path(source.location) if source.kind in ("duckdb", "parquet") \
        else REPO_ROOT / "data" / "northstar.duckdb"
    return open_workspace(default_url(beside))


def department_names() -> dict[str, str]:
    """Department names from the analytics database (ids when it cannot be read)."""
    try:
        frame = execute("goal_departments", {})
    except (QueryError, DatabaseMissingError, OSError):
        return {}
    return dict(zip(frame["department_id"], frame["department_name"], strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m northstar.digest",
        description="E-mail each action owner their overdue and due-this-week actions, and the "
                    "CCO a forum summary.")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the e-mails instead of sending them")
    parser.add_argument("--workspace", help="workspace URL (default: beside the database, or "
                        "$NORTHSTAR_WORKSPACE)")
    parser.add_argument("--today", type=dt.date.fromisoformat,
                        help="the date to judge due dates by (default: today)")
    args = parser.parse_args(argv)
    today = args.today or dt.date.today()
    period = today.isoformat()  # one digest per day: what was sent for it is not sent again
    try:
        store = Workspace(args.workspace) if args.workspace else workspace_for_source()
        access = load_access()
        settings = None if args.dry_run else load_smtp()
        sender = settings.sender if settings else "Northstar <northstar@localhost>"
        outgoing, failures = build_messages(
            store.actions(DIGEST_VIEWER), today, access, sender,
            settings.app_url if settings else "", department_names())
        sent_before = already_sent(store, period)
    except (DigestConfigError, OSError, ValueError, SQLAlchemyError) as problem:
        print(f"digest: {problem}", file=sys.stderr)
        return 2
    if not cco_addresses(access):
        print("digest: the access file gives nobody the CCO role, so no forum summary is sent",
              file=sys.stderr)
    pending = [item for item in outgoing
               if (item.recipient.lower(), item.what) not in sent_before]
    skipped = (f"; {len(outgoing) - len(pending)} already sent for {period} were skipped"
               if len(pending) < len(outgoing) else "")
    if args.dry_run:
        for item in pending:
            for header in ("From", "To", "Subject"):
                print(f"{header}: {item.message[header]}")
            print()
            print(item.message.get_content().rstrip())
            print("-" * 72)
        print(f"{len(pending)} e-mail(s) would be sent{skipped}.")
    else:
        sent = 0

        def record(item: Outgoing) -> None:
            nonlocal sent
            sent += 1
            try:
                record_sent(store, period, item)
            except SQLAlchemyError as problem:
                failures.append(f"sent to {item.label()} but not recorded, so running the "
                                f"digest again for {period} sends it again: {problem}")

        failures += send(pending, settings, record)
        print(f"Sent {sent} e-mail(s){skipped}.")
    for failure in failures:
        print(f"digest: {failure}", file=sys.stderr)
    return 1 if failures else 0
