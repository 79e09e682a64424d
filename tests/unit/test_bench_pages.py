"""bench/pages.py, the benchmark's list of the queries each page runs, stays in step with the
pages in views/ and the named queries in queries/; the pandas approach (bench/pandas_pages/)
covers every page and agrees with the queries."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from bench.pages import ACTION_PAGES, FILTER_SETS, PAGES, PLANS, Context, batches, page_calls
from bench.pandas_pages import COVERED, PAGE_TABLES, PANDAS_PAGES
from northstar.data.db.paths import QUERIES_DIR, REPO_ROOT
from northstar.data.registry import pages

VIEWS_DIR = REPO_ROOT / "views"
CONTEXT = Context(dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2023, 11, 1),
                  "A0000001", "North")


def test_the_benchmark_opens_the_pages_of_the_registry_in_its_order():
    assert tuple(page.key for page in pages.PAGES) == PAGES


def test_every_page_of_the_registry_has_a_benchmark_plan():
    assert set(pages.PAGES_BY_KEY) - set(PLANS) == set(), (
        "add the missing pages' query plans to bench/pages.py")
    assert set(PLANS) - set(pages.PAGES_BY_KEY) == set(), (
        "bench/pages.py plans pages that are not in the registry")
    assert set(pages.PAGES_BY_KEY) >= ACTION_PAGES


def test_every_page_in_views_is_benchmarked():
    scripts = {path.stem for path in VIEWS_DIR.glob("*.py") if not path.name.startswith("_")}
    assert scripts == set(PAGES)


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
    # every literal query name in the page script, and in the northstar modules it imports
    # (the briefing's CEO brief runs its own), appears in the page's benchmark list
    source = (VIEWS_DIR / f"{page}.py").read_text()
    imported = {(package, name.strip())
                for package, names in re.findall(r"^from northstar\.([\w.]+) import (.+)$", source,
                                                 re.MULTILINE)
                for name in names.split(",")}
    assert imported, "the page imports the package"
    for package, module in sorted(imported):
        path = REPO_ROOT / "northstar" / package.replace(".", "/") / f"{module.split(' as ')[0]}.py"
        if path.is_file() and module != "page_queries":
            source += path.read_text()
    named = set(re.findall(r"(?:run_query|request)\(\s*\"([a-z0-9_]+)\"", source))
    benchmarked = {call.query for call in page_calls(page, CONTEXT, FILTER_SETS[0])}
    assert named - benchmarked == set()


def plan_keys_read(source: str) -> list[str]:
    """The keys a page script reads from its plan (data["key"]), an f-string key as a pattern."""
    return [re.sub(r"\\\{[^}]*\\\}", "[^:]+", re.escape(key)) if f else re.escape(key)
            for f, key in re.findall(r"\bdata\[(f?)\"([^\"]+)\"\]", source)]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_key_a_page_reads_is_a_call_of_its_plan(page):
    # a page on its plan (northstar.ui.page_data) reads its results by call key: each key it
    # reads is one its plan (the benchmark's calls) has
    source = (VIEWS_DIR / f"{page}.py").read_text()
    keys = {call.key for call in page_calls(page, CONTEXT, FILTER_SETS[0])}
    read = plan_keys_read(source)
    assert bool(read) == ("page_data.page_data(" in source)
    for pattern in read:
        assert any(re.fullmatch(pattern, key) for key in keys), (pattern, sorted(keys))


# a result a page script reads from its data: data["key"], other_data["key"] or
# page_data.page_data(...)["key"]
DATA_KEY = re.compile(r"(?:\bdata|_data)\[\s*\"([a-z0-9_:]+)\"\s*\]"
                      r"|page_data\.page_data\([^)]*\)\[\s*\"([a-z0-9_:]+)\"\s*\]")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_result_a_page_reads_is_a_call_of_its_plan(page):
    # a page on its plan reads each result by its call's key: a key the plan lacks would
    # fail only when the visitor reaches that part of the page
    source = (VIEWS_DIR / f"{page}.py").read_text()
    read = {key for keys in DATA_KEY.findall(source) for key in keys if key}
    keys = {call.key for call in page_calls(page, CONTEXT, FILTER_SETS[0])}
    assert read - keys == set()
    if "page_data.page_data(" in source:
        assert read, "the page reads its results by key"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_calls_name_the_lazy_tab_they_run_in(page):
    # a page whose tabs run lazily (`if tab.open:`) has its tab calls labelled with one of its
    # tab titles in the page registry; a page without lazy tabs runs everything on every open
    source = (VIEWS_DIR / f"{page}.py").read_text()
    tabs = {call.tab for call in page_calls(page, CONTEXT, FILTER_SETS[0]) if call.tab}
    if not re.search(r"\.open( and .*)?:", source):
        assert tabs == set()
        return
    assert tabs and tabs <= set(pages.tabs(page)), (tabs, pages.tabs(page))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_queries_a_page_runs_at_once_are_one_batch_of_its_benchmark(page):
    # each page_queries.run_queries(...) in a page script of its own is one batch in bench/pages.py,
    # so the benchmark runs at once what the page runs at once, and nothing else
    source = (VIEWS_DIR / f"{page}.py").read_text()
    calls = page_calls(page, CONTEXT, FILTER_SETS[0])
    if "page_data.page_data(" in source:
        # a page on its plan runs a batch at once when it reads one of its calls (as the
        # benchmark does): a batch's calls are next to each other in the plan and in one tab
        groups = [group for group in batches(calls) if group[0].batch]
        assert len({group[0].batch for group in groups}) == len(groups), "a batch is split"
        for group in groups:
            assert len({call.tab for call in group}) == 1, group
        assert not re.search(r"run_queries\(", source)
        return
    batches_by_name = {}
    for call in calls:
        if call.batch:
            batches_by_name.setdefault(call.batch, set()).add(call.query)
    page_batches = [set(re.findall(r"request\(\s*\"([a-z0-9_]+)\"", block))
                    for block in re.split(r"run_queries\(", source)[1:]]
    page_batches = [names for names in page_batches if names]
    for names in page_batches:
        assert names in batches_by_name.values(), (names, batches_by_name)
    for names in batches_by_name.values():
        assert names in page_batches, (names, page_batches)


def test_the_heaviest_pages_have_a_pandas_version():
    assert set(PANDAS_PAGES) == {"retention", "programs", "satisfaction"}
    assert set(COVERED) == set(PAGE_TABLES) == set(PANDAS_PAGES)


@pytest.mark.parametrize("page", sorted(PANDAS_PAGES))
def test_the_pandas_version_covers_calls_the_page_makes(page):
    for filter_set in FILTER_SETS:
        keys = {call.key for call in page_calls(page, CONTEXT, filter_set)}
        assert COVERED[page] and set(COVERED[page]) <= keys


@pytest.fixture(scope="module")
def pandas_run(tmp_path_factory, copy_demo):
    """The benchmark's pandas part (its three pages, the three filter sets) on a small demo."""
    import duckdb

    from bench.worker import run_pandas
    from northstar.data.db.rollups import build_rollups

    db = copy_demo(tmp_path_factory.mktemp("bench") / "northstar.duckdb", 200, 1)
    # ratings on a quarter of the tickets, so the satisfaction scores count ticket ratings too
    with duckdb.connect(str(db)) as con:
        con.execute("update support_tickets set satisfaction_score = 1 + hash(ticket_id) % 5 "
                    "where hash(ticket_id) % 4 = 0")
        build_rollups(con)
        ratings = con.execute("select count(*) from satisfaction_answers "
                              "where program = 'ticket_rating'").fetchone()[0]
    assert ratings > 100
    return run_pandas(db, rounds=1)


@pytest.mark.parametrize("page", list(PANDAS_PAGES))
def test_pandas_results_agree_with_the_queries(pandas_run, page):
    assert len(pandas_run["pages"][page]) == len(FILTER_SETS)
    assert pandas_run["northstar_s"][page] and min(pandas_run["northstar_s"][page]) > 0
    assert [problem for problem in pandas_run["mismatches"] if f"] {page} " in problem] == []


def test_report_shows_both_page_opens_and_the_targets():
    from bench.report import render

    browser = {"open_s": {"briefing": 1.4, "programs": 1.9},
               "first_open_s": {"briefing": 3.1, "programs": 4.2},
               "filter_s": {"briefing": 0.5, "programs": 1.2},
               "server_peak_rss_mb": 300.0, "errors": [],
               "reference_open_s": {"bare Streamlit page": 1.0, "one Plotly chart": 1.25},
               "reference_first_open_s": {"bare Streamlit page": 1.5, "one Plotly chart": 2.0}}
    northstar = {"pages": {"briefing": {"default": [0.04, 0.05]},
                           "programs": {"default": [0.5, 0.6]}},
                 "tabs": {"programs": {"Advisory board": 0.16, "Kudos": 0.09}},
                 "calls": {}, "peak_rss_mb": 300.0}
    text = render({"sizes": {100_000: {"browser": browser, "northstar": northstar}},
                   "started": "now"})
    assert ("slowest page median 550 ms (target ≤ 150): NOT met; 1 of 2 pages within "
            "(over: programs 550)") in text
    # 1.9 / 1.25 = 1.52x; 4.2 / 2.0 = 2.10x
    assert "| programs | 1.90 | 1.52× | 4.20 | 2.10× | 1.20 |" in text
    assert ("page open, returning visitor: slowest 1.52× the one-chart page (1.25 s; target ≤ "
            "1.5×): NOT met; 1 of 2 pages within (over: programs 1.52×)") in text
    assert ("page open, first visit: slowest 2.10× the one-chart page (2.00 s; target ≤ 2.0×): "
            "NOT met; 1 of 2 pages within (over: programs 2.10×)") in text
    assert ("slowest filter change 1.20 s (target ≤ 1 s): NOT met (over: programs 1.20 s)"
            in text)
    assert "| programs | Advisory board | 160 |" in text
    assert "| programs | Kudos | **90** |" in text
    assert ("opening a page on its slowest tab (pages without lazy tabs: the whole set): 1 of 2 "
            "pages within (over: programs 160)") in text
    assert "| one Plotly chart | 1.25 | 2.00 |" in text


def test_report_targets_for_the_build_the_load_test_and_the_server():
    from bench.report import render

    northstar = {"pages": {"briefing": {"default": [0.5]}}, "calls": {}, "peak_rss_mb": 900.0}
    build = {"seconds": 150.0, "peak_rss_mb": 3900.0, "timings": {"exposures": 50.0}}
    spread = {"median": 2.0, "p95": 6.0, "max": 7.0}
    load = {"sessions": 20, "writers": 5, "seconds": 120, "accounts": 100_000,
            "page_opens": 300, "filter_changes": 80, "errors": [], "never_rendered": [],
            "open_s": spread, "filter_s": spread, "peak_rss_mb": 900.0, "file": "load.md",
            "write_s": {"create": spread, "update": spread},
            "writes": {"saved": 12, "stored": 12, "updated": 20, "refused": 3,
                       "versions_after_first": 20, "audit_rows": 32, "problems": []}}
    server = {**load, "sessions": 5, "writers": 1, "accounts": 1_000_000, "peak_rss_mb": 2100.0,
              "file": "server.md"}
    text = render({"sizes": {1_000_000: {"build": build, "northstar": northstar}},
                   "started": "now", "load": load, "server": server})
    assert "- 1,000,000: build 150 s (target ≤ 120): NOT met" in text
    assert "- 1,000,000: build peak memory 3,900 MB (target ≤ 4,096): met" in text
    assert ("12 actions created (12 stored), 20 status changes accepted and 3 refused as stale; "
            "the stored versions hold 20 changes and the audit 32 rows (no lost or duplicated "
            "write)") in text
    assert ("- load test: 0 errors, 12 actions created and 20 changes while 15 sessions read, "
            "page open p95 6.00 s, server peak 900 MB (target: no error, no lost update): met"
            in text)
    assert "- 1,000,000: server peak 2,100 MB serving 5 sessions (target ≤ 2,048): NOT met" in text


def test_a_plan_takes_the_viewers_choices_the_benchmark_fixes():
    # CCO programs: the top accounts chosen on its executive-meeting tab, and no services
    # topics while names are masked (they come from free text)
    state = bench_filter_state()
    default = {call.key: call for call in PLANS["programs"](CONTEXT, state)}
    chosen = {call.key: call for call in PLANS["programs"](CONTEXT, state, top_n=25,
                                                           masked=True)}
    assert default["exec:unmet"].resolve({})["top_n"] == 100
    assert chosen["exec:unmet"].resolve({})["top_n"] == 25
    months = {"exec:months": pd.DataFrame({"month": pd.to_datetime(["2020-01-01"])})}
    assert chosen["exec:coverage"].resolve(months)["top_n"] == 25
    assert "services:topic" in default and "services:topic" not in chosen


def bench_filter_state():
    from bench.pages import filter_state

    return filter_state(CONTEXT, FILTER_SETS[0])
