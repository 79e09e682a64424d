"""One check of the alert rules: run each rule's named queries on the data (as the CCO sees it,
unmasked), find its occurrences (northstar.analytics.alert_checks), and send each occurrence not yet
sent to the rule's recipients (northstar.data.workspace.alert_delivery records every try).

Checked after every load (`python -m northstar.load` calls `after_load`; whatever goes wrong
here is reported and never fails or undoes the load) and on a schedule
(`python -m northstar.alerts`). docs/alerts.md explains the set-up.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from northstar.analytics import alert_checks, risk
from northstar.analytics.ceo_brief import Runner
from northstar.analytics.metrics import briefing_kpis
from northstar.analytics.periods import FilterState, resolve_period
from northstar.data import settings
from northstar.data.alert_rules import (
    KINDS,
    AlertConfigError,
    AlertRule,
    AlertSettings,
    alerts_path,
    load_alerts,
)
from northstar.data.db.data_source import DataSource, SourceUnavailable
from northstar.data.db.query_runner import (
    DatabaseMissingError,
    QueryError,
    as_source,
    dataset_metadata_from,
)
from northstar.data.db.viewer_queries import ViewerQueries
from northstar.data.importer.datasets import REVENUE_TABLE
from northstar.data.registry import access
from northstar.data.workspace.alert_delivery import AlertMessage, Recipient, Sending, deliver
from northstar.data.workspace.mail import MailConfigError, SmtpSettings, load_smtp
from northstar.data.workspace.store import (
    Workspace,
    WorkspaceUnavailable,
    default_url,
    open_workspace,
)

# the rules read the data as the CCO does: every account, unmasked
ALERTS_VIEWER = access.Viewer(email="northstar alerts", role="cco")
TRIGGER_WORDS = {"load": "after the load", "schedule": "on the schedule"}
NO_FILTER = {"segments": [], "regions": [], "plans": []}
# what a rule's check may fail with: said in the report, the other rules still checked
RULE_FAILURES = (QueryError, DatabaseMissingError, SourceUnavailable, WorkspaceUnavailable,
                 access.AccessDenied, SQLAlchemyError, OSError, KeyError, ValueError)


def load_rules(path: Path | None = None) -> AlertSettings:
    """The alert rules file, checked (a kpi_change rule names the wall's KPIs)."""
    return load_alerts(path, briefing_kpis())


@dataclass
class CheckReport:
    trigger: str
    rules: int = 0
    sent: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)  # a rule not checked, and why
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a rule checked in part, and why
    occurrences: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def lines(self) -> list[str]:
        head = (f"Alerts checked {TRIGGER_WORDS[self.trigger]}: {self.rules} rule(s), "
                f"{self.occurrences} occurrence(s), {len(self.sent)} alert(s) sent.")
        tally = Counter(self.sent)  # one line per rule, recipient and outcome
        return [head, *(f"  {line}" + (f" ({count} alerts)" if count > 1 else "")
                        for line, count in tally.items()),
                *(f"Alert rule not checked: {line}" for line in self.not_checked),
                *(f"Alert rule checked in part: {line}" for line in self.notes),
                *(f"Alert problem: {line}" for line in self.problems)]


class _Data:
    """The queries the rules share, each run once per check."""

    def __init__(self, run: Runner) -> None:
        self.run = run
        self._cache: dict[str, object] = {}

    def once(self, key: str, make: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def as_of(self) -> dt.date:
        return self.once("as_of", lambda: dataset_metadata_from(  # type: ignore[return-value]
            self.run("dataset_metadata")).as_of)

    @property
    def last_month(self) -> dt.date:
        return self.as_of.replace(day=1)

    @property
    def revenue(self) -> bool:
        def read() -> bool:
            presence = self.run("table_presence")
            return REVENUE_TABLE in set(presence.loc[presence["has_rows"], "table_name"])
        return self.once("revenue", read)  # type: ignore[return-value]

    @property
    def model(self) -> risk.ModelStatus:
        def read() -> risk.ModelStatus:
            status = risk.model_status(self.run("churn_model_checks"))
            return status if self.revenue else status.without_revenue()
        return self.once("model", read)  # type: ignore[return-value]

    @property
    def health(self) -> dict[str, object]:
        return self.once("health", lambda: settings.load_config().query_params())  # type: ignore[return-value]


def occurrences(rule: AlertRule, data: _Data, store: Workspace | None,
                today: dt.date) -> tuple[list[alert_checks.Occurrence], str]:
    """The rule's occurrences in the data, or none and why it could not be checked."""
    run = data.run
    if rule.kind == "kpi_target":
        kpis = run("goal_kpis")
        unknown = [kpi for kpi in rule.kpis if kpi not in set(kpis["kpi_id"])]
        note = (f"kpis: {', '.join(unknown)} is not a KPI id of the loaded data (the Goal "
                "alignment page lists them)" if unknown else "")
        return alert_checks.kpi_target_crossings(kpis, run("goal_kpi_actuals"), data.last_month,
                                           rule.kpis), note
    if rule.kind == "kpi_change":
        window = resolve_period(data.last_month, rule.period)
        frame = run("kpi_windows", **FilterState(window).query_params(),
                    end_months=window.query_end_months())
        return alert_checks.kpi_changes(frame, window, rule.metrics, data.revenue), ""
    if rule.kind == "churn_chance":
        model = data.model
        if not model.passed:
            return alert_checks.churn_chances(pd.DataFrame(), model, rule.level_pct or 0,
                                        data.last_month)
        found = run("alert_churn_accounts", level_pct=rule.level_pct,
                    as_of_month=data.last_month)
        return alert_checks.churn_chances(found, model, rule.level_pct or 0, data.last_month)
    if rule.kind == "renewal_risk":
        renewing = run("renewal_accounts", **NO_FILTER, **data.health, as_of=data.as_of,
                       days=rule.days, as_of_month=data.last_month)
        found = alert_checks.renewals_at_risk(renewing, data.as_of, rule.days, rule.bands,
                                        rule.level_pct, data.model.passed)
        note = ""
        if rule.level_pct is not None and not data.model.passed:
            note = (f"its churn chance level was not read: {data.model.reason} Health bands "
                    f"({', '.join(rule.bands)}) were still checked.")
        return found, note
    if rule.kind == "overdue_action":
        if store is None:
            return [], "it reads actions from the workspace, which was not opened"
        at_risk = run("health_accounts", **NO_FILTER, **data.health,
                      as_of_month=data.last_month, band_orders=[1, 2, 3, 4, 5], limit=rule.top)
        return alert_checks.overdue_on_top_risks(store.actions(ALERTS_VIEWER), at_risk, today), ""
    raise ValueError(f"unknown kind {rule.kind}")


def messages(rule: AlertRule, found: list[alert_checks.Occurrence],
             base_url: str) -> list[tuple[AlertMessage, list[Recipient]]]:
    """Each occurrence as it is sent, with the rule's recipients; its link in full."""
    recipients = ([Recipient("email", address) for address in rule.email]
                  + [Recipient("webhook", url) for url in rule.webhook])
    return [(AlertMessage(rule.name, rule.kind, item.key, item.sentence,
                          f"{base_url}/{item.link}", item.account_name, item.hidden_text,
                          item.names_account), recipients)
            for item in found]


def check(rules: AlertSettings, trigger: str, *, source: DataSource | Path | str | None = None,
          store: Workspace | None = None, smtp: SmtpSettings | None = None,
          smtp_problem: str = "", access_list: access.AccessList | None = None,
          dry_run: Path | None = None, today: dt.date | None = None,
          run: Runner | None = None) -> CheckReport:
    """Check every rule checked on `trigger` ("load" or "schedule") and send what fired. The
    queries run on `source` (default: the data source setting) as the CCO, or through `run`."""
    report = CheckReport(trigger)
    data = _Data(run or ViewerQueries(ALERTS_VIEWER, secrets.token_bytes(32),
                                      None if source is None else as_source(source)))
    outgoing: list[tuple[AlertMessage, list[Recipient]]] = []
    for rule in rules.rules:
        if not rule.checked_on(trigger):
            continue
        report.rules += 1
        try:
            found, note = occurrences(rule, data, store, today or dt.date.today())
        except RULE_FAILURES as problem:
            report.not_checked.append(f"{rule.name} ({KINDS[rule.kind]}): {problem}")
            continue
        if note and not found and rule.kind == "churn_chance":
            report.not_checked.append(f"{rule.name}: the churn model failed its checks, so no "
                                      f"churn chance is read and nothing is sent. {note}")
        elif note:
            report.notes.append(f"{rule.name}: {note}")
        report.occurrences += len(found)
        outgoing += messages(rule, found, rules.base_url)
    sending: Sending = deliver(store, outgoing, rules, smtp, access_list or access.AccessList(
        {}, {}), dry_run, smtp_problem)
    report.sent += sending.sent
    report.problems += sending.problems
    return report


def mail_settings(rules: AlertSettings) -> tuple[SmtpSettings | None, str]:
    """The [smtp] settings when a rule e-mails anyone (None and why when they are unusable)."""
    if not any(rule.email for rule in rules.rules):
        return None, ""
    try:
        return load_smtp(), ""
    except MailConfigError as problem:
        return None, f"e-mail not sent: {problem}"


def after_load(db_path: Path) -> list[str]:
    """Check the rules checked after a load against the database just loaded; the report's
    lines. No rules file: nothing is checked and nothing said."""
    if not alerts_path().exists():
        return []
    try:
        rules = load_rules()
    except AlertConfigError as problem:
        return [f"Alerts not checked: {problem}"]
    smtp, smtp_problem = mail_settings(rules)
    try:
        store = open_workspace(default_url(db_path))
    except WorkspaceUnavailable as problem:
        return [f"Alerts not checked: every alert is recorded in the workspace so it is sent "
                f"once, and the workspace cannot be used: {problem}"]
    try:
        access_list = access.load_access()
    except (OSError, ValueError) as problem:
        return [f"Alerts not checked: the access file cannot be read: {problem}"]
    return check(rules, "load", source=db_path, store=store, smtp=smtp,
                 smtp_problem=smtp_problem, access_list=access_list).lines()
