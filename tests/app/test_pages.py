"""Every page renders through Streamlit's AppTest: the KPI wall, filters, glossary, empty states."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics.metrics import METRICS, briefing_kpis
from northstar.data.db.rollups import build_rollups
from tests.conftest import REPO_ROOT
from tests.shown import as_shown

APP = str(REPO_ROOT / "app.py")
WALL_LABELS = [METRICS[name].label for name in briefing_kpis()]


def run_app(query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query_params:
        at.query_params.update(query_params)
    return at.run()


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_briefing_shows_the_kpi_wall(demo):
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "Customer briefing"
    assert not any("another version" in warning.value for warning in at.warning)
    assert [metric.label for metric in at.metric] == WALL_LABELS
    values = metric_values(at)
    assert values["ARR"].startswith("$") and values["ARR"][-1] in "KMB"
    assert all(values[label] != "—" for label in WALL_LABELS)
    assert all(metric.delta for metric in at.metric)
    assert any("n = " in caption.value for caption in at.caption)
    assert any("data as of 31 Oct 2026" in caption.value for caption in at.caption)
    # the bridge and the trend
    assert len(at.get("plotly_chart")) == 2


def test_briefing_numbers_match_the_query(demo):
    import datetime as dt

    from northstar.analytics.metrics import format_value
    from northstar.ui import page_queries

    at = run_app()
    row = page_queries.run_query(
        "kpi_windows", end_months=[dt.date(2026, 10, 1)], window_months=12,
        segments=[], regions=[], plans=[],
    ).iloc[0]
    values = metric_values(at)
    for name in briefing_kpis():
        assert values[METRICS[name].label] == format_value(name, row[name])


def test_filters_come_from_the_url(demo):
    everyone = metric_values(run_app())
    at = run_app({"segment": "Enterprise", "period": "Last 3 months",
                  "compare": "Same period a year earlier"})
    assert not at.exception
    assert at.sidebar.multiselect(key="segment").value == ["Enterprise"]
    assert at.sidebar.selectbox(key="period").value == "Last 3 months"
    caption = as_shown(at.caption[0].value)
    assert "Last 3 months, Aug 2026 – Oct 2026" in caption
    assert "Segment: Enterprise" in caption
    assert metric_values(at)["ARR"] != everyone["ARR"]


def test_changing_a_filter_updates_the_wall(demo):
    at = run_app()
    before = metric_values(at)
    at.sidebar.multiselect(key="segment").select("SMB").run()
    assert not at.exception
    after = metric_values(at)
    assert after["ARR"] != before["ARR"]


def test_glossary_lists_every_metric(demo):
    at = run_app()
    at.switch_page("views/glossary.py").run()
    assert not at.exception
    assert at.title[0].value == "Glossary"
    table = at.table[0].value
    assert list(table.index) == [metric.label for metric in METRICS.values()]


def test_empty_state_when_no_account_is_active(empty_db, use_db):
    con, path = empty_db
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date, churn_date, churn_reason) values
                   ('A1', 'Gone Ltd', 'SMB', 'Retail', 'EMEA', 'Starter', date '2020-01-01',
                    date '2020-06-30', 'Price')""")
    con.execute("insert into account_mrr_monthly values ('A1', date '2020-06-01', 10)")
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-10-31'), ('source', 'test')")
    build_rollups(con)
    con.close()
    use_db(path)
    at = run_app()
    assert not at.exception
    assert "No accounts match" in at.info[0].value
    assert len(at.metric) == 0


def test_missing_database_explains_how_to_build_it(use_db, tmp_path):
    use_db(tmp_path / "absent.duckdb")
    at = run_app()
    assert not at.exception
    assert "make run" in at.error[0].value
    assert len(at.metric) == 0


def test_fixture_database_is_read_only_for_the_app(demo_db, use_db, tmp_path):
    import shutil
    import subprocess
    import sys

    from northstar.data.db import published

    own = tmp_path / "northstar.duckdb"
    shutil.copy(demo_db, own)
    published.publish(own)
    use_db(own)
    run_app()
    # the app holds a read-only connection (to the published version, the same file); a writer
    # in another process is refused
    writer = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(own)!r}).execute('select 1')"],
        capture_output=True, text=True, timeout=60)
    assert writer.returncode != 0 and "lock" in writer.stderr.lower(), writer.stderr


def test_a_database_from_an_older_version_is_flagged(tmp_path, demo_db, use_db):
    import shutil

    old = tmp_path / "old.duckdb"
    shutil.copy(demo_db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("update dataset_metadata set value = 'older' where key = 'schema_fingerprint'")
    use_db(old)
    at = run_app()
    assert not at.exception
    assert any("another version of Northstar" in warning.value for warning in at.warning)
