"""The app reads whatever the data source setting names: here a folder of Parquet files."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.db import data_source
from northstar.data.export import export_parquet
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


@pytest.fixture(scope="module")
def demo_parquet(demo_db, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("published") / "northstar"
    export_parquet(demo_db, folder)
    return folder


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def metric_values(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_briefing_from_a_parquet_folder(demo_db, demo_parquet, use_db):
    use_db(demo_db)
    from_duckdb = metric_values(run_app())
    use_db(demo_parquet)
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "Customer briefing"
    assert not any("another version" in warning.value for warning in at.warning)
    assert any("data as of 31 Oct 2026" in caption.value for caption in at.caption)
    assert metric_values(at) == from_duckdb
    assert len(at.get("plotly_chart")) == 2


def test_data_page_from_a_parquet_folder(demo_parquet, use_db):
    use_db(demo_parquet)
    at = run_app()
    at.switch_page("views/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Data"


@pytest.mark.parametrize(("setting", "message"), [
    ("md:", "needs a database name"),
    ("md:northstar", "needs a MotherDuck access token"),
])
def test_an_unusable_source_is_explained(setting, message, use_db, monkeypatch):
    for name in data_source.TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    use_db(setting)
    at = run_app()
    assert not at.exception
    assert message in at.error[0].value
    assert len(at.metric) == 0
