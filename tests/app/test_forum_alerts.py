"""The Accountability forum lists recent alerts: when, which rule, why, to whom and how it went;
masked on a shared screen, and only the alerts that name no account for roles without
account lists."""

from __future__ import annotations

import pytest

from northstar.analytics import alert_checks
from northstar.data.alert_rules import AlertRule
from northstar.data.workspace import alert_delivery as sending
from northstar.data.workspace.store import Workspace
from tests.app.test_access import USERS, open_as
from tests.app.test_actions_pages import texts
from tests.app.test_retention_pages import open_page

BASE = "https://northstar.corp.example"


@pytest.fixture()
def fired(own_workspace):
    store = Workspace(own_workspace)
    churn = AlertRule("Churn above 40%", "churn_chance", email=("cco@corp.example",),
                      level_pct=40)
    target = AlertRule("Targets missed", "kpi_target", webhook=("https://hooks.example/x/y",))
    for rule, occurrence, outcome in (
        (churn, alert_checks.Occurrence("A0000001:2026-10", "Named Customer Inc's chance of churning "
                                  "is 55.0%, above the 40% level.", "account?account=A0000001",
                                  account_name="Named Customer Inc"), "sent"),
        (target, alert_checks.Occurrence("frt:2026-10", "First response time (Customer Service) "
                                   "missed its target.", "scorecard?department=customer_service"),
         "failed"),
    ):
        message = sending.AlertMessage(rule.name, rule.kind, occurrence.key, occurrence.sentence,
                                       f"{BASE}/{occurrence.link}", occurrence.account_name,
                                       names_accounts=occurrence.names_account)
        channel, address = (("email", rule.email[0]) if rule.email
                            else ("webhook", rule.webhook[0]))
        sending.record(store, message, sending.Recipient(channel, address), outcome)
    yield store
    store.dispose()


def alerts_table(at):
    return next(table.value for table in at.dataframe if "Why" in table.value.columns)


def test_the_forum_lists_recent_alerts(demo, fired):
    at = open_page("views/forum.py")
    assert "Recent alerts" in [header.value for header in at.subheader]
    table = alerts_table(at)
    assert list(table.columns) == ["When (UTC)", "Rule", "Why", "To", "Outcome"]
    rows = {row["Rule"]: row for _, row in table.iterrows()}
    assert rows["Churn above 40%"]["Why"].startswith("Named Customer Inc's chance of churning")
    assert rows["Churn above 40%"]["To"] == "cco@corp.example"
    assert rows["Churn above 40%"]["Outcome"] == "Sent"
    assert rows["Targets missed"]["To"].startswith("webhook hooks.example #")
    assert rows["Targets missed"]["Outcome"] == "Not sent"


def test_a_masked_forum_hides_the_account_names_of_alerts(demo, fired):
    at = open_page("views/forum.py", {"mask": "true"})
    table = alerts_table(at)
    assert "Named Customer Inc" not in texts(at)
    assert table["Why"].str.contains("Account ").any()
    assert "cco@corp.example" not in texts(at)


def test_board_members_see_only_alerts_that_name_no_account(signed_in, fired):
    at = open_as(USERS["board"], "forum")
    assert not at.exception
    table = alerts_table(at)
    assert list(table["Rule"]) == ["Targets missed"]
    assert "Named Customer Inc" not in texts(at)


def test_the_forum_says_when_no_alert_was_sent(demo):
    at = open_page("views/forum.py")
    assert any("No alert has been sent yet" in str(caption.value) for caption in at.caption)
