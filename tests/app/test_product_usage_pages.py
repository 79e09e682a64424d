"""Product usage on the pages: a data set with usage shows the usage drivers on Where to invest
and the product usage component on Health & risk and Account 360, without an error."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.db.schema import create_schema
from tests.conftest import REPO_ROOT
from tests.unit.test_product_usage import planted_database

APP = str(REPO_ROOT / "app.py")


@pytest.fixture()
def usage_db(tmp_path, use_db):
    path = tmp_path / "usage.duckdb"
    with duckdb.connect(str(path)) as con:
        create_schema(con)
        planted_database(con)
    use_db(path)
    return path


def run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.run()
    at.switch_page(path).run()
    return at


def texts(at: AppTest) -> str:
    return " ".join(element.value for element in [*at.markdown, *at.caption, *at.info]
                    if element.value).replace("\\", "")


def test_usage_drivers_and_component_are_shown(usage_db):
    at = run("views/invest.py", view="Drivers")
    assert not at.exception
    drivers = " ".join(str(frame.value.to_csv()) for frame in at.dataframe) + texts(at)
    assert "Usage fell" in drivers and "Seats under-used" in drivers
    at = run("views/health.py")
    assert not at.exception
    words = texts(at)
    assert "17% product usage" in words
    assert "**Product usage** —" in " ".join(element.value for element in at.markdown)
    at = run("views/account.py", account="U00001")
    assert not at.exception
