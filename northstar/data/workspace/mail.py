"""Sending Northstar's e-mails (the action digest, the CEO brief): the SMTP settings, one
e-mail per recipient within a deadline, retries of what the server failed for a moment, and the
record of what was sent, so a re-run for the same period sends only what is missing.

SMTP is configured in `.streamlit/secrets.toml` (or the file `$NORTHSTAR_SECRETS` names):

    [smtp]
    host = "smtp.example.com"
    port = 587
    starttls = true
    sender = "Northstar <northstar@example.com>"
    username = "northstar@example.com"   # optional
    password = "..."                     # optional
    app_url = "https://northstar.example.com"  # optional: links in the digest
    timeout_seconds = 30    # optional: each connect, read or write with the server
    deadline_seconds = 300  # optional: the whole run; what is not sent by then is reported
    retries = 2             # optional: tries again after a failure the server calls temporary
    retry_pause_seconds = 5 # optional: the wait before each retry

Each e-mail has one recipient, which must be one plain address (no list, display name or line
break). A recipient the server refuses for good (5xx) is reported and the others are still
sent. A failure the server calls temporary (4xx), a refused or dropped connection and a timeout
are retried (`retries` times, within the deadline) and then reported. Once the message's text
has gone to the server, a lost answer is never retried: the e-mail may have arrived, so it is
reported as unconfirmed and recorded as sent — nobody gets a message twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import smtplib
import socket
import ssl
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from northstar.data.addresses import mail_address
from northstar.data.db.data_source import current_source
from northstar.data.db.paths import REPO_ROOT
from northstar.data.workspace.store import Workspace, default_url, open_workspace

SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"
# how long a run may wait on the SMTP server: each operation, and the whole run
TIMEOUT_SECONDS = 30.0
DEADLINE_SECONDS = 300.0
# how often a temporary failure is tried again, and the pause before each try
RETRIES = 2
RETRY_PAUSE_SECONDS = 5.0


class MailConfigError(ValueError):
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
    retries: int = RETRIES
    retry_pause_seconds: float = RETRY_PAUSE_SECONDS


@dataclass(frozen=True)
class Outgoing:
    """One e-mail to one recipient."""

    recipient: str  # one plain address
    what: str  # what kind of e-mail it is (recorded with each send)
    message: EmailMessage
    words: str  # how a report names it: "their actions", "CEO brief"

    def label(self) -> str:
        return f"{self.recipient} ({self.words})"


def secrets_path(path: Path | None = None) -> Path:
    return Path(path or os.environ.get("NORTHSTAR_SECRETS", SECRETS_FILE))


def read_section(name: str, path: Path | None = None, *, required: bool,
                 what_for: str) -> dict[str, Any] | None:
    """One [section] of the secrets file (None when it is absent and not `required`)."""
    path = secrets_path(path)
    if not path.exists():
        if not required:
            return None
        raise MailConfigError(f"{path} does not exist: add a [{name}] section {what_for}")
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle).get(name)
    except tomllib.TOMLDecodeError as problem:
        raise MailConfigError(f"{path} is not valid TOML: {problem}") from None
    if raw is None and not required:
        return None
    if not isinstance(raw, dict):
        raise MailConfigError(f"{path} has no [{name}] section {what_for}")
    return raw


def _number(path: Path, raw: dict[str, Any], key: str, default: float, words: str, *,
            zero: bool) -> float:
    """A number from 0 (above 0 unless `zero` is allowed) below a day."""
    try:
        value = float(raw.get(key, default))
    except (TypeError, ValueError):
        value = -1.0
    if not 0 <= value < 86_400 or (value == 0 and not zero):
        raise MailConfigError(f"{path}: [smtp] {key} must be {words}")
    return value


def load_smtp(path: Path | None = None) -> SmtpSettings:
    path = secrets_path(path)
    raw = read_section("smtp", path, required=True,
                       what_for="(host, port, starttls, sender) to send e-mail, or use "
                                "--dry-run")
    assert raw is not None
    for key in ("host", "sender"):
        if not str(raw.get(key, "")).strip():
            raise MailConfigError(f"{path}: [smtp] {key} is missing")
    try:
        port = int(raw.get("port", 587))
    except (TypeError, ValueError):
        raise MailConfigError(f"{path}: [smtp] port must be a number") from None
    seconds = {key: _number(path, raw, key, default, "a number of seconds above 0", zero=False)
               for key, default in (("timeout_seconds", TIMEOUT_SECONDS),
                                    ("deadline_seconds", DEADLINE_SECONDS))}
    retries = _number(path, raw, "retries", RETRIES, "a whole number from 0", zero=True)
    if not float(retries).is_integer():
        raise MailConfigError(f"{path}: [smtp] retries must be a whole number from 0")
    pause = _number(path, raw, "retry_pause_seconds", RETRY_PAUSE_SECONDS,
                    "a number of seconds from 0", zero=True)
    return SmtpSettings(str(raw["host"]), port, bool(raw.get("starttls", True)),
                        str(raw["sender"]), raw.get("username"), raw.get("password"),
                        str(raw.get("app_url", "")).rstrip("/"), **seconds,
                        retries=int(retries), retry_pause_seconds=pause)


def new_message(sender: str, recipient: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    return message


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


class _Smtp(smtplib.SMTP):
    """smtplib's client, noting when a message's DATA began: after that, a lost answer leaves
    it unknown whether the server kept the message."""

    data_begun = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_begun = True
        return super().data(msg)


def _connect(settings: SmtpSettings, deadline: _Deadline) -> _Smtp:
    smtp = _Smtp(timeout=min(settings.timeout_seconds, max(deadline.remaining(), 0.01)))
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


def _temporary(problem: BaseException) -> bool:
    """Whether the server said to try again later (a 4xx reply)."""
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in problem.recipients.values())
    return isinstance(problem, smtplib.SMTPResponseException) and 400 <= problem.smtp_code < 500


def send(outgoing: Sequence[Outgoing], settings: SmtpSettings,
         on_sent: Callable[[Outgoing], None] | None = None, run_name: str = "run") -> list[str]:
    """Send each e-mail to its one recipient, going on past a refused or failed one, retrying
    temporary failures, within the settings' deadline; `on_sent` is told of each e-mail the
    server accepted, or may have accepted (its answer was lost after the message went). Returns
    what was not sent (or not confirmed), one line each; `run_name` names the run in them ("the
    digest's deadline of 300 s passed")."""
    failures: list[str] = []
    smtp: _Smtp | None = None
    where = f"{settings.host}:{settings.port}"

    def drop() -> None:
        nonlocal smtp
        if smtp is not None:
            smtp.close()
        smtp = None
        deadline.watch(None)

    with _Deadline(settings.deadline_seconds) as deadline:
        passed = f"the {run_name}'s deadline of {deadline.seconds:g} s passed"
        for item in outgoing:
            if mail_address(item.recipient) is None or item.message["To"] != item.recipient:
                failures.append(f"not sent to {item.recipient!r} ({item.words}): not one plain "
                                "e-mail address")
                continue
            tries = 0
            while True:
                if deadline.passed:
                    failures.append(f"not sent to {item.label()}: {passed}")
                    break
                tries += 1
                try:
                    if smtp is None:
                        smtp = _connect(settings, deadline)
                    smtp.data_begun = False
                    smtp.send_message(item.message, to_addrs=[item.recipient])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                        smtplib.SMTPDataError) as problem:
                    # the server answered: for good (5xx) or for now (4xx)
                    if not _temporary(problem) or tries > settings.retries:
                        failures.append(f"not sent to {item.label()}: {_reason(problem)}"
                                        + _after(tries))
                        break
                    drop()  # try again on a fresh connection (a 421 has closed this one)
                except (smtplib.SMTPException, OSError) as problem:
                    # the connection is lost: close it, a new one is opened for what follows
                    unsure = smtp is not None and smtp.data_begun
                    drop()
                    if unsure:
                        if on_sent is not None:
                            on_sent(item)  # it may have arrived: never send it twice
                        lost = passed if deadline.passed else _reason(problem)
                        failures.append(
                            f"not confirmed for {item.label()}: the message went to {where} but "
                            f"its answer was lost ({lost}); it may have arrived, so it is not "
                            "sent again")
                        break
                    refused = (isinstance(problem, smtplib.SMTPResponseException)
                               and not _temporary(problem))  # e.g. 535: no use trying again
                    if deadline.passed or refused or tries > settings.retries:
                        reason = passed if deadline.passed else f"{where}: {_reason(problem)}"
                        failures.append(f"not sent to {item.label()}: {reason}" + _after(tries))
                        break
                else:
                    if on_sent is not None:
                        on_sent(item)
                    break
                # a temporary failure: wait, within the deadline, and try again
                time.sleep(min(settings.retry_pause_seconds, deadline.remaining()))
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return failures


def _after(tries: int) -> str:
    return f" (after {tries} tries)" if tries > 1 else ""


def already_sent(store: Workspace, period: str) -> set[tuple[str, str]]:
    """(recipient, what) of every e-mail recorded as sent for this period."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("select recipient, what from digest_sends where period = :period"),
            {"period": period}).all()
    return {(recipient, what) for recipient, what in rows}


def record_sent(store: Workspace, period: str, item: Outgoing) -> None:
    """Record one e-mail as sent for the period (replacing an earlier record of it)."""
    key = {"recipient": item.recipient.lower(), "period": period, "what": item.what}
    with store.engine.begin() as connection:
        connection.execute(
            text("delete from digest_sends where recipient = :recipient and period = :period "
                 "and what = :what"), key)
        connection.execute(
            text("insert into digest_sends (recipient, period, what, sent_at) "
                 "values (:recipient, :period, :what, :sent_at)"),
            {**key, "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")})


def send_and_record(outgoing: Sequence[Outgoing], settings: SmtpSettings, store: Workspace,
                    period: str, run_name: str) -> tuple[int, list[str]]:
    """`send`, recording each e-mail the server accepted (or may have) as sent for `period`, so
    a re-run skips it. Returns how many were sent and what went wrong, one line each (an e-mail
    sent but not recorded says that a re-run sends it again)."""
    sent = 0
    failures: list[str] = []

    def record(item: Outgoing) -> None:
        nonlocal sent
        sent += 1
        try:
            record_sent(store, period, item)
        except SQLAlchemyError as problem:
            failures.append(f"sent to {item.label()} but not recorded, so running the "
                            f"{run_name} again for {period} sends it again: {problem}")

    failures += send(outgoing, settings, record, run_name=run_name)
    return sent, failures


def workspace_for_source() -> Workspace:
    """The workspace beside the data source (or the one its setting names)."""
    source = current_source()
    beside = Path(source.location) if source.kind in ("duckdb", "parquet") \
        else REPO_ROOT / "data" / "northstar.duckdb"
    return open_workspace(default_url(beside))
