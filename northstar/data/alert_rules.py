"""The alert rules: one file, `config/alerts.toml` (or the file `$NORTHSTAR_ALERTS` names), read
and checked here; a mistake is refused with a message naming the file, the rule and the key.

    base_url = "https://northstar.example.com"  # where people open Northstar: evidence links

    [[rules]]
    name = "Survey scores moved"       # names the rule in e-mails, the log and the forum
    kind = "kpi_change"                # see KINDS
    metrics = ["nps", "csat_pct"]      # kind's own keys (see KIND_KEYS)
    email = ["cco@example.com"]        # recipients: plain addresses ...
    webhook = ["https://hooks.slack.com/services/..."]  # ... and/or URLs that take a JSON POST
    checked = ["load", "schedule"]     # optional: after every load, on the schedule, or both

Webhooks are posted with a timeout and retries set at the top of the file
(`webhook_timeout_seconds`, `webhook_retries`, `webhook_retry_pause_seconds`); e-mail goes
through the [smtp] settings every Northstar e-mail uses (northstar.data.workspace.mail).
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from northstar.data.addresses import mail_address
from northstar.data.db.paths import REPO_ROOT
from northstar.data.rules import AT_RISK_BANDS, HEALTH_BANDS, RENEWAL_WINDOWS_DAYS

ALERTS_ENV = "NORTHSTAR_ALERTS"
ALERTS_FILE = REPO_ROOT / "config" / "alerts.toml"

# each kind of rule, in words (the docs and the run report use these)
KINDS: dict[str, str] = {
    "kpi_target": "a department KPI crosses its target",
    "kpi_change": "a KPI of the wall changes beyond noise",
    "churn_chance": "an account's churn chance rises above a level",
    "renewal_risk": "a high-risk account renews within the next days",
    "overdue_action": "an action on a top risk is overdue",
}
# the keys each kind takes beside name, kind, email, webhook and checked
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "kpi_target": ("kpis",),
    "kpi_change": ("metrics", "period"),
    "churn_chance": ("level_pct",),
    "renewal_risk": ("days", "level_pct", "bands"),
    "overdue_action": ("top",),
}
COMMON_KEYS = ("name", "kind", "email", "webhook", "checked")
CHECKED = ("load", "schedule")
# the health bands a renewal is high risk in, unless the rule names others
TOP_RISKS = 20
# the periods a kpi_change rule may compare (the wall's period settings)
CHANGE_PERIODS = ("last_month", "last_3_months")
WEBHOOK_TIMEOUT_SECONDS = 10.0
WEBHOOK_RETRIES = 2
WEBHOOK_RETRY_PAUSE_SECONDS = 5.0


class AlertConfigError(ValueError):
    """The alert rules file is wrong; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class AlertRule:
    name: str
    kind: str
    email: tuple[str, ...] = ()
    webhook: tuple[str, ...] = ()
    checked: tuple[str, ...] = CHECKED
    kpis: tuple[str, ...] = ()  # kpi_target: KPI ids (empty: every KPI with a target)
    metrics: tuple[str, ...] = ()  # kpi_change: wall metrics (empty: every one)
    period: str = "last_month"  # kpi_change: the period compared with the one before it
    level_pct: float | None = None  # churn_chance (required), renewal_risk (optional)
    # renewal_risk: the shortest renewal window Renewals shows
    days: int = RENEWAL_WINDOWS_DAYS[0]
    bands: tuple[str, ...] = AT_RISK_BANDS  # renewal_risk
    top: int = TOP_RISKS  # overdue_action: the at-risk list's first accounts

    def checked_on(self, trigger: str) -> bool:
        return trigger in self.checked


@dataclass(frozen=True)
class AlertSettings:
    path: Path
    base_url: str
    rules: tuple[AlertRule, ...] = ()
    webhook_timeout_seconds: float = WEBHOOK_TIMEOUT_SECONDS
    webhook_retries: int = WEBHOOK_RETRIES
    webhook_retry_pause_seconds: float = WEBHOOK_RETRY_PAUSE_SECONDS


def alerts_path(path: Path | None = None) -> Path:
    return Path(path or os.environ.get(ALERTS_ENV, "") or ALERTS_FILE)


def is_webhook_url(text: object) -> bool:
    """An http(s) URL with a host and no spaces or line breaks."""
    if not isinstance(text, str) or any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _number(value: Any, where: str, words: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise AlertConfigError(f"{where} must be {words}")
    return float(value)


def _whole(value: Any, where: str, words: str, low: int, high: int) -> int:
    number = _number(value, where, words, low, high)
    if not number.is_integer():
        raise AlertConfigError(f"{where} must be {words}")
    return int(number)


def _texts(value: Any, where: str, words: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip()
                                              for item in value):
        raise AlertConfigError(f"{where} must be a list of {words}")
    return tuple(item.strip() for item in value)


def _rule(raw: Any, number: int, path: Path, metric_names: tuple[str, ...]) -> AlertRule:
    label = f"{path}: rule {number}"
    if not isinstance(raw, dict):
        raise AlertConfigError(f"{label} must be a table ([[rules]] with keys)")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AlertConfigError(f"{label}: name is missing (a few words naming the rule)")
    name = " ".join(name.split())
    label = f"{path}: rule {number} ({name!r})"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise AlertConfigError(f"{label}: kind must be one of {', '.join(KINDS)}")
    unknown = sorted(set(raw) - set(COMMON_KEYS) - set(KIND_KEYS[kind]))
    if unknown:
        raise AlertConfigError(
            f"{label}: unknown key(s) {', '.join(unknown)}; a {kind} rule takes "
            f"{', '.join(COMMON_KEYS + KIND_KEYS[kind])}")
    values: dict[str, Any] = {"name": name, "kind": kind}
    emails = _texts(raw.get("email", []), f"{label}: email", "e-mail addresses")
    for address in emails:
        if mail_address(address) is None:
            raise AlertConfigError(f"{label}: email {address!r} is not one plain e-mail address")
    webhooks = _texts(raw.get("webhook", []), f"{label}: webhook", "URLs")
    for url in webhooks:
        if not is_webhook_url(url):
            raise AlertConfigError(f"{label}: webhook {url[:60]!r} is not an http(s) URL")
    if not emails and not webhooks:
        raise AlertConfigError(f"{label}: name at least one recipient (email or webhook)")
    values["email"] = tuple(dict.fromkeys(str(mail_address(item)).lower() for item in emails))
    values["webhook"] = tuple(dict.fromkeys(webhooks))
    checked = _texts(raw.get("checked", list(CHECKED)), f"{label}: checked",
                     '"load" and/or "schedule"')
    if not checked or any(item not in CHECKED for item in checked):
        raise AlertConfigError(f'{label}: checked must be a list of "load" and/or "schedule"')
    values["checked"] = tuple(dict.fromkeys(checked))
    if "kpis" in raw:
        values["kpis"] = _texts(raw["kpis"], f"{label}: kpis", "KPI ids")
    if "metrics" in raw:
        metrics = _texts(raw["metrics"], f"{label}: metrics", "metric names")
        wrong = [metric for metric in metrics if metric not in metric_names]
        if wrong:
            raise AlertConfigError(f"{label}: metrics: {', '.join(wrong)} is not one of "
                                   f"{', '.join(metric_names)}")
        values["metrics"] = metrics
    if "period" in raw:
        if raw["period"] not in CHANGE_PERIODS:
            raise AlertConfigError(f"{label}: period must be one of {', '.join(CHANGE_PERIODS)}")
        values["period"] = raw["period"]
    if "level_pct" in raw:
        values["level_pct"] = _number(raw["level_pct"], f"{label}: level_pct",
                                      "a percentage from 0 to 100", 0, 100)
    elif kind == "churn_chance":
        raise AlertConfigError(f"{label}: level_pct is missing (the churn chance, in %, above "
                               "which an account is named)")
    if "days" in raw:
        values["days"] = _whole(raw["days"], f"{label}: days", "a whole number of days from 1 "
                                "to 366", 1, 366)
    if "bands" in raw:
        bands = _texts(raw["bands"], f"{label}: bands", "health bands")
        if any(band not in HEALTH_BANDS for band in bands):
            raise AlertConfigError(f"{label}: bands must be health bands from "
                                   f"{', '.join(HEALTH_BANDS)}")
        values["bands"] = bands
    if "top" in raw:
        values["top"] = _whole(raw["top"], f"{label}: top", "a whole number from 1 to 1000",
                               1, 1000)
    return AlertRule(**values)


def load_alerts(path: Path | None = None, metric_names: tuple[str, ...] = ()) -> AlertSettings:
    """The alert rules file, checked; AlertConfigError naming the file, rule and key.
    `metric_names`: the KPIs a kpi_change rule may name (the wall's)."""
    path = alerts_path(path)
    if not path.exists():
        raise AlertConfigError(f"{path} does not exist: write the alert rules there (see "
                               "docs/alerts.md) or name the file in $NORTHSTAR_ALERTS")
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as problem:
        raise AlertConfigError(f"{path} is not valid TOML: {problem}") from None
    except OSError as problem:
        raise AlertConfigError(f"{path} cannot be read: {problem.strerror or problem}") from None
    known = {"base_url", "rules", "webhook_timeout_seconds", "webhook_retries",
             "webhook_retry_pause_seconds"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise AlertConfigError(f"{path}: unknown key(s) {', '.join(unknown)} (a rule's keys go "
                               "under [[rules]])")
    base_url = str(raw.get("base_url", "")).strip().rstrip("/")
    if not base_url.startswith(("https://", "http://")):
        raise AlertConfigError(f"{path}: base_url must be the address people open Northstar at "
                               "(https://…): every alert ends with a link that starts there")
    rules = raw.get("rules", [])
    if not isinstance(rules, list):
        raise AlertConfigError(f"{path}: rules must be written as [[rules]] tables")
    checked = tuple(_rule(item, number, path, metric_names)
                    for number, item in enumerate(rules, start=1))
    names = [rule.name.lower() for rule in checked]
    twice = sorted({rule.name for rule in checked if names.count(rule.name.lower()) > 1})
    if twice:
        raise AlertConfigError(f"{path}: two rules are named {twice[0]!r}: each rule needs a "
                               "name of its own (it is how an alert is known to have been sent)")
    timeout = _number(raw.get("webhook_timeout_seconds", WEBHOOK_TIMEOUT_SECONDS),
                      f"{path}: webhook_timeout_seconds", "a number of seconds from 0.1 to 300",
                      0.1, 300)
    retries = _whole(raw.get("webhook_retries", WEBHOOK_RETRIES), f"{path}: webhook_retries",
                     "a whole number from 0 to 10", 0, 10)
    pause = _number(raw.get("webhook_retry_pause_seconds", WEBHOOK_RETRY_PAUSE_SECONDS),
                    f"{path}: webhook_retry_pause_seconds", "a number of seconds from 0 to 300",
                    0, 300)
    return AlertSettings(path, base_url, checked, timeout, retries, pause)
