"""`python -m northstar.brief --send` (or `--dry-run`): e-mail the CEO brief for the last full
period to the people the access file gives the roles in `[brief] roles`, or write the e-mails to
a folder as .eml files (`--help` lists options; docs/brief-by-email.md explains the set-up).

Each reader's brief is built as their role sees it (northstar.analytics.brief_mail), its PDF
printed once per distinct document, and the e-mails sent through the shared SMTP machinery
(northstar.data.workspace.mail), which records each send so a re-run skips it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from subprocess import TimeoutExpired

from sqlalchemy.exc import SQLAlchemyError

from northstar.analytics.brief_mail import (
    BRIEF,
    BRIEF_WORDS,
    DRY_RUN_SENDER,
    brief_for,
    last_full_period,
    load_brief_settings,
    message_for,
    overdue_for,
    readers,
)
from northstar.data.db.query_runner import (
    DatabaseMissingError,
    QueryError,
    dataset_metadata_from,
    execute,
)
from northstar.data.db.viewer_queries import ViewerQueries
from northstar.data.pdf import PdfUnavailable, html_to_pdf
from northstar.data.registry import access
from northstar.data.workspace.mail import (
    MailConfigError,
    Outgoing,
    SmtpSettings,
    already_sent,
    load_smtp,
    send_and_record,
    workspace_for_source,
)
from northstar.data.workspace.store import Workspace


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m northstar.brief",
        description="E-mail the CEO brief for the last full month (or quarter) to the people "
                    "the access file gives the roles in [brief] roles.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--send", action="store_true", help="send the e-mails over SMTP")
    mode.add_argument("--dry-run", action="store_true",
                      help="write the e-mails as .eml files to --out instead of sending them")
    parser.add_argument("--out", type=Path, default=Path("brief-outbox"),
                        help="the folder --dry-run writes to (default: brief-outbox)")
    parser.add_argument("--workspace", help="workspace URL (default: beside the database, or "
                        "$NORTHSTAR_WORKSPACE)")
    parser.add_argument("--resend", action="append", default=[], metavar="ADDRESS",
                        help="send to this address again even if it is recorded as sent for the "
                             "period (repeatable)")
    args = parser.parse_args(argv)
    try:
        brief_settings = load_brief_settings()
        smtp: SmtpSettings | None = load_smtp() if args.send else None
        rules = access.load_access()
        as_of = dataset_metadata_from(execute("dataset_metadata", {})).as_of
        period = last_full_period(as_of, brief_settings.period)
        store = Workspace(args.workspace) if args.workspace else workspace_for_source()
        sent_before = already_sent(store, period.key)
    except (MailConfigError, access.AccessFileError, DatabaseMissingError, QueryError,
            OSError, ValueError, SQLAlchemyError) as problem:
        print(f"brief: {problem}", file=sys.stderr)
        return 2
    chosen, failures = readers(brief_settings, rules)
    resend = {address.strip().lower() for address in args.resend}
    pending = [reader for reader in chosen
               if (reader.address, BRIEF) not in sent_before or reader.address in resend]
    skipped = len(chosen) - len(pending)
    if not chosen:
        print(f"brief: nobody to send to: the access file lists no one with a role in "
              f"[brief] roles ({', '.join(brief_settings.roles)})", file=sys.stderr)
    sender = smtp.sender if smtp else DRY_RUN_SENDER
    key = secrets.token_bytes(32)  # pseudonyms for this run's masked briefs
    outgoing: list[Outgoing] = []
    pdfs: dict[str, bytes] = {}  # a document is printed once, whoever reads it
    try:
        for reader in pending:
            viewer = reader.viewer
            built = brief_for(ViewerQueries(viewer, key), as_of, period,
                              overdue_for(store, viewer, dt.date.today()))
            if built.document not in pdfs:
                pdfs[built.document] = html_to_pdf(built.document)
            outgoing.append(Outgoing(reader.address, BRIEF, message_for(
                reader, built, pdfs[built.document], period, sender, brief_settings.base_url),
                BRIEF_WORDS))
    except (PdfUnavailable, TimeoutExpired) as problem:
        print(f"brief: the brief's PDF could not be printed, so nothing was sent: "
              f"{problem if isinstance(problem, PdfUnavailable) else 'Chromium took too long'}",
              file=sys.stderr)
        return 2
    except (QueryError, DatabaseMissingError, OSError) as problem:
        print(f"brief: the brief could not be built, so nothing was sent: {problem}",
              file=sys.stderr)
        return 2
    skipped_text = (f"; {skipped} already sent for {period.key} were skipped" if skipped else "")
    if args.dry_run:
        args.out.mkdir(parents=True, exist_ok=True)
        for item in outgoing:
            (args.out / f"{item.recipient}.eml").write_bytes(item.message.as_bytes())
        print(f"{len(outgoing)} e-mail(s) for {period.label} written to {args.out}"
              f"{skipped_text}.")
    else:
        assert smtp is not None
        sent, problems = send_and_record(outgoing, smtp, store, period.key, "brief")
        failures += problems
        print(f"Sent the CEO brief for {period.label} to {sent} recipient(s){skipped_text}.")
    for failure in failures:
        print(f"brief: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
