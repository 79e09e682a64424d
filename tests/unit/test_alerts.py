"""Alerts: each kind of rule on hand-made query results, and their sending against a real SMTP
server and a real HTTP receiver on loopback — once per occurrence, never for a change within
noise, and nothing sent twice when a server refuses, hangs or a check runs again."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from northstar.analytics import alert_checks, risk
from northstar.analytics.alert_run import messages
from northstar.analytics.metrics import briefing_kpis
from northstar.analytics.periods import resolve_period
from northstar.data.alert_rules import AlertConfigError, AlertRule, AlertSettings, load_alerts
from northstar.data.importer import run as data_load
from northstar.data.registry.access import LOCAL_DEMO_VIEWER, AccessList
from northstar.data.workspace import alert_delivery as sending
from northstar.data.workspace.mail import SmtpSettings
from northstar.data.workspace.store import NewAction, Workspace
from tests.mail_server import Inbox, free_port, mail_server

BASE = "https://northstar.corp.example"
OCT, SEP = dt.date(2026, 10, 1), dt.date(2026, 9, 1)
SENDER = "Northstar <northstar@corp.example>"
PASSED = risk.ModelStatus(True, "", pd.DataFrame())
FAILED = risk.ModelStatus(False, "The churn model is not shown: it predicted no better than "
                                 "chance on the held-out year.", pd.DataFrame())


# --- loopback servers -----------------------------------------------------------------------


class Receiver:
    """An HTTP server on loopback that records each POST; `answers` are the statuses it gives,
    in turn (200 once they run out); `hang` keeps every answer back for that many seconds."""

    def __init__(self, answers: tuple[int, ...] = (), hang: float = 0.0) -> None:
        self.posts: list[dict] = []
        self.answers = list(answers)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200:
                    receiver.posts.append(json.loads(body))
                if hang:
                    time.sleep(hang)
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0/B0/secret"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture()
def store(tmp_path):
    workspace = Workspace(f"sqlite:///{tmp_path / 'alerts.sqlite'}")
    yield workspace
    workspace.dispose()


def settings_for(*rules: AlertRule, timeout: float = 2.0, retries: int = 1) -> AlertSettings:
    return AlertSettings(Path("alerts.toml"), BASE, rules, timeout, retries, 0.0)


def smtp(port: int, retries: int = 2) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, False, SENDER, timeout_seconds=2,
                        deadline_seconds=20, retries=retries, retry_pause_seconds=0)


def send(store, rule, found, config, smtp_settings=None, access=None):
    return sending.deliver(store, messages(rule, found, BASE), config, smtp_settings,
                           access or AccessList({}, {}))


# --- kpi_target -----------------------------------------------------------------------------

KPIS = pd.DataFrame({
    "kpi_id": ["frt"], "department_id": ["customer_service"],
    "department_name": ["Customer Service"], "kpi_name": ["First response time"],
    "unit": ["hours"], "direction": ["lower_is_better"], "target_value": [4.0],
    "period_grain": ["month"]})


def actuals(*values: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"kpi_id": ["frt"] * len(values),
                         "period_start": pd.to_datetime([month for month, _ in values]),
                         "actual_value": [value for _, value in values]})


def test_a_kpi_crossing_its_target_fires_once_and_again_for_a_new_period(store, receiver):
    rule = AlertRule("Targets", "kpi_target", webhook=(receiver.url,))
    config = settings_for(rule)
    history = actuals(("2026-08-01", 3.5), ("2026-09-01", 3.8), ("2026-10-01", 4.6))
    # September met the target (3.8 h against 4.0 h, lower is better) and October missed it
    assert alert_checks.kpi_target_crossings(KPIS, history, SEP) == []
    found = alert_checks.kpi_target_crossings(KPIS, history, OCT)
    assert [item.key for item in found] == ["frt:2026-10"]
    assert found[0].sentence == (
        "First response time (Customer Service) missed its target of 4.0 h (lower is better) "
        "in Oct 2026: 4.6 h, against 3.8 h in Sep 2026.")
    assert found[0].link == "scorecard?department=customer_service"
    send(store, rule, found, config)
    send(store, rule, alert_checks.kpi_target_crossings(KPIS, history, OCT), config)  # re-run
    assert len(receiver.posts) == 1
    assert receiver.posts[0]["text"] == (found[0].sentence + f" {BASE}/scorecard?department="
                                         "customer_service")
    # still missing in November: no crossing; back under the target in December: a new one
    later = pd.concat([history, actuals(("2026-11-01", 4.9), ("2026-12-01", 3.9))])
    assert alert_checks.kpi_target_crossings(KPIS, later, dt.date(2026, 11, 1)) == []
    december = alert_checks.kpi_target_crossings(KPIS, later, dt.date(2026, 12, 1))
    assert [item.key for item in december] == ["frt:2026-12"]
    assert "met its target" in december[0].sentence
    send(store, rule, december, config)
    assert len(receiver.posts) == 2


def test_a_kpi_with_a_missing_period_between_has_no_crossing():
    gap = actuals(("2026-08-01", 3.5), ("2026-10-01", 4.6))
    assert alert_checks.kpi_target_crossings(KPIS, gap, OCT) == []


# --- kpi_change -----------------------------------------------------------------------------


def kpi_windows(nps_answers: dict[dt.date, tuple[int, int, int]]) -> pd.DataFrame:
    """kpi_windows rows for Sep and Oct 2026: NPS from (answers, promoters, detractors), the
    other KPIs unchanged."""
    rows = []
    for month, (answers, promoters, detractors) in nps_answers.items():
        row = {name: 50.0 for name in briefing_kpis()}
        row.update({"window_end_month": pd.Timestamp(month), "arr_usd": 1e6,
                    "open_escalations": 10, "nps": 100 * (promoters - detractors) / answers,
                    "nps_responses": answers, "nps_promoters": promoters,
                    "nps_detractors": detractors, "csat_responses": 0, "csat_satisfied": 0,
                    "ces_responses": 0, "ces_score_total": 0, "ces_score_squares_total": 0,
                    "opening_accounts": 1000, "churned_accounts": 20})
        rows.append(row)
    return pd.DataFrame(rows)


def test_a_noisy_change_sends_nothing_and_a_real_one_one_email_and_one_webhook(
        store, receiver, smtp_server):
    controller, inbox = smtp_server
    rule = AlertRule("Survey scores", "kpi_change", email=("cco@corp.example",),
                     webhook=(receiver.url,), metrics=("nps",))
    config = settings_for(rule)
    window = resolve_period(OCT, "last_month")
    # 100 answers a month: NPS +20 to +24 is within its margin of about ±21 points
    noisy = kpi_windows({SEP: (100, 40, 20), OCT: (100, 44, 20)})
    assert alert_checks.kpi_changes(noisy, window, rule.metrics) == []
    result = send(store, rule, alert_checks.kpi_changes(noisy, window, rule.metrics), config,
                  smtp(controller.port))
    assert inbox.messages == [] and receiver.posts == [] and result.problems == []
    # 2,000 answers a month: +20 to +60 is far beyond its margin of about ±5 points
    real = kpi_windows({SEP: (2000, 800, 400), OCT: (2000, 1400, 200)})
    found = alert_checks.kpi_changes(real, window, rule.metrics)
    assert [item.key for item in found] == ["nps:last_month:2026-10"]
    result = send(store, rule, found, config, smtp(controller.port))
    assert result.problems == []
    assert [rcpt for rcpt, _ in inbox.messages] == [["cco@corp.example"]]
    message = inbox.messages[0][1]
    assert message["Subject"] == "Northstar alert: Survey scores"
    body = message.get_content()
    assert body.startswith("Last month, Oct 2026: NPS rose to +60 from +20 in Sep 2026 (+40 pts")
    assert "beyond noise), an improvement. https://northstar.corp.example/satisfaction?" in body
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert post["text"] == body.splitlines()[0]
    assert post["rule"] == "Survey scores" and post["kind"] == "kpi_change"
    assert post["occurrence"] == "nps:last_month:2026-10"
    # checked again (after the next load of the same data): nothing more
    send(store, rule, alert_checks.kpi_changes(real, window, rule.metrics), config,
         smtp(controller.port))
    assert len(inbox.messages) == 1 and len(receiver.posts) == 1
    log = sending.recent(store)
    assert sorted(log["channel"]) == ["email", "webhook"]
    assert set(log["outcome"]) == {"sent"}
    assert "secret" not in " ".join(log["recipient"])  # a webhook URL is never stored


# --- churn_chance ---------------------------------------------------------------------------

CHANCES = pd.DataFrame({
    "account_id": ["A1", "A2", "A3"], "account_name": ["Acme", "Globex", "Initech"],
    "churn_risk_pct": [55.0, 40.0, 12.0], "churn_risk_low_pct": [45.0, 31.0, 8.0],
    "churn_risk_high_pct": [65.0, 50.0, 17.0]})


def test_an_account_above_the_churn_level_fires_only_when_the_model_passed():
    found, why = alert_checks.churn_chances(CHANCES, PASSED, 40, OCT)
    assert why == ""
    assert [item.key for item in found] == ["A1:2026-10"]  # 40% is not above 40%
    assert found[0].sentence == ("Acme's chance of churning in the next 12 months is 55.0% (95% "
                                 "range 45–65%) in Oct 2026, above the 40% level.")
    assert found[0].link == "account?account=A1" and found[0].account_name == "Acme"
    found, why = alert_checks.churn_chances(CHANCES, FAILED, 40, OCT)
    assert found == [] and why == FAILED.reason


# --- renewal_risk ---------------------------------------------------------------------------


def test_a_high_risk_renewal_within_30_days_fires_once_per_renewal():
    as_of = dt.date(2026, 10, 31)
    renewing = pd.DataFrame({
        "account_id": ["R1", "R2", "R3", "R4"],
        "account_name": ["Critical Co", "Healthy but likely to leave", "Healthy Co", "Later Co"],
        "renewal_date": pd.to_datetime(["2026-11-10", "2026-11-20", "2026-11-20",
                                        "2026-12-15"]),
        "band": ["Critical", "Healthy", "Healthy", "Critical"],
        "arr_usd": [120_000.0, 50_000.0, 80_000.0, 90_000.0],
        "churn_risk_pct": [35.0, 45.0, 10.0, 60.0],
        "churn_risk_low_pct": [28.0, 37.0, 7.0, 50.0],
        "churn_risk_high_pct": [42.0, 53.0, 14.0, 70.0]})
    found = alert_checks.renewals_at_risk(renewing, as_of, 30, ("At risk", "Critical"), 30.0, True)
    assert [item.key for item in found] == ["R1:2026-11-10", "R2:2026-11-20"]
    assert found[0].sentence == (
        "Critical Co renews on 10 Nov 2026, in 10 days, with $120K of ARR and health Critical "
        "and churn chance 35.0% (95% range 28–42%).")
    # the churn model failed its checks: only the health band is read
    found = alert_checks.renewals_at_risk(renewing, as_of, 30, ("At risk", "Critical"), 30.0, False)
    assert [item.key for item in found] == ["R1:2026-11-10"]
    assert "churn chance" not in found[0].sentence


# --- overdue_action -------------------------------------------------------------------------


def test_an_overdue_action_on_a_top_risk_fires_once_per_due_date(store):
    today = dt.date(2026, 12, 3)

    def add(title, account, due):
        return store.create(LOCAL_DEMO_VIEWER, NewAction(
            title=title, owner_employee_id="E1", owner_name="Ana", department_id="cs",
            due_on=due, subject_kind="account", subject_key=account, subject_label=account,
            account_id=account)).action_id

    late = add("Call the sponsor", "A1", dt.date(2026, 11, 30))
    add("Late, but not a top risk", "A9", dt.date(2026, 11, 30))
    add("Not due yet", "A1", dt.date(2026, 12, 10))
    done = add("Done already", "A1", dt.date(2026, 11, 1))
    store.update(LOCAL_DEMO_VIEWER, done, 1, status="done")
    at_risk = pd.DataFrame({"account_id": ["A1", "A2"], "account_name": ["Acme", "Globex"]})
    found = alert_checks.overdue_on_top_risks(store.actions(LOCAL_DEMO_VIEWER), at_risk, today)
    assert [item.key for item in found] == [f"{late}:2026-11-30"]
    assert found[0].sentence == (
        "The action “Call the sponsor” on Acme, one of the 2 accounts at the top of the at-risk "
        "list, is 3 days overdue (due 30 Nov 2026; owner Ana).")
    assert found[0].hidden_text == "Call the sponsor"
    # given a new due date and missed again: a new occurrence
    store.update(LOCAL_DEMO_VIEWER, late, 1, due_on=dt.date(2026, 12, 1))
    again = alert_checks.overdue_on_top_risks(store.actions(LOCAL_DEMO_VIEWER), at_risk, today)
    assert [item.key for item in again] == [f"{late}:2026-12-01"]


# --- refusing and hanging servers -----------------------------------------------------------

ONE = alert_checks.Occurrence("frt:2026-10", "First response time missed its target.",
                        "scorecard?department=customer_service")


def test_a_refusing_smtp_server_is_retried_reported_and_sent_once_when_back(store):
    rule = AlertRule("Targets", "kpi_target", email=("cco@corp.example",))
    config = settings_for(rule)
    port = free_port()  # nothing listens there: every connection is refused
    result = send(store, rule, [ONE], config, smtp(port, retries=2))
    assert len(result.problems) == 1
    assert "not sent to cco@corp.example" in result.problems[0]
    assert "(after 3 tries)" in result.problems[0]
    assert list(sending.recent(store)["outcome"]) == ["failed"]
    inbox = Inbox()
    with mail_server(inbox, port):
        assert send(store, rule, [ONE], config, smtp(port)).problems == []
        assert send(store, rule, [ONE], config, smtp(port)).problems == []  # and again
    assert [rcpt for rcpt, _ in inbox.messages] == [["cco@corp.example"]]
    assert list(sending.recent(store)["outcome"]) == ["sent"]


def test_a_hanging_webhook_times_out_is_reported_and_never_posted_twice(store):
    hanging = Receiver(hang=3.0)
    try:
        rule = AlertRule("Targets", "kpi_target", webhook=(hanging.url,))
        config = settings_for(rule, timeout=0.5, retries=2)
        started = time.monotonic()
        result = send(store, rule, [ONE], config)
        assert time.monotonic() - started < 2.5  # the timeout, not the server, ended the wait
        assert len(result.problems) == 1
        assert "unconfirmed to webhook 127.0.0.1" in result.problems[0]
        assert "no answer within the timeout" in result.problems[0]
        assert "secret" not in result.problems[0]
        assert send(store, rule, [ONE], config).problems == []  # checked again: not re-sent
        assert len(hanging.posts) == 1
        assert list(sending.recent(store)["outcome"]) == ["unconfirmed"]
    finally:
        hanging.stop()


def test_a_busy_or_refusing_webhook_is_retried_then_reported(store):
    busy = Receiver(answers=(503, 200))
    refusing_port = free_port()
    try:
        rule = AlertRule("Targets", "kpi_target", webhook=(
            busy.url, f"http://127.0.0.1:{refusing_port}/hook"))
        result = send(store, rule, [ONE], settings_for(rule, retries=2))
        assert len(busy.posts) == 1  # the 503 was tried again, once taken it is not
        assert len(result.problems) == 1
        assert "failed to webhook 127.0.0.1" in result.problems[0]
        assert "the connection was refused (after 3 tries)" in result.problems[0]
        outcomes = sorted(sending.recent(store)["outcome"])
        assert outcomes == ["failed", "sent"]
        send(store, rule, [ONE], settings_for(rule, retries=0))
        assert len(busy.posts) == 1
    finally:
        busy.stop()


def test_board_members_are_not_emailed_alerts_that_name_accounts(store, smtp_server):
    controller, inbox = smtp_server
    rule = AlertRule("Churn", "churn_chance", email=("chair@board.example",), level_pct=40)
    found, _ = alert_checks.churn_chances(CHANCES, PASSED, 40, OCT)
    board = AccessList({}, {"board.example": ("board", None)})
    result = send(store, rule, found, settings_for(rule), smtp(controller.port), board)
    assert inbox.messages == []
    assert "names an account" in result.problems[0]


# --- the load and the rules file ------------------------------------------------------------


def test_a_failing_alert_check_never_fails_the_load(tmp_path, capsys):
    def broken(db_path):
        raise RuntimeError("the alert check broke")

    data_load._after_load(broken, tmp_path / "northstar.duckdb")
    assert "Alerts not checked: the alert check broke (the load itself succeeded)" in \
        capsys.readouterr().err


@pytest.mark.parametrize(("rules", "message"), [
    ('[[rules]]\nname = "Churn"\nkind = "churn_chance"\nemail = ["cco@corp.example"]\n',
     "rule 1 ('Churn'): level_pct is missing"),
    ('[[rules]]\nname = "Churn"\nkind = "churn_chance"\nlevel_pct = 140\n'
     'email = ["cco@corp.example"]\n', "rule 1 ('Churn'): level_pct must be a percentage"),
    ('[[rules]]\nname = "Churn"\nkind = "churn_chance"\nlevel_pct = 40\n',
     "rule 1 ('Churn'): name at least one recipient"),
    ('[[rules]]\nname = "Churn"\nkind = "churn_chance"\nlevel_pct = 40\n'
     'email = ["CCO <cco@corp.example>"]\n', "email 'CCO <cco@corp.example>' is not one plain"),
    ('[[rules]]\nname = "X"\nkind = "kpi_change"\nmetrics = ["nps", "mood"]\n'
     'webhook = ["https://hooks.example/x"]\n', "rule 1 ('X'): metrics: mood is not one of"),
    ('[[rules]]\nname = "X"\nkind = "kpi_change"\nlevel_pct = 3\n'
     'webhook = ["https://hooks.example/x"]\n', "rule 1 ('X'): unknown key(s) level_pct"),
    ('[[rules]]\nname = "X"\nkind = "weather"\nwebhook = ["https://hooks.example/x"]\n',
     "rule 1 ('X'): kind must be one of kpi_target, kpi_change"),
    ('[[rules]]\nname = "X"\nkind = "kpi_target"\nwebhook = ["ftp://hooks.example/x"]\n',
     "rule 1 ('X'): webhook 'ftp://hooks.example/x' is not an http(s) URL"),
])
def test_a_wrong_rule_is_refused_naming_the_file_rule_and_key(tmp_path, rules, message):
    path = tmp_path / "alerts.toml"
    path.write_text(f'base_url = "{BASE}"\n{rules}')
    with pytest.raises(AlertConfigError) as refused:
        load_alerts(path, briefing_kpis())
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)


def test_the_rules_file_is_read(tmp_path):
    path = tmp_path / "alerts.toml"
    path.write_text(f'base_url = "{BASE}/"\nwebhook_retries = 0\n[[rules]]\nname = "Renewals"\n'
                    'kind = "renewal_risk"\nlevel_pct = 30\nemail = ["CCO@Corp.example"]\n'
                    'checked = ["schedule"]\n')
    read = load_alerts(path, briefing_kpis())
    assert read.base_url == BASE and read.webhook_retries == 0
    (rule,) = read.rules
    assert rule == AlertRule("Renewals", "renewal_risk", email=("cco@corp.example",),
                             checked=("schedule",), level_pct=30.0)
    assert rule.checked_on("schedule") and not rule.checked_on("load")


# --- the forum's list -----------------------------------------------------------------------


def test_the_recent_alerts_table_masks_names_and_action_text(store):
    rule = AlertRule("Overdue", "overdue_action", email=("cco@corp.example",))
    occurrence = alert_checks.Occurrence("x:2026-11-30", "The action “Call Bob” on Acme is late.",
                                   "account?account=A1", account_name="Acme",
                                   hidden_text="Call Bob")
    (message, _), = messages(rule, [occurrence], BASE)
    sending.record(store, message, sending.Recipient("email", "cco@corp.example"), "sent")
    fired = sending.recent(store)
    shown = alert_checks.recent_table(fired)
    assert list(shown["Why"]) == ["The action “Call Bob” on Acme is late."]
    masked = alert_checks.recent_table(fired, pseudonym=lambda name: "Account K7Q2M")
    assert list(masked["Why"]) == ["The action “[hidden]” on Account K7Q2M is late."]
    assert list(masked["To"]) == ["[hidden]"]
    assert alert_checks.recent_table(fired, accounts=False).empty


def test_nothing_is_sent_while_nothing_fires(store, receiver):
    rule = AlertRule("Targets", "kpi_target", webhook=(receiver.url,))
    result = send(store, rule, [], settings_for(rule))
    assert result.sent == [] and result.problems == [] and receiver.posts == []


def test_alerts_are_recorded_once_on_postgresql_too(postgres_server, receiver):
    store = Workspace(postgres_server.create_database(f"alerts_{int(time.time() * 1000)}"))
    try:
        rule = AlertRule("Targets", "kpi_target", webhook=(receiver.url,))
        assert send(store, rule, [ONE], settings_for(rule)).problems == []
        assert send(store, rule, [ONE], settings_for(rule)).problems == []
        assert len(receiver.posts) == 1
        fired = sending.recent(store)
        assert list(fired["outcome"]) == ["sent"] and list(fired["rule"]) == ["Targets"]
    finally:
        store.dispose()
