"""The canonical schema refuses rows that break its keys, references and ranges."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture()
def con(empty_db):
    con, _ = empty_db
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date) values ('A1', 'Acme', 'SMB', 'Retail', 'EMEA', 'Starter', date '2025-01-01')""")
    return con


def rejects(con, sql: str) -> None:
    with pytest.raises(duckdb.ConstraintException):
        con.execute(sql)


@pytest.mark.parametrize("survey_type, score", [("NPS", 11), ("NPS", -1), ("CSAT", 0), ("CSAT", 6),
                                                ("CES", 0), ("CES", 8)])
def test_survey_scores_outside_their_scale_are_refused(con, survey_type, score):
    rejects(con, f"""insert into survey_responses (response_id, account_id, survey_type, program,
                    responded_on, score) values ('R1', 'A1', '{survey_type}', 'relationship',
                    date '2025-03-01', {score})""")


@pytest.mark.parametrize("survey_type, score", [("NPS", 0), ("NPS", 10), ("CSAT", 1), ("CES", 7)])
def test_survey_scores_on_their_scale_are_accepted(con, survey_type, score):
    con.execute(f"""insert into survey_responses (response_id, account_id, survey_type, program,
                   responded_on, score) values ('R1', 'A1', '{survey_type}', 'relationship',
                   date '2025-03-01', {score})""")


def test_a_company_s_own_survey_program_is_kept(con):
    con.execute("""insert into survey_responses (response_id, account_id, survey_type, program,
                   responded_on, score) values ('R1', 'A1', 'NPS', 'webinar', date '2025-03-01', 9)""")


def test_negative_revenue_and_mid_month_dates_are_refused(con):
    rejects(con, "insert into account_mrr_monthly values ('A1', date '2025-02-01', -5)")
    rejects(con, "insert into account_mrr_monthly values ('A1', date '2025-02-15', 5)")


def test_duplicate_revenue_month_is_refused(con):
    con.execute("insert into account_mrr_monthly values ('A1', date '2025-02-01', 5)")
    rejects(con, "insert into account_mrr_monthly values ('A1', date '2025-02-01', 6)")


def test_unknown_account_is_refused(con):
    rejects(con, "insert into account_mrr_monthly values ('NOPE', date '2025-02-01', 5)")


def test_duplicate_account_is_refused(con):
    rejects(con, """insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date) values ('A1', 'Again', 'SMB', 'Retail', 'EMEA', 'Starter', date '2025-01-01')""")


def test_own_segments_are_kept_and_churn_before_start_is_refused(con):
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date) values ('A3', 'C', 'Consumer', 'Retail', 'EMEA', 'Starter', date '2025-01-01')""")
    con.execute("""insert into accounts (account_id, account_name, start_date)
                   values ('A4', 'D', date '2025-01-01')""")
    assert con.execute("select segment, plan from accounts where account_id = 'A4'").fetchone() == (
        "Not recorded", "Not recorded")
    rejects(con, """insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date, churn_date) values ('A2', 'B', 'SMB', 'Retail', 'EMEA', 'Starter',
                   date '2025-01-01', date '2024-12-31')""")


TICKET = """insert into support_tickets (ticket_id, account_id, department_id, opened_at,
            first_response_at, resolved_at, status, priority, category, channel)
            values ('T1', 'A1', 'customer_service', timestamp '2025-03-01 10:00', {first}, {resolved},
            '{status}', 'high', 'defect', 'email')"""


def test_ticket_resolved_before_opened_is_refused(con):
    rejects(con, TICKET.format(first="null", resolved="timestamp '2025-03-01 09:00'", status="solved"))


def test_ticket_answered_before_opened_is_refused(con):
    rejects(con, TICKET.format(first="timestamp '2025-02-28 10:00'", resolved="null", status="open"))


def test_a_resolved_status_needs_a_resolved_time(con):
    rejects(con, TICKET.format(first="null", resolved="null", status="solved"))
    rejects(con, TICKET.format(first="null", resolved="null", status="closed"))
    # the company's own statuses are kept: a reopened ticket may still carry its resolved time
    con.execute(TICKET.format(first="null", resolved="timestamp '2025-03-02 10:00'", status="open")
                .replace("'T1'", "'T2'"))
    con.execute(TICKET.format(first="null", resolved="timestamp '2025-03-02 10:00'", status="closed"))


def test_ticket_satisfaction_is_one_to_five(con):
    rejects(con, """insert into support_tickets (ticket_id, account_id, department_id, opened_at,
                   status, priority, category, channel, satisfaction_score) values ('T9', 'A1',
                   'customer_service', timestamp '2025-03-01', 'open', 'low', 'billing', 'chat', 9)""")


def test_a_company_s_own_engagement_types_are_kept(con):
    con.execute( """insert into engagements (engagement_id, account_id, engagement_type, department_id,
                   started_on) values ('G1', 'A1', 'party', 'customer_service', date '2025-03-01')""")


def test_employee_engagement_needs_quarter_starts_and_0_to_100(con):
    rejects(con, "insert into employee_engagement values ('customer_service', date '2025-02-01', 70, 5, 10)")
    rejects(con, "insert into employee_engagement values ('customer_service', date '2025-01-01', 101, 5, 10)")
    rejects(con, "insert into employee_engagement values ('customer_service', date '2025-01-01', 70, 11, 10)")
