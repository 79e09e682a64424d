"""`python -m northstar.alerts [--dry-run]`: check the alert rules (config/alerts.toml, or the
file `$NORTHSTAR_ALERTS` names) against the data and send each occurrence not sent before, by
e-mail and webhook (`--help` lists options; docs/alerts.md explains the set-up).

Run it on a schedule (cron or a systemd timer); every load checks the rules too. Exit status:
0 checked (and everything due was sent), 1 something was not sent or a rule not checked
(reported on stderr), 2 the rules file, the data or the workspace cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from northstar.analytics.alert_run import check, load_rules, mail_settings
from northstar.data.alert_rules import AlertConfigError
from northstar.data.registry import access
from northstar.data.workspace.mail import workspace_for_source
from northstar.data.workspace.store import Workspace, WorkspaceUnavailable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m northstar.alerts",
        description="Check the alert rules against the data and send what fired, once.")
    parser.add_argument("--dry-run", action="store_true",
                        help="write the e-mails (.eml) and webhook bodies (.json) to --out "
                             "instead of sending them; nothing is recorded as sent")
    parser.add_argument("--out", type=Path, default=Path("alerts-outbox"),
                        help="the folder --dry-run writes to (default: alerts-outbox)")
    parser.add_argument("--rules", type=Path, default=None,
                        help="the alert rules file (default: $NORTHSTAR_ALERTS or "
                             "config/alerts.toml)")
    parser.add_argument("--workspace", help="workspace URL (default: beside the database, or "
                        "$NORTHSTAR_WORKSPACE)")
    args = parser.parse_args(argv)
    try:
        rules = load_rules(args.rules)
        store = Workspace(args.workspace) if args.workspace else workspace_for_source()
        access_list = access.load_access()
    except (AlertConfigError, WorkspaceUnavailable, OSError, ValueError) as problem:
        print(f"alerts: {problem}", file=sys.stderr)
        return 2
    smtp, smtp_problem = (None, "") if args.dry_run else mail_settings(rules)
    try:
        report = check(rules, "schedule", store=store, smtp=smtp, smtp_problem=smtp_problem,
                       access_list=access_list, dry_run=args.out if args.dry_run else None)
    except WorkspaceUnavailable as problem:
        print(f"alerts: nothing was sent: every alert is recorded in the workspace so it is "
              f"sent once, and the workspace cannot be used: {problem}", file=sys.stderr)
        return 2
    head, *rest = report.lines()
    print(head)
    for line in rest:
        print(line, file=sys.stderr if line.startswith("Alert ") else sys.stdout)
    if args.dry_run:
        print(f"Dry run: nothing was sent or recorded; the messages are in {args.out}.")
    return 1 if report.problems or report.not_checked or report.notes else 0


if __name__ == "__main__":
    raise SystemExit(main())
