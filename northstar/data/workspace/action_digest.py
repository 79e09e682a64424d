"""The action digest: each owner's overdue and due-this-week actions, and a forum summary for
the CCO, sent over SMTP (or printed with --dry-run).

SMTP is configured in the [smtp] section of `.streamlit/secrets.toml` (or the file
`$NORTHSTAR_SECRETS` names), as for every e-mail Northstar sends: northstar.data.workspace.mail
lists its keys, and sends, retries and records each e-mail.

The CCO summary goes to every address the access file gives the CCO role. Board members never
receive a digest: action text is not for them. Every recipient is resolved through the access
file as sign-in does (exact address, then domain), so a board member listed by domain is left
out too, and so is an address whose access-file entry is refused.

Each e-mail has one recipient, and each address must be one plain address (no list, display
name or line break): an unusable one is reported and skipped. A refused or unreachable
recipient is reported (one line each, exit status 1) and the others are still sent; a temporary
failure is retried first. Every e-mail sent is recorded in the workspace (`digest_sends`), so
running the digest again for the same day sends only what was not sent yet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from northstar.data import rules
from northstar.data.addresses import mail_address
from northstar.data.db.query_runner import DatabaseMissingError, QueryError, execute
from northstar.data.registry.access import AccessList, Viewer, load_access, refused_entry, resolve
from northstar.data.workspace.mail import (
    MailConfigError,
    Outgoing,
    SmtpSettings,
    already_sent,
    load_smtp,
    new_message,
    send,
    send_and_record,
    workspace_for_source,
)
from northstar.data.workspace.store import OPEN_STATUSES, Workspace

__all__ = ["SmtpSettings", "already_sent", "build_messages", "load_smtp", "main", "send"]

DIGEST_VIEWER = Viewer(email="northstar digest", role="cco")
DUE_SOON_DAYS = rules.DUE_SOON_DAYS  # as the forum's "due this week"
STATUS_WORDS = {"open": "open", "in_progress": "in progress"}
# what an e-mail is (recorded with each send), and how the report names it
OWNER_DIGEST = "actions"
FORUM_SUMMARY = "forum_summary"
WHAT_WORDS = {OWNER_DIGEST: "their actions", FORUM_SUMMARY: "forum summary"}
DigestConfigError = MailConfigError  # the [smtp] settings are missing or wrong


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
    message = new_message(sender, recipient, subject)
    message.set_content(body)
    return Outgoing(recipient, what, message, WHAT_WORDS[what])


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
        sent, problems = send_and_record(pending, settings, store, period, "digest")
        failures += problems
        print(f"Sent {sent} e-mail(s){skipped}.")
    for failure in failures:
        print(f"digest: {failure}", file=sys.stderr)
    return 1 if failures else 0
