"""Voice of the customer: scores with margins of error, themes, spikes and the closed loop."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest

from northstar.analytics import satisfaction
from northstar.analytics.metrics import METRICS
from northstar.analytics.satisfaction import Theme
from northstar.analytics.significance import Status
from northstar.data.db.rollups import build_rollups
from northstar.ui.page_queries import execute
from tests.unit import fixtures


def themes_of(comment: str, themes: list[Theme]) -> list[str]:
    """The themes a comment falls under, by the rule the SQL applies, written again in Python
    to check the SQL against."""
    text = comment.lower()
    return [theme.name for theme in themes if re.search(theme.pattern, text)]


D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}


def test_nps_and_its_margin_by_hand():
    # 5 promoters, 3 passives, 2 detractors of 10: NPS 30; per-answer scores +100/0/-100
    estimate = satisfaction.nps(5, 2, 10)
    assert estimate.value == pytest.approx(30.0)
    variance = (5 * 100**2 + 2 * 100**2) / 10 - 30**2  # E[x²] − E[x]²
    assert estimate.margin == pytest.approx(1.959964 * math.sqrt(variance / 10), rel=1e-6)
    assert (estimate.low, estimate.high) == pytest.approx((30 - estimate.margin, 30 + estimate.margin))


def test_csat_and_ces_margins_by_hand():
    estimate = satisfaction.csat(3, 4)  # 75%
    assert estimate.value == pytest.approx(75.0)
    assert estimate.margin == pytest.approx(1.959964 * 100 * math.sqrt(0.75 * 0.25 / 4), rel=1e-6)
    # CES answers 7, 5, 3: mean 5, sample variance ((2² + 0 + 2²) / 2) = 4
    estimate = satisfaction.ces(15, 49 + 25 + 9, 3)
    assert estimate.value == pytest.approx(5.0)
    assert estimate.margin == pytest.approx(1.959964 * math.sqrt(4 / 3), rel=1e-6)


@pytest.mark.parametrize("make", [lambda: satisfaction.nps(0, 0, 0), lambda: satisfaction.csat(0, 0), lambda: satisfaction.ces(0, 0, 0)])
def test_no_answers_means_no_score(make):
    estimate = make()
    assert (estimate.value, estimate.responses, estimate.margin) == (None, 0, None)


def test_one_answer_has_a_score_but_no_margin():
    assert satisfaction.nps(1, 0, 1).value == 100 and satisfaction.nps(1, 0, 1).margin is None
    assert satisfaction.csat(0, 1).value == 0 and satisfaction.csat(0, 1).margin is None
    assert satisfaction.ces(6, 36, 1).value == 6 and satisfaction.ces(6, 36, 1).margin is None


def test_change_within_noise():
    # NPS +30 → +40 on 40 answers each: SEs ≈ 12, combined ≈ 17, so +10 is noise
    small_before, small_after = satisfaction.nps(20, 8, 40), satisfaction.nps(24, 8, 40)
    assert satisfaction.change_verdict(small_after, small_before).status is Status.WITHIN_NOISE
    big_before, big_after = satisfaction.nps(500, 200, 1000), satisfaction.nps(650, 150, 1000)
    assert satisfaction.change_verdict(big_after, big_before).status is Status.BEYOND_NOISE
    assert satisfaction.change_verdict(satisfaction.nps(1, 0, 1), big_before).status is \
        Status.TOO_FEW


def test_estimate_caption():
    metric = METRICS["nps"]
    assert satisfaction.estimate_caption(metric, satisfaction.nps(5, 2, 10)).startswith("+30 · n = 10 · ±")
    assert satisfaction.estimate_caption(metric, satisfaction.nps(1, 0, 1)) == (
        "+100 · n = 1 · too few answers for a margin of error")
    assert satisfaction.estimate_caption(metric, satisfaction.nps(0, 0, 0)) == "No answers"


@pytest.fixture()
def fixture_path(empty_db):
    con, path = empty_db
    fixtures.load(con)
    con.close()
    return path


def test_survey_scores_agree_with_the_briefing(fixture_path):
    period = {"start_date": D(2026, 1, 1), "end_date": D(2026, 3, 31)}
    frame = execute("survey_scores", {**ALL, **period, "group_by": "none"}, fixture_path)
    kpis = execute("kpi_windows", {**ALL, "end_months": [D(2026, 3, 1)], "window_months": 3},
                   fixture_path).iloc[0]
    assert satisfaction.estimate_for(frame, "NPS").value == pytest.approx(kpis["nps"])
    assert satisfaction.estimate_for(frame, "CSAT").value == pytest.approx(kpis["csat_pct"])
    assert satisfaction.estimate_for(frame, "CES").value == pytest.approx(kpis["ces_mean"])
    assert satisfaction.estimate_for(frame, "NPS").responses == kpis["nps_responses"]


def test_survey_scores_by_segment_and_month(fixture_path):
    period = {"start_date": D(2026, 1, 1), "end_date": D(2026, 3, 31)}
    by_segment = execute("survey_scores", {**ALL, **period, "group_by": "segment"}, fixture_path)
    smb = by_segment.loc[(by_segment["group_value"] == "SMB") & (by_segment["survey_type"] == "NPS")].iloc[0]
    # SMB NPS answers: A1 10 (promoter), A3 6 (detractor)
    assert (smb["responses"], smb["promoters"], smb["detractors"]) == (2, 1, 1)
    by_month = execute("survey_scores", {**ALL, **period, "group_by": "month"}, fixture_path)
    trend = satisfaction.monthly_estimates(by_month, "CES")
    assert list(trend["value"]) == [7.0, 5.0, 3.0]
    distribution = execute("survey_distribution", {**ALL, **period}, fixture_path)
    scores, counts, _ = satisfaction.distribution(distribution, "CSAT")
    assert (scores, counts) == ([1, 2, 3, 4, 5], [1, 0, 1, 1, 1])
    shares = satisfaction.band_shares(distribution, "NPS")
    assert [answers for _, answers, _ in shares] == [2, 1, 3]


THEMES = [
    satisfaction.Theme("support_speed", "Support speed", ("took days", "escalate"), True),
    satisfaction.Theme("pricing", "Pricing", ("expensive", "price"), True),
    satisfaction.Theme("praise", "Praise", ("great",), False),
]


@pytest.mark.parametrize("comment, expected", [
    ("Support took days to reply.", ["support_speed"]),
    ("We had to ESCALATE twice; the price is also too high.", ["support_speed", "pricing"]),
    ("Great product, a bit expensive", ["pricing", "praise"]),
    ("Prices went up", ["pricing"]),          # a keyword matches at the start of a word
    ("Unexpensive? Not a word.", []),          # ... but not inside one
    ("", []),
])
def test_theme_rules_on_sample_comments(comment, expected):
    assert themes_of(comment, THEMES) == expected


def test_the_shipped_theme_rules_load():
    themes = satisfaction.load_themes()
    assert {theme.name for theme in themes} >= {"support_speed", "onboarding", "pricing"}
    assert all(theme.keywords for theme in themes)


def test_bad_theme_rules_are_refused(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text("[themes.empty]\nkeywords = []\n")
    with pytest.raises(satisfaction.ThemeRulesError, match="needs a list of keywords"):
        satisfaction.load_themes(path)


def test_sql_and_python_apply_the_same_theme_rules(empty_db):
    con, path = empty_db
    fixtures.load(con)
    comments = ["Support took days to reply.", "Great product, a bit expensive", "Unexpensive words"]
    con.executemany(
        "insert into survey_responses (response_id, account_id, survey_type, program, responded_on, "
        "score, comment) values (?, 'A1', 'NPS', 'relationship', date '2026-03-15', 5, ?)",
        [(f"C{i}", text) for i, text in enumerate(comments)],
    )
    con.close()
    frame = execute("survey_comments", {
        **ALL, "start_date": D(2026, 3, 1), "end_date": D(2026, 3, 31), **satisfaction.theme_params(THEMES),
        "programs": [], "survey_types": [], "min_score": 0, "max_score": 10, "search": "",
        "theme": "", "limit": 10}, path)
    by_comment = dict(zip(frame["comment"], frame["themes"], strict=True))
    for text in comments:
        assert sorted(by_comment[text]) == sorted(themes_of(text, THEMES))
    only_pricing = execute("survey_comments", {
        **ALL, "start_date": D(2026, 3, 1), "end_date": D(2026, 3, 31), **satisfaction.theme_params(THEMES),
        "programs": [], "survey_types": [], "min_score": 0, "max_score": 10, "search": "",
        "theme": "pricing", "limit": 10}, path)
    assert list(only_pricing["comment"]) == ["Great product, a bit expensive"]


def monthly_series(counts: list[int], theme: str = "pricing") -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=len(counts), freq="MS")
    return pd.DataFrame({"theme": theme, "month": months, "comments": counts})


def test_spike_is_flagged_on_a_planted_spike():
    counts = [10, 12, 9, 11, 10, 12, 11, 10, 30]
    spikes = satisfaction.detect_spikes(monthly_series(counts))
    assert [(spike.month, spike.count) for spike in spikes] == [(pd.Timestamp("2025-09-01"), 30)]
    assert spikes[0].baseline == pytest.approx(sum(counts[2:8]) / 6)


def test_no_spike_on_a_steady_or_noisy_series():
    assert satisfaction.detect_spikes(monthly_series([10, 12, 9, 11, 10, 12, 11, 10, 14, 15, 9])) == []
    # tiny counts: 0 -> 4 is not a spike (below the minimum)
    assert satisfaction.detect_spikes(monthly_series([0, 0, 0, 0, 0, 0, 4])) == []
    # months without comments count as zero, not as missing
    sparse = monthly_series([3, 3]).iloc[[0]]
    assert satisfaction.detect_spikes(sparse) == []


def test_spikes_only_for_complaint_themes():
    frame = pd.concat([monthly_series([1, 1, 1, 1, 1, 1, 20], "praise"),
                       monthly_series([1, 1, 1, 1, 1, 1, 20], "pricing")])
    spikes = satisfaction.detect_spikes(frame, complaint_themes={"pricing"})
    assert [spike.theme for spike in spikes] == ["pricing"]


@pytest.fixture()
def loop_path(empty_db):
    """Unhappy answers with follow-ups at the edges of a 7-day target, as of 31 Mar 2026."""
    con, path = empty_db
    fixtures.load(con)
    answers = [
        ("U1", "A1", "NPS", 3, D(2026, 3, 1)),    # follow-up on day 7: in time
        ("U2", "A2", "NPS", 6, D(2026, 3, 1)),    # follow-up on day 8: overdue
        ("U3", "A5", "CSAT", 2, D(2026, 3, 2)),   # QBR on day 0: in time
        ("U4", "A4", "NPS", 0, D(2026, 3, 28)),   # nothing yet, target 4 Apr: due
        ("U5", "A5", "NPS", 9, D(2026, 3, 5)),    # a promoter: not an unhappy answer
        ("U6", "A1", "CSAT", 3, D(2026, 3, 6)),   # CSAT 3: not unhappy
    ]
    con.executemany(
        "insert into survey_responses (response_id, account_id, survey_type, program, responded_on, score) "
        "values (?, ?, ?, 'relationship', ?, ?)", [(i, a, t, d, s) for i, a, t, s, d in answers])
    con.executemany(
        "insert into engagements (engagement_id, account_id, engagement_type, department_id, started_on) "
        "values (?, ?, ?, 'customer_service', ?)",
        [("F1", "A1", "detractor_follow_up", D(2026, 3, 8)),
         ("F2", "A2", "detractor_follow_up", D(2026, 3, 9)),
         ("F3", "A5", "qbr", D(2026, 3, 2)),
         ("F4", "A4", "installation", D(2026, 3, 29))],  # not a follow-up kind
    )
    build_rollups(con)
    con.close()
    return path


def test_follow_up_rules(loop_path):
    params = {**ALL, "target_days": 7, "as_of_date": D(2026, 3, 31),
              "start_date": D(2026, 3, 1), "end_date": D(2026, 3, 31), "limit": 50}
    open_answers = execute("closed_loop_open", params, loop_path)
    status = {
        (account, answered.date()): value for account, answered, value in zip(
            open_answers["account_id"], open_answers["responded_on"], open_answers["follow_up_status"],
            strict=True)
    }
    assert status[("A2", D(2026, 3, 1))] == "overdue"   # U2: followed up on day 8
    assert status[("A4", D(2026, 3, 28))] == "due"      # U4
    assert ("A1", D(2026, 3, 1)) not in status           # U1: followed up on day 7
    assert ("A5", D(2026, 3, 2)) not in status           # U3: a QBR the same day
    due = open_answers.loc[open_answers["follow_up_status"] == "due"]
    assert list(due["follow_up_due_on"]) == [pd.Timestamp(2026, 4, 4)]
    # overdue answers are listed before the ones still due
    assert list(open_answers["follow_up_status"]).index("due") == len(open_answers) - 1
    monthly = execute("closed_loop_monthly", {k: v for k, v in params.items()}, loop_path)
    march = monthly.loc[monthly["month"] == pd.Timestamp(2026, 3, 1)].iloc[0]
    # March unhappy answers: U1, U2, U3, U4 plus the fixture's NPS 0 (A4, 1 Mar) and CSAT 1 (A4, 3 Mar)
    assert march["unhappy_answers"] == 6
    assert march["followed_up"] == 2
    assert march["due"] == 1
    assert march["follow_up_rate_pct"] == pytest.approx(100 * 2 / 5)
    totals = satisfaction.loop_totals(monthly.loc[monthly["month"] == pd.Timestamp(2026, 3, 1)])
    assert totals["follow_up_rate_pct"] == pytest.approx(40.0)


def test_followed_up_detractors_retain_better_on_the_demo(demo_db):
    frame = execute("closed_loop_retention", {**ALL, "target_days": 14, "as_of_date": D(2026, 10, 31),
                                              "horizon_days": 180}, demo_db)
    rates = dict(zip(frame["was_followed_up"], frame["churn_pct"], strict=True))
    assert rates[True] < rates[False]


def test_performance_complaints_spike_at_the_end_of_the_demo(demo_db):
    themes = satisfaction.load_themes()
    monthly = execute("comment_theme_months", {**ALL, **satisfaction.theme_params(themes)}, demo_db)
    spikes = satisfaction.detect_spikes(monthly, complaint_themes={t.name for t in themes if t.is_complaint})
    recent = {spike.theme for spike in spikes if spike.month >= pd.Timestamp(2026, 9, 1)}
    assert "performance" in recent


def test_comment_programs_come_from_the_data():
    from northstar.analytics.satisfaction import comment_programs, program_label

    assert comment_programs(["support", "webinar", "ticket_rating", "relationship"]) == [
        "relationship", "support", "webinar"]
    assert comment_programs([]) == ["relationship", "post_installation",
                                    "post_professional_services", "support"]
    assert program_label("webinar") == "webinar"
    assert program_label("support") == "Post-support"


def test_a_comment_matching_no_theme_shows_a_dash_not_an_empty_cell():
    frame = pd.DataFrame({
        "responded_on": [dt.date(2026, 10, 1)] * 2, "account_id": ["A1", "A2"],
        "account_name": ["Northwind", "Contoso"], "segment": ["SMB"] * 2,
        "survey_type": ["NPS"] * 2, "program": ["relationship"] * 2, "score": [3, 9],
        "themes": [["pricing", "support"], []], "comment": ["Too dear, slow support", "Great"],
    })
    table = satisfaction.comments_table(frame, {"pricing": "Pricing", "support": "Support"})
    assert table["Themes"].iloc[0] == "Pricing, Support"
    assert pd.isna(table["Themes"].iloc[1])  # the table's placeholder shows "—"
