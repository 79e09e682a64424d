"""A tiny hand-made dataset whose KPIs are computed by hand in the tests."""

from __future__ import annotations

import datetime as dt

import duckdb

from northstar.data.db.rollups import build_rollups

D = dt.date
T = dt.datetime

# window under test: the 3 months Jan-Mar 2026; opening month Dec 2025
ACCOUNTS = [
    # account_id, segment, region, plan, start_date, churn_date
    ("A1", "SMB", "EMEA", "Starter", D(2024, 1, 1), None),
    ("A2", "Enterprise", "North America", "Enterprise", D(2023, 6, 1), None),
    ("A3", "SMB", "EMEA", "Starter", D(2024, 3, 1), D(2026, 1, 31)),
    ("A4", "Mid-Market", "APAC", "Professional", D(2026, 2, 1), None),
    ("A5", "Mid-Market", "EMEA", "Professional", D(2022, 1, 1), None),
]
MRR = {
    # expansion 100 -> 150
    "A1": {D(2025, 12, 1): 100, D(2026, 1, 1): 100, D(2026, 2, 1): 120, D(2026, 3, 1): 150},
    # contraction 1000 -> 800
    "A2": {D(2025, 12, 1): 1000, D(2026, 1, 1): 1000, D(2026, 2, 1): 900, D(2026, 3, 1): 800},
    # churned: last billed Jan 2026
    "A3": {D(2025, 12, 1): 50, D(2026, 1, 1): 50},
    # new in Feb 2026
    "A4": {D(2026, 2, 1): 200, D(2026, 3, 1): 200},
    # flat
    "A5": {D(2025, 12, 1): 300, D(2026, 1, 1): 300, D(2026, 2, 1): 300, D(2026, 3, 1): 300},
}
SURVEYS = [
    # survey_type, score, responded_on, account
    ("NPS", 10, D(2026, 1, 5), "A1"), ("NPS", 9, D(2026, 2, 5), "A2"),
    ("NPS", 9, D(2026, 3, 31), "A5"), ("NPS", 8, D(2026, 2, 10), "A5"),
    ("NPS", 6, D(2026, 1, 20), "A3"), ("NPS", 0, D(2026, 3, 1), "A4"),
    ("NPS", 0, D(2025, 12, 31), "A1"),  # before the window: excluded
    ("CSAT", 5, D(2026, 1, 2), "A1"), ("CSAT", 4, D(2026, 2, 2), "A2"),
    ("CSAT", 3, D(2026, 3, 2), "A3"), ("CSAT", 1, D(2026, 3, 3), "A4"),
    ("CES", 7, D(2026, 1, 9), "A1"), ("CES", 5, D(2026, 2, 9), "A2"),
    ("CES", 3, D(2026, 3, 9), "A5"),
    ("CES", 1, D(2026, 4, 1), "A5"),  # after the window: excluded
]
TICKETS = [
    # ticket_id, account, opened_at, escalated_at, resolved_at
    ("T1", "A1", T(2026, 3, 1, 9), T(2026, 3, 10, 9), None),  # open escalation
    ("T2", "A2", T(2026, 1, 30, 9), T(2026, 2, 1, 9), T(2026, 3, 5, 9)),  # resolved
    ("T3", "A5", T(2026, 3, 31, 8), T(2026, 3, 31, 23), T(2026, 4, 2, 9)),  # open at 31 Mar
    ("T4", "A5", T(2026, 3, 2, 8), None, None),  # not escalated
    ("T5", "A4", T(2026, 4, 1, 8), T(2026, 4, 1, 9), None),  # escalated after the window
]


def load(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the tiny dataset into an empty canonical database and build the rollups."""
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    con.executemany(
        "insert into accounts (account_id, account_name, segment, industry, region, plan, "
        "start_date, churn_date, churn_reason) values ($1, $1 || ' Ltd', $2, 'Software', $3, $4, "
        "$5, $6, case when $6 is null then null else 'Price' end)",
        ACCOUNTS,
    )
    con.executemany(
        "insert into account_mrr_monthly values ($1, $2, $3)",
        [(account, month, mrr) for account, months in MRR.items() for month, mrr in months.items()],
    )
    con.executemany(
        "insert into survey_responses (response_id, account_id, survey_type, program, "
        "responded_on, score) values ($1, $2, $3, 'relationship', $4, $5)",
        [(f"R{i}", account, kind, day, score) for i, (kind, score, day, account) in enumerate(SURVEYS)],
    )
    con.executemany(
        "insert into support_tickets (ticket_id, account_id, department_id, opened_at, "
        "escalated_at, resolved_at, status, priority, category, channel) values "
        "($1, $2, 'customer_service', $3, $4, $5, case when $5 is null then 'open' else 'solved' end, "
        "'high', 'defect', 'email')",
        TICKETS,
    )
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-03-31'), ('source', 'fixture')")
    build_rollups(con)
