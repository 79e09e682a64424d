"""Account 360's status line: the same churn Retention counts, and no state the data
contradicts."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics import accounts, risk

LAST_MONTH = dt.date(2026, 10, 1)


def profile(**values: object) -> pd.Series:
    base = {"churn_date": None, "churn_reason": None, "lost_to_competitor": None,
            "renewal_date": None, "last_billed_month": pd.Timestamp(2026, 10, 1)}
    return pd.Series({**base, **values})


def test_revenue_that_stopped_reads_as_churned_as_on_retention():
    # a purchase log without churn dates: the customer last paid in Feb 1997
    stopped = profile(last_billed_month=pd.Timestamp(1997, 2, 1))
    assert accounts.status_text(stopped, LAST_MONTH) == "Churned: no revenue since Feb 1997"
    assert accounts.is_churned(stopped, LAST_MONTH)


def test_a_churn_date_reads_with_its_reason_and_competitor():
    left = profile(churn_date=pd.Timestamp(2026, 3, 3), churn_reason="Price",
                   lost_to_competitor="Rival", last_billed_month=pd.Timestamp(2026, 2, 1))
    assert accounts.status_text(left, LAST_MONTH) == "Churned on 3 Mar 2026 — Price (to Rival)"
    assert accounts.is_churned(left, LAST_MONTH)


def test_an_account_billed_in_the_last_month_is_active():
    active = profile(renewal_date=pd.Timestamp(2026, 12, 1))
    assert accounts.status_text(active, LAST_MONTH) == "Active · renews 1 Dec 2026"
    assert accounts.status_text(profile(), LAST_MONTH) == "Active"
    assert not accounts.is_churned(active, LAST_MONTH)


def test_an_account_without_revenue_says_so():
    # a helpdesk export: accounts with tickets and no revenue at all
    none = profile(last_billed_month=pd.NaT)
    assert accounts.status_text(none, LAST_MONTH) == "No revenue in the data"
    assert not accounts.is_churned(none, LAST_MONTH)


def test_a_churn_date_on_an_account_still_billed_reads_as_retention_counts_it():
    # revenue churn is the definition where there is revenue: billed in the data's last month,
    # the account is a customer whatever its recorded churn date says, and the status says both
    billed = profile(churn_date=pd.Timestamp(2026, 3, 3), churn_reason="Price")
    assert accounts.status_text(billed, LAST_MONTH) == (
        "Active · still billed, though a churn date of 3 Mar 2026 is on record")
    assert not accounts.is_churned(billed, LAST_MONTH)


def test_without_revenue_a_churn_date_is_logo_churn():
    left = profile(churn_date=pd.Timestamp(2026, 3, 3), last_billed_month=pd.NaT)
    assert accounts.status_text(left, LAST_MONTH) == "Churned on 3 Mar 2026"
    assert accounts.is_churned(left, LAST_MONTH)


def _profile(**overrides) -> pd.Series:
    return pd.Series({"last_arr_usd": 120_000.0, "churned_on": None, "is_active": True,
                      "is_cab_member_now": False, "cab_joined_on": None, **overrides})


def test_summary_cards_of_one_account():
    revenue = pd.DataFrame({"arr_usd": [100_000.0, 120_000.0]})
    history = pd.DataFrame({"health_score": [float("nan"), 64.0], "band": [None, "Watch"],
                            "support": [None, 70.0]})
    surveys = pd.DataFrame({"survey_type": ["CSAT", "NPS", "NPS"], "score": [4, 9, 3]})
    tickets = pd.DataFrame({"status": ["open", "solved", "pending", "closed"]})
    cards = accounts.summary_cards(_profile(), revenue, history, surveys, tickets,
                                   dt.date(2026, 10, 1), lambda usage: f"formula {usage}")
    assert [(card.label, card.value) for card in cards] == [
        ("ARR", "$120K"), ("Health score", "64"), ("NPS (latest)", "9 / 10"),
        ("Open tickets", "2")]
    assert cards[0].chart == [100_000.0, 120_000.0] and cards[0].chart_type == "area"
    assert cards[1].chart == [64.0] and cards[1].help.endswith("· formula False")
    assert cards[3].help == "4 tickets in all"
    # nothing billed, scored, answered or opened
    empty = accounts.summary_cards(
        _profile(last_arr_usd=None), revenue.iloc[:0], history.iloc[:0], surveys.iloc[:0],
        tickets.iloc[:0], dt.date(2026, 10, 1), str)
    assert [(card.value, card.help) for card in empty] == [
        ("—", "The data holds no revenue for this account."),
        ("—", "No billed month to score yet."),
        ("—", "The most recent relationship survey answer (0–10)."),
        ("0", "0 tickets in all")]


def test_advisory_board_text_and_the_churn_cards():
    assert accounts.cab_text(_profile(is_cab_member_now=True)) == "advisory board member"
    assert accounts.cab_text(_profile(cab_joined_on=dt.date(2024, 1, 1))) == (
        "former advisory board member")
    assert accounts.cab_text(_profile()) == "not on the advisory board"
    card, text = accounts.observed_card([risk.ObservedChurn("Enterprise", 200, 20)],
                                        "Enterprise", dt.date(2026, 10, 1))
    assert card.value == "10.0%"
    assert text.startswith("Observed churn of its segment, Enterprise, in the 12 months to "
                           "Oct 2026: ")
    assert accounts.observed_card([], "SMB", dt.date(2026, 10, 1))[1].endswith(
        "no account active at the start.")
    card, text = accounts.risk_card(pd.DataFrame({"churn_risk_pct": [None]}))
    assert (card.value, text) == ("—", "")
    labels = accounts.match_labels(pd.DataFrame({
        "account_id": ["A1", "A2"], "account_name": ["Acme", "Bolt"],
        "segment": ["SMB", "Enterprise"], "region": ["EMEA", "NA"], "is_active": [True, False]}))
    assert labels == {"A1": "Acme · SMB · EMEA", "A2": "Bolt · Enterprise · NA · churned"}
