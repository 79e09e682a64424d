"""bench/pages.py, the benchmark's list of the queries each page runs, stays in step with the
pages in views/ and the named queries in queries/."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bench.pages import FILTER_SETS, PAGES, Context, page_calls
from northstar.paths import QUERIES_DIR, REPO_ROOT

VIEWS_DIR = REPO_ROOT / "views"
CONTEXT = Context(dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2023, 11, 1),
                  "A0000001", "North")


def test_every_page_in_views_is_benchmarked():
    pages = {path.stem for path in VIEWS_DIR.glob("*.py") if not path.name.startswith("_")}
    assert pages - set(PAGES) == set(), "add the missing pages to bench/pages.py"
    assert set(PAGES) - pages == set(), "bench/pages.py names pages that no longer exist"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_benchmarked_query_exists_and_keys_are_unique(page):
    for filter_set in FILTER_SETS:
        calls = page_calls(page, CONTEXT, filter_set)
        keys = [call.key for call in calls]
        assert len(keys) == len(set(keys)), keys
        for call in calls:
            assert (QUERIES_DIR / f"{call.query}.sql").is_file(), call.query


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_query_a_page_runs_is_benchmarked(page):
    # every literal query name in the page script appears in the page's benchmark list
    source = (VIEWS_DIR / f"{page}.py").read_text()
    named = set(re.findall(r"run_query\(\s*\"([a-z0-9_]+)\"", source))
    benchmarked = {call.query for call in page_calls(page, CONTEXT, FILTER_SETS[0])}
    assert named - benchmarked == set()
