"""CCO programs queries and transforms on a hand-made fixture (tests/unit/programs_fixture.py):
the comparable-group rule, executive coverage at the top-N boundary and the 12-month edge,
survey completion, ticket ageing buckets, follow-up rules, kudos, and the demo's planted effects."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.analytics import display, programs
from northstar.analytics.metrics import is_missing
from northstar.analytics.periods import resolve_period
from northstar.data import rules, settings
from northstar.ui import tables
from northstar.ui.page_queries import execute
from tests.unit import programs_fixture

D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}
AS_OF = programs_fixture.AS_OF
PERIOD = {"start_date": D(2026, 1, 1), "end_date": AS_OF, "opening_month": D(2025, 12, 1),
          "closing_month": D(2026, 6, 1)}
BASE = {**ALL, **PERIOD, "as_of": AS_OF, "limit": 200,
        "open_ticket_days": rules.OPEN_TICKET_FOLLOW_UP_DAYS}


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    import duckdb

    from northstar.data.db.schema import create_schema

    path = tmp_path_factory.mktemp("programs") / "programs.duckdb"
    con = duckdb.connect(str(path))
    create_schema(con)
    programs_fixture.load(con)
    con.close()
    return path


def run(path, name, **params):
    return execute(name, {**BASE, **params}, path)


# ---- advisory board ----------------------------------------------------------------------


def test_comparable_group_rule(path):
    frame = run(path, "program_cab_comparison")
    groups = programs.comparison_groups(frame)
    cab, comparable, other = groups[1], groups[2], groups[3]
    # members at the start: E1 and E2 (E5 joined in March and is left out of every group)
    assert (cab["opening_accounts"], cab["churned_accounts"]) == (2, 1)
    assert cab["logo_churn_pct"] == pytest.approx(50)
    assert cab["nrr_pct"] == pytest.approx(100 * 1000 / 1500)
    # comparable: E3 only (600 >= the smallest member's 500); E4 (499) is below the floor
    assert (comparable["opening_accounts"], comparable["churned_accounts"]) == (1, 0)
    assert comparable["nrr_pct"] == pytest.approx(100 * 700 / 600)
    # other: E4, M1 (a segment without members, whatever its ARR) and S1
    assert (other["opening_accounts"], other["churned_accounts"]) == (3, 1)
    assert other["nrr_pct"] == pytest.approx(100 * 2100 / 2599)
    # relationship NPS in the period: members 10 and 5 -> 0; comparable 9 -> +100 (Nov 0 excluded)
    assert (cab["nps"], cab["nps_responses"]) == (0, 2)
    assert (comparable["nps"], comparable["nps_responses"]) == (100, 1)
    assert programs.floors_text(frame["comparable_floors"].iloc[0]) == "Enterprise from $6.00K"
    assert programs.difference(cab, comparable, "logo_churn_pct") == pytest.approx(50)
    assert programs.points_text(programs.difference(cab, comparable, "nps"), "pts") == "-100 pts"


def test_comparison_with_no_members_in_scope(path):
    frame = run(path, "program_cab_comparison", segments=["SMB"])
    groups = programs.comparison_groups(frame)
    assert groups[1]["opening_accounts"] == 0 and groups[2]["opening_accounts"] == 0
    assert pd.isna(groups[1]["logo_churn_pct"]) and pd.isna(groups[1]["nps"])
    assert groups[3]["opening_accounts"] == 1
    assert programs.floors_text(frame["comparable_floors"].iloc[0]) == "no segment has board members"
    assert programs.difference(groups[1], groups[2], "nrr_pct") is None
    assert list(programs.comparison_table(frame)["Group"]) == list(programs.GROUP_LABELS.values())


def test_board_sessions_and_attendance(path):
    every = run(path, "program_cab_sessions", grains=list(programs.SESSION_QUERY_GRAINS))
    assert set(every["grain"]) == {"quarter", "week", "month"}
    frame = programs.sessions_at(every, "quarter")
    assert list(frame["period_start"].dt.date) == [D(2026, 1, 1), D(2026, 4, 1)]
    assert list(frame["sessions"]) == [2, 1]  # a session = one date, however many invitations
    assert list(frame["invitations"]) == [4, 2]
    assert list(frame["attendance_pct"]) == pytest.approx([75, 100])
    monthly = programs.sessions_at(every, "month")
    totals = programs.sessions_in_period(monthly, resolve_period(D(2026, 6, 1), "last_3_months"))
    assert totals == {"sessions": 1, "invitations": 2, "attended": 2, "attendance_pct": 100}
    # weeks start on Monday; each grain counts every invitation once
    weekly = programs.sessions_at(every, "week")
    assert all(start.weekday() == 0 for start in weekly["period_start"].dt.date)
    assert weekly["invitations"].sum() == monthly["invitations"].sum() == 6
    long = programs.sessions_long(frame, "quarter", AS_OF)
    assert list(long["period"].unique()) == ["Q1 2026", "Q2 2026"]
    assert list(long.loc[long["status"] == "Did not attend", "invitations"]) == [1, 0]
    assert run(path, "program_cab_sessions", grains=["week"], segments=["SMB"]).empty
    # a grain asked for twice is counted once
    twice = run(path, "program_cab_sessions", grains=["quarter", "quarter"])
    assert twice["invitations"].sum() == 6


def test_current_board_members(path):
    frame = run(path, "program_cab_members")
    # E2 left on 31 May; E1 and E5 tie on ARR and are ordered by ID
    assert list(frame["account_id"]) == ["E1", "E5"]
    e1 = frame.iloc[0]
    assert (e1["arr_usd"], e1["latest_nps"]) == (12000, 10)
    assert (e1["sessions_invited"], e1["sessions_attended"]) == (3, 3)
    assert pd.isna(frame.iloc[1]["latest_nps"])
    table = programs.members_table(frame)
    assert table["Account"].iloc[0] == "account?account=E1#E1 Corp"


# ---- executive meetings ------------------------------------------------------------------


def coverage(path, months, top_n):
    return run(path, "program_exec_coverage", end_months=months, top_n=top_n)


def test_coverage_with_a_tie_at_the_boundary_and_the_12_month_edge(path):
    frame = coverage(path, [D(2026, 6, 1)], 2)
    trend = programs.coverage_trend(frame).iloc[0]
    # top 2 by June ARR: M1 (2000), then E1 and E5 tied at 1000 -> 3 accounts
    assert trend["top_accounts"] == 3
    # M1 met exactly 12 months before the as-of date (counts); E1 12 months + 1 day (does not);
    # E5 was invited but did not attend
    assert trend["met_accounts"] == 1
    assert trend["coverage_pct"] == pytest.approx(100 / 3)
    assert trend["arr_coverage_pct"] == pytest.approx(100 * 2000 / 4000)
    unmet = run(path, "program_exec_unmet", top_n=2)
    assert list(unmet["account_id"]) == ["E1", "E5"]
    assert list(programs.unmet_table(unmet)["Status"]) == ["Not met in 12 months", "Never met"]
    # E1 and E5 sit on the advisory board on the as-of date (E2 left on 31 May)
    assert list(unmet["is_cab_member"]) == [True, True]
    wider = run(path, "program_exec_unmet", top_n=100)
    members = set(run(path, "program_cab_members")["account_id"])
    assert list(wider["is_cab_member"]) == [account in members for account in wider["account_id"]]
    assert not wider["is_cab_member"].all(), "the fixture has unmet accounts off the board too"
    shown = programs.unmet_table(wider)["Advisory board"]
    assert list(shown.fillna("—")) == [
        "Member" if member else "—" for member in wider["is_cab_member"]]


def test_coverage_outcomes_a_year_later(path):
    frame = coverage(path, [D(2025, 6, 1), D(2026, 6, 1)], 3)
    outcomes = programs.coverage_outcomes(frame, D(2025, 6, 1))
    # Jun 2025: M1 and E1 met in the year before, E2 not; E2 churned by Jun 2026
    assert list(outcomes["Top accounts"]) == ["Met in the year before", "Not met"]
    assert list(outcomes["Accounts"]) == [2, 1]
    assert list(outcomes["Logo churn"]) == pytest.approx([0, 100])
    assert list(outcomes["NRR"]) == pytest.approx([100, 0])
    # the latest snapshot has no year after it
    assert programs.coverage_outcomes(frame, D(2026, 6, 1)).empty


def test_coverage_points_need_a_year_of_history():
    points = programs.coverage_points(D(2026, 10, 1), D(2023, 11, 1))
    assert points[-1] == D(2026, 10, 1) and points[0] == D(2024, 10, 1)
    assert programs.coverage_points(D(2026, 6, 1), D(2025, 12, 1)) == []


def test_coverage_of_fewer_accounts_than_n(path):
    # top 100 of the 5 accounts billed in June (E2 and E4 churned): M1 and E3 were met
    trend = programs.coverage_trend(coverage(path, [D(2026, 6, 1)], 100)).iloc[0]
    assert (trend["top_accounts"], trend["met_accounts"]) == (5, 2)
    smb = programs.coverage_trend(run(path, "program_exec_coverage", end_months=[D(2026, 6, 1)],
                                      top_n=100, segments=["SMB"])).iloc[0]
    assert (smb["top_accounts"], smb["coverage_pct"]) == (1, 0)
    nobody = run(path, "program_exec_coverage", end_months=[D(2026, 6, 1)], top_n=100,
                 regions=["LATAM"])
    assert programs.coverage_trend(nobody).empty
    assert run(path, "program_exec_unmet", top_n=100, regions=["LATAM"]).empty


# ---- post-engagement surveys -------------------------------------------------------------


def survey(path, program, grain, **params):
    return run(path, "program_survey_results", **program.query_params(), grain=grain, **params)


def test_completion_rate_counts_only_installations_due(path):
    total = survey(path, settings.ONBOARDING, "total").iloc[0]
    # due: I1 (closes 8 May), I2 (closes on the as-of date), I4; I3 closes 1 Jul: not yet due
    assert total["engagements_due"] == 3
    assert total["answered"] == 2
    assert total["completion_pct"] == pytest.approx(100 * 2 / 3)
    assert total["csat_pct"] == pytest.approx(50)  # scores 5 and 1
    assert total["mean_score"] == pytest.approx(3)
    assert total["awaiting_answers"] == 1
    distribution = programs.score_distribution(total)
    assert list(distribution["answers"]) == [1, 0, 0, 0, 1]
    assert list(distribution["share_pct"]) == [50, 0, 0, 0, 50]


def test_survey_trend_by_quarter_and_topic(path):
    trend = survey(path, settings.ONBOARDING, "quarter", start_date=programs.HISTORY_START)
    assert list(trend["quarter_start"].dt.date) == [D(2025, 10, 1), D(2026, 4, 1)]
    assert list(trend["engagements_due"]) == [1, 3]
    assert list(trend["csat_pct"]) == pytest.approx([0, 50])
    long = programs.survey_trend_long(trend, "Completion rate", AS_OF)
    assert set(long["quarter"]) == {"Q4 2025", "Q2 2026"}
    topics = survey(path, settings.PROFESSIONAL_SERVICES, "topic")
    # P1 (closes 24 Jun) is due and answered 4; P2 (closes 4 Jul) is not due yet
    assert list(topics["topic"]) == ["Data migration"]
    assert (topics["completion_pct"].iloc[0], topics["csat_pct"].iloc[0]) == (100, 100)
    assert programs.topic_table(topics)["Response rate"].iloc[0] == 100


def test_low_scores_in_the_period(path):
    low = run(path, "program_survey_low_scores", **settings.ONBOARDING.query_params())
    # I2 scored 1; I5's 2 came due before the period
    assert list(low["account_id"]) == ["S1"]
    table = programs.low_scores_table(low, "Installation ended", with_topic=False)
    assert "Topic" not in table.columns and table["Comment"].iloc[0] == "Setup was rough."


def test_surveys_with_nothing_due(path):
    # M1's installation is not due yet: no row at all (the page shows an empty state)
    assert survey(path, settings.ONBOARDING, "total", segments=["Mid-Market"]).empty
    # E4's installation is due but unanswered: completion 0, no CSAT
    total = survey(path, settings.ONBOARDING, "total", start_date=D(2026, 4, 1),
                   end_date=D(2026, 4, 30)).iloc[0]
    assert (total["engagements_due"], total["answered"], total["completion_pct"]) == (1, 0, 0)
    assert pd.isna(total["csat_pct"]) and pd.isna(total["mean_score"])
    assert programs.score_distribution(total)["share_pct"].sum() == 0


# ---- support review ----------------------------------------------------------------------


def test_ageing_bucket_boundaries(path):
    ageing = run(path, "program_ticket_ageing")
    assert list(ageing["age_bucket"]) == ["0–2 days", "3–7 days", "8–30 days", "Over 30 days"]
    # ages 2 | 3, 7 | 8, 30 | 31
    assert list(ageing["open_tickets"]) == [1, 2, 2, 1]
    assert list(ageing["escalated_tickets"]) == [1, 0, 0, 0]
    empty = run(path, "program_ticket_ageing", segments=["Enterprise"], as_of=D(2026, 1, 1))
    assert list(empty["open_tickets"]) == [0, 0, 0, 0]


def test_ticket_categories_with_median_and_p90(path):
    frame = run(path, "program_ticket_categories")
    total = frame.loc[frame["is_total"]].iloc[0]
    assert (total["opened_tickets"], total["solved_tickets"], total["open_tickets"]) == (8, 2, 6)
    assert total["median_first_response_hours"] == pytest.approx(2)  # 1, 2 and 4 hours
    billing = frame.loc[frame["category"] == "billing"].iloc[0]
    assert billing["median_first_response_hours"] == pytest.approx(3)
    assert billing["p90_first_response_hours"] == pytest.approx(2 + 0.9 * 2)
    assert billing["median_resolution_hours"] == pytest.approx(18)
    assert billing["p90_resolution_hours"] == pytest.approx(12 + 0.9 * 12)
    table = programs.category_table(frame)
    assert list(table["Category"]) == ["All categories", "Defect", "Billing"]
    assert list(table["Share of tickets"]) == pytest.approx([100, 75, 25])
    long = programs.category_status_long(frame)
    assert list(long.loc[long["status"] == "Still open", "tickets"]) == [6, 0]


def test_tickets_needing_follow_up(path):
    frame = run(path, "program_ticket_followups")
    # T1 open escalation; T6, T5, T4 open more than 7 days (oldest first); T7 reopened and rated 2.
    # T2 and T3 (3 and 7 days) are not overdue; T9 was opened before the period.
    assert list(frame["ticket_id"]) == ["T1", "T6", "T5", "T4", "T7"]
    counts = programs.follow_up_counts(frame)
    assert counts == {"matching_tickets": 5, "open_escalation_tickets": 1,
                      "open_too_long_tickets": 3, "reopened_tickets": 1, "low_csat_tickets": 1}
    table = programs.follow_up_table(frame)
    assert table["Why"].iloc[0] == "Open escalation"
    assert table["Why"].iloc[-1] == "Reopened · CSAT 1–2"
    assert list(table["State"]) == ["Open"] * 4 + ["Resolved"]
    limited = run(path, "program_ticket_followups", limit=2)
    assert len(limited) == 2 and programs.follow_up_counts(limited)["matching_tickets"] == 5
    none = run(path, "program_ticket_followups", segments=["Enterprise"], as_of=D(2025, 9, 1))
    assert none.empty and programs.follow_up_counts(none)["matching_tickets"] == 0


# ---- kudos -------------------------------------------------------------------------------


def test_kudos(path):
    quarters = run(path, "program_kudos_quarters")
    by_quarter = programs.kudos_by_quarter(quarters, AS_OF)
    assert by_quarter["department_name"].cat.categories[0] == "Customer Service & Support"
    assert int(quarters["kudos"].sum()) == 4
    employees = run(path, "program_kudos_employees")
    assert list(employees["employee_name"]) == ["Casey Morgan", "Pat Singh"]
    assert (employees["kudos"].iloc[0], employees["accounts"].iloc[0]) == (2, 2)
    recent = run(path, "program_kudos_recent")
    assert list(recent["kudos_id"]) == ["K2", "K3", "K1"]
    assert list(programs.kudos_recent_table(recent).columns) == [
        "Given", "Employee", "Department", "Account", "Comment"]


# ---- pure helpers ------------------------------------------------------------------------


def test_period_params_and_labels():
    window = resolve_period(D(2026, 10, 1), "last_3_months")
    assert programs.period_params(window, D(2026, 10, 20)) == {
        "start_date": D(2026, 8, 1), "end_date": D(2026, 10, 20),
        "opening_month": D(2026, 7, 1), "closing_month": D(2026, 10, 1)}
    assert programs.period_label(D(2026, 10, 1), "quarter", D(2026, 10, 31)) == "Q4 2026 (to date)"
    assert programs.period_label(D(2026, 7, 1), "quarter", D(2026, 10, 31)) == "Q3 2026"
    assert programs.period_label(D(2026, 10, 5), "week") == "Week of 5 Oct 2026"
    assert programs.points_text(None, "pp") == "—"
    assert is_missing(pd.NaT) and not is_missing([])


def test_column_config_follows_the_names():
    table = pd.DataFrame({"Account": ["a#b"], "ARR": [1.0], "Logo churn": [1.0],
                          "Answered": [3], "Answered on": [pd.Timestamp(2026, 1, 1)]})
    config = tables.program_column_config(table)
    # links and dates are set by name; numbers are formatted from their unit by house_style
    assert set(config) == {"Account", "Answered on"}
    assert display.column_unit("ARR", table["ARR"]) == "usd"
    assert display.column_unit("Logo churn", table["Logo churn"]) == "pct"


# ---- the demo's planted effects ----------------------------------------------------------


def test_demo_board_members_churn_less_than_comparable_accounts(demo_db):
    # 24 months (Oct 2024 -> Oct 2026), so the small board has enough churn to compare
    params = {**ALL, "opening_month": D(2024, 10, 1), "closing_month": D(2026, 10, 1),
              "start_date": D(2024, 11, 1), "end_date": D(2026, 10, 31)}
    groups = programs.comparison_groups(execute("program_cab_comparison", params, demo_db))
    cab, comparable = groups[1], groups[2]
    assert cab["opening_accounts"] >= 30 and comparable["opening_accounts"] >= 30
    assert cab["logo_churn_pct"] < comparable["logo_churn_pct"]
    assert cab["nrr_pct"] > comparable["nrr_pct"]
    assert cab["nps"] > comparable["nps"]


def test_demo_covered_top_accounts_churn_less(demo_db):
    params = {**ALL, "end_months": [D(2025, 10, 1)], "top_n": 500, "as_of": D(2026, 10, 31)}
    outcomes = programs.coverage_outcomes(
        execute("program_exec_coverage", params, demo_db), D(2025, 10, 1))
    met, not_met = outcomes.iloc[0], outcomes.iloc[1]
    assert met["Accounts"] >= 100 and not_met["Accounts"] >= 100
    assert met["Logo churn"] < not_met["Logo churn"]
    assert met["NRR"] > not_met["NRR"]


def test_demo_poor_onboarding_scores_are_visible(demo_db):
    params = {**ALL, **settings.ONBOARDING.query_params(), "grain": "total",
              "start_date": D(2025, 11, 1), "end_date": D(2026, 10, 31), "as_of": D(2026, 10, 31)}
    total = execute("program_survey_results", params, demo_db).iloc[0]
    # about 65% answer; about 18% of installations have the poor-onboarding trait (scores 1-2)
    assert 50 < total["completion_pct"] < 80
    assert 8 < 100 * (total["score_1"] + total["score_2"]) / total["answered"] < 30


def test_survey_timing_is_written_from_the_programs_settings():
    assert programs.survey_timing(settings.ONBOARDING, "onboarding survey") == (
        "The onboarding survey goes out 30 days after an installation ends; answers are awaited "
        "7 more days. An installation is due once 37 days have passed since it ended, and counts "
        "in the period (and quarter) in which those 37 days ran out.")
    later = settings.SurveyProgram("installation", "post_installation", 45, "installation",
                                   sent_after_days=30)
    assert "awaited 15 more days" in programs.survey_timing(later, "onboarding survey")
    assert programs.survey_timing(settings.PROFESSIONAL_SERVICES, "follow-up survey",
                                  "a professional-services engagement") == (
        "The follow-up survey goes out when a professional-services engagement ends; answers are "
        "awaited 14 days. An engagement counts in the period (and quarter) in which those 14 days "
        "ran out.")


def test_exec_months_reach_back_to_the_first_month_with_revenue():
    months = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    chosen = programs.exec_months(dt.date(2026, 10, 1), months)
    # every third month back whose 12 months before are in the data (from January 2025):
    # October 2025 would need November 2024
    assert chosen.points == [dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                             dt.date(2026, 10, 1)]
    assert chosen.outcome_month == dt.date(2025, 10, 1)
    assert chosen.end_months == [dt.date(2025, 10, 1), *chosen.points]
    # no revenue at all: no trend point, the last month and the outcome month only
    empty = programs.exec_months(dt.date(2026, 10, 1), months.iloc[:0])
    assert empty.points == []
    assert empty.end_months == [dt.date(2025, 10, 1), dt.date(2026, 10, 1)]


def test_coverage_at_keeps_the_trend_rows_of_the_months_asked():
    trend = pd.DataFrame({"snapshot_month": pd.to_datetime(["2026-07-01", "2026-10-01"]),
                          "coverage_pct": [40.0, 50.0]})
    assert list(programs.coverage_at(trend, [dt.date(2026, 10, 1)])["coverage_pct"]) == [50.0]
    assert programs.coverage_at(trend, [dt.date(2026, 9, 1)]).empty


def test_ticket_totals_is_the_all_categories_row():
    categories = pd.DataFrame({"category": ["Billing", "All"], "is_total": [0, 1],
                               "opened_tickets": [3, 7]})
    assert programs.ticket_totals(categories)["opened_tickets"] == 7
