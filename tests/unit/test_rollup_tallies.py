"""The tally rollups pages sum instead of reading every account-month: on the demo they must give
what the underlying account-month tables give, for every filter combination."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from northstar.data import settings
from northstar.ui.queries import execute

FILTERS = [
    {"segments": [], "regions": [], "plans": []},
    {"segments": ["Enterprise"], "regions": [], "plans": []},
    {"segments": [], "regions": ["EMEA", "APAC"], "plans": ["Professional"]},
]
DRIVERS = ("slow_support", "repeated_escalations", "poor_onboarding", "poor_services",
           "detractor_not_followed_up", "detractor_followed_up", "no_executive_meeting",
           "not_cab_member", "revenue_decline")


@pytest.fixture()
def demo_copy(demo_db, tmp_path):
    """A writable copy of the demo, for emptying a rollup and comparing."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_health_band_outcomes_equal_live_scoring(demo_db, demo_copy):
    config = settings.load_config().query_params()
    with duckdb.connect(str(demo_copy)) as con:
        # the rollup holds the configured weights and bands
        stored = con.execute("select distinct w_support, w_sentiment, w_engagement, w_revenue, "
                             "healthy_from, watch_from, at_risk_from "
                             "from health_band_outcomes").fetchall()
        assert stored == [tuple(float(config[key]) for key in (
            "w_support", "w_sentiment", "w_engagement", "w_revenue", "healthy_from",
            "watch_from", "at_risk_from"))]
        con.execute("delete from health_band_outcomes")
    for filters in FILTERS:
        from_rollup = execute("health_band_churn", {**config, **filters}, demo_db)
        live = execute("health_band_churn", {**config, **filters}, demo_copy)
        assert len(from_rollup) == 4
        pd.testing.assert_frame_equal(from_rollup, live, check_dtype=False)


def test_other_weights_are_scored_live(demo_db, demo_copy):
    # weights the rollup was not built with: the same answer as with the rollup emptied
    config = {**settings.load_config().query_params(), "w_support": 0.6}
    for filters in FILTERS[:2]:
        pd.testing.assert_frame_equal(
            execute("health_band_churn", {**config, **filters}, demo_db),
            execute("health_band_churn", {**config, **filters}, demo_copy),
            check_dtype=False,
        )


def test_unreadable_health_config_leaves_the_rollup_empty(empty_db, monkeypatch):
    from tests.unit import fixtures

    def broken():
        raise settings.HealthConfigError("config/health_score.toml: bands must ...")

    monkeypatch.setattr(settings, "load_config", broken)
    con, _ = empty_db
    fixtures.load(con)  # builds the rollups with the broken config
    assert con.execute("select count(*) from health_band_outcomes").fetchone()[0] == 0


def test_driver_tallies_add_up_to_the_exposures(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for driver in DRIVERS:
            direct = con.execute(
                f"select {driver} as exposed, count(*), "  # driver names from the list above
                "count(*) filter (where churned_next_month), "
                "count(*) filter (where churned_within_12m), sum(arr_usd), "
                "sum(nps_answers_next_12m) "
                f"from account_driver_exposures where {driver} is not null "
                "group by all order by 1").fetchall()
            tallied = con.execute(
                "select exposed, sum(account_months), sum(churned_next_month), "
                "sum(churned_within_12m), sum(arr_usd), sum(nps_answers_next_12m) "
                "from driver_month_tallies where driver_id = $driver "
                "group by all order by 1", {"driver": driver}).fetchall()
            assert [row[:4] for row in tallied] == [row[:4] for row in direct], driver
            for tallied_row, direct_row in zip(tallied, direct, strict=True):
                assert tallied_row[4] == pytest.approx(direct_row[4])
                assert tallied_row[5] == direct_row[5]
            # distinct accounts among the landmarks, per segment and exposure
            direct_accounts = con.execute(
                f"select segment, {driver}, count(distinct account_id) "
                "from account_driver_exposures "
                f"where is_estimation_landmark and {driver} is not null "
                "group by all order by 1, 2").fetchall()
            tallied_accounts = con.execute(
                "select segment, exposed, sum(accounts) from driver_landmark_accounts "
                "where driver_id = $driver group by all order by 1, 2",
                {"driver": driver}).fetchall()
            assert tallied_accounts == direct_accounts, driver


def test_kpi_month_tallies_hold_every_answer_and_escalation(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        answers = con.execute(
            "select count(*) filter (where survey_type = 'NPS'), "
            "count(*) filter (where survey_type = 'CSAT'), "
            "count(*) filter (where survey_type = 'CES') from survey_responses").fetchone()
        tallied = con.execute("select sum(nps_responses), sum(csat_responses), "
                              "sum(ces_responses) from kpi_month_tallies").fetchone()
        assert tallied == answers




def test_cost_quantities_hold_a_year_of_each_billed_account(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        stored = con.execute(
            "select count(*), sum(tickets_12m), sum(urgent_priority_tickets_12m), "
            "sum(revenue_12m_usd), sum(qbr_hours_12m) from account_cost_quantities").fetchone()
        direct = con.execute("""
            with billed as (
                select account_id from account_health_monthly where month = '2026-10-01'
            )
            select (select count(*) from billed),
                (select count(*) from support_tickets semi join billed using (account_id)
                 where opened_at >= '2025-11-01' and opened_at < '2026-11-01'),
                (select count(*) from support_tickets semi join billed using (account_id)
                 where opened_at >= '2025-11-01' and opened_at < '2026-11-01'
                   and priority = 'urgent'),
                (select sum(mrr_usd) from account_mrr_monthly semi join billed using (account_id)
                 where month between '2025-11-01' and '2026-10-01'),
                (select sum(hours) from engagements semi join billed using (account_id)
                 where started_on between '2025-11-01' and '2026-10-31' and attended
                   and engagement_type = 'qbr')
        """).fetchone()
    assert stored[:3] == direct[:3]
    assert stored[3] == pytest.approx(float(direct[3]))
    assert stored[4] == pytest.approx(float(direct[4]))


def test_health_latest_month_equals_reading_the_whole_table(demo_db, demo_copy):
    import datetime as dt

    with duckdb.connect(str(demo_copy)) as con:
        con.execute("delete from account_health_latest")
        older_accounts = con.execute("select count(*) from account_health_monthly "
                                     "where month = '2025-06-01'").fetchone()[0]
    params = {**settings.load_config().query_params(), "as_of_month": dt.date(2026, 10, 1)}
    for filters in FILTERS:
        pd.testing.assert_frame_equal(
            execute("health_summary", {**params, **filters}, demo_db),
            execute("health_summary", {**params, **filters}, demo_copy), check_dtype=False)
    # a month the latest-month table does not hold is read from the whole table
    older = execute("health_summary", {**params, **FILTERS[0], "as_of_month": dt.date(2025, 6, 1)},
                    demo_db)
    assert older["accounts"].sum() == older_accounts > 0


@pytest.mark.parametrize("start", ["2026-01-01", "2026-01-02"])  # whole months (tallied), live
def test_survey_scores_count_every_answer_in_the_range(demo_db, start):
    import datetime as dt

    start_date, end_date = dt.date.fromisoformat(start), dt.date(2026, 6, 30)
    params = {"start_date": start_date, "end_date": end_date, "group_by": "program",
              "segments": ["Enterprise", "Mid-Market"], "regions": [], "plans": []}
    frame = execute("survey_scores", params, demo_db).set_index(["group_value", "survey_type"])
    with duckdb.connect(str(demo_db), read_only=True) as con:
        direct = con.execute(
            "select r.program, r.survey_type, count(*), sum(r.score), "
            "count(*) filter (where r.survey_type = 'NPS' and r.score <= 6) "
            "from survey_responses r join accounts a using (account_id) "
            "where a.segment in ('Enterprise', 'Mid-Market') "
            "and r.responded_on between $start and $end group by all",
            {"start": start_date, "end": end_date}).fetchall()
    assert len(direct) == len(frame) > 3
    for program, survey_type, answers, score_total, detractors in direct:
        row = frame.loc[(program, survey_type)]
        assert (row["responses"], row["score_total"]) == (answers, score_total)
        if survey_type == "NPS":
            assert row["detractors"] == detractors
    distribution = execute("survey_distribution", params, demo_db)
    assert distribution["responses"].sum() == sum(row[2] for row in direct)


def test_top_accounts_rollup_equals_every_billed_account(demo_db, demo_copy):
    # executive coverage and the unmet list read the largest accounts per month and cell from
    # top_accounts_monthly; with the kept count set to 0 they read every billed account instead
    with duckdb.connect(str(demo_copy)) as con:
        con.execute("create or replace macro top_accounts_kept() as 0")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        months = [row[0] for row in con.execute(
            "select month from billed_months order by month").fetchall()]
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
    points = months[-25::3]
    for filters in FILTERS:
        for top_n in (25, 100, 500):
            params = {**filters, "end_months": points, "top_n": top_n, "as_of": as_of}
            kept = execute("program_exec_coverage", params, demo_db)
            live = execute("program_exec_coverage", params, demo_copy)
            assert kept["accounts"].sum() >= top_n * len(points) / 2
            pd.testing.assert_frame_equal(kept, live, check_dtype=False)
            params = {**filters, "top_n": top_n, "as_of": as_of, "limit": 1000}
            pd.testing.assert_frame_equal(execute("program_exec_unmet", params, demo_db),
                                          execute("program_exec_unmet", params, demo_copy),
                                          check_dtype=False)


def test_survival_tallies_equal_the_snapshots(demo_db):
    # the event table summed from survival_event_tallies against one built from the snapshots
    direct = """
        with starts as (
            select s.account_id, s.month as start_month, s.segment
            from account_month_snapshots s
            where s.movement = 'new'
              and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                           s.segment, s.region, s.plan)
        ),
        first_churn as (
            select account_id, min(month) as churn_month
            from account_month_snapshots where movement = 'churn' group by account_id
        )
        select st.segment,
            datediff('month', st.start_month, coalesce(fc.churn_month,
                (select max(month) from account_month_snapshots) + interval 1 month)) as age_months,
            count(*) filter (where fc.churn_month is not null) as churned_accounts,
            count(*) as leaving_accounts
        from starts st left join first_churn fc using (account_id)
        group by all order by all"""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for filters in FILTERS:
            expected = con.execute(direct, filters).df()
            curve = execute("survival_by_segment", filters, demo_db)
            events = curve.loc[curve["age_months"] > 0].sort_values(["segment", "age_months"])
            merged = events.merge(expected, on=["segment", "age_months"], how="outer",
                                  suffixes=("", "_direct"), indicator=True)
            assert (merged["_merge"] == "both").all()
            assert (merged["churned_accounts"] == merged["churned_accounts_direct"]).all()
            starts = curve.loc[curve["age_months"] == 0].set_index("segment")["accounts_at_risk"]
            assert starts.to_dict() == expected.groupby("segment")["leaving_accounts"].sum().to_dict()


@pytest.mark.parametrize("as_of_text", ["2026-10-31", "2026-06-15"])
def test_engagement_survey_outcomes_equal_reading_every_answer(demo_db, demo_copy, as_of_text):
    # the survey results of both programs from the rollup (answers after an earlier as-of looked
    # up live) against the same query with the rollup emptied, which reads every engagement

    with duckdb.connect(str(demo_copy)) as con:
        con.execute("delete from engagement_survey_outcomes")
    with duckdb.connect(str(demo_db), read_only=True) as con:
        later = con.execute("select count(*) from engagement_survey_outcomes "
                            "where latest_answer_on > $as_of", {"as_of": as_of_text}).fetchone()[0]
    assert (later > 0) == (as_of_text != "2026-10-31")
    as_of = dt.date.fromisoformat(as_of_text)
    for program in settings.SURVEY_PROGRAMS:
        for filters in FILTERS:
            for grain, start in (("total", dt.date(2025, 11, 1)), ("topic", dt.date(2026, 4, 1)),
                                 ("quarter", dt.date(2024, 1, 1))):
                params = {**filters, **program.query_params(), "grain": grain, "as_of": as_of,
                          "start_date": start, "end_date": dt.date(2026, 10, 31)}
                held = execute("program_survey_results", params, demo_db)
                live = execute("program_survey_results", params, demo_copy)
                assert held["engagements_due"].sum() > 0
                pd.testing.assert_frame_equal(held, live, check_dtype=False)


@pytest.mark.parametrize("as_of_text", ["2026-10-31", "2026-05-20"])
def test_ticket_follow_up_candidates_equal_reading_every_ticket(demo_db, demo_copy, as_of_text):
    # tickets needing follow-up from the candidates rollup against every ticket (the rollup
    # marked as covering no as-of date); an as-of before the last resolution reads every ticket
    with duckdb.connect(str(demo_copy)) as con:
        con.execute("update ticket_follow_up_candidates set resolved_through = '2999-12-31'")
    as_of = dt.date.fromisoformat(as_of_text)
    for filters in FILTERS:
        params = {**filters, "start_date": dt.date(2025, 11, 1), "end_date": as_of,
                  "as_of": as_of, "limit": 200}
        held = execute("program_ticket_followups", params, demo_db)
        every = execute("program_ticket_followups", params, demo_copy)
        assert held["matching_tickets"].iloc[0] > 0
        pd.testing.assert_frame_equal(held, every, check_dtype=False)


def test_comment_theme_months_equal_counting_every_comment(demo_db):
    from northstar.analytics import satisfaction

    params = satisfaction.theme_params(satisfaction.load_themes())
    direct = """
        with rules as (
            select unnest($theme_names::varchar[]) as theme,
                unnest($theme_patterns::varchar[]) as pattern
        )
        select ru.theme, date_trunc('month', r.responded_on)::date as month,
            count(*) as comments
        from survey_responses r
        join accounts a using (account_id)
        join rules ru on regexp_matches(lower(r.comment), ru.pattern)
        where r.comment is not null
          and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                       a.segment, a.region, a.plan)
        group by all
        order by theme, month"""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for filters in FILTERS:
            expected = con.execute(direct, {**params, **filters}).df()
            summed = execute("comment_theme_months", {**params, **filters}, demo_db)
            assert expected["comments"].sum() > 0
            pd.testing.assert_frame_equal(summed, expected, check_dtype=False)
