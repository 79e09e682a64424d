"""The cohort rule, worked out by hand: an account's cohort month is the earlier of its start
month and the month of its first revenue row (a $0 first month keeps it in its cohort); in data
without revenue it is the start month, and the account is a customer through the month of its
churn date.

Revenue data: Dec 2025 - Jun 2026 (as of 30 Jun 2026), all SMB.
  Z1 starts 15 Jan 2026, billed $0 in Jan, 100 from Feb to Jun: cohort Jan, inactive at age 0
  Z2 starts 3 Jan 2026, billed 50 in Jan and Feb, gone from Mar: cohort Jan, churns at age 2
  Z3 starts Jun 2025 (before the data), billed 200 throughout: in no cohort
  Z4 starts 10 Mar 2026, billed $0 in Mar, 30 in Apr, gone from May: cohort Mar, churns at age 2

Monthly cohorts (logo retention, % of members billed at that age):
  Jan 2026 (n = 2)  age 0: 50 (Z2)  1: 100  2-5: 50 (Z1)
  Mar 2026 (n = 1)  age 0: 0        1: 100  2-3: 0
Survival (months observed): Z1 6 (still a customer), Z2 2 (churned), Z4 2 (churned): at age 2,
3 at risk and 2 churn: 100 x 1/3.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.data.db.rollups import build_rollups
from northstar.ui.page_queries import execute

D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}
MONTHS = [D(2025, 12, 1)] + [D(2026, month, 1) for month in range(1, 7)]
ACCOUNTS = [
    ("Z1", D(2026, 1, 15), None),
    ("Z2", D(2026, 1, 3), D(2026, 2, 28)),
    ("Z3", D(2025, 6, 1), None),
    ("Z4", D(2026, 3, 10), D(2026, 4, 30)),
]
MRR = {
    "Z1": {D(2026, 1, 1): 0, **{D(2026, month, 1): 100 for month in range(2, 7)}},
    "Z2": {D(2026, 1, 1): 50, D(2026, 2, 1): 50},
    "Z3": {month: 200 for month in MONTHS},
    "Z4": {D(2026, 3, 1): 0, D(2026, 4, 1): 30},
}


def build(con, revenue: bool) -> None:
    con.executemany(
        "insert into accounts (account_id, account_name, segment, start_date, churn_date) "
        "values ($1, $1, 'SMB', $2, $3)", ACCOUNTS)
    if revenue:
        con.executemany("insert into account_mrr_monthly values ($1, $2, $3)", [
            (account, month, mrr) for account, months in MRR.items()
            for month, mrr in months.items()])
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-06-30'), "
                "('source', 'fixture')")
    build_rollups(con)


@pytest.fixture(params=[True, False], ids=["revenue", "no revenue"])
def loaded(request, empty_db):
    con, path = empty_db
    build(con, request.param)
    con.close()
    return path, request.param


def cohort_table(path) -> dict[tuple[dt.date, int], tuple[int, float]]:
    frame = execute("cohort_retention", {**ALL, "cohort_grain": "month"}, path)
    return {(row.cohort_start.date(), row.age): (row.cohort_size, row.logo_retention_pct)
            for row in frame.itertuples()}


def test_a_zero_first_month_keeps_the_account_in_its_cohort(loaded):
    path, revenue = loaded
    # without revenue Z1 and Z4 are customers from their start month (age 0) on; Z2's churn
    # date (28 Feb) makes it a customer through February, as its revenue does
    first = 50 if revenue else 100
    z4_first = 0 if revenue else 100
    expected = {
        (D(2026, 1, 1), 0): (2, first), (D(2026, 1, 1), 1): (2, 100),
        **{(D(2026, 1, 1), age): (2, 50) for age in range(2, 6)},
        (D(2026, 3, 1), 0): (1, z4_first), (D(2026, 3, 1), 1): (1, 100),
        (D(2026, 3, 1), 2): (1, 0), (D(2026, 3, 1), 3): (1, 0),
    }
    if not revenue:
        # every start date is known: Z3 (June 2025) is a cohort of its own, still a customer
        expected.update({(D(2025, 6, 1), age): (1, 100) for age in range(13)})
    assert cohort_table(path) == expected


def test_revenue_retention_counts_the_zero_month_as_starting_revenue(empty_db):
    con, path = empty_db
    build(con, revenue=True)
    con.close()
    frame = execute("cohort_retention", {**ALL, "cohort_grain": "month"}, path)
    january = frame.loc[frame["cohort_start"] == pd.Timestamp(2026, 1, 1)].set_index("age")
    # starting MRR: Z1 0 + Z2 50; at age 1 both are billed, 100 + 50
    assert january.loc[0, "starting_mrr_usd"] == 50
    assert january.loc[1, "revenue_retention_pct"] == pytest.approx(300)


def test_survival_counts_the_zero_first_month_accounts(loaded):
    path, revenue = loaded
    frame = execute("survival_by_segment", ALL, path)
    curve = frame.set_index("age_months")["surviving_pct"]
    if revenue:
        # Z1, Z2 and Z4 at risk; Z2 and Z4 churn at age 2
        assert curve[0] == 100 and curve[2] == pytest.approx(100 / 3)
    else:
        # Z3 too (censored at 13 months): 4 at risk at age 2, 2 churn
        assert curve[0] == 100 and curve[2] == pytest.approx(50)
