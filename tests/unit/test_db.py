"""The query runner: bound parameters, clear errors, caching keyed on data version."""

from __future__ import annotations

import re
import threading
import time

import pandas as pd
import pytest

from northstar.data.db import query_runner
from northstar.data.db.paths import QUERIES_DIR
from northstar.ui import page_queries
from tests.unit import fixtures


@pytest.fixture()
def fixture_db(empty_db, use_db):
    con, path = empty_db
    fixtures.load(con)
    con.close()
    use_db(path)
    return path


def test_missing_parameter_names_the_query(fixture_db):
    with pytest.raises(page_queries.QueryError, match=r"kpi_windows.*end_months"):
        page_queries.run_query("kpi_windows", segments=[], regions=[], plans=[], window_months=1)


def test_unknown_query_is_a_clear_error(fixture_db):
    with pytest.raises(page_queries.QueryError, match="no_such_query"):
        page_queries.run_query("no_such_query")
    with pytest.raises(page_queries.QueryError, match="Invalid query name"):
        page_queries.run_query("../data/schema")


def test_extra_parameters_are_ignored(fixture_db):
    frame = page_queries.run_query("filter_options", segments=["SMB"], unrelated=1)
    assert set(frame["dimension"]) == {"segment", "region", "plan"}


def test_values_are_bound_not_interpolated(fixture_db):
    # a hostile value is just a value: it matches nothing and changes nothing
    frame = page_queries.run_query(
        "kpi_windows", end_months=[fixtures.D(2026, 3, 1)], window_months=3,
        segments=["SMB'); drop table accounts; --"], regions=[], plans=[],
    )
    assert frame["starting_arr_usd"].iloc[0] == 0
    assert len(page_queries.run_query("filter_options")) > 0


def test_sql_errors_name_the_query(fixture_db, monkeypatch, tmp_path):
    (tmp_path / "broken.sql").write_text(
        "-- scope: aggregate\n-- sensitive: none\nselect * from no_such_table")
    monkeypatch.setattr(query_runner, "QUERIES_DIR", tmp_path)
    with pytest.raises(page_queries.QueryError, match=r"Query 'broken' failed"):
        page_queries.run_query("broken")


def test_missing_database_says_how_to_build_one(use_db, tmp_path):
    use_db(tmp_path / "absent.duckdb")
    with pytest.raises(page_queries.DatabaseMissingError, match="make run"):
        page_queries.dataset_metadata()


def test_rebuilt_database_is_not_served_from_cache(empty_db, use_db, tmp_path):
    import duckdb

    con, path = empty_db
    fixtures.load(con)
    con.close()
    use_db(path)
    assert page_queries.dataset_metadata().source == "fixture"
    replacement = tmp_path / "replacement.duckdb"
    with duckdb.connect(str(replacement)) as other:
        from northstar.data.db.schema import create_schema

        create_schema(other)
        other.execute("insert into dataset_metadata values ('as_of_date', '2026-03-31'), "
                      "('source', 'reloaded')")
    replacement.replace(path)
    assert page_queries.dataset_metadata().source == "reloaded"


def test_every_query_file_has_a_header_and_ends_with_final(fixture_db):
    for path in QUERIES_DIR.glob("*.sql"):
        text = path.read_text()
        assert text.startswith("-- "), path.name
        assert re.search(r"select \* from final\s*(order by [^;]+)?\s*$", text), path.name
        assert text == text.lower() or "'" in text, path.name


def test_every_query_header_reads_first_line_then_parameters():
    for path in QUERIES_DIR.glob("*.sql"):
        header = []
        for line in path.read_text().splitlines():
            if not line.startswith("--"):
                break
            header.append(line)
        body = path.read_text()[len("\n".join(header)):]
        body = re.sub(r"--[^\n]*", "", body)
        assert len(header[0]) <= 90 and all(len(line) <= 100 for line in header), path.name
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", body))
        if "-- parameters: none" in header:
            assert used == set(), path.name
            continue
        start = header.index("-- parameters:")
        listed = set()
        for line in header[start + 1:]:
            if not line.startswith("--   "):
                break
            names = re.match(r"--   ((?:\$[a-z_0-9]+(?:, )?)+)", line)
            listed |= set(re.findall(r"\$([a-z_][a-z0-9_]*)", names.group(1)))
        assert listed == used, (path.name, listed ^ used)


def test_metadata_and_filter_options(fixture_db):
    metadata = page_queries.dataset_metadata()
    assert str(metadata.as_of) == "2026-03-31"
    assert metadata.last_month == fixtures.D(2026, 3, 1)
    options = page_queries.filter_options()
    assert options["segment"] == ["Enterprise", "Mid-Market", "SMB"]


def test_run_queries_gives_what_run_query_gives_in_the_requests_order(fixture_db):
    scope = {"segments": [], "regions": [], "plans": []}
    windows = {"end_months": [fixtures.D(2026, 3, 1)], "window_months": 3, **scope}
    options, kpis, metadata = page_queries.run_queries(
        page_queries.request("filter_options", **scope),
        page_queries.request("kpi_windows", **windows),
        page_queries.request("dataset_metadata"),
    )
    pd.testing.assert_frame_equal(options, page_queries.run_query("filter_options"))
    pd.testing.assert_frame_equal(kpis, page_queries.run_query("kpi_windows", **windows))
    pd.testing.assert_frame_equal(metadata, page_queries.run_query("dataset_metadata"))
    assert page_queries.run_queries() == []


def test_run_queries_checks_every_request_before_any_query_runs(fixture_db, monkeypatch):
    ran = []
    monkeypatch.setattr(page_queries, "execute", lambda name, params, source: ran.append(name))
    page_queries._cached.clear()
    with pytest.raises(page_queries.QueryError, match="no_such_query"):
        page_queries.run_queries(page_queries.request("filter_options"), page_queries.request("no_such_query"))
    assert ran == []


def test_run_queries_errors_name_the_query(fixture_db):
    with pytest.raises(page_queries.QueryError, match=r"kpi_windows.*end_months"):
        page_queries.run_queries(page_queries.request("filter_options"),
                            page_queries.request("kpi_windows", window_months=1))


def test_independent_queries_run_at_once():
    # three tasks that each wait for the other two finish only if they run at the same time
    barrier = threading.Barrier(query_runner.QUERY_WORKERS, timeout=10)
    tasks = [lambda number=number: (barrier.wait(), number)[1]
             for number in range(query_runner.QUERY_WORKERS)]
    assert query_runner.run_concurrently(tasks) == list(range(query_runner.QUERY_WORKERS))


def test_a_failing_task_raises_after_the_others_finish():
    finished = []

    def fails() -> None:
        raise query_runner.QueryError("Query 'broken' failed")

    def slow() -> str:
        time.sleep(0.2)
        finished.append("slow")
        return "slow"

    with pytest.raises(query_runner.QueryError, match="broken"):
        query_runner.run_concurrently([fails, slow])
    assert finished == ["slow"]
