"""The tally rollups pages sum instead of reading every account-month: on the demo they must give
what the underlying account-month tables give, for every filter combination."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from northstar.data import rules, settings
from northstar.ui.page_queries import execute

FILTERS = [
    {"segments": [], "regions": [], "plans": []},
    {"segments": ["Enterprise"], "regions": [], "plans": []},
    {"segments": [], "regions": ["EMEA", "APAC"], "plans": ["Professional"]},
]
DRIVERS = ("slow_support", "repeated_escalations", "poor_onboarding", "poor_services",
           "detractor_not_followed_up", "detractor_followed_up", "no_executive_meeting",
           "not_cab_member", "revenue_decline")


# every account-month with 12 months after it, scored with the given weights and bands one by one
SCORED_ACCOUNT_MONTHS = """
select health_band_order(
           health_score(h.support_experience, h.survey_sentiment, h.engagement, h.revenue_trend,
                        h.components_required, $w_support, $w_sentiment, $w_engagement, $w_revenue,
                        product_usage := h.product_usage, w_usage := $w_usage),
           $healthy_from, $watch_from, $at_risk_from) as band_order,
    count(*) as account_months, count(distinct h.account_id) as accounts,
    count(*) filter (where h.churned_within_12m) as churned_within_12m
from account_health_monthly h
join accounts a using (account_id)
where h.month <= (select max(month) from account_month_snapshots) - interval 12 month
  and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
               a.segment, a.region, a.plan)
group by 1 having band_order <= 4 order by 1
"""


def test_health_band_outcomes_equal_scoring_every_account_month(demo_db):
    config = settings.load_config().query_params()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        # the rollup holds the configured weights and bands
        stored = con.execute("select distinct w_support, w_sentiment, w_engagement, w_revenue, "
                             "healthy_from, watch_from, at_risk_from "
                             "from health_band_outcomes").fetchall()
        assert stored == [tuple(float(config[key]) for key in (
            "w_support", "w_sentiment", "w_engagement", "w_revenue", "healthy_from",
            "watch_from", "at_risk_from"))]
        for filters in FILTERS:
            from_rollup = execute("health_band_churn", {**config, **filters}, demo_db)
            scored = con.execute(SCORED_ACCOUNT_MONTHS, {**config, **filters}).df()
            assert len(from_rollup) == 4
            pd.testing.assert_frame_equal(
                from_rollup[["band_order", "account_months", "accounts", "churned_within_12m"]],
                scored, check_dtype=False)


def test_other_weights_find_no_rows_and_change_the_fingerprint(demo_db, monkeypatch):
    from northstar.data.db import rollups

    config = {**settings.load_config().query_params(), "w_support": 0.6}
    assert execute("health_band_churn", {**config, **FILTERS[0]}, demo_db).empty
    before = rollups.schema_fingerprint()
    edited = settings.HealthConfig(
        {"support_experience": 0.6, "survey_sentiment": 0.3, "engagement": 0.2,
         "revenue_trend": 0.2}, 65, 50, 35)
    monkeypatch.setattr(settings, "load_config", lambda: edited)
    assert rollups.schema_fingerprint() != before  # the app asks for a rebuild


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
        # ticket ratings count as CSAT answers, once: not when a survey answer records the ticket
        ratings = con.execute(
            "select count(*) from support_tickets t where satisfaction_score is not null and "
            "not exists (select 1 from survey_responses r where r.ticket_id = t.ticket_id "
            "and r.survey_type = 'CSAT')").fetchone()[0]
        tallied = con.execute("select sum(nps_responses), sum(csat_responses), "
                              "sum(ces_responses) from kpi_month_tallies").fetchone()
        assert ratings > 0
        assert tallied == (answers[0], answers[1] + ratings, answers[2])


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


def test_health_latest_holds_the_latest_months_rows(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        latest = con.execute("select * from account_health_latest order by account_id").df()
        whole = con.execute(
            "select * from account_health_monthly where month = "
            "(select max(month) from account_health_monthly) order by account_id").df()
    assert len(latest) > 0
    pd.testing.assert_frame_equal(latest, whole)


def test_survey_scores_count_every_answer_in_the_range(demo_db):
    import datetime as dt

    start_date, end_date = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    params = {"start_date": start_date, "end_date": end_date, "group_by": "program",
              "segments": ["Enterprise", "Mid-Market"], "regions": [], "plans": []}
    frame = execute("survey_scores", params, demo_db).set_index(["group_value", "survey_type"])
    with duckdb.connect(str(demo_db), read_only=True) as con:
        direct = con.execute(
            "with answers as (select account_id, program, survey_type, score, responded_on "
            "from survey_responses union all select account_id, 'ticket_rating', 'CSAT', "
            "satisfaction_score, coalesce(resolved_at, opened_at)::date from support_tickets t "
            "where satisfaction_score is not null and not exists (select 1 from "
            "survey_responses s where s.ticket_id = t.ticket_id and s.survey_type = 'CSAT')) "
            "select r.program, r.survey_type, count(*), sum(r.score), "
            "count(*) filter (where r.survey_type = 'NPS' and r.score <= 6) "
            "from answers r join accounts a using (account_id) "
            "where a.segment in ('Enterprise', 'Mid-Market') "
            "and r.responded_on between $start and $end group by all",
            {"start": start_date, "end": end_date}).fetchall()
    assert len(direct) == len(frame) > 3
    for program, survey_type, answers, score_total, detractors in direct:
        row = frame.loc[(program, survey_type)]
        assert (row["responses"], row["score_total"]) == (answers, score_total)
        if survey_type == "NPS":
            assert row["detractors"] == detractors
    # the tallies count whole months: a range starting within a month counts all of it
    later_start = execute("survey_scores", {**params, "start_date": dt.date(2026, 1, 15)},
                          demo_db).set_index(["group_value", "survey_type"])
    pd.testing.assert_frame_equal(later_start, frame)
    distribution = execute("survey_distribution", params, demo_db)
    assert distribution["responses"].sum() == sum(row[2] for row in direct)


# the top n billed accounts of a month within the filters (ties at the boundary included), from
# every account's revenue: the accounts executive coverage must count
TOP_ACCOUNTS = """
with billed as (
    select s.account_id, s.mrr_usd from account_month_snapshots s
    where s.month = $month and s.has_revenue_row and s.mrr_usd > 0
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   s.segment, s.region, s.plan)
),
ranked as (select *, rank() over (order by mrr_usd desc) as place from billed)
select count(*), 12 * sum(mrr_usd) from ranked where place <= $top_n
"""


def test_top_accounts_rollup_equals_ranking_every_billed_account(demo_db):
    from northstar.data import rules

    with duckdb.connect(str(demo_db), read_only=True) as con:
        months = [row[0] for row in con.execute(
            "select month from billed_months order by month").fetchall()]
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
        kept = con.execute("select top_accounts_kept()").fetchone()[0]
        assert max(rules.TOP_N_OPTIONS) <= kept  # every top n the page offers is held
        points = months[-25::3]
        for filters in FILTERS:
            for top_n in (25, 100, kept):
                params = {**filters, "end_months": points, "top_n": top_n, "as_of": as_of}
                coverage = execute("program_exec_coverage", params, demo_db)
                per_month = coverage.groupby("snapshot_month")[["accounts", "arr_usd"]].sum()
                for month in points:
                    accounts, arr = con.execute(
                        TOP_ACCOUNTS, {**filters, "month": month, "top_n": top_n}).fetchone()
                    row = per_month.loc[pd.Timestamp(month)]
                    assert row["accounts"] == accounts
                    assert row["arr_usd"] == pytest.approx(arr)


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


# the post-engagement survey results by reading every engagement and answer (the rule the
# engagement_survey_outcomes rollup holds): engagements whose answer window closed in the range
# and by the as-of date, with their latest csat answer to the survey by then
SURVEY_RESULTS = """
with ended as (
    select e.engagement_id,
        (e.ended_on + to_days($window_days::integer))::date as window_closes_on
    from engagements e join accounts a using (account_id)
    where e.engagement_type = $engagement_type and e.ended_on is not null
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   a.segment, a.region, a.plan)
),
due as (
    select * from ended
    where window_closes_on between $start_date and $end_date and window_closes_on <= $as_of
),
answers as (
    select r.engagement_id, r.score from survey_responses r
    where r.program = $program and r.survey_type = 'CSAT' and r.responded_on <= $as_of
    qualify row_number() over (partition by r.engagement_id
                               order by r.responded_on desc, r.response_id desc) = 1
)
select count(*) as engagements_due, count(a.score) as answered,
    count(*) filter (where a.score >= 4) as satisfied
from due d left join answers a using (engagement_id)
"""


def test_engagement_survey_outcomes_equal_reading_every_answer(demo_db):
    as_of = dt.date(2026, 10, 31)  # the data's as-of date, which the pages pass
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for program in settings.SURVEY_PROGRAMS:
            for filters in FILTERS:
                for start in (dt.date(2025, 11, 1), dt.date(2024, 1, 1)):
                    params = {**filters, **program.query_params(), "as_of": as_of,
                              "start_date": start, "end_date": as_of}
                    total = execute("program_survey_results", {**params, "grain": "total"},
                                    demo_db).iloc[0]
                    by_quarter = execute("program_survey_results",
                                         {**params, "grain": "quarter"}, demo_db)
                    due, answered, satisfied = con.execute(SURVEY_RESULTS, params).fetchone()
                    assert due > 0
                    assert (total["engagements_due"], total["answered"]) == (due, answered)
                    assert by_quarter["engagements_due"].sum() == due
                    assert total["csat_pct"] == pytest.approx(100 * satisfied / answered)


# tickets needing follow-up by reading every ticket (the rule the candidates rollup holds)
TICKETS_NEEDING_FOLLOW_UP = """
with tickets as (
    select t.ticket_id,
        t.resolved_at is null or t.resolved_at >= ($as_of::date + 1)::timestamp as is_open,
        date_diff('day', t.opened_at::date, $as_of::date) as age_days,
        t.opened_at >= $start_date::timestamp
            and t.opened_at < ($as_of::date + 1)::timestamp as is_in_period,
        t.escalated_at, t.reopen_count, t.satisfaction_score
    from support_tickets t join accounts a using (account_id)
    where t.opened_at < ($as_of::date + 1)::timestamp
      and in_scope($segments::varchar[], $regions::varchar[], $plans::varchar[],
                   a.segment, a.region, a.plan)
)
select count(*) filter (where (is_open and escalated_at is not null) or (is_open and age_days > 7)
                           or (is_in_period and reopen_count > 0)
                           or (is_in_period and satisfaction_score <= 2)),
    count(*) filter (where is_open and escalated_at is not null),
    count(*) filter (where is_in_period and satisfaction_score <= 2)
from tickets
"""


def test_ticket_follow_up_candidates_equal_reading_every_ticket(demo_db):
    as_of = dt.date(2026, 10, 31)  # the data's as-of date, which the pages pass
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for filters in FILTERS:
            params = {**filters, "start_date": dt.date(2025, 11, 1), "end_date": as_of,
                      "as_of": as_of, "limit": 200}
            held = execute("program_ticket_followups",
                           {**params, "open_ticket_days": rules.OPEN_TICKET_FOLLOW_UP_DAYS},
                           demo_db)
            matching, escalations, low_csat = con.execute(
                TICKETS_NEEDING_FOLLOW_UP,
                {key: value for key, value in params.items() if key not in ("end_date", "limit")},
            ).fetchone()
            assert matching > 0
            assert held["matching_tickets"].iloc[0] == matching
            assert held["open_escalation_tickets"].iloc[0] == escalations
            assert held["low_csat_tickets"].iloc[0] == low_csat


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
