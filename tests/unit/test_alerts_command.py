"""`python -m northstar.alerts` and the check after a load, on the demo database: the rules file
read, the alerts sent once however often the rules are checked, a dry run that sends nothing,
and a churn rule that says why it sent nothing when the churn model failed its checks."""

from __future__ import annotations

import pandas as pd
import pytest

from northstar import alerts as command
from northstar.analytics import alert_run
from northstar.data.alert_rules import AlertRule, AlertSettings
from northstar.data.importer import run as data_load
from northstar.data.importer.datasets import REVENUE_TABLE
from northstar.data.workspace import alert_delivery as sending
from northstar.data.workspace.store import Workspace
from tests.mail_server import Inbox, free_port, mail_server
from tests.unit.test_alerts import BASE, Receiver
from tests.unit.test_load_cases import ACCOUNTS, MRR

RULES = f"""
base_url = "{BASE}"
webhook_timeout_seconds = 5
webhook_retries = 0

[[rules]]
name = "Churn above 45%"
kind = "churn_chance"
level_pct = 45
email = ["cco@corp.example"]

[[rules]]
name = "Wall KPIs"
kind = "kpi_change"
webhook = ["{{hook}}"]
"""


@pytest.fixture()
def configured(tmp_path, monkeypatch, demo_db, own_workspace):
    inbox = Inbox()
    receiver = Receiver()
    monkeypatch.setenv("NORTHSTAR_DB", str(demo_db))
    (tmp_path / "alerts.toml").write_text(RULES.replace("{hook}", receiver.url))
    monkeypatch.setenv("NORTHSTAR_ALERTS", str(tmp_path / "alerts.toml"))
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(tmp_path / "access.toml"))
    with mail_server(inbox) as controller:
        (tmp_path / "secrets.toml").write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nstarttls = false\n'
            'sender = "Northstar <northstar@corp.example>"\n')
        monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))
        yield inbox, receiver, own_workspace
    receiver.stop()


def test_the_command_sends_each_alert_once_however_often_it_runs(configured, capsys):
    inbox, receiver, workspace = configured
    assert command.main(["--workspace", workspace]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Alerts checked on the schedule: 2 rule(s), ")
    emails, posts = len(inbox.messages), len(receiver.posts)
    assert emails > 0 and posts > 0
    assert all(message["Subject"] == "Northstar alert: Churn above 45%"
               for _, message in inbox.messages)
    body = inbox.messages[0][1].get_content()
    assert "above the 45% level." in body and f"{BASE}/account?account=A" in body
    assert all(post["text"].startswith("Last month, Oct 2026: ") for post in receiver.posts)
    # the next check (the schedule, or a load of the same data) sends nothing again
    assert command.main(["--workspace", workspace]) == 0
    assert "0 alert(s) sent" in capsys.readouterr().out
    assert (len(inbox.messages), len(receiver.posts)) == (emails, posts)
    logged = sending.recent(Workspace(workspace), limit=10_000)
    assert len(logged) == emails + posts and set(logged["outcome"]) == {"sent"}


def test_the_check_after_a_load_sends_what_the_schedule_would(configured, demo_db):
    inbox, receiver, _ = configured
    lines = alert_run.after_load(demo_db)
    assert lines[0].startswith("Alerts checked after the load: 2 rule(s), ")
    assert inbox.messages and receiver.posts
    assert alert_run.after_load(demo_db)[0].endswith(" 0 alert(s) sent.")


def test_a_dry_run_writes_the_messages_and_sends_nothing(configured, tmp_path, capsys):
    inbox, receiver, workspace = configured
    out = tmp_path / "outbox"
    assert command.main(["--dry-run", "--out", str(out), "--workspace", workspace]) == 0
    assert inbox.messages == [] and receiver.posts == []
    assert list(out.glob("*.eml")) and list(out.glob("*.json"))
    assert sending.recent(Workspace(workspace)).empty
    assert f"Dry run: nothing was sent or recorded; the messages are in {out}." in \
        capsys.readouterr().out


def test_a_wrong_rules_file_is_named_and_nothing_is_sent(configured, tmp_path, capsys):
    inbox, receiver, workspace = configured
    (tmp_path / "alerts.toml").write_text(f'base_url = "{BASE}"\n[[rules]]\nname = "Churn"\n'
                                          'kind = "churn_chance"\nemail = ["cco@corp.example"]\n')
    assert command.main(["--workspace", workspace]) == 2
    assert (f"alerts: {tmp_path / 'alerts.toml'}: rule 1 ('Churn'): level_pct is missing"
            in capsys.readouterr().err)
    assert inbox.messages == [] and receiver.posts == []


def test_a_churn_rule_sends_nothing_and_says_why_when_the_model_failed(tmp_path):
    receiver = Receiver()
    reason = "The churn model is not shown: it ranked accounts no better than chance."
    frames = {
        "dataset_metadata": pd.DataFrame({"key": ["as_of_date"], "value": ["2026-10-31"]}),
        "table_presence": pd.DataFrame({"table_name": [REVENUE_TABLE], "has_rows": [True]}),
        "churn_model_checks": pd.DataFrame({"position": [1], "check_id": ["ranking"],
                                            "label": ["Ranking"], "requirement": ["AUC"],
                                            "result": ["0.50"], "passed": [False],
                                            "reason": [reason]}),
    }
    ran: list[str] = []

    def run(name, **params):
        ran.append(name)
        return frames[name]

    try:
        rule = AlertRule("Churn", "churn_chance", webhook=(receiver.url,), level_pct=10)
        store = Workspace(f"sqlite:///{tmp_path / 'w.sqlite'}")
        report = alert_run.check(AlertSettings(tmp_path / "alerts.toml", BASE, (rule,)),
                                 "schedule", store=store, run=run)
        assert receiver.posts == [] and report.sent == []
        assert "alert_churn_accounts" not in ran  # no chance is read from a failed model
        assert report.not_checked == [
            f"Churn: the churn model failed its checks, so no churn chance is read and nothing "
            f"is sent. {reason}"]
        assert f"Alert rule not checked: {report.not_checked[0]}" in report.lines()
    finally:
        receiver.stop()


def test_a_load_whose_alerts_cannot_be_sent_still_loads_and_says_so(tmp_path, monkeypatch,
                                                                     capsys):
    source = tmp_path / "source"
    source.mkdir()
    (source / "accounts.csv").write_text(ACCOUNTS)
    # ARR grows from January to February: a total over every account, so a real change
    (source / "account_mrr_monthly.csv").write_text(
        MRR + "A1,2026-02-01,150\nA2,2026-02-01,200\nA3,2026-02-01,300\n")
    db = tmp_path / "loaded.duckdb"
    refusing = free_port()  # nothing listens: the webhook and the mail server refuse
    (tmp_path / "alerts.toml").write_text(
        f'base_url = "{BASE}"\nwebhook_retries = 0\n'
        '[[rules]]\nname = "Wall KPIs"\nkind = "kpi_change"\nmetrics = ["arr_usd"]\n'
        f'webhook = ["http://127.0.0.1:{refusing}/hook"]\nemail = ["cco@corp.example"]\n'
        '[[rules]]\nname = "Churn"\nkind = "churn_chance"\nlevel_pct = 1\n'
        f'webhook = ["http://127.0.0.1:{refusing}/hook"]\n')
    monkeypatch.setenv("NORTHSTAR_ALERTS", str(tmp_path / "alerts.toml"))
    (tmp_path / "secrets.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {refusing}\nstarttls = false\nretries = 0\n'
        'sender = "Northstar <northstar@corp.example>"\n')
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(tmp_path / "access.toml"))
    assert data_load.main([str(source), "--db", str(db)], after_load=alert_run.after_load) == 0
    err = capsys.readouterr().err
    assert f"Loaded {db}" in err
    assert "Alerts checked after the load: 2 rule(s), " in err
    assert "Alert problem: Wall KPIs: failed to webhook 127.0.0.1 #" in err
    assert "Alert problem: alert e-mail not sent to cco@corp.example" in err
    assert "Alert rule not checked: Churn: the churn model failed its checks" in err
    assert db.exists()
