"""The revenue forecast on the Briefing and Retention's Forecast tab: on the demo the next four
quarters with their intervals and the track record; with a failing churn model the reason and
no figure."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics import forecast as forecast_view
from tests.app import test_churn_model_gate as gate
from tests.app.test_churn_model_gate import AUC_REASON, REASON, open_page, page_text
from tests.conftest import REPO_ROOT

# the churn model gate's fixtures: a load whose model fails its checks, and the demo with its
# stored verdict turned into a failed ranking check
failing_db = gate.failing_db
demo_failing_ranking = gate.demo_failing_ranking

APP = str(REPO_ROOT / "app.py")
HEADING = "Forecast, next four quarters"
TRACK_RECORD = "Past forecasts: the actual ARR fell inside the 80% interval in "


def _forecast_frames(at: AppTest) -> list:
    """The Briefing's forecast table, or Retention's."""
    return [frame.value for frame in at.dataframe
            if {"Quarter ending", "NRR (80% interval)"} <= set(frame.value.columns)
            or {"Quarter ending", "Metric", "95% interval"} <= set(frame.value.columns)]


def _backtest_frames(at: AppTest) -> list:
    return [frame.value for frame in at.dataframe if "Forecast made" in frame.value.columns]


def test_the_briefing_shows_the_next_four_quarters_and_the_track_record(demo):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [exception.message for exception in at.exception]
    assert HEADING in [subheader.value for subheader in at.subheader]
    frames = _forecast_frames(at)
    assert frames and len(frames[0]) == 4
    with duckdb.connect(str(demo), read_only=True) as con:
        stored = con.execute("select * from revenue_forecast").df()
        backtest = con.execute("select * from revenue_forecast_backtest").df()
    # the table is the stored forecast: each quarter's NRR median and its 80% interval
    column = "NRR (80% interval)"
    assert list(frames[0][column]) == list(forecast_view.forecast_table(stored)[column])
    nrr = stored.loc[stored["metric"] == "nrr_pct"].sort_values("quarter").iloc[0]
    assert frames[0][column].iloc[0] == (f"{nrr['median']:.1f}% ({nrr['low_80']:.1f}% – "
                                         f"{nrr['high_80']:.1f}%)")
    captions = [caption.value for caption in at.caption]
    assert forecast_view.track_record_text(backtest) in captions
    assert any(caption.startswith(TRACK_RECORD) for caption in captions)


def test_retentions_forecast_tab_shows_fans_the_table_and_past_forecasts(demo):
    at = open_page("views/retention.py", {"view": "Forecast"})
    assert HEADING in [subheader.value for subheader in at.subheader]
    assert len(at.get("plotly_chart")) == 4
    frames = _forecast_frames(at)
    assert frames and len(frames[0]) == 16  # four metrics, four quarters
    past = _backtest_frames(at)
    assert past and {"Forecast", "80% interval", "95% interval", "Actual", "Error",
                     "Inside 80%"} <= set(past[0].columns)
    assert any(caption.value.startswith(TRACK_RECORD) for caption in at.caption)


def test_the_forecast_reads_the_models_verdict(demo_failing_ranking, use_db):
    """The forecast is stored, but the verdict failed: the reason, no figure."""
    use_db(demo_failing_ranking)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [info.value for info in at.info].count(AUC_REASON) >= 1
    assert not _forecast_frames(at)
    assert TRACK_RECORD not in page_text(at)
    at = open_page("views/retention.py", {"view": "Forecast"})
    assert AUC_REASON in [info.value for info in at.info]
    assert not _forecast_frames(at) and not _backtest_frames(at)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", ["briefing", "retention"])
def test_a_failing_model_gives_the_reason_and_no_forecast(failing_db, use_db, page):
    use_db(failing_db)
    with duckdb.connect(str(failing_db), read_only=True) as con:
        assert con.execute("select count(*) from revenue_forecast").fetchone()[0] == 0
        assert con.execute("select note from revenue_forecast_status").fetchone()[0] == REASON
    if page == "briefing":
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
    else:
        at = open_page("views/retention.py", {"view": "Forecast"})
    assert REASON in [info.value for info in at.info]
    assert not _forecast_frames(at) and not _backtest_frames(at)
    assert TRACK_RECORD not in page_text(at)
