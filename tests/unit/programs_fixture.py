"""A tiny customer base for the CCO programs queries, answers worked out by hand in the tests.

As of 30 Jun 2026; the period under test is Jan-Jun 2026 (opening month Dec 2025).
  E1 Enterprise 1000/month, board member since Jun 2025
  E2 Enterprise 500/month, board member since Jan 2025, churns in Jun 2026 (leaves 31 May)
  E3 Enterprise 600 -> 700 in Jun 2026, not a member (600 >= the 500 floor: comparable)
  E4 Enterprise 499/month, not a member (below the floor: other), churns in Jun 2026
  E5 Enterprise 800 -> 1000 in Jun 2026, joins the board 1 Mar 2026 (left out of the groups)
  M1 Mid-Market 2000/month (no members in its segment: other)
  S1 SMB 100/month
Jun 2025 revenue (E1 1000, E2 500, M1 2000) gives the executive-coverage outcome a year to run.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from northstar.data.db.rollups import build_rollups
from northstar.data.db.schema import insert_reference_rows

D = dt.date
T = dt.datetime
AS_OF = D(2026, 6, 30)
PERIOD_MONTHS = [D(2025, 12, 1)] + [D(2026, month, 1) for month in range(1, 7)]

ACCOUNTS = [
    # id, segment, start, churn date
    ("E1", "Enterprise", D(2024, 1, 1), None),
    ("E2", "Enterprise", D(2024, 1, 1), D(2026, 5, 31)),
    ("E3", "Enterprise", D(2024, 1, 1), None),
    ("E4", "Enterprise", D(2024, 1, 1), D(2026, 5, 31)),
    ("E5", "Enterprise", D(2024, 1, 1), None),
    ("M1", "Mid-Market", D(2024, 1, 1), None),
    ("S1", "SMB", D(2024, 1, 1), None),
]
MRR: dict[str, dict[dt.date, float]] = {
    "E1": {D(2025, 6, 1): 1000, **{month: 1000 for month in PERIOD_MONTHS}},
    "E2": {D(2025, 6, 1): 500, **{month: 500 for month in PERIOD_MONTHS[:-1]}},
    "E3": {**{month: 600 for month in PERIOD_MONTHS[:-1]}, D(2026, 6, 1): 700},
    "E4": {month: 499 for month in PERIOD_MONTHS[:-1]},
    "E5": {**{month: 800 for month in PERIOD_MONTHS[:-1]}, D(2026, 6, 1): 1000},
    "M1": {D(2025, 6, 1): 2000, **{month: 2000 for month in PERIOD_MONTHS}},
    "S1": {month: 100 for month in PERIOD_MONTHS},
}
EMPLOYEES = [
    ("CSM1", "Casey Morgan", "customer_service", "Customer Success Manager"),
    ("PS1", "Pat Singh", "professional_services", "Implementation Consultant"),
    ("EX1", "Alex Reed", "sales", "Executive Sponsor"),
]
CAB_MEMBERSHIPS = [
    ("E1", D(2025, 6, 1), None),
    ("E2", D(2025, 1, 1), D(2026, 5, 31)),
    ("E5", D(2026, 3, 1), None),
]
ENGAGEMENTS = [
    # id, account, type, department, owner, started, ended, attended, notes
    # board sessions: Q1 2026 two dates, four invitations, three attended; Q2 one date, two
    ("C1", "E1", "cab_session", "marketing", "EX1", D(2026, 1, 9), D(2026, 1, 9), True, None),
    ("C2", "E2", "cab_session", "marketing", "EX1", D(2026, 1, 9), D(2026, 1, 9), False, None),
    ("C3", "E1", "cab_session", "marketing", "EX1", D(2026, 2, 9), D(2026, 2, 9), True, None),
    ("C4", "E2", "cab_session", "marketing", "EX1", D(2026, 2, 9), D(2026, 2, 9), True, None),
    ("C5", "E1", "cab_session", "marketing", "EX1", D(2026, 4, 9), D(2026, 4, 9), True, None),
    ("C6", "E5", "cab_session", "marketing", "EX1", D(2026, 4, 9), D(2026, 4, 9), True, None),
    # executive meetings: M1 exactly 12 months before the as-of date (counts), E1 a day earlier
    # (does not), E5 invited but absent (does not), E3 met but outside the top accounts
    ("X1", "M1", "executive_meeting", "sales", "EX1", D(2025, 6, 30), D(2025, 6, 30), True, None),
    ("X2", "E1", "executive_meeting", "sales", "EX1", D(2025, 6, 29), D(2025, 6, 29), True, None),
    ("X3", "E5", "executive_meeting", "sales", "EX1", D(2026, 1, 10), D(2026, 1, 10), False, None),
    ("X4", "E3", "executive_meeting", "sales", "EX1", D(2026, 2, 1), D(2026, 2, 1), True, None),
    # installations: the 37-day survey window closes on the date noted
    ("I1", "E3", "installation", "professional_services", "PS1", D(2026, 3, 1), D(2026, 4, 1),
     True, "Installation and go-live"),  # closes 8 May: due, answered 5
    ("I2", "S1", "installation", "professional_services", "PS1", D(2026, 5, 1), D(2026, 5, 24),
     True, "Installation and go-live"),  # closes 30 Jun = as of: due, answered 1
    ("I3", "M1", "installation", "professional_services", "PS1", D(2026, 5, 1), D(2026, 5, 25),
     True, "Installation and go-live"),  # closes 1 Jul: not due yet, answered 4
    ("I4", "E4", "installation", "professional_services", "PS1", D(2026, 2, 1), D(2026, 3, 1),
     True, "Installation and go-live"),  # closes 7 Apr: due, never answered
    ("I5", "E1", "installation", "professional_services", "PS1", D(2025, 10, 1), D(2025, 11, 1),
     True, "Installation and go-live"),  # closes 8 Dec 2025: before the period, answered 2
    # professional services: the 14-day window
    ("P1", "E1", "professional_services", "professional_services", "PS1", D(2026, 5, 1),
     D(2026, 6, 10), True, "Data migration"),  # closes 24 Jun: due, answered 4
    ("P2", "E3", "professional_services", "professional_services", "PS1", D(2026, 6, 1),
     D(2026, 6, 20), True, "Admin training"),  # closes 4 Jul: not due yet
]
SURVEYS = [
    # id, account, type, program, responded, score, engagement, comment
    ("N1", "E3", "CSAT", "post_installation", D(2026, 5, 2), 5, "I1", None),
    ("N2", "S1", "CSAT", "post_installation", D(2026, 6, 25), 1, "I2", "Setup was rough."),
    ("N3", "M1", "CSAT", "post_installation", D(2026, 6, 26), 4, "I3", None),
    ("N5", "E1", "CSAT", "post_installation", D(2025, 12, 2), 2, "I5", None),
    ("S1", "E1", "CSAT", "post_professional_services", D(2026, 6, 18), 4, "P1", None),
    # relationship nps: members 10 and 5 (NPS 0), comparable 9 (NPS +100); E3's November 0 is
    # before the period
    ("R1", "E1", "NPS", "relationship", D(2026, 2, 15), 10, None, None),
    ("R2", "E2", "NPS", "relationship", D(2026, 3, 15), 5, None, None),
    ("R3", "E3", "NPS", "relationship", D(2026, 4, 15), 9, None, None),
    ("R4", "E3", "NPS", "relationship", D(2025, 11, 15), 0, None, None),
]
TICKETS = [
    # id, account, opened, first response, resolved, status, category, escalated, reopens, csat
    # open at the end of 30 Jun 2026, ages in whole days: 2, 3, 7, 8, 30, 31
    ("T1", "E1", T(2026, 6, 28, 10), None, None, "open", "defect", T(2026, 6, 28, 12), 0, None),
    ("T2", "E1", T(2026, 6, 27, 9), None, None, "open", "defect", None, 0, None),
    ("T3", "M1", T(2026, 6, 23, 9), None, None, "open", "defect", None, 0, None),
    ("T4", "M1", T(2026, 6, 22, 9), None, None, "open", "defect", None, 0, None),
    ("T5", "S1", T(2026, 5, 31, 9), T(2026, 5, 31, 10), None, "pending", "defect", None, 0, None),
    ("T6", "S1", T(2026, 5, 30, 9), None, None, "open", "defect", None, 0, None),
    # resolved in the period: first response 2 h and 4 h, resolution 24 h and 12 h
    ("T7", "E3", T(2026, 3, 1, 8), T(2026, 3, 1, 10), T(2026, 3, 2, 8), "closed", "billing",
     None, 1, 2),
    ("T8", "E3", T(2026, 3, 5, 8), T(2026, 3, 5, 12), T(2026, 3, 5, 20), "closed", "billing",
     None, 0, 5),
    # reopened and rated 1, but opened before the period: not a follow-up
    ("T9", "E3", T(2025, 10, 1, 8), T(2025, 10, 1, 9), T(2025, 10, 3, 8), "closed", "billing",
     None, 1, 1),
]
KUDOS = [
    ("K1", "CSM1", "customer_service", "E1", D(2026, 2, 10), "Great partner."),
    ("K2", "CSM1", "customer_service", "E3", D(2026, 5, 1), "Always there."),
    ("K3", "PS1", "professional_services", "S1", D(2026, 4, 15), "Smooth go-live."),
    ("K4", "CSM1", "customer_service", "E1", D(2025, 11, 20), "Before the period."),
]


def load(con: duckdb.DuckDBPyConnection) -> None:
    insert_reference_rows(con)
    con.executemany("insert into employees (employee_id, employee_name, department_id, job_title) "
                    "values ($1, $2, $3, $4)", EMPLOYEES)
    con.executemany(
        "insert into accounts (account_id, account_name, segment, industry, region, plan, "
        "csm_employee_id, start_date, churn_date, churn_reason) values "
        "($1, $1 || ' Corp', $2, 'Retail', 'EMEA', 'Starter', 'CSM1', $3, $4, "
        "case when $4 is not null then 'Price' end)",
        ACCOUNTS,
    )
    con.executemany(
        "insert into account_mrr_monthly values ($1, $2, $3)",
        [(account, month, mrr) for account, months in MRR.items() for month, mrr in months.items()],
    )
    con.executemany(
        "insert into cab_memberships values ($1, $2, $3, 'Seat holder')", CAB_MEMBERSHIPS
    )
    con.executemany(
        "insert into engagements (engagement_id, account_id, engagement_type, department_id, "
        "owner_employee_id, started_on, ended_on, attended, notes) "
        "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ENGAGEMENTS,
    )
    con.executemany(
        "insert into survey_responses (response_id, account_id, survey_type, program, "
        "responded_on, score, engagement_id, comment) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        SURVEYS,
    )
    con.executemany(
        "insert into support_tickets (ticket_id, account_id, department_id, opened_at, "
        "first_response_at, resolved_at, status, priority, category, channel, escalated_at, "
        "reopen_count, satisfaction_score, subject) values "
        "($1, $2, 'customer_service', $3, $4, $5, $6, 'normal', $7, 'email', $8, $9, $10, "
        "'Subject ' || $1)",
        TICKETS,
    )
    con.executemany("insert into kudos values ($1, $2, $3, $4, $5, $6)", KUDOS)
    con.execute(
        "insert into dataset_metadata values ('as_of_date', '2026-06-30'), ('source', 'fixture')"
    )
    build_rollups(con)
