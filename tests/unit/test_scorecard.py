"""The department scorecard's figures on tiny hand-made frames: who may open which department,
its score change, the KPI history and its y range, engagement, and the rows behind a number."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd

from northstar.analytics import goals, scorecard
from northstar.analytics.periods import resolve_period

DEPARTMENTS = pd.DataFrame({"department_id": ["sales", "customer_service"]})


def test_a_department_head_opens_their_own_department_only():
    assert scorecard.department_options(DEPARTMENTS, "cco", None) == ["sales",
                                                                      "customer_service"]
    assert scorecard.department_options(DEPARTMENTS, "department_head", "sales") == ["sales"]
    assert scorecard.department_options(DEPARTMENTS, "department_head", None) == []
    assert scorecard.default_department(["sales", "customer_service"]) == "customer_service"
    assert scorecard.default_department(["sales"]) == "sales"


def test_the_score_card_shows_the_measure_and_the_change_of_the_scores_shown():
    # the alignment score's measure keeps one decimal; the change is of the values shown
    assert goals.score_text(74.64) == "74.6%"
    assert goals.score_change_text(74.64, 70.36) == "+4.2 pp"
    assert goals.score_change_text(75.0, None) is None
    assert goals.score_text(math.nan) == "—"


def test_off_track_text_names_each_kpi_and_how_long():
    runs = pd.DataFrame({"kpi_id": ["k1"], "periods_running": [3]})
    own = pd.DataFrame({"kpi_id": ["k1", "k2"], "kpi_name": ["First *response*", "Other"]})
    text = scorecard.off_track_text(runs, own)
    assert text.startswith("Off track two periods running or more: First")
    assert "(3 periods). Listed for the accountability forum." in text
    assert "Other" not in text


def test_kpi_history_starts_a_quarterly_kpi_at_its_quarter():
    actuals = pd.DataFrame({"kpi_id": ["k"] * 3 + ["x"],
                            "period_start": ["2026-01-01", "2026-04-01", "2026-07-01",
                                             "2026-07-01"],
                            "actual_value": [1.0, 2.0, 3.0, 9.0]})
    quarterly = SimpleNamespace(kpi_id="k", period_grain="quarter")
    monthly = SimpleNamespace(kpi_id="k", period_grain="month")
    assert list(scorecard.kpi_history(actuals, quarterly, dt.date(2026, 5, 1))["actual_value"]
                ) == [2.0, 3.0]
    assert list(scorecard.kpi_history(actuals, monthly, dt.date(2026, 5, 1))["actual_value"]
                ) == [3.0]


def test_history_start_reaches_a_year_back_at_least():
    window = resolve_period(dt.date(2026, 10, 1), "last_3_months", "previous_period")
    assert scorecard.history_start(window) == dt.date(2025, 11, 1)


def test_target_range_pads_a_tenth_of_the_spread():
    assert scorecard.target_range(pd.Series([10.0, 20.0, None]), 30.0) == [8.0, 32.0]
    # one value on the target: a tenth of the target either side
    assert scorecard.target_range(pd.Series([50.0]), 50.0) == [45.0, 55.0]
    assert scorecard.target_range(pd.Series([0.0]), 0.0) == [-1, 1]


def test_engagement_change_against_the_quarter_before():
    # whole scores, as shown: 56.4 -> 63.2 reads 56 -> 63, "+7"
    scores = pd.Series([56.4, 63.2])
    assert goals.engagement_change_text(scores) == "+7"
    assert goals.engagement_change_text(scores.iloc[:1]) is None


def test_drill_choices_list_computed_kpis_and_the_touchpoints():
    own = pd.DataFrame({"kpi_id": ["k1", "k2"], "kpi_name": ["Response", "Imported"],
                        "computation": ["first_response_median_hours", None]})
    computed, choices = scorecard.drill_choices(own, True, "Support")
    assert list(computed["kpi_id"]) == ["k1"]
    assert choices == {"kpi:k1": "Response",
                       "touchpoint": "Survey answers at Support's touchpoints"}
    assert "touchpoint" not in scorecard.drill_choices(own, False, "Support")[1]


def test_kpi_periods_and_the_actual_in_one():
    actuals = pd.DataFrame({"kpi_id": ["k", "k", "x"],
                            "period_start": ["2026-08-01", "2026-09-01", "2026-10-01"],
                            "actual_value": [4.0, 5.0, 6.0]})
    assert scorecard.kpi_periods(actuals, "k") == [dt.date(2026, 9, 1), dt.date(2026, 8, 1)]
    assert scorecard.actual_at(actuals, "k", dt.date(2026, 8, 1)) == 4.0
    assert scorecard.actual_at(actuals, "k", dt.date(2026, 10, 1)) is None


def test_drill_caption_says_how_many_rows_are_shown():
    rows = pd.DataFrame({"total_rows": [500, 500]})
    assert scorecard.drill_caption(rows, "tickets").startswith(
        "Showing the first 2 of 500 tickets.")
    covered = pd.DataFrame({"total_rows": [2, 2], "covered_rows": [1, 1]})
    assert scorecard.drill_caption(covered, "accounts") == (
        "Showing all 2 accounts. 1 of 2 accounts were surveyed. Select an account to open its "
        "360 view.")
