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

The CCO summary goes to every address the access file gives the CCO role. Board members never
receive a digest: action text is not for them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import smtplib
import ssl
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pandas as pd

from northstar.data.access import AccessList, Viewer, load_access
from northstar.data.named_queries import DatabaseMissingError, QueryError, execute
from northstar.data.paths import REPO_ROOT
from northstar.data.source import current_source
from northstar.data.workspace.store import OPEN_STATUSES, Workspace, default_url, open_workspace

SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"
DIGEST_VIEWER = Viewer(email="northstar digest", role="cco")
DUE_SOON_DAYS = 7
STATUS_WORDS = {"open": "open", "in_progress": "in progress"}


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
    return SmtpSettings(str(raw["host"]), port, bool(raw.get("starttls", True)),
                        str(raw["sender"]), raw.get("username"), raw.get("password"),
                        str(raw.get("app_url", "")).rstrip("/"))


def cco_addresses(access: AccessList) -> list[str]:
    return sorted(email for email, (role, _) in access.users.items() if role == "cco")


def board_addresses(access: AccessList) -> set[str]:
    return {email for email, (role, _) in access.users.items() if role == "board"}


def _line(action: pd.Series, today: dt.date) -> str:
    days = (action["due_on"] - today).days
    when = (f"overdue by {-days} day{'s' if days != -1 else ''}" if days < 0
            else "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}")
    return (f"- {action['title']} — {when} ({action['due_on']:%-d %b %Y}), "
            f"{STATUS_WORDS.get(action['status'], action['status'])}, about "
            f"{action['subject_label']}")


def build_messages(actions: pd.DataFrame, today: dt.date, ccos: Sequence[str],
                   board: set[str], sender: str, app_url: str = "",
                   department_names: Mapping[str, str] | None = None) -> list[EmailMessage]:
    """One message per owner with overdue or due-this-week actions, and the forum summary for
    each CCO. Nobody on the board receives one, whatever else they are."""
    forum_link = f"\n\nThe accountability forum: {app_url}/forum" if app_url else ""
    open_actions = actions.loc[actions["status"].isin(OPEN_STATUSES)]
    last_day = today + dt.timedelta(days=DUE_SOON_DAYS - 1)
    overdue = open_actions.loc[open_actions["due_on"] < today]
    due_soon = open_actions.loc[(open_actions["due_on"] >= today)
                                & (open_actions["due_on"] <= last_day)]
    messages = []
    listed = pd.concat([overdue, due_soon])
    for email, mine in listed.groupby("owner_email", sort=True):
        if not email or email.lower() in board:
            continue
        late = mine.loc[mine["due_on"] < today].sort_values("due_on")
        soon = mine.loc[mine["due_on"] >= today].sort_values("due_on")
        parts = [f"Hello {mine['owner_name'].iloc[0]},", ""]
        if len(late):
            parts += ["Overdue:", *(_line(row, today) for _, row in late.iterrows()), ""]
        if len(soon):
            parts += ["Due this week:", *(_line(row, today) for _, row in soon.iterrows())]
        messages.append(_message(
            sender, [email],
            f"Northstar: {len(late)} overdue and {len(soon)} due this week",
            "\n".join(parts) + forum_link))
    ccos = [email for email in ccos if email.lower() not in board]
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
        messages.append(_message(
            sender, ccos,
            f"Northstar forum summary: {len(open_actions)} open, {len(overdue)} overdue",
            "\n".join(parts) + forum_link))
    return messages


def _message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(messages: Sequence[EmailMessage], settings: SmtpSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        for message in messages:
            smtp.send_message(message)


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
    try:
        store = Workspace(args.workspace) if args.workspace else workspace_for_source()
        access = load_access()
        settings = None if args.dry_run else load_smtp()
        sender = settings.sender if settings else "Northstar <northstar@localhost>"
        messages = build_messages(store.actions(DIGEST_VIEWER), today, cco_addresses(access),
                                  board_addresses(access), sender,
                                  settings.app_url if settings else "", department_names())
    except (DigestConfigError, OSError, ValueError) as problem:
        print(f"digest: {problem}", file=sys.stderr)
        return 2
    if not cco_addresses(access):
        print("digest: the access file gives nobody the CCO role, so no forum summary is sent",
              file=sys.stderr)
    if args.dry_run:
        for message in messages:
            for header in ("From", "To", "Subject"):
                print(f"{header}: {message[header]}")
            print()
            print(message.get_content().rstrip())
            print("-" * 72)
        print(f"{len(messages)} e-mail(s) would be sent.")
        return 0
    try:
        send(messages, settings)
    except (smtplib.SMTPException, OSError) as problem:
        print(f"digest: could not send through {settings.host}:{settings.port}: {problem}",
              file=sys.stderr)
        return 1
    print(f"Sent {len(messages)} e-mail(s).")
    return 0
