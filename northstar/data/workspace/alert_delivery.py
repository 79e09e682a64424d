"""Sending alerts and remembering what was sent: one e-mail (through the shared SMTP machinery,
northstar.data.workspace.mail) and one webhook POST per recipient and occurrence, each recorded
in the workspace (`alerts_fired`: the rule, the occurrence, to whom, by which channel, when and
the outcome), so an occurrence already sent is never sent again, however often the rules are
checked.

Outcomes: `sent` (the server took it), `unconfirmed` (the message went but its answer was lost:
it may have arrived, so it is never sent again) and `failed` (it surely did not arrive: the next
check tries again). A webhook is a JSON POST with a Slack-compatible "text" field (the sentence
and its link) and the alert's fields beside it. A refused or unreachable webhook, a timeout
while connecting and an answer of 429 or 5xx are tried again (`webhook_retries` times, after
`webhook_retry_pause_seconds`); a timeout while waiting for the answer to a POST that went is
not, as the receiver may have posted it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import re
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from northstar.data import rules
from northstar.data.alert_rules import AlertSettings
from northstar.data.registry.access import AccessList
from northstar.data.workspace.action_digest import may_receive_action_text
from northstar.data.workspace.mail import Outgoing, SmtpSettings, new_message, send
from northstar.data.workspace.store import Workspace, WorkspaceUnavailable

ALERT = "alert"  # what an alert e-mail is, in the mail machinery's reports
DELIVERED = ("sent", "unconfirmed")  # outcomes never sent again


@dataclass(frozen=True)
class AlertMessage:
    """One occurrence of one rule, as it is sent."""

    rule: str  # the rule's name
    kind: str
    occurrence: str  # what makes it one occurrence (e.g. the KPI and its period)
    sentence: str  # one sentence saying why
    link: str  # the full address of the page that shows the evidence
    account_name: str | None = None  # the account it names (masked on shared screens)
    hidden_text: str | None = None  # text it quotes that masking hides (an action's title)
    names_accounts: bool = False  # never e-mailed to a board member

    @property
    def text(self) -> str:
        """The sentence and its evidence link: an e-mail's body, a webhook's "text"."""
        return f"{self.sentence} {self.link}"

    @property
    def subject(self) -> str:
        return f"Northstar alert: {self.rule}"


@dataclass(frozen=True)
class Recipient:
    channel: str  # "email" or "webhook"
    address: str  # the e-mail address or the webhook URL

    @property
    def label(self) -> str:
        """How the log and reports name it: the address, or the webhook's host and a short
        fingerprint of its URL (a webhook URL is a secret: it is never stored or shown)."""
        if self.channel == "email":
            return self.address
        digest = hashlib.sha256(self.address.encode()).hexdigest()[:8]
        return f"webhook {urlsplit(self.address).hostname} #{digest}"


def payload(message: AlertMessage, fired_at: str) -> dict[str, Any]:
    """The webhook's JSON: "text" for Slack-compatible receivers, the fields for others."""
    return {"text": message.text, "rule": message.rule, "kind": message.kind,
            "occurrence": message.occurrence, "sentence": message.sentence,
            "link": message.link, "fired_at": fired_at}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


# --- the log -------------------------------------------------------------------------------


def delivered(store: Workspace, rules: Sequence[str]) -> set[tuple[str, str, str]]:
    """(rule, occurrence, recipient label) of every alert sent, or perhaps sent, by these rules."""
    if not rules:
        return set()

    def read() -> set[tuple[str, str, str]]:
        with store.engine.connect() as connection:
            rows = connection.execute(text(
                "select rule, occurrence, recipient from alerts_fired "
                "where outcome in ('sent', 'unconfirmed')")).all()
        wanted = set(rules)
        return {(rule, occurrence, recipient) for rule, occurrence, recipient in rows
                if rule in wanted}
    return store.bounded(read)


def record(store: Workspace, message: AlertMessage, recipient: Recipient, outcome: str,
           detail: str = "") -> None:
    """Record one alert to one recipient (replacing an earlier failed try of it)."""
    key = {"rule": message.rule, "occurrence": message.occurrence,
           "recipient": recipient.label}

    def write() -> None:
        with store.engine.begin() as connection:
            connection.execute(text(
                "delete from alerts_fired where rule = :rule and occurrence = :occurrence "
                "and recipient = :recipient"), key)
            connection.execute(text(
                "insert into alerts_fired (rule, occurrence, recipient, channel, kind, fired_at, "
                "outcome, sentence, link, account_name, hidden_text, detail) values (:rule, "
                ":occurrence, :recipient, :channel, :kind, :fired_at, :outcome, :sentence, "
                ":link, :account_name, :hidden_text, :detail)"),
                {**key, "channel": recipient.channel, "kind": message.kind, "fired_at": _now(),
                 "outcome": outcome, "sentence": message.sentence[:2000],
                 "link": message.link[:1000], "account_name": message.account_name,
                 "hidden_text": message.hidden_text, "detail": detail[:1000] or None})
    store.bounded(write)


def recent(store: Workspace, limit: int | None = None) -> pd.DataFrame:
    """The latest alerts (at most `limit`, rules.LIST_LIMIT unless given), newest first:
    fired_at (UTC), rule, kind, sentence, link, recipient, channel, outcome, account_name,
    hidden_text, detail."""
    if limit is None:
        limit = rules.LIST_LIMIT
    def read() -> pd.DataFrame:
        with store.engine.connect() as connection:
            return pd.read_sql_query(text(
                "select fired_at, rule, kind, sentence, link, recipient, channel, outcome, "
                "account_name, hidden_text, detail from alerts_fired "
                "order by fired_at desc, rule, occurrence, recipient limit :limit"),
                connection, params={"limit": int(limit)})
    frame = store.bounded(read)
    frame["fired_at"] = pd.to_datetime(frame["fired_at"], utc=True, format="ISO8601")
    return frame


# --- webhooks ------------------------------------------------------------------------------


class _NotSent(Exception):
    """The POST surely did not reach the receiver (or it asked to be tried again)."""


class _Unconfirmed(Exception):
    """The POST went, but its answer was lost: it may have been taken."""


def _post_once(url: str, body: bytes, timeout: float) -> None:
    parts = urlsplit(url)
    connection_type = (http.client.HTTPSConnection if parts.scheme == "https"
                       else http.client.HTTPConnection)
    extra: dict[str, Any] = ({"context": ssl.create_default_context()}
                             if parts.scheme == "https" else {})
    connection = connection_type(parts.hostname or "", parts.port, timeout=timeout, **extra)
    try:
        try:
            connection.connect()
        except (OSError, http.client.HTTPException) as problem:
            raise _NotSent(_why(problem)) from None
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        try:
            connection.request("POST", target, body=body, headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Northstar alerts"})
            answer = connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as problem:
            raise _Unconfirmed(_why(problem)) from None
        if answer.status == 429 or answer.status >= 500:
            raise _NotSent(f"the receiver answered {answer.status} {answer.reason}")
        if answer.status >= 300:
            raise ValueError(f"the receiver refused it: {answer.status} {answer.reason}")
    finally:
        connection.close()


def _why(problem: BaseException) -> str:
    if isinstance(problem, TimeoutError | socket.timeout):
        return "no answer within the timeout"
    if isinstance(problem, ConnectionRefusedError):
        return "the connection was refused"
    return str(problem) or type(problem).__name__


def post_webhook(url: str, body: dict[str, Any], settings: AlertSettings) -> tuple[str, str]:
    """POST the JSON once (retrying what surely did not arrive): (outcome, what went wrong)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    tries = 0
    while True:
        tries += 1
        try:
            _post_once(url, data, settings.webhook_timeout_seconds)
        except _Unconfirmed as lost:
            return "unconfirmed", (f"the POST went but its answer was lost ({lost}); it may have "
                                   "arrived, so it is not sent again")
        except _NotSent as problem:
            if tries > settings.webhook_retries:
                after = f" (after {tries} tries)" if tries > 1 else ""
                return "failed", f"{problem}{after}"
            time.sleep(settings.webhook_retry_pause_seconds)
            continue
        except ValueError as refused:
            return "failed", str(refused)
        return "sent", ""


# --- one check's sending ------------------------------------------------------------------


@dataclass
class Sending:
    """What one check sent: a line per alert sent, and what went wrong, one line each."""

    sent: list[str]
    problems: list[str]


def _file_name(text_value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@-]+", "-", text_value).strip("-")[:120] or "alert"


def deliver(store: Workspace | None, alerts: Sequence[tuple[AlertMessage, Sequence[Recipient]]],
            settings: AlertSettings, smtp: SmtpSettings | None, access: AccessList,
            dry_run: Path | None = None, smtp_problem: str = "") -> Sending:
    """Send each alert to each of its recipients that has not had it, and record each try.
    With `dry_run`, write the e-mails (.eml) and webhook bodies (.json) to that folder instead,
    and record nothing. `smtp` None: e-mail is not sent (`smtp_problem` says why)."""
    done = (delivered(store, sorted({message.rule for message, _ in alerts}))
            if store is not None else set())
    result = Sending([], [])
    mail: list[tuple[AlertMessage, Recipient, Outgoing]] = []
    sender = smtp.sender if smtp is not None else "Northstar <northstar@localhost>"
    for message, recipients in alerts:
        for recipient in recipients:
            if (message.rule, message.occurrence, recipient.label) in done:
                continue
            if recipient.channel == "email":
                if message.names_accounts and not may_receive_action_text(recipient.address,
                                                                          access):
                    result.problems.append(
                        f"{message.rule}: not e-mailed to {recipient.address}: the access file "
                        "makes them a board member (or refuses their entry), and this alert "
                        "names an account")
                    continue
                email = new_message(sender, recipient.address, message.subject)
                email.set_content(f"{message.text}\n\nRule: {message.rule}\n")
                mail.append((message, recipient, Outgoing(
                    recipient.address, ALERT, email, f"{message.rule}, {message.occurrence}")))
                continue
            fired_at = _now()
            body = payload(message, fired_at)
            if dry_run is not None:
                dry_run.mkdir(parents=True, exist_ok=True)
                name = _file_name(f"{message.rule}-{message.occurrence}-{recipient.label}")
                (dry_run / f"{name}.json").write_text(json.dumps(body, indent=2,
                                                                 ensure_ascii=False))
                result.sent.append(f"{message.rule}: would post to {recipient.label}")
                continue
            outcome, detail = post_webhook(recipient.address, body, settings)
            _keep(store, message, recipient, outcome, detail, result)
    if dry_run is not None:
        for message, recipient, item in mail:
            dry_run.mkdir(parents=True, exist_ok=True)
            name = _file_name(f"{message.rule}-{message.occurrence}-{recipient.address}")
            (dry_run / f"{name}.eml").write_bytes(item.message.as_bytes())
            result.sent.append(f"{message.rule}: would e-mail {recipient.address}")
        return result
    if mail and smtp is None:
        for message, recipient, _ in mail:
            _keep(store, message, recipient, "failed", smtp_problem or "no [smtp] settings",
                  result)
        return result
    if mail:
        assert smtp is not None
        taken: set[int] = set()

        def on_sent(item: Outgoing) -> None:
            taken.add(id(item))

        failures = send([item for _, _, item in mail], smtp, on_sent, run_name="alert check")
        for message, recipient, item in mail:
            about = [line for line in failures if item.label() in line]
            detail = about[0] if about else ""
            outcome = ("failed" if id(item) not in taken
                       else "unconfirmed" if detail else "sent")
            _keep(store, message, recipient, outcome, detail, result, reported=bool(detail))
        result.problems += [f"alert e-mail {line}" for line in failures]
    return result


def _keep(store: Workspace | None, message: AlertMessage, recipient: Recipient, outcome: str,
          detail: str, result: Sending, *, reported: bool = False) -> None:
    """Record one try and say how it went."""
    if outcome in DELIVERED:
        result.sent.append(f"{message.rule}: {outcome} to {recipient.label}")
    if detail and not reported:
        result.problems.append(f"{message.rule}: {outcome} to {recipient.label}: {detail}")
    if store is None:
        return
    try:
        record(store, message, recipient, outcome, detail)
    except (WorkspaceUnavailable, SQLAlchemyError) as problem:
        result.problems.append(
            f"{message.rule}: {outcome} to {recipient.label} but not recorded in the workspace, "
            f"so the next check may send it again: {problem}")
