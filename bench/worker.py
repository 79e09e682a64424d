"""One benchmark measurement in its own process, so its peak memory is its own.

    python -m bench.worker build N DB        build the demo database; JSON timings + peak RSS
    python -m bench.worker northstar DB R    every page's calls, R rounds x filter sets
    python -m bench.worker pandas DB R       the pandas approach for every page

Prints one JSON object on stdout.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import duckdb


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM from /proc; ru_maxrss elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(accounts: int, db: Path) -> dict:
    from northstar.data.demo.generator import build_demo

    started = time.perf_counter()
    timings = build_demo(db, accounts=accounts)
    return {"timings": timings, "seconds": time.perf_counter() - started,
            "peak_rss_mb": peak_rss_mb()}


def context_for(db: Path):
    from bench.pages import Context

    with duckdb.connect(str(db), read_only=True) as con:
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
        first_month = con.execute("select min(month) from account_mrr_monthly").fetchone()[0]
        # Account 360 opened on the account with the most tickets (its lists are the longest)
        account_id = con.execute(
            "select account_id from support_tickets group by account_id "
            "order by count(*) desc, account_id limit 1").fetchone()[0]
    return Context(as_of.replace(day=1), as_of, first_month, account_id, "North")


def _quiet_streamlit() -> None:
    # northstar.ui.page_queries uses st.cache_data; outside `streamlit run` it only warns
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def run_calls(calls: list, db: Path) -> tuple[dict, dict[str, float], dict[str, float]]:
    """Run a page's calls as the page does (a batch at once, the rest one by one): the results
    by call key, each call's own seconds, and the seconds spent per tab ("" = every tab)."""
    from bench.pages import batches
    from northstar.data.db import query_runner as ns_db

    results: dict = {}
    call_seconds: dict[str, float] = {}
    tab_seconds: dict[str, float] = {}

    def timed(call, params: dict):
        started = time.perf_counter()
        frame = ns_db.execute(call.query, params, db)
        call_seconds[call.key] = time.perf_counter() - started
        return frame

    for group in batches(calls):
        started = time.perf_counter()
        frames = ns_db.run_concurrently(
            [functools.partial(timed, call, call.resolve(results)) for call in group])
        took = time.perf_counter() - started
        results.update({call.key: frame for call, frame in zip(group, frames, strict=True)})
        # a batch's calls are in one tab (bench/pages.py keeps them so)
        tab_seconds[group[0].tab] = tab_seconds.get(group[0].tab, 0.0) + took
    return results, call_seconds, tab_seconds


def run_northstar(db: Path, rounds: int, keep_results: bool = False) -> dict:
    """Every page's calls through northstar.data.db.query_runner.execute (uncached), `rounds`
    times each filter set, batches at once as the pages run them."""
    _quiet_streamlit()
    from bench.pages import FILTER_SETS, PAGES, page_calls

    context = context_for(db)
    out: dict = {"pages": {}, "calls": {}, "tabs": {}}
    results: dict = {}
    # one warm-up pass: opens the connection and reads the files, as a running server has
    for page in PAGES:
        for filter_set in FILTER_SETS:
            run_calls(page_calls(page, context, filter_set), db)
    for page in PAGES:
        page_times: dict[str, list[float]] = {}
        call_times: dict[str, list[float]] = {}
        # opening the page on one tab: the calls run whichever tab is open, and that tab's
        tab_times: dict[str, list[float]] = {}
        for filter_set in FILTER_SETS:
            calls = page_calls(page, context, filter_set)
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                previous, call_seconds, spent = run_calls(calls, db)
                samples.append(time.perf_counter() - started)
                for key, took in call_seconds.items():
                    call_times.setdefault(f"{filter_set[0]}|{key}", []).append(took)
                for tab in (tab for tab in spent if tab):
                    tab_times.setdefault(tab, []).append(spent.get("", 0.0) + spent[tab])
            page_times[filter_set[0]] = samples
            if keep_results:
                results[(page, filter_set[0])] = previous
        out["pages"][page] = page_times
        if tab_times:
            out["tabs"][page] = {tab: statistics.median(times) for tab, times in tab_times.items()}
        out["calls"][page] = {
            key: {"query": next(c.query for c in page_calls(page, context, FILTER_SETS[0])
                                if c.key == key.split("|", 1)[1]) if key.startswith("default|")
                  else None,
                  "median_s": statistics.median(times)}
            for key, times in call_times.items()
        }
    out["peak_rss_mb"] = peak_rss_mb()
    if keep_results:
        out["_results"] = results
    return out


def run_pandas(db: Path, rounds: int) -> dict:
    """The pandas approach per page: load its tables, compute; checked against Northstar's
    results for the same calls."""
    _quiet_streamlit()
    from bench.pages import FILTER_SETS, filter_state, page_calls
    from bench.pandas_pages import COVERED, PAGE_TABLES, PANDAS_PAGES, check_equal, load_tables
    from northstar.data.db import query_runner as ns_db

    context = context_for(db)
    out: dict = {"pages": {}, "load_s": {}, "northstar_s": {}, "mismatches": []}
    con = duckdb.connect(str(db), read_only=True)
    for page, compute in PANDAS_PAGES.items():
        started = time.perf_counter()
        tables = load_tables(con, PAGE_TABLES[page])
        out["load_s"][page] = time.perf_counter() - started
        samples: list[float] = []
        northstar_samples: list[float] = []
        for filter_set in FILTER_SETS:
            state = filter_state(context, filter_set)
            for _ in range(rounds):
                started = time.perf_counter()
                ours = compute(tables, context, state)
                samples.append(time.perf_counter() - started)
            # Northstar's time for exactly the calls the pandas page reproduces
            previous: dict = {}
            for _ in range(rounds):
                previous = {}
                elapsed = 0.0
                for call in page_calls(page, context, filter_set):
                    call_started = time.perf_counter()
                    previous[call.key] = ns_db.execute(call.query, call.resolve(previous), db)
                    if call.key in COVERED[page]:
                        elapsed += time.perf_counter() - call_started
                northstar_samples.append(elapsed)
            out["mismatches"] += [
                f"[{filter_set[0]}] {problem}"
                for problem in check_equal(page, previous, ours, state.period.end_month)
            ]
        out["pages"][page] = samples
        out["northstar_s"][page] = northstar_samples
        del tables
    con.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main(argv: list[str]) -> int:
    mode, *rest = argv
    os.environ.setdefault("STREAMLIT_GLOBAL_SHOW_WARNING_ON_DIRECT_EXECUTION", "false")
    if mode == "build":
        result = build(int(rest[0]), Path(rest[1]))
    elif mode == "northstar":
        result = run_northstar(Path(rest[0]), int(rest[1]))
    elif mode == "pandas":
        result = run_pandas(Path(rest[0]), int(rest[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
