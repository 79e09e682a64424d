"""The demo generator: deterministic, complete, and carrying its planted churn drivers."""

from __future__ import annotations

import duckdb
import pytest

from northstar.data import rules
from northstar.data.db.schema import UNINDEXED_TABLES, create_schema
from northstar.data.demo.generator import DEMO_SQL_DIR, build_demo, database_checksum
from northstar.data.importer.datasets import key_violations

AS_OF = "2026-10-31"


def test_same_seed_same_data_other_seed_other_data(tmp_path, built_demo):
    second, other = tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    first = built_demo(1500, 7)  # the session's build_demo(accounts=1500, seed=7), default threads
    build_demo(second, accounts=1500, seed=7, threads=1)
    build_demo(other, accounts=1500, seed=8)
    assert database_checksum(first) == database_checksum(second)
    assert database_checksum(first) != database_checksum(other)


def test_rebuild_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "demo.duckdb"
    build_demo(path, accounts=200, seed=1)
    build_demo(path, accounts=300, seed=1)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from accounts").fetchone()[0] == 300
    assert not list(tmp_path.glob("*.building*"))


@pytest.fixture(scope="module")
def demo(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


def scalar(con, sql):
    return con.execute(sql).fetchone()[0]


def test_every_table_is_populated(demo):
    for table in ("departments", "customer_outcomes", "employees", "accounts",
                  "account_mrr_monthly", "support_tickets", "engagements", "cab_memberships",
                  "survey_responses", "department_kpis", "kpi_outcomes", "kpi_actuals",
                  "initiatives", "kudos", "employee_engagement", "demo_planted_effects"):
        assert scalar(demo, f"select count(*) from {table}") > 0, table
    assert scalar(demo, "select count(*) from accounts") == 5000
    assert scalar(demo, "select count(*) from departments") == 6


def test_history_covers_36_months_ending_at_as_of(demo):
    first, last, months = demo.execute(
        "select min(month), max(month), count(distinct month) from account_mrr_monthly"
    ).fetchone()
    assert (str(first), str(last), months) == ("2023-11-01", "2026-10-01", 36)
    assert str(scalar(demo, "select value from dataset_metadata where key = 'as_of_date'")) == AS_OF
    assert scalar(demo, f"select count(*) from support_tickets where opened_at > date '{AS_OF}' + 1") == 0


def test_revenue_stops_at_churn(demo):
    # no account is billed in or after the month following its churn date
    assert scalar(demo, """
        select count(*) from account_mrr_monthly m join accounts a using (account_id)
        where a.churn_date is not null and m.month > a.churn_date""") == 0
    # every account has revenue in the window
    assert scalar(demo, """
        select count(*) from accounts a anti join account_mrr_monthly m using (account_id)""") == 0


def test_every_program_and_engagement_type_is_present(demo):
    programs = {row[0] for row in demo.execute("select distinct program from survey_responses").fetchall()}
    assert programs == {"relationship", "post_installation", "post_professional_services", "support"}
    kinds = {row[0] for row in demo.execute("select distinct engagement_type from engagements").fetchall()}
    assert kinds == {"cab_session", "executive_meeting", "qbr", "professional_services",
                     "installation", "detractor_follow_up"}


def test_planted_effects_are_documented(demo):
    effects = dict(demo.execute("select driver_id, hazard_ratio from demo_planted_effects").fetchall())
    assert effects == {
        "slow_support": 1.8, "poor_onboarding": 1.7, "no_executive_meeting": 1.5,
        "detractor_not_followed_up": 2.0, "detractor_followed_up": 1.2, "not_cab_member": 2.0,
    }


CHURN_RATE = """
    -- churned accounts per 1,000 account-months at risk in the window, exposed vs not
    with spans as (
        select a.account_id, a.segment, a.churn_date is not null as churned,
            datediff('month', greatest(date_trunc('month', a.start_date), date '2023-11-01'),
                     coalesce(a.churn_date + 1, date '2026-11-01')) as months_at_risk
        from accounts a
    ),
    exposure as ({exposure})
    select
        1000 * sum(churned::int) filter (where exposed) / sum(months_at_risk) filter (where exposed),
        1000 * sum(churned::int) filter (where not exposed) / sum(months_at_risk) filter (where not exposed)
    from spans join exposure using (account_id)
"""


def rate_ratio(con, exposure: str) -> float:
    exposed, unexposed = con.execute(CHURN_RATE.format(exposure=exposure)).fetchone()
    return exposed / unexposed


def test_slow_support_raises_churn(demo):
    ratio = rate_ratio(demo, """
        select account_id, median(datediff('minute', opened_at, resolved_at)) / 60.0 > 72 as exposed
        from support_tickets where resolved_at is not null
        group by account_id having count(*) >= 3""")
    assert ratio > 1.4


def test_poor_onboarding_raises_churn(demo):
    ratio = rate_ratio(demo, """
        select account_id, min(score) <= 2 as exposed
        from survey_responses where program = 'post_installation' group by account_id""")
    assert ratio > 1.3


@pytest.mark.parametrize("segment", ["Enterprise", "Mid-Market"])
def test_no_executive_meeting_raises_churn_within_segment(demo, segment):
    ratio = rate_ratio(demo, f"""
        select a.account_id, e.account_id is null as exposed
        from accounts a
        left join (select distinct account_id from engagements
                   where engagement_type = 'executive_meeting') e using (account_id)
        where a.segment = '{segment}'""")
    assert ratio > 1.5


def test_cab_membership_protects(demo):
    ratio = rate_ratio(demo, """
        select a.account_id, c.account_id is not null as exposed
        from accounts a left join (select distinct account_id from cab_memberships) c using (account_id)
        where a.segment in ('Enterprise', 'Mid-Market')""")
    assert ratio < 0.7


def test_detractors_churn_more_in_the_next_six_months(demo):
    # share of answers followed by churn within 180 days: detractors (0-6) vs promoters (9-10)
    detractor_rate, promoter_rate = demo.execute(f"""
        select
            count(*) filter (where r.score <= 6 and a.churn_date < r.responded_on + 180)
                / count(*) filter (where r.score <= 6),
            count(*) filter (where r.score >= 9 and a.churn_date < r.responded_on + 180)
                / count(*) filter (where r.score >= 9)
        from survey_responses r join accounts a using (account_id)
        where r.survey_type = 'NPS' and r.responded_on <= date '{AS_OF}' - 180""").fetchone()
    assert detractor_rate > 1.3 * promoter_rate


def test_detractor_follow_ups_are_recorded(demo):
    follow_ups = scalar(demo, "select count(*) from engagements where engagement_type = 'detractor_follow_up'")
    detractors = scalar(demo, "select count(*) from survey_responses where survey_type = 'NPS' and score <= 6")
    assert 0.3 * detractors < follow_ups < detractors


def test_generated_rows_keep_every_declared_key_and_reference(demo):
    # the large fact tables are stored without key indexes, so the keys and references
    # declared for them in data/schema.sql are checked here instead
    violations = key_violations(demo)
    assert violations  # every unindexed table has at least its key checked
    assert {rule: count for rule, count in violations.items() if count} == {}


def test_key_violations_finds_duplicates_and_unknown_accounts():
    con = duckdb.connect()
    create_schema(con, key_indexes=False)
    con.execute("insert into accounts (account_id, account_name, segment, industry, region, plan, "
                "start_date) values ('A1', 'Acme', 'SMB', 'Retail', 'EMEA', 'Starter', "
                "'2024-01-01')")
    con.execute("insert into account_mrr_monthly values ('A1', '2024-01-01', 10), "
                "('A1', '2024-01-01', 12), ('A9', '2024-02-01', 5)")
    violations = key_violations(con, ("account_mrr_monthly",))
    assert violations == {
        "account_mrr_monthly duplicate (account_id, month)": 1,
        "account_mrr_monthly.account_id -> accounts": 1,
    }


def test_storage_schema_drops_only_the_fact_tables_key_clauses():
    def constraints(key_indexes):
        with duckdb.connect() as con:
            create_schema(con, key_indexes=key_indexes)
            return set(con.execute(
                "select table_name, constraint_type, constraint_text from duckdb_constraints()"
            ).fetchall()), con.execute(
                "select table_name, column_name, data_type, is_nullable from duckdb_columns() "
                "order by all").fetchall()

    (full, full_columns), (stored, stored_columns) = constraints(True), constraints(False)
    assert full_columns == stored_columns
    dropped = full - stored
    assert stored < full and dropped
    assert {table for table, _, _ in dropped} == set(UNINDEXED_TABLES)
    assert {kind for _, kind, _ in dropped} == {"PRIMARY KEY", "FOREIGN KEY"}


def test_the_planted_effects_are_described_in_the_rules_numbers(monkeypatch):
    monkeypatch.setattr(rules, "SLOW_TICKET_HOURS", 48)
    monkeypatch.setattr(rules, "LONG_FRAME_MONTHS", 9)
    monkeypatch.setattr(rules, "RECENT_FRAME_MONTHS", 4)
    script = (DEMO_SQL_DIR / "01_reference.sql").read_text()
    insert = script[script.index("insert into demo_planted_effects"):]
    with duckdb.connect() as con:
        create_schema(con)
        con.execute(rules.render_sql(insert[:insert.index(";") + 1]))
        effects = {driver: (label, exposure) for driver, label, exposure in con.execute(
            "select driver_id, description, exposure_rule from demo_planted_effects").fetchall()}
    assert effects["slow_support"][1] == (
        "more than half of the tickets opened in the last 9 months took over 48 hours to resolve")
    assert effects["no_executive_meeting"] == (
        "No executive meeting in 9 months", "no attended executive meeting in the last 9 months")
    assert effects["detractor_not_followed_up"][1] == (
        f"a relationship NPS answer of 0-{rules.NPS_DETRACTOR_TO} in the last 4 months not "
        f"followed up within {rules.DETRACTOR_FOLLOW_UP_DAYS} days")
