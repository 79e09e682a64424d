"""The CEO brief by e-mail (the command is northstar/brief.py): the brief for the last full
period for each person the access file gives a role in `[brief] roles`, one e-mail each:
an HTML body (with a plain-text part) whose sentences link to their evidence, and the brief's
PDF attached. Each reader gets the brief their role may see: a board member's is masked (no
customer names, no comments) and never holds action text.

Settings, in `.streamlit/secrets.toml` (or the file `$NORTHSTAR_SECRETS` names), beside the
[smtp] section every Northstar e-mail is sent with (northstar.data.workspace.mail):

    [brief]
    base_url = "https://northstar.example.com"  # where people open Northstar: evidence links
    roles = ["executive", "cco", "board"]        # optional: the access file's roles that get it
    recipients = ["chair@board.example.com"]     # optional: more addresses, each resolved
                                                 # through the access file like a sign-in
    period = "month"                             # optional: "month" or "quarter"

The last full period is the last calendar month (or quarter) that ends on or before the data's
as-of date. Every e-mail sent is recorded in the workspace (`digest_sends`, what = ceo_brief,
period = 2026-10 or 2026-Q3), so a second run for the same period sends only what is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pandas as pd

from northstar.analytics import action_rules, figures, kpi_cards
from northstar.analytics.brief_document import (
    ExportContext,
    Kpi,
    brief_email_html,
    brief_email_text,
    briefing_html,
)
from northstar.analytics.ceo_brief import Brief, gather
from northstar.analytics.periods import FilterState, PeriodWindow, resolve_period
from northstar.data import settings
from northstar.data.addresses import mail_address
from northstar.data.db.viewer_queries import ViewerQueries
from northstar.data.importer.datasets import REVENUE_TABLE
from northstar.data.months import add_months, last_day, month_label
from northstar.data.registry import access
from northstar.data.workspace.mail import (
    MailConfigError,
    new_message,
    read_section,
    secrets_path,
)
from northstar.data.workspace.store import Workspace, WorkspaceUnavailable

BRIEF = "ceo_brief"  # what a send is recorded as
BRIEF_WORDS = "CEO brief"  # how a report names it
DEFAULT_ROLES = ("executive", "cco", "board")
# each brief period: how many months it spans, and the period setting that shows it on screen
PERIOD_MONTHS = {"month": 1, "quarter": 3}
PERIOD_KEYS = {"month": "last_month", "quarter": "last_3_months"}
DRY_RUN_SENDER = "Northstar <northstar@localhost>"


@dataclass(frozen=True)
class BriefSettings:
    base_url: str
    roles: tuple[str, ...] = DEFAULT_ROLES
    recipients: tuple[str, ...] = ()
    period: str = "month"


def load_brief_settings(path: Path | None = None) -> BriefSettings:
    """The [brief] section, checked; the message names the file and the key."""
    path = secrets_path(path)
    raw = read_section("brief", path, required=True,
                       what_for="(base_url, and optionally roles, recipients, period) to "
                                "e-mail the CEO brief")
    assert raw is not None
    base_url = str(raw.get("base_url", "")).strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise MailConfigError(f"{path}: [brief] base_url must be the address people open "
                              "Northstar at (https://…): the brief's evidence links start there")
    roles = raw.get("roles", list(DEFAULT_ROLES))
    if not isinstance(roles, list) or not roles or any(role not in access.ROLES
                                                       for role in roles):
        raise MailConfigError(f"{path}: [brief] roles must be a list of roles from "
                              f"{', '.join(access.ROLES)}")
    recipients = raw.get("recipients", [])
    if not isinstance(recipients, list) or not all(isinstance(item, str) for item in recipients):
        raise MailConfigError(f"{path}: [brief] recipients must be a list of e-mail addresses")
    period = str(raw.get("period", "month"))
    if period not in PERIOD_MONTHS:
        raise MailConfigError(f"{path}: [brief] period must be \"month\" or \"quarter\"")
    return BriefSettings(base_url, tuple(roles), tuple(recipients), period)


@dataclass(frozen=True)
class BriefPeriod:
    key: str  # "2026-10" or "2026-Q3": recorded with each send
    label: str  # "October 2026" or "Q3 2026 (Jul 2026 – Sep 2026)"
    window: PeriodWindow


def last_full_period(as_of: dt.date, period: str = "month") -> BriefPeriod:
    """The last calendar month (or quarter) that ends on or before the as-of date, compared
    with the one before it."""
    end = as_of.replace(day=1) if as_of == last_day(as_of) else add_months(as_of, -1)
    if period == "quarter":
        end = add_months(end, -((end.month - 3) % 3))  # back to March, June, Sep or Dec
        start = add_months(end, -2)
        quarter = (end.month - 1) // 3 + 1
        key = f"{end.year}-Q{quarter}"
        label = f"Q{quarter} {end.year} ({month_label(start)} – {month_label(end)})"
    else:
        key = f"{end:%Y-%m}"
        label = f"{end:%B %Y}"
    return BriefPeriod(key, label, resolve_period(end, PERIOD_KEYS[period]))


@dataclass(frozen=True)
class Reader:
    address: str  # one plain address
    role: str
    department: str | None = None

    @property
    def viewer(self) -> access.Viewer:
        return access.Viewer(email=self.address, role=self.role, department=self.department,
                             signed_in=True)


def readers(brief: BriefSettings, rules: access.AccessList) -> tuple[list[Reader], list[str]]:
    """Who gets the brief: the access file's people with one of the roles, then the extra
    recipients; each resolved through the access file as sign-in resolves it (so a board
    member listed by domain is one here too). With what was left out and why, one line each."""
    listed = sorted(email for email, (role, _) in rules.users.items() if role in brief.roles)
    found: dict[str, Reader] = {}
    problems: list[str] = []
    for written in [*listed, *brief.recipients]:
        address = mail_address(written)
        if address is None:
            problems.append(f"not sent to {written!r} ({BRIEF_WORDS}): not one plain e-mail "
                            "address")
            continue
        plain = str(address).lower()
        refused = access.refused_entry(plain, rules)
        resolved = access.resolve(plain, rules)
        if refused is not None or resolved is None:
            why = (f"its access-file entry is refused ({refused.problem})" if refused else
                   "the access file gives it no role")
            problems.append(f"not sent to {plain} ({BRIEF_WORDS}): {why}")
            continue
        role, department = resolved
        if role not in brief.roles:
            problems.append(f"not sent to {plain} ({BRIEF_WORDS}): its role ({role}) is not in "
                            "[brief] roles")
            continue
        found.setdefault(plain, Reader(plain, role, department))
    return list(found.values()), problems


@dataclass(frozen=True)
class BriefForReader:
    """The brief as one role sees it: its sentences, KPI wall and document."""

    brief: Brief
    kpis: list[Kpi]
    context: ExportContext
    document: str  # the brief document's HTML (printed to the PDF)


def brief_for(run: ViewerQueries, as_of: dt.date, period: BriefPeriod,
              overdue: pd.DataFrame | None) -> BriefForReader:
    """Run the brief's queries as the runner's viewer and build the brief and its document,
    for every account (no segment, region or plan filter)."""
    state = FilterState(period.window)
    window = period.window
    frame = run("kpi_windows", **state.query_params(), end_months=window.query_end_months())
    cards = kpi_cards.kpi_cards(frame, window)
    presence = run("table_presence")
    revenue = REVENUE_TABLE in set(presence.loc[presence["has_rows"], "table_name"])
    brief = gather(run, state.query_params(), window.end_month, cards, window.comparison_label,
                   settings.load_config().query_params(), overdue, revenue)
    kpis = [Kpi(card.metric.label, card.value_text, card.change_text(window.comparison_phrase),
                card.note) for card in cards]
    context = ExportContext(f"CEO brief · {period.label}", as_of, state.caption(),
                            run.viewer.masking_forced)
    # without revenue there is no ARR to bridge (the brief then counts accounts)
    document = briefing_html(context, kpis,
                             figures.briefing_figures(frame, window) if revenue else [],
                             brief.sections())
    return BriefForReader(brief, kpis, context, document)


def overdue_for(store: Workspace | None, viewer: access.Viewer,
                today: dt.date) -> pd.DataFrame | None:
    """The overdue actions this reader may read (None for a role that reads no actions, such
    as the board, or when the workspace cannot be used)."""
    if store is None or viewer.role not in access.ACTION_ROLES:
        return None
    try:
        found = store.actions(viewer)
    except (WorkspaceUnavailable, access.AccessDenied):
        return None
    return found.loc[action_rules.is_overdue(found, today)] if len(found) else found


def message_for(reader: Reader, built: BriefForReader, pdf: bytes, period: BriefPeriod,
                sender: str, base_url: str) -> EmailMessage:
    subject = f"Northstar CEO brief: {period.label}"
    message = new_message(sender, reader.address, subject)
    sections = built.brief.sections()
    message.set_content(brief_email_text(built.context, built.kpis, sections,
                                         base_url))
    message.add_alternative(brief_email_html(built.context, built.kpis, sections,
                                             base_url), subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf",
                           filename=f"northstar-ceo-brief-{period.key}.pdf")
    return message
