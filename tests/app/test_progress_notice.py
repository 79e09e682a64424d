"""A demo build, load or export running on the database in use shows on every page (sidebar)
and in detail on the Data page; nothing shows when none runs."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.db.job_progress import JobRecord, record_path
from northstar.data.importer.run import load_steps
from tests.app.test_data_page import APP, open_data_page


@pytest.fixture()
def load_record(demo_db):
    """A load of the test database, 45% done, by this (running) process."""
    record = JobRecord("load", demo_db, "from /srv/exports (default mapping)", load_steps())
    record.start()
    record.update(0.45, "loading support_tickets")
    yield record
    record_path(demo_db, "load").unlink(missing_ok=True)


def sidebar_notices(at: AppTest) -> list[str]:
    return [bar.text for bar in at.sidebar.get("progress")]


def test_a_running_load_shows_in_the_sidebar_and_on_the_data_page(demo_db, use_db, load_record):
    use_db(demo_db)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert sidebar_notices(at) == ["Data refresh running: loading support_tickets — 45%"]
    assert at.sidebar.get("progress")[0].value == 45
    at.switch_page("views/data.py").run()
    assert not at.exception
    assert sidebar_notices(at) == ["Data refresh running: loading support_tickets — 45%"]
    [status] = at.status
    assert status.label == "Data refresh running: loading support_tickets — 45%"
    assert status.state == "running"
    facts = status.markdown[0].value
    for fact in ("**Operation:** Data load, from", "**Step:** loading support", "**Done:** 45%",
                 "**Elapsed:**", f"**Started by:** {load_record.status.user} on"):
        assert fact in facts, fact
    # the page itself still shows the current data
    assert at.title[0].value == "Data" and at.metric[0].label == "Data as of"


def test_nothing_shows_when_no_operation_runs(demo_db, use_db):
    use_db(demo_db)
    assert not record_path(demo_db, "load").exists()
    at = open_data_page()
    assert sidebar_notices(at) == []
    assert len(at.status) == 0 and len(at.error) == 0


def test_a_failed_load_is_explained_on_the_data_page_only(demo_db, use_db, load_record):
    load_record.fail("Refused: account_mrr_monthly has 12.0% refused rows (limit 10%).")
    use_db(demo_db)
    at = open_data_page()
    assert sidebar_notices(at) == []
    assert len(at.status) == 0
    message = at.error[0].value
    assert "failed at 45%" in message and "refused rows" in message
    assert "not replaced" in message


def test_a_first_build_shows_its_progress_instead_of_the_missing_database(tmp_path, use_db):
    database = tmp_path / "first.duckdb"
    record = JobRecord("demo", database, "5,000 accounts", ["creating the tables", "generating accounts"])
    record.start()
    record.advance(0.1)
    use_db(database)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.error) == 0
    assert [bar.text for bar in at.get("progress")] == [
        "Data refresh running: generating accounts — 10%"]
