"""A tiny revenue history with the retention edge cases, answers worked out by hand.

Data: Dec 2025 - Jun 2026 (as of 30 Jun 2026).
  R1 100 every month except Feb-Mar: churns in Feb and returns in Apr
  R2 200, 200, then 300 in Feb (expansion), gone in Mar: expands in the month before churn
  R3 new in Feb 2026 at 50: a one-account monthly cohort
  R4 400 flat
  R5 new in Jan 2026 at 80, gone from Mar: churned, reason Price, lost to Orbitly
"""

from __future__ import annotations

import datetime as dt

import duckdb

from northstar.data.db.rollups import build_rollups

D = dt.date
MONTHS = [D(2025, 12, 1)] + [D(2026, month, 1) for month in range(1, 7)]
ACCOUNTS = [
    # id, segment, start, churn date, reason, competitor
    ("R1", "SMB", D(2024, 5, 1), None, None, None),
    ("R2", "Enterprise", D(2023, 1, 1), D(2026, 2, 28), "Budget cuts", None),
    ("R3", "SMB", D(2026, 2, 1), None, None, None),
    ("R4", "Mid-Market", D(2022, 7, 1), None, None, None),
    ("R5", "SMB", D(2026, 1, 1), D(2026, 2, 28), "Price", "Orbitly"),
]
MRR = {
    "R1": {D(2025, 12, 1): 100, D(2026, 1, 1): 100, D(2026, 4, 1): 100, D(2026, 5, 1): 100,
           D(2026, 6, 1): 100},
    "R2": {D(2025, 12, 1): 200, D(2026, 1, 1): 200, D(2026, 2, 1): 300},
    "R3": {month: 50 for month in MONTHS if month >= D(2026, 2, 1)},
    "R4": {month: 400 for month in MONTHS},
    "R5": {D(2026, 1, 1): 80, D(2026, 2, 1): 80},
}


def load(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "insert into accounts (account_id, account_name, segment, industry, region, plan, "
        "acquisition_channel, start_date, churn_date, churn_reason, lost_to_competitor) values "
        "($1, $1 || ' Inc', $2, 'Retail', 'EMEA', 'Starter', 'Inbound', $3, $4, $5, $6)",
        ACCOUNTS,
    )
    con.executemany(
        "insert into account_mrr_monthly values ($1, $2, $3)",
        [(account, month, mrr) for account, months in MRR.items() for month, mrr in months.items()],
    )
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-06-30'), ('source', 'fixture')")
    build_rollups(con)
