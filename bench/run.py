"""`make bench`: Northstar's speed at 5,000, 100,000 and 1,000,000 accounts.

    python -m bench.run [--sizes 5000 100000 1000000] [--rounds 10] [--pandas-rounds 3]
                        [--data-dir DIR] [--reuse] [--no-browser] [--browser-size 100000]
                        [--no-load] [--load-sessions 20] [--load-seconds 120]
                        [--load-writers 5] [--server-size 1000000] [--server-sessions 5]
                        [--server-seconds 60]

Per size: builds the demo database (build time per step and peak memory), then in a fresh
process runs every page's whole set of queries (bench/pages.py) with three filter
combinations, uncached through `northstar.data.db.query_runner.execute`, `--rounds` times each,
and reports the median and p95 per page; then, in another process, the pandas approach
(bench/pandas_pages/) for the three heaviest pages, with the ratio pandas / Northstar for the
same results. At the browser size it also times each page in headless chromium
(bench/browser.py). Last, at the browser size, the load test (bench/many_sessions.py):
`--load-sessions` browser sessions at once against one server for `--load-seconds`, its report
in bench/results/load_<timestamp>.md, `--load-writers` of the sessions recording actions. Then,
at `--server-size` accounts, a shorter load test for the server's memory at that size
(bench/results/server_<timestamp>.md). The report (bench/report.py) is printed and written to
bench/results/<timestamp>.md; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import render

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
def worker(*args: str) -> dict:
    command = [sys.executable, "-m", "bench.worker", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_report(report: dict, stamp: str) -> str:
    """Write the report so far (bench/results/<stamp>.md, and .json); return its text."""
    text = render(report)
    (RESULTS_DIR / f"{stamp}.md").write_text(text)
    (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(report, indent=1, default=str))
    return text


def load_test(data_dir: Path, size: int, name: str, sessions: int, seconds: float,
              writers: int, timeout_s: float = 120) -> dict:
    """bench/many_sessions.py against the demo database of `size`, its report written to
    bench/results/`name`; its summary for the benchmark's report."""
    from bench import many_sessions

    out = RESULTS_DIR / name
    result = many_sessions.run(data_dir / f"northstar-{size}.duckdb", sessions, seconds,
                               timeout_s=timeout_s, out=out, writers=writers)
    return {**{key: value for key, value in result.items() if key != "report"},
            "file": out.name}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pandas-rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "northstar-bench")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse an existing database of a size instead of rebuilding it")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--browser-size", type=int, default=100_000)
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument("--load-sessions", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=120)
    parser.add_argument("--load-writers", type=int, default=5,
                        help="load-test sessions that record actions while the rest read")
    parser.add_argument("--server-size", type=int, default=1_000_000,
                        help="size at which the server's memory is measured under a shorter "
                        "load test (when it is one of --sizes)")
    parser.add_argument("--server-sessions", type=int, default=5)
    parser.add_argument("--server-seconds", type=float, default=60)
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report: dict = {"sizes": {}, "started": stamp}
    for size in args.sizes:
        db = args.data_dir / f"northstar-{size}.duckdb"
        entry: dict = {}
        if args.reuse and db.exists():
            log(f"[{size:,}] reusing {db}")
        else:
            log(f"[{size:,}] building the demo database at {db} ...")
            entry["build"] = worker("build", str(size), str(db))
            log(f"[{size:,}] built in {entry['build']['seconds']:.1f} s, "
                f"peak {entry['build']['peak_rss_mb']:,.0f} MB")
        log(f"[{size:,}] timing every page's queries ({args.rounds} rounds x 3 filter sets) ...")
        entry["northstar"] = worker("northstar", str(db), str(args.rounds))
        if not args.no_pandas:
            log(f"[{size:,}] the pandas approach ({args.pandas_rounds} rounds x 3 filter sets) ...")
            entry["pandas"] = worker("pandas", str(db), str(args.pandas_rounds))
            for problem in entry["pandas"]["mismatches"]:
                log(f"[{size:,}] MISMATCH {problem}")
        if not args.no_browser and size == args.browser_size:
            from bench import browser, many_sessions

            log(f"[{size:,}] browser timing in headless chromium ...")
            entry["browser"] = browser.measure(db, many_sessions.page_paths(db))
        report["sizes"][size] = entry
        text = write_report(report, stamp)
    load_tests = not args.no_load and not args.no_browser
    if load_tests and args.browser_size in args.sizes:
        log(f"[{args.browser_size:,}] load test: {args.load_sessions} browser sessions at once "
            f"for {args.load_seconds:.0f} s ...")
        report["load"] = load_test(args.data_dir, args.browser_size, f"load_{stamp}.md",
                                   args.load_sessions, args.load_seconds, args.load_writers)
        text = write_report(report, stamp)
    if load_tests and args.server_size in args.sizes:
        log(f"[{args.server_size:,}] the server's memory: {args.server_sessions} browser "
            f"sessions for {args.server_seconds:.0f} s ...")
        report["server"] = load_test(args.data_dir, args.server_size, f"server_{stamp}.md",
                                     args.server_sessions, args.server_seconds, writers=1,
                                     timeout_s=300)
        text = write_report(report, stamp)
    print(text)
    log(f"written to {RESULTS_DIR / (stamp + '.md')}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    log(f"bench finished in {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
