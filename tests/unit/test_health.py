"""The health score: its SQL definition, components, configuration and the at-risk ranking."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import duckdb
import pandas as pd
import pytest

from northstar.analytics import health, links, significance
from northstar.analytics.significance import Status
from northstar.data import rules, settings
from northstar.ui.page_queries import execute
from tests.conftest import REPO_ROOT

D = dt.date
T = dt.datetime
WEIGHTS = {"w_support": 0.3, "w_sentiment": 0.3, "w_engagement": 0.2, "w_revenue": 0.2,
           "w_usage": 0.2}
BANDS = {"healthy_from": 65, "watch_from": 50, "at_risk_from": 35}


@pytest.fixture()
def macros(empty_db):
    from northstar.data.db.rollups import build_rollups

    con, _ = empty_db
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-03-31')")
    build_rollups(con)
    return con


def score(con, *components, required=2, weights=(0.3, 0.3, 0.2, 0.2)):
    return con.execute("select health_score(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [*components, required, *weights]).fetchone()[0]


def test_score_is_the_weighted_mean_of_components_with_a_signal(macros):
    assert score(macros, 80, 60, 40, 50) == 0.3 * 80 + 0.3 * 60 + 0.2 * 40 + 0.2 * 50  # 60
    # no tickets: support left out, the other weights re-normalised (0.3 + 0.2 + 0.2 = 0.7):
    # 36 ÷ 0.7 = 51.43, shown and judged as the whole number 51
    assert score(macros, None, 60, 40, 50) == 51
    # whole points, so the score shown is the score the band was judged on: 54.6 is 55
    assert score(macros, 100, 0, 68, 68) == round(0.3 * 100 + 0.2 * 68 + 0.2 * 68)
    # one component is too little to judge
    assert score(macros, None, None, 40, None) is None
    # ... unless the data set has only one component at all: then the score is that component
    assert score(macros, None, None, None, 73.4, required=1) == 73


def test_bands_use_lower_bounds(macros):
    labels = [
        macros.execute("select health_band_label(health_band_order(?, 65, 50, 35))", [value]).fetchone()[0]
        for value in (65, 64.9, 50, 35, 34.9, None)
    ]
    assert labels == ["Healthy", "Watch", "Watch", "At risk", "Critical", "Not scored"]


def hand_account(con) -> None:
    """Account H1, billed Jun 2025 - Mar 2026 (100 a month, then 110 in Feb and 120 in Mar),
    with two tickets, four survey answers, a QBR and an executive meeting; data as of March."""
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date) values ('H1', 'Hale', 'SMB', 'Retail', 'EMEA', 'Starter', date '2025-06-01')""")
    con.executemany("insert into account_mrr_monthly values ('H1', ?, ?)",
                    [(D(2025, month, 1), 100) for month in range(6, 13)]
                    + [(D(2026, 1, 1), 100), (D(2026, 2, 1), 110), (D(2026, 3, 1), 120)])
    # two tickets in Feb 2026: resolved in 8 h and in 336 h (geometric mean sqrt(8 x 336) h),
    # one escalated: escalation rate 50% -> 40 points off (the cap)
    con.executemany(
        "insert into support_tickets (ticket_id, account_id, department_id, opened_at, resolved_at, "
        "status, priority, category, channel, escalated_at) values (?, 'H1', 'customer_service', ?, ?, "
        "'closed', 'high', 'defect', 'email', ?)",
        [("K1", T(2026, 2, 2), T(2026, 2, 2, 8), None),
         ("K2", T(2026, 2, 3), T(2026, 2, 17), T(2026, 2, 4))],
    )
    # NPS 6 (detractor, no follow-up) and 10 in the last year; CSAT 4; CES 7
    con.executemany(
        "insert into survey_responses (response_id, account_id, survey_type, program, responded_on, score) "
        "values (?, 'H1', ?, ?, ?, ?)",
        [("S1", "NPS", "relationship", D(2026, 1, 10), 6), ("S2", "NPS", "relationship", D(2025, 7, 1), 10),
         ("S3", "CSAT", "support", D(2026, 2, 20), 4), ("S4", "CES", "support", D(2026, 2, 20), 7)],
    )
    con.execute("""insert into engagements (engagement_id, account_id, engagement_type, department_id,
                   started_on) values ('G1', 'H1', 'qbr', 'customer_service', date '2026-01-15'),
                   ('G2', 'H1', 'executive_meeting', 'customer_service', date '2025-07-01')""")
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-03-31')")


def test_components_by_hand(empty_db):
    from northstar.data.db.rollups import build_rollups

    con, path = empty_db
    hand_account(con)
    build_rollups(con)
    row = con.execute("select * from account_health_monthly where account_id = 'H1' "
                      "and month = date '2026-03-01'").df().iloc[0]
    resolution = 100 * (math.log(336) - math.log(math.sqrt(8 * 336))) / (math.log(336) - math.log(8))
    assert row["support_experience"] == pytest.approx(round(resolution - 40, 1))
    # sentiment: NPS mean 8 -> 80, CSAT 4 -> 75, CES 7 -> 100; mean 85; minus 25 (open detractor)
    assert row["survey_sentiment"] == pytest.approx(60.0)
    # engagement: executive meeting in Jul 2025, within the trailing 12 months (40), QBR in
    # Jan 2026, within the trailing 6 months (20)
    assert row["engagement"] == pytest.approx(60.0)
    # revenue: 120 now vs 100 six months earlier (Sep 2025): +20% -> 100
    assert row["revenue_trend"] == pytest.approx(100.0)
    # February: 110 vs Aug 100: +10% -> 75
    february = con.execute("select revenue_trend from account_health_monthly where account_id = 'H1' "
                           "and month = date '2026-02-01'").fetchone()[0]
    assert february == pytest.approx(75.0)
    con.close()
    frame = execute("account_health_history", {"account_id": "H1", **WEIGHTS, **BANDS}, path)
    last = frame.iloc[-1]
    expected = 0.3 * last["support_experience"] + 0.3 * 60 + 0.2 * 60 + 0.2 * 100
    assert last["health_score"] == pytest.approx(expected)



def test_the_components_follow_the_rules(empty_db, monkeypatch):
    """The formula's numbers and frames are the rules': changed there, the rollup changes."""
    from northstar.data.db.rollups import build_rollups

    con, _ = empty_db
    hand_account(con)
    # a recent frame of one month, a slow bound of four weeks, the trend's full scale at 40% and
    # 35 points for an executive meeting
    monkeypatch.setattr(rules, "RECENT_FRAME_MONTHS", 1)
    monkeypatch.setattr(rules, "RESOLUTION_WORST_HOURS", 672)
    monkeypatch.setattr(rules, "TREND_FULL_SCALE_PCT", 40)
    monkeypatch.setattr(rules, "EXEC_MEETING_POINTS", 35)
    build_rollups(con)
    rows = con.execute(
        "select month, support_experience, survey_sentiment, engagement, revenue_trend "
        "from account_health_monthly where account_id = 'H1' and month >= date '2026-02-01' "
        "order by month").fetchall()
    february, march = rows
    # February: its own tickets (8 h and 336 h, geometric mean sqrt(8 x 336) h) against a
    # four-week bound (57.8 where two weeks give 50), 40 points off for the escalation
    resolution = 100 * (math.log(672) - math.log(math.sqrt(8 * 336))) / (math.log(672) - math.log(8))
    assert february[1] == pytest.approx(round(resolution - 40, 1)) == 17.8
    # March: February's tickets are outside a one-month frame: no support signal
    assert march[1] is None
    # March: the January detractor is outside the recent frame, so no penalty: (80 + 75 + 100) / 3
    assert march[2] == pytest.approx(85.0)
    # March: the executive meeting (Jul 2025) is in the 12-month frame (35), the January QBR is
    # not in a one-month one
    assert march[3] == pytest.approx(35.0)
    # +20% against six months earlier is half of a 40% full scale: 50 + 25; February's +10% 62.5
    assert march[4] == pytest.approx(75.0)
    assert february[4] == pytest.approx(62.5)


def test_docs_list_the_components_as_the_rules_define_them(monkeypatch):
    """docs/metrics.md's table of the health components is written from the rules (rewrite it
    with `python -m northstar.analytics.health`)."""
    text = (REPO_ROOT / "docs" / "metrics.md").read_text()
    assert health.components_markdown() in text
    # a changed rule changes the table, and the docs no longer hold it
    monkeypatch.setattr(rules, "QBR_POINTS", 25)
    assert health.components_markdown() not in text
    assert health.with_components_markdown(text).count(
        f"QBR in the last {rules.RECENT_FRAME_MONTHS} months 25") == 1


def test_the_help_says_the_rules():
    help_text = health.COMPONENT_HELP
    assert (f"resolution time ({health.duration_text(rules.RESOLUTION_BEST_HOURS)} or faster "
            f"scores 100, {health.duration_text(rules.RESOLUTION_WORST_HOURS)} or slower 0)"
            ) in help_text["support_experience"]
    assert f"{rules.OPEN_DETRACTOR_PENALTY_POINTS} points off" in help_text["survey_sentiment"]
    assert f"+{rules.TREND_FULL_SCALE_PCT}% or more 100" in help_text["revenue_trend"]
    assert f"first {rules.REVENUE_TREND_BLANK_MONTHS} billed months" in help_text["revenue_trend"]
    assert [health.duration_text(hours) for hours in (1, 8, 72, 168, 336)] == [
        "1 hour", "8 hours", "3 days", "1 week", "2 weeks"]

def test_config_file_loads_and_rejects_bad_files(tmp_path):
    config = settings.load_config()
    assert set(config.weights) == set(settings.COMPONENTS)
    assert config.healthy_from > config.watch_from > config.at_risk_from
    assert config.formula().startswith("30% support experience")
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\nsupport_experience = 1\n[bands]\nhealthy = 70\nwatch = 50\nat_risk = 30\n")
    with pytest.raises(settings.HealthConfigError, match="missing engagement, revenue_trend, survey_sentiment"):
        settings.load_config(bad)
    bad.write_text(
        "[weights]\nsupport_experience = 1\nsurvey_sentiment = 1\nengagement = 1\nrevenue_trend = 1\n"
        "[bands]\nhealthy = 40\nwatch = 50\nat_risk = 30\n")
    with pytest.raises(settings.HealthConfigError, match="bands must satisfy"):
        settings.load_config(bad)


def test_weakest_components_and_csv():
    row = pd.Series({"support_experience": 12.0, "survey_sentiment": None, "engagement": 20.0,
                     "revenue_trend": 80.0})
    assert health.weakest_components(row) == "Support experience 12 · Engagement 20"
    frame = pd.DataFrame({
        "account_id": ["A1"], "account_name": ["Acme #1"], "segment": ["SMB"], "arr_usd": [1200.0],
        "health_score": [30.4], "band": ["Critical"], "churn_risk_pct": [30.0],
        "churn_risk_low_pct": [24.2], "churn_risk_high_pct": [36.6], "arr_at_risk_usd": [360.0],
        "reasons": [["slow_support", "not_cab_member"]],
        "support_experience": [12.0], "survey_sentiment": [None], "engagement": [20.0],
        "revenue_trend": [80.0], "renewal_date": [pd.Timestamp(2027, 1, 1)], "csm_name": ["Ava Lund"],
        "last_executive_meeting_on": [pd.NaT],
    })
    table = health.at_risk_table(frame)
    assert table["Account"].iloc[0] == "account?account=A1#Acme #1"
    assert table["Band"].iloc[0] == "✕ Critical"
    export = links.without_links(table)
    # the ranking's columns first: ARR at risk, churn risk and its range, ARR, health, band
    assert export.to_csv(index=False).splitlines()[1].startswith(
        'Acme #1,360.0,30.0,24–37%,1200.0,30.4,✕ Critical,"slow ticket resolution, not on the '
        'advisory board",SMB')


def test_at_risk_list_ranks_by_the_models_arr_at_risk(empty_db):
    from tests.unit import retention_fixture

    con, path = empty_db
    retention_fixture.load(con)
    # the fixture is too small to fit the churn model: give its accounts known chances
    con.execute("delete from account_churn_risk")
    scored = con.execute("""
        select account_id, 12 * mrr_usd from account_health_latest
        where month = date '2026-06-01' order by account_id""").fetchall()
    chances = {account_id: 0.05 * (index + 1) for index, (account_id, _) in enumerate(scored)}
    con.executemany(
        "insert into account_churn_risk (account_id, month, segment, region, plan, arr_usd, "
        "churn_probability_12m, churn_probability_low_12m, churn_probability_high_12m, "
        "arr_at_risk_usd, arr_at_risk_low_usd, arr_at_risk_high_usd, reasons, "
        "reason_arr_at_risk_usd) select $1, date '2026-06-01', segment, region, plan, $2, $3, "
        "$3 / 2, $3 * 2, $2 * $3, $2 * $3 / 2, $2 * $3 * 2, ['slow_support'], [$2 * $3 / 3] "
        "from accounts where account_id = $1",
        [(account_id, arr, chances[account_id]) for account_id, arr in scored])
    con.close()
    params = {**WEIGHTS, **BANDS, "segments": [], "regions": [], "plans": [],
              "as_of_month": D(2026, 6, 1), "band_orders": [1, 2, 3, 4, 5], "limit": 10}
    frame = execute("health_accounts", params, path)
    assert len(frame) == min(10, len(scored))
    for row in frame.itertuples():
        arr = dict(scored)[row.account_id]
        assert row.arr_usd == pytest.approx(arr)
        assert row.churn_risk_pct == pytest.approx(100 * chances[row.account_id])
        assert row.arr_at_risk_usd == pytest.approx(arr * chances[row.account_id])
        assert row.churn_risk_low_pct == pytest.approx(50 * chances[row.account_id])
        assert list(row.reasons) == ["slow_support"]
        # the bands by hand: healthy from 65, watch from 50, at risk from 35
        band = ("Not scored" if row.health_score != row.health_score
                else "Healthy" if row.health_score >= 65 else "Watch" if row.health_score >= 50
                else "At risk" if row.health_score >= 35 else "Critical")
        assert row.band == band
    assert list(frame["arr_at_risk_usd"]) == sorted(frame["arr_at_risk_usd"], reverse=True)
    only_critical = execute("health_accounts", {**params, "band_orders": [4]}, path)
    assert set(only_critical["band"]) <= {"Critical"}


def test_health_bands_order_churn_on_the_demo(demo_db):
    config = settings.load_config()
    frame = execute("health_band_churn", {**config.query_params(), "segments": [], "regions": [],
                                          "plans": []}, demo_db)
    rates = list(frame["churn_within_12m_pct"])
    assert list(frame["band"]) == list(health.BANDS)
    assert rates == sorted(rates), rates
    # each band churns beyond noise more than the one above it (accounts as n, conservative:
    # an account counts once however many of its months are in the band)
    rows = frame.to_dict("records")
    for better, worse in itertools.pairwise(rows):
        verdict = significance.rates(
            worse["accounts"] * worse["churn_within_12m_pct"] / 100, worse["accounts"],
            better["accounts"] * better["churn_within_12m_pct"] / 100, better["accounts"])
        assert verdict.status is Status.BEYOND_NOISE, (better["band"], worse["band"], rates)
    # and no band holds most of the accounts
    assert max(frame["account_months"]) < 0.5 * frame["account_months"].sum()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("select count(*) from account_health_monthly").fetchone()[0] > 50000


def test_components_used_names_what_is_left_out():
    from northstar.analytics.health import components_used

    summary = pd.DataFrame({"support_experience_accounts": [3, 1], "survey_sentiment_accounts": [2, 0],
                            "engagement_accounts": [0, 0], "revenue_trend_accounts": [4, 1],
                            "components_required": [2, 2]})
    assert components_used(summary) == (
        "Scored on support experience, survey sentiment and revenue trend; engagement is left out "
        "(no account has engagements or advisory-board members in the data). The weights of the "
        "components used are scaled up to 100%.")
    summary["engagement_accounts"] = [1, 0]
    assert components_used(summary) == ""
    revenue_only = summary.assign(support_experience_accounts=0, survey_sentiment_accounts=0,
                                  engagement_accounts=0)
    # the data set has other components, but no account has them in the month scored
    assert components_used(revenue_only.assign(components_required=2)).endswith(
        "A score needs at least two components, so no account is scored until the data has a "
        "second one.")
    # revenue is all the data set has: the score is the revenue trend
    assert components_used(revenue_only.assign(components_required=1)).endswith(
        "With one component in the data, an account's health score is that component's score.")


def test_unscored_reason_follows_the_components_a_score_needs():
    from northstar.analytics.health import unscored_reason

    assert unscored_reason(pd.DataFrame({"components_required": [2, 2]})) == (
        "fewer than two components have a signal")
    assert unscored_reason(pd.DataFrame({"components_required": [1]})) == (
        "no component has a signal")


def test_the_portfolio_of_arr_at_risk_by_hand():
    from northstar.analytics import risk

    frame = pd.DataFrame([
        ("total", None, None, None, 10, 1_000_000.0, 120_000.0, 90_000.0, 160_000.0),
        ("segment", "Enterprise", None, None, 4, 800_000.0, 80_000.0, 60_000.0, 110_000.0),
        ("segment", "SMB", None, None, 6, 200_000.0, 40_000.0, 30_000.0, 50_000.0),
        ("band", None, 1, "Healthy", 3, 600_000.0, 30_000.0, 20_000.0, 40_000.0),
        ("band", None, 2, "Watch", 2, 100_000.0, 15_000.0, 10_000.0, 20_000.0),
        ("band", None, 4, "Critical", 5, 300_000.0, 75_000.0, 60_000.0, 100_000.0),
    ], columns=["level", "segment", "band_order", "band", "accounts", "arr_usd",
                "arr_at_risk_usd", "arr_at_risk_low_usd", "arr_at_risk_high_usd"])
    whole = risk.portfolio(frame)
    assert whole is not None
    assert whole.share_pct == 12.0
    assert [share.name for share in whole.segments] == ["Enterprise", "SMB"]
    assert whole.band_share(*rules.HEALTHY_BANDS) == 45_000.0
    assert risk.portfolio_text(whole, [("Slow ticket resolution", 50_000.0),
                                       ("No executive meeting in 12 months", 20_000.0),
                                       ("Poor onboarding", 1_000.0)]) == (
        "$120K of ARR is at risk in the next 12 months (95% range $90.0K–$160K), 12.0% of the "
        "$1.00M held by the 10 accounts the churn model scores; most in Enterprise ($80.0K) and SMB ($40.0K). The "
        "drivers adding most: slow ticket resolution ($50.0K) and no executive meeting in 12 "
        "months ($20.0K). $45.0K of it sits in accounts the health score calls Healthy or "
        "Watch: large accounts with a modest chance each, which the score, built from recent "
        "signals, does not flag.")
    empty = frame.assign(accounts=0).loc[frame["level"] == "total"]
    assert risk.portfolio(empty) is None


def test_risk_portfolio_adds_up_the_accounts(demo_db):
    """The portfolio's total is the accounts' ARR at risk added up, and its segments and bands
    each split that same total."""
    from northstar.data.db import query_runner

    with duckdb.connect(str(demo_db), read_only=True) as con:
        month, total, low, high, accounts = con.execute(
            "select month, sum(arr_at_risk_usd), sum(arr_at_risk_low_usd), "
            "sum(arr_at_risk_high_usd), count(*) from account_churn_risk "
            "where arr_at_risk_usd is not null group by month").fetchone()
    config = settings.load_config()
    frame = query_runner.execute("risk_portfolio", {
        "segments": [], "regions": [], "plans": [], "as_of_month": month,
        **config.query_params()}, demo_db)
    row = frame.loc[frame["level"] == "total"].iloc[0]
    assert int(row["accounts"]) == accounts
    assert (row["arr_at_risk_usd"], row["arr_at_risk_low_usd"], row["arr_at_risk_high_usd"]) \
        == pytest.approx((total, low, high))
    for level in ("segment", "band"):
        part = frame.loc[frame["level"] == level]
        assert part["arr_at_risk_usd"].sum() == pytest.approx(total)
        assert int(part["accounts"].sum()) == accounts


def summary_rows(*bands: tuple[str, int, float, float], revenue_only: bool = True):
    return pd.DataFrame([
        {"band": band, "accounts": accounts, "min_health_score": low, "max_health_score": high,
         "support_experience_accounts": 0 if revenue_only else accounts,
         "survey_sentiment_accounts": 0, "engagement_accounts": 0,
         "revenue_trend_accounts": accounts, "components_required": 1}
        for band, accounts, low, high in bands])


def test_a_score_that_cannot_tell_accounts_apart_says_so():
    flat = summary_rows(("Watch", 4_000, 50.0, 50.0), ("Not scored", 30, None, None))
    assert health.undifferentiated(flat) == (
        "The health score cannot tell accounts apart in this data: every one of the 4,000 "
        "scored accounts scores 50 (scored on revenue trend only), so no band or score is shown "
        "as a reading of an account. Load surveys, tickets or engagements to give the score "
        "something to read.")
    spread = summary_rows(("Healthy", 10, 60.0, 90.0), ("Watch", 5, 50.0, 54.0))
    assert health.undifferentiated(spread) == ""
    assert health.band_check_missing("", 120) == (
        "Nothing to check: no account was scored in a month with 12 months of data after it (a "
        "score needs components with a signal in that month).")
    assert health.band_check_missing("", 9).endswith("and the data covers 9 months.")


def test_band_cards_unscored_caption_and_band_orders():
    summary = pd.DataFrame({"band": ["Healthy", "Critical", "Not scored"],
                            "accounts": [1200, 3, 1], "arr_usd": [2_500_000.0, 900.0, 0.0],
                            "components_required": [2, 2, 2]})
    ranges = {"Healthy": "75–100", "Watch": "50–74", "At risk": "25–49", "Critical": "0–24"}
    cards = health.band_cards(summary, ranges)
    assert [(card.label, card.accounts, card.caption) for card in cards] == [
        ("Healthy · score 75–100", "1,200", "accounts · $2.50M ARR"),
        ("Watch · score 50–74", "0", "accounts · $0 ARR"),
        ("At risk · score 25–49", "0", "accounts · $0 ARR"),
        ("Critical · score 0–24", "3", "accounts · $900 ARR")]
    assert cards[0].help == ("Active accounts whose health score is 75–100; $2.50M of ARR.")
    assert health.unscored_caption(summary) == (
        "1 active account is not scored yet: fewer than two components have a signal "
        "(typically accounts in their first months).")
    assert health.unscored_caption(summary.iloc[:2]) == ""
    assert health.band_orders(["Watch", "Not scored"]) == [2, 5]
    band_churn = pd.DataFrame({"churned_within_12m": [12, 3], "account_months": [1340, 50]})
    assert health.band_churn_hover(band_churn) == [
        "12 of 1,340 account-months", "3 of 50 account-months"]


def test_at_risk_caption_counts_the_list_against_the_active_accounts():
    # 4,000 active accounts in the bands, scored or not
    summary = pd.DataFrame({"band": ["Healthy", "Not scored"], "accounts": [3_990, 10]})
    caption = health.at_risk_caption(False, 150, summary, recording=True)
    assert caption.startswith("Without a churn model that passed its checks")
    assert caption.endswith("Top 150 of 4,000 active accounts in the bands shown; click a row to "
                            "open the account's 360 view, or its Action cell to record an "
                            "action on it.")
    assert "Top 200 of 4,000" in health.at_risk_caption(True, 200, summary, False)


def test_the_backtest_caption_names_its_months():
    from northstar.analytics import risk

    summary = pd.DataFrame({"landmark_month": pd.to_datetime(["2025-10-01", "2025-10-01"]),
                            "fitted_through": pd.to_datetime(["2024-10-01", "2024-10-01"])})
    assert risk.backtest_landmark(summary) == dt.date(2025, 10, 1)
    assert risk.backtest_caption(summary).startswith(
        "The churn model was fitted again on the months up to Oct 2024 only, then asked how "
        "likely each account billed in Oct 2025 with a health score then was to churn")
