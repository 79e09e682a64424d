"""The risk pages on a database whose churn model failed its checks (a consumer churn table
whose churn all falls in one month) show the reason and the churn observed, never a chance; on
the demo, whose model passes, the checks are listed beside the backtest."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.unit.test_real_exports import churn_table, guide_mapping, load

APP = str(REPO_ROOT / "app.py")
REASON = ("The churn model is not shown: only 1 month of the data has churn, so there is "
          "nothing to check a model on.")


@pytest.fixture(scope="module")
def failing_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("failing_model")
    churn_table(3000).to_csv(folder / "customer_churn.csv", index=False)
    return load(folder, guide_mapping("subscription table"))


def open_page(page: str, query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query_params:
        at.query_params.update(query_params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [element.value for kind in ("markdown", "caption", "info", "subheader")
             for element in getattr(at, kind)]
    parts += [metric.label + " " + str(metric.value) for metric in at.metric]
    return "\n".join(str(part) for part in parts).replace("\\", "")  # Markdown escapes


def test_health_and_risk_shows_observed_churn_and_why_no_model(failing_db, use_db):
    use_db(failing_db)
    at = open_page("views/health.py")
    assert [info.value for info in at.info].count(REASON) == 1
    assert "Observed churn in the last 12 months" in [h.value for h in at.subheader]
    assert "ARR at risk, next 12 months" not in [metric.label for metric in at.metric]
    text = page_text(at)
    assert "Logo churn in the 12 months to Oct 2026 was" in text
    assert "chance of churning" not in text
    # the list is there, by health score, without the model's columns
    assert "Accounts with the lowest health score" in [h.value for h in at.subheader]
    assert not any("No accounts in the bands shown" in info.value for info in at.info)
    listed = [frame.value for frame in at.dataframe if "Health" in frame.value.columns]
    assert listed and not {"ARR at risk", "Churn risk, 12 months"} & set(listed[0].columns)
    checks = [frame.value for frame in at.dataframe if "Verdict" in frame.value.columns]
    assert checks and checks[0]["Verdict"].tolist()[0] == "✕ Failed"


def test_account_360_shows_its_segments_churn_and_why_no_model(failing_db, use_db):
    use_db(failing_db)
    account = churn_table(3000).iloc[0]
    at = open_page("views/account.py", {"account": account["customerID"]})
    labels = [metric.label for metric in at.metric]
    assert "Churn risk, 12 months" not in labels
    assert "Churn in its segment, 12 months" in labels
    text = page_text(at)
    assert REASON in text
    assert f"Observed churn of its segment, {account['Contract']}, in the 12 months" in text
    assert "ARR at risk" not in text


def test_the_briefs_risks_say_why_there_is_no_model(failing_db, use_db):
    use_db(failing_db)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = page_text(at)
    assert REASON in text
    assert "Logo churn in the 12 months to Oct 2026 was" in text
    assert "chance of churning" not in text and "could cost" not in text


AUC_REASON = ("The churn model is not shown: its backtest ranks churners no better than chance "
              "(AUC 0.52, 95% interval 0.47–0.57).")


@pytest.fixture()
def demo_failing_ranking(demo_db, tmp_path) -> Path:
    """The demo with its stored verdict turned into a failed ranking check: the drivers and
    their attribution are all there, so only the pages' own reading of the verdict keeps the
    ARR at risk off them."""
    path = tmp_path / "northstar.duckdb"
    shutil.copy(demo_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            update churn_model_checks
            set passed = case when check_id = 'ranking' then false
                              when check_id = 'calibration' then null else passed end,
                result = case when check_id = 'calibration' then '' else result end,
                reason = case when check_id = 'ranking' then $reason else '' end""",
                    {"reason": AUC_REASON})
    return path


def test_where_to_invest_shows_no_arr_at_risk_from_a_failed_model(demo_failing_ranking, use_db):
    use_db(demo_failing_ranking)
    at = open_page("views/invest.py")
    assert AUC_REASON in [info.value for info in at.info]
    assert not at.get("plotly_chart")
    drivers = [frame.value for frame in at.dataframe if "Reading" in frame.value.columns]
    assert drivers and "ARR at risk from the driver" not in drivers[0].columns
    for tab in ("Initiatives", "What-if"):
        at = open_page("views/invest.py", {"view": tab})
        assert AUC_REASON in [info.value for info in at.info], tab
        assert not [frame for frame in at.dataframe if "Reading" in frame.value.columns], tab


def test_health_and_the_brief_read_the_verdict_not_the_stored_chances(demo_failing_ranking,
                                                                       use_db):
    use_db(demo_failing_ranking)
    at = open_page("views/health.py")
    assert AUC_REASON in [info.value for info in at.info]
    assert "ARR at risk, next 12 months" not in [metric.label for metric in at.metric]
    at = AppTest.from_file(APP, default_timeout=60).run()
    text = page_text(at)
    assert AUC_REASON in text and "chance of churning" not in text


def test_the_demos_model_passes_and_its_checks_sit_beside_the_backtest(demo_db, use_db):
    use_db(demo_db)
    at = open_page("views/health.py")
    assert "ARR at risk, next 12 months" in [metric.label for metric in at.metric]
    checks = [frame.value for frame in at.dataframe if "Verdict" in frame.value.columns]
    assert checks and set(checks[0]["Verdict"]) == {"✓ Passed"}
    assert not any(info.value.startswith("The churn model is not shown") for info in at.info)


def test_a_health_score_that_gives_every_account_the_same_value_is_not_shown_as_a_reading(
        failing_db, use_db):
    """A churn table carries one component (the revenue trend), flat for every customer: every
    scored account would score the same, so the page says so instead of banding them."""
    use_db(failing_db)
    at = open_page("views/health.py")
    text = page_text(at)
    assert "The health score cannot tell accounts apart in this data: every one of the" in text
    assert "scored on revenue trend only" in text
    assert not [metric for metric in at.metric if " · score " in metric.label]
    assert "Nothing to check: the score gives every account the same value (above)." in text
    assert "Not enough history yet" not in text
