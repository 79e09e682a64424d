"""One churn definition (docs/metrics.md): where the data has revenue, an account churned when
its revenue stopped, whatever its recorded churn_date says; without revenue, logo churn from the
accounts' own dates. Retention, the closed-loop comparison on Satisfaction and the action
outcomes with their comparison give the same answer on data where the two disagree."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from northstar.analytics import action_rules
from northstar.data import settings
from northstar.data.db import query_runner
from northstar.data.db.rollups import build_rollups
from tests.unit import fixtures

D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}
MONTH = D(2026, 1, 1)  # the month the actions are created in


def disagreeing(con) -> None:
    """The tiny dataset, where A3's revenue stops after January 2026 but it has no churn date,
    and A2 and A5 have churn dates (1 Mar and 15 Feb 2026) but are billed every month through
    March; A3 and A5 gave NPS detractor answers in January."""
    fixtures.load(con)
    con.execute("update accounts set churn_date = null, churn_reason = null "
                "where account_id = 'A3'")
    con.execute("update accounts set churn_date = date '2026-02-15', churn_reason = 'Price' "
                "where account_id = 'A5'")
    con.execute("update accounts set churn_date = date '2026-03-01', churn_reason = 'Price' "
                "where account_id = 'A2'")
    con.execute("insert into survey_responses (response_id, account_id, survey_type, program, "
                "responded_on, score) values ('X1', 'A5', 'NPS', 'relationship', "
                "date '2026-01-10', 3), ('X2', 'A5', 'NPS', 'relationship', "
                "date '2026-01-25', 5)")


@pytest.fixture()
def with_revenue(empty_db):
    con, path = empty_db
    disagreeing(con)
    build_rollups(con)
    con.close()
    return path


@pytest.fixture()
def without_revenue(empty_db):
    con, path = empty_db
    disagreeing(con)
    con.execute("delete from account_mrr_monthly")
    build_rollups(con)
    con.close()
    return path


def run(name: str, db, **params) -> pd.DataFrame:
    return query_runner.execute(name, params, db)


def closed_loop(db) -> tuple[int, int]:
    """(detractor answers, those whose account churned within 60 days after the answer)."""
    frame = run("closed_loop_retention", db, **ALL, target_days=14,
                as_of_date=D(2026, 3, 31), horizon_days=60)
    return int(frame["detractor_answers"].sum()), int(frame["churned_within_horizon"].sum())


def churned_on(db) -> dict[str, object]:
    facts = run("action_account_outcomes", db, account_ids=["A3", "A5"],
                action_months=[MONTH, MONTH], **settings.load_config().query_params())
    return {row.account_id: None if pd.isna(row.churned_on) else pd.Timestamp(row.churned_on).date()
            for row in facts.itertuples(index=False)}


def comparable_churned(db) -> int:
    """Churned accounts among those nobody acted on in every band of January 2026."""
    config = settings.load_config().query_params()
    cells = run("action_account_comparison", db, account_ids=["A1"],
                action_months=[MONTH] * 5, band_orders=[1, 2, 3, 4, 5],
                window_days=action_rules.OUTCOME_WINDOW_DAYS, **config)
    return int(cells["comparable_churned"].sum())


def movements(db) -> dict[str, str]:
    """Retention's movement of each account from December 2025 to March 2026."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select account_id, movement from window_movements("
                                "date '2025-12-01', date '2026-03-01')").fetchall())


def test_with_revenue_churn_is_the_revenue_stopping(with_revenue):
    # detractor answers on or before 30 Jan: A1's of 31 Dec, A3's of 20 Jan, A5's of 10 and 25
    # Jan; only A3 churned (its revenue stopped: last billed day 31 Jan), not A5 (still billed)
    assert closed_loop(with_revenue) == (4, 1)
    assert churned_on(with_revenue) == {"A3": D(2026, 1, 31), "A5": None}
    # comparable to an action on A1 in January (A4 is not billed yet): only A3 churned
    assert comparable_churned(with_revenue) == 1
    # as on Retention: from December 2025 to March 2026 A3 churned, A2 and A5 stayed
    assert {k: v for k, v in movements(with_revenue).items() if k != "A1"} == {
        "A2": "contraction", "A3": "churn", "A4": "new", "A5": "flat"}


def test_without_revenue_churn_is_the_churn_date(without_revenue):
    # logo churn from account dates: A5 churned on 15 Feb 2026, A3 (no churn date) did not
    assert closed_loop(without_revenue) == (4, 2)
    assert churned_on(without_revenue) == {"A3": None, "A5": D(2026, 2, 15)}


def test_an_action_outcome_counts_churn_as_retention_does(with_revenue):
    facts = churned_on(with_revenue)
    a3 = action_rules.account_outcome(facts["A3"], MONTH, D(2026, 12, 1), in_data=True)
    a5 = action_rules.account_outcome(facts["A5"], MONTH, D(2026, 12, 1), in_data=True)
    assert (a3.text, a3.worked) == ("Churned on 31 Jan 2026", False)
    assert a5.worked is True


def active_in_search(db) -> dict[str, bool]:
    found = run("account_search", db, match_names=True, search="A", limit=10)
    return {row.account_id: bool(row.is_active) for row in found.itertuples(index=False)}


def test_account_search_marks_churned_accounts_by_revenue(with_revenue):
    # Account 360's search lists "· churned" by the definition Retention counts
    assert active_in_search(with_revenue) == {
        "A1": True, "A2": True, "A3": False, "A4": True, "A5": True}


def test_account_search_without_revenue_marks_churn_by_date(without_revenue):
    assert active_in_search(without_revenue) == {
        "A1": True, "A2": False, "A3": True, "A4": True, "A5": False}
