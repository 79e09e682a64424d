"""Actions' analytics and outcome queries, against answers worked out by hand: the forum's
tables, each kind of outcome, the actioned-vs-comparable reading, and the brief's overdue line."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from northstar.analytics import action_rules, ceo_brief
from northstar.data import settings
from northstar.data.db import query_runner
from tests.unit import fixtures

D = dt.date
TODAY = D(2026, 12, 3)
NAMES = {"customer_service": "Customer Service", "sales": "Sales"}


def frame(*rows: dict) -> pd.DataFrame:
    defaults = dict(title="Call", owner_name="Ana", owner_email="ana@x.example",
                    department_id="customer_service", priority="high", status="open",
                    subject_kind="account", subject_key="A1", subject_label="A1 Ltd",
                    account_id="A1", created_at=pd.Timestamp("2026-11-02", tz="UTC"),
                    closed_at=pd.NaT)
    records = [{**defaults, "action_id": f"x{i}", **row} for i, row in enumerate(rows)]
    out = pd.DataFrame(records)
    out["closed_at"] = pd.to_datetime(out["closed_at"], utc=True)
    return out


def test_overdue_and_due_this_week_by_owner():
    found = frame(
        {"due_on": D(2026, 12, 1)},                       # overdue by 2 days
        {"due_on": D(2026, 12, 3)},                       # due today: this week
        {"due_on": D(2026, 12, 9)},                       # last day of the week
        {"due_on": D(2026, 12, 10)},                      # next week
        {"due_on": D(2026, 11, 1), "status": "done"},     # closed: not counted
        {"due_on": D(2026, 11, 30), "owner_name": "Bo", "department_id": "sales"},
    )
    assert list(action_rules.is_overdue(found, TODAY)) == [True, False, False, False, False, True]
    assert list(action_rules.is_due_soon(found, TODAY)) == [False, True, True, False, False, False]
    summary = action_rules.owner_summary(found, TODAY, NAMES)
    assert summary.to_dict("records") == [
        {"Department": "Customer Service", "Owner": "Ana", "Open": 4, "Overdue": 1,
         "Due this week": 2},
        {"Department": "Sales", "Owner": "Bo", "Open": 1, "Overdue": 1, "Due this week": 0},
    ]
    assert action_rules.due_text(D(2026, 12, 1), "open", TODAY) == "Overdue by 2 days"
    assert action_rules.due_text(D(2026, 12, 4), "in_progress", TODAY) == "Due in 1 day"
    assert action_rules.due_text(D(2026, 12, 1), "done", TODAY) == ""


def test_closed_since_the_last_forum():
    found = frame(
        {"due_on": TODAY, "status": "done", "closed_at": "2026-11-26T10:00:00+00:00"},
        {"due_on": TODAY, "status": "dropped", "closed_at": "2026-11-25T23:00:00+00:00"},
        {"due_on": TODAY},
    )
    closed = action_rules.closed_since(found, action_rules.forum_since(TODAY))
    assert list(closed["action_id"]) == ["x0"]


def test_kpis_off_track_without_an_action():
    runs = pd.DataFrame({"kpi_id": ["k1", "k2", "k3"], "periods_running": [3, 2, 2],
                         "since": [D(2026, 8, 1), D(2026, 9, 1), D(2026, 9, 1)]})
    found = frame(
        {"due_on": TODAY, "subject_kind": "kpi", "subject_key": "k1"},   # open: covered
        {"due_on": TODAY, "subject_kind": "kpi", "subject_key": "k2", "status": "done",
         "closed_at": "2026-08-15T00:00:00+00:00"},  # closed before k2's run began
    )
    assert list(action_rules.kpis_without_action(runs, found)["kpi_id"]) == ["k2", "k3"]


@pytest.mark.parametrize(("churn_date", "as_of", "text", "worked"), [
    (None, D(2026, 12, 31), "Still a customer 90 days on", True),
    # 1 Jul + 90 days = 29 Sep (31 days in July and August)
    (None, D(2026, 9, 28), "Too early to tell: known on 29 Sep 2026", None),
    (D(2026, 9, 29), D(2026, 12, 31), "Churned on 29 Sep 2026", False),   # day 90: inside
    (D(2026, 9, 30), D(2026, 12, 31), "Still a customer 90 days on", True),  # day 91: after
    (D(2026, 6, 30), D(2026, 12, 31), "Had already churned (30 Jun 2026)", None),
])
def test_account_outcome(churn_date, as_of, text, worked):
    outcome = action_rules.account_outcome(churn_date, D(2026, 7, 1), as_of, in_data=True)
    assert (outcome.text, outcome.worked) == (text, worked)


def test_gone_targets_are_flagged_not_judged():
    assert action_rules.account_outcome(None, D(2026, 7, 1), TODAY, in_data=False).worked is None
    found = frame({"due_on": TODAY}, {"due_on": TODAY, "subject_key": "A9"})
    outcomes = {"x0": action_rules.Outcome("Still a customer 90 days on", True),
                "x1": action_rules.Outcome("The account is no longer in the data", None)}
    assert list(action_rules.missing_targets(found, outcomes)["action_id"]) == ["x1"]


def test_answer_and_ticket_outcomes():
    better = action_rules.answer_outcome({"in_data": True, "next_score": 9,
                                     "next_responded_on": D(2026, 11, 2), "next_unhappy": False})
    assert (better.text, better.worked) == ("Next answer 9 on 2 Nov 2026", True)
    worse = action_rules.answer_outcome({"in_data": True, "next_score": 4,
                                    "next_responded_on": D(2026, 11, 2), "next_unhappy": True})
    assert worse.worked is False and worse.text.endswith("still unhappy")
    silent = action_rules.answer_outcome({"in_data": True, "next_score": None})
    assert silent.worked is None
    solved = action_rules.ticket_outcome({"in_data": True, "resolved_at": pd.Timestamp("2026-11-03"),
                                     "satisfaction_score": 5, "unhappy_rating": False})
    assert (solved.text, solved.worked) == ("Resolved 3 Nov 2026, rated 5 of 5", True)
    rated_low = action_rules.ticket_outcome({"in_data": True, "resolved_at": pd.Timestamp("2026-11-3"),
                                        "satisfaction_score": 1, "unhappy_rating": True})
    assert rated_low.worked is False
    unresolved = action_rules.ticket_outcome({"in_data": True, "resolved_at": None})
    assert (unresolved.text, unresolved.worked) == ("Not resolved yet", False)


def kpi_periods() -> pd.DataFrame:
    kpis = pd.DataFrame({"kpi_id": ["k1", "k2"], "target_value": [90.0, 10.0],
                         "direction": ["higher_is_better", "lower_is_better"],
                         "unit": ["pct", "hours"], "period_grain": ["month", "month"]})
    actuals = pd.DataFrame({
        "kpi_id": ["k1"] * 5 + ["k2"] * 4,
        "period_start": [D(2026, m, 1) for m in range(6, 11)] + [D(2026, m, 1)
                                                                 for m in range(7, 11)],
        # k1: 80, 80 (off, off) -> 95 on; 70, 70 (off, off)   k2: 20, 20, 20 (off x3) -> 5 on
        "actual_value": [80, 80, 95, 70, 70, 20, 20, 20, 5],
    })
    return action_rules.kpi_period_statuses(kpis, actuals)


def test_kpi_outcome_is_the_first_period_after_the_close():
    periods = kpi_periods()
    on = action_rules.kpi_outcome("k1", D(2026, 7, 20), periods, known=True)
    assert (on.text, on.worked) == ("Aug 2026: ✓ on track", True)
    off = action_rules.kpi_outcome("k1", D(2026, 8, 2), periods, known=True)
    assert off.worked is False
    assert action_rules.kpi_outcome("k1", D(2026, 10, 2), periods, known=True).worked is None
    assert action_rules.kpi_outcome("k9", D(2026, 8, 2), periods, known=False).worked is None


def test_kpi_comparison_counts_every_unactioned_run_of_two():
    periods = kpi_periods()
    # k1: runs of two end in Jul (next Aug: on track) and Oct (no next period): 1 time, 1 back
    # k2: off Jul+Aug (next Sep: off), Aug+Sep (next Oct: on): 2 times, 1 back
    assert action_rules.kpi_comparison(periods, actioned=set()) == (3, 2)
    assert action_rules.kpi_comparison(periods, actioned={"k2"}) == (1, 1)


def test_comparison_reading_follows_the_significance_rule():
    few = action_rules.comparison_row("account", 8, 10, 50, 100)
    assert few["Reading"] == "Too few to tell"
    assert few["Actioned: worked (%)"] == pytest.approx(80.0)
    assert few["Not actioned (n)"] == 100
    # 90 of 100 vs 300 of 500: 90% vs 60%, far beyond noise
    better = action_rules.comparison_row("account", 90, 100, 300, 500)
    assert better["Reading"] == "Better than not acting, beyond noise"
    # 62 of 100 vs 300 of 500: 62% vs 60%, inside the margin
    same = action_rules.comparison_row("ticket", 62, 100, 300, 500)
    assert same["Reading"] == "No difference beyond noise"
    empty = action_rules.comparison_row("kpi", 0, 0, 0, 0)
    assert empty["Actioned: worked (%)"] is None and empty["Reading"] == "Too few to tell"


def test_the_brief_names_overdue_owners_never_action_text():
    overdue = frame({"due_on": D(2026, 11, 20), "title": "Secret plan", "owner_name": "Ana"},
                    {"due_on": D(2026, 11, 10), "title": "Other", "owner_name": "Bo"})
    text = ceo_brief.overdue_text(overdue)
    assert text == " Overdue: 2 actions (Bo, due 10 Nov 2026; Ana, due 20 Nov 2026)."
    assert "Secret" not in text
    assert ceo_brief.overdue_text(overdue.iloc[0:0]) == ""


@pytest.fixture()
def tiny_db(empty_db):
    con, path = empty_db
    fixtures.load(con)
    con.close()
    return path


def run(name: str, db, **params):
    return query_runner.execute(name, params, db)


def test_account_outcome_query(tiny_db):
    facts = run("action_account_outcomes", tiny_db, account_ids=["A3", "A9", "A3"],
                action_months=[D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 1)],
                **settings.load_config().query_params())
    rows = facts.set_index("account_id")
    assert len(facts) == 2  # the same (account, month) twice is one row
    assert bool(rows.loc["A3", "in_data"]) and not bool(rows.loc["A9", "in_data"])
    # A3's revenue stops after January 2026: it churned on 31 Jan, its last billed day
    assert pd.Timestamp(rows.loc["A3", "churned_on"]).date() == D(2026, 1, 31)
    assert rows.loc["A3", "account_name"] == "A3 Ltd"


def test_answer_outcome_query(tiny_db):
    # R6 is A1's NPS 0 of 31 Dec 2025; A1's next NPS answer after 1 Jan 2026 is R0, a 10
    # R4 is A3's NPS 6 of 20 Jan 2026; A3 never answered NPS again
    facts = run("action_answer_outcomes", tiny_db, response_ids=["R6", "R4", "R99"],
                after_dates=[D(2026, 1, 1), D(2026, 1, 21), D(2026, 1, 1)]).set_index(
                    "response_id")
    assert bool(facts.loc["R6", "was_unhappy"]) and facts.loc["R6", "next_score"] == 10
    assert not bool(facts.loc["R6", "next_unhappy"])
    assert pd.isna(facts.loc["R4", "next_score"])
    assert not bool(facts.loc["R99", "in_data"])


def test_ticket_outcome_and_comparison_queries(tiny_db):
    facts = run("action_ticket_outcomes", tiny_db, ticket_ids=["T1", "T2", "T9"]).set_index(
        "ticket_id")
    assert pd.isna(facts.loc["T1", "resolved_at"])
    assert pd.Timestamp(facts.loc["T2", "resolved_at"]) == pd.Timestamp("2026-03-05 09:00")
    assert not bool(facts.loc["T9", "in_data"])
    # T4 (high, March 2026) compares with T1 and T3, the other high-priority March tickets:
    # by 31 Mar neither is resolved; by 30 Apr T3 is (2 Apr) and has no unhappy rating
    march = run("action_ticket_comparison", tiny_db, ticket_ids=["T4"],
                as_of_date=D(2026, 3, 31)).iloc[0]
    assert (march["comparable_tickets"], march["comparable_resolved"]) == (2, 0)
    april = run("action_ticket_comparison", tiny_db, ticket_ids=["T4"],
                as_of_date=D(2026, 4, 30)).iloc[0]
    assert (april["comparable_resolved"], april["comparable_resolved_not_unhappy"]) == (1, 1)


def test_answer_comparison_query(tiny_db):
    # R5 is A4's NPS 0 of 1 Mar 2026, the only unhappy NPS answer of March besides none: acting
    # on R5 leaves no comparable answer; acting on nothing in March gives no row at all
    cells = run("action_answer_comparison", tiny_db, response_ids=["R5"])
    assert cells.empty
    # acting on R0 (a 10, not unhappy) builds no comparison either
    assert run("action_answer_comparison", tiny_db, response_ids=["R0"]).empty


def test_account_comparison_matches_a_pandas_count(demo_db):
    """Comparable accounts = the month's scored accounts in the actioned account's band, less
    the actioned ones; churned = revenue churn (the last day of the last billed month before a
    month whose movement is churn) within 90 days of the month's first day."""
    config = settings.load_config().query_params()
    month = D(2026, 4, 1)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        everyone = con.execute("select account_id from account_health_monthly where month = ?",
                               [month]).df()["account_id"].tolist()
        churns = con.execute("select account_id, month - 1 from account_month_snapshots "
                             "where movement = 'churn'").fetchall()
    bands = run("action_account_outcomes", demo_db, account_ids=everyone,
                action_months=[month] * len(everyone), **config)
    band_of = dict(zip(bands["account_id"], bands["band_order"], strict=True))
    actioned = [everyone[0], everyone[1], everyone[2]]
    cells = run("action_account_comparison", demo_db, account_ids=actioned,
                action_months=[month] * 3,
                band_orders=[int(band_of[a]) for a in actioned], window_days=90, **config)
    end = month + dt.timedelta(days=90)
    for cell in cells.itertuples(index=False):
        members = [a for a in everyone if a not in actioned and band_of[a] == cell.band_order]
        churned = {a for a, day in churns if a in members and month <= day <= end}
        assert (cell.comparable_accounts, cell.comparable_churned) == (len(members), len(churned))
        assert len(members) > 0
