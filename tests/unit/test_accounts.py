"""Account 360's status line: the same churn Retention counts, and no state the data
contradicts."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics import accounts

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
