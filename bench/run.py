"""`make bench`: Northstar's speed at 5,000, 100,000 and 1,000,000 accounts.

    python -m bench.run [--sizes 5000 100000 1000000] [--rounds 10] [--pandas-rounds 3]
                        [--data-dir DIR] [--reuse] [--no-browser] [--browser-size 100000]
                        [--no-load] [--load-sessions 20] [--load-seconds 120]

Per size: builds the demo database (build time per step and peak memory), then in a fresh
process runs every page's whole set of queries (bench/pages.py) with three filter
combinations, uncached through `northstar.db.execute`, `--rounds` times each, and reports the
median and p95 per page; then, in another process, the pandas approach (bench/pandas_pages/)
for every page, with the ratio pandas / Northstar for the same results. At the browser
size it also times each page in headless chromium (bench/browser.py). Last, at the browser
size, the load test (bench/load.py): `--load-sessions` browser sessions at once against one
server for `--load-seconds`, its report in bench/results/load_<timestamp>.md. The table is
printed and written to bench/results/<timestamp>.md; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
# targets from issue 10 (medians, uncached, 2-core machine)
TARGET_PAGE_S = {100_000: 0.150, 1_000_000: 1.0}
TARGET_BUILD_S = {1_000_000: 120.0}
TARGET_SERVER_MB = {1_000_000: 2048.0}
TARGET_RATIO = {1_000_000: 5.0}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered) + 0.5)) - 1))]


def worker(*args: str) -> dict:
    command = [sys.executable, "-m", "bench.worker", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}"


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
            from bench import browser, load

            log(f"[{size:,}] browser timing in headless chromium ...")
            entry["browser"] = browser.measure(db, load.page_paths(db))
        report["sizes"][size] = entry
        text = render(report)
        (RESULTS_DIR / f"{stamp}.md").write_text(text)
        (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(report, indent=1, default=str))
    if not args.no_load and not args.no_browser and args.browser_size in args.sizes:
        from bench import load

        db = args.data_dir / f"northstar-{args.browser_size}.duckdb"
        out = RESULTS_DIR / f"load_{stamp}.md"
        log(f"[{args.browser_size:,}] load test: {args.load_sessions} browser sessions at once "
            f"for {args.load_seconds:.0f} s ...")
        result = load.run(db, args.load_sessions, args.load_seconds, out=out)
        report["load"] = {key: value for key, value in result.items() if key != "report"}
        report["load"]["file"] = out.name
        text = render(report)
        (RESULTS_DIR / f"{stamp}.md").write_text(text)
        (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(report, indent=1, default=str))
    print(text)
    log(f"written to {RESULTS_DIR / (stamp + '.md')}")
    return 0


def render(report: dict) -> str:
    lines = [f"# Northstar benchmark {report['started']}", "",
             f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}. Times are "
             "medians (p95) in ms over every round of the three filter sets, uncached.", ""]
    sizes = report["sizes"]
    lines += ["## Build", "", "| accounts | build s | peak MB | slowest steps |",
              "|---|---|---|---|"]
    for size, entry in sizes.items():
        build = entry.get("build")
        if not build:
            lines.append(f"| {size:,} | (reused) | | |")
            continue
        steps = sorted(((k, v) for k, v in build["timings"].items() if k != "total"),
                       key=lambda item: -item[1])[:5]
        slow = ", ".join(f"{k} {v:.1f}" for k, v in steps)
        lines.append(
            f"| {size:,} | {build['seconds']:.1f} | {build['peak_rss_mb']:,.0f} | {slow} |")
    lines += ["", "## Page query sets (Northstar, DuckDB)", ""]
    pages = list(next(iter(sizes.values()))["northstar"]["pages"])
    header = "| page | " + " | ".join(f"{n:,} median (p95)" for n in sizes) + " |"
    lines += [header, "|---|" + "---|" * len(sizes)]
    for page in pages:
        cells = []
        for entry in sizes.values():
            samples = [t for ts in entry["northstar"]["pages"][page].values() for t in ts]
            cells.append(f"{ms(statistics.median(samples))} ({ms(p95(samples))})")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines.append("| query process peak MB | " + " | ".join(
        f"{entry['northstar']['peak_rss_mb']:,.0f}" for entry in sizes.values()) + " |")
    tabbed = sorted({page for entry in sizes.values()
                     for page in entry["northstar"].get("tabs", {})})
    if tabbed:
        lines += ["", "## Opening a page on one tab", "",
                  "The tabs of these pages run their queries only while open: opening the page "
                  "on a tab (or switching to it) runs the queries every tab needs and that "
                  "tab's. Median ms over rounds and filter sets; in bold, within the page-time "
                  "target.", "", "| page | tab | " + " | ".join(f"{size:,}" for size in sizes)
                  + " |", "|---|---|" + "---|" * len(sizes)]
        for page in tabbed:
            tabs = list(dict.fromkeys(tab for entry in sizes.values()
                                      for tab in entry["northstar"].get("tabs", {}).get(page, {})))
            for tab in tabs:
                cells = []
                for size, entry in sizes.items():
                    seconds = entry["northstar"].get("tabs", {}).get(page, {}).get(tab)
                    within = size in TARGET_PAGE_S and seconds is not None \
                        and seconds <= TARGET_PAGE_S[size]
                    cells.append("–" if seconds is None
                                 else f"**{ms(seconds)}**" if within else ms(seconds))
                lines.append(f"| {page} | {tab} | " + " | ".join(cells) + " |")
    if any("pandas" in entry for entry in sizes.values()):
        lines += ["", "## The pandas approach", "",
                  "Load = the page's tables into pandas once (`con.table(...).df()`), as a "
                  "dashboard that loads per session does; compute = the page's results in "
                  "pandas (median over rounds and filter sets); Northstar = the same results "
                  "from the named queries (the calls the pandas page reproduces). Ratio = (load + "
                  "compute) / Northstar; the compute-only ratio in brackets.", "",
                  "| accounts | page | load ms | compute ms | Northstar ms | ratio |",
                  "|---|---|---|---|---|---|"]
        for size, entry in sizes.items():
            pandas = entry.get("pandas")
            if not pandas:
                continue
            for page, samples in pandas["pages"].items():
                compute = statistics.median(samples)
                ours = statistics.median(pandas["northstar_s"][page])
                load = pandas["load_s"][page]
                lines.append(
                    f"| {size:,} | {page} | {ms(load)} | {ms(compute)} | {ms(ours)} | "
                    f"{(load + compute) / ours:,.1f}× ({compute / ours:,.1f}×) |")
            lines.append(f"| {size:,} | pandas process peak MB | "
                         f"{pandas['peak_rss_mb']:,.0f} | | | |")
            mismatches = pandas["mismatches"]
            lines.append(f"| {size:,} | equality checks | "
                         f"{'all equal' if not mismatches else '; '.join(mismatches[:5])} | | | |")
    for size, entry in sizes.items():
        browser = entry.get("browser")
        if not browser:
            continue
        lines += ["", f"## Browser at {size:,} accounts (headless chromium, median of 3)", ""]
        if "skipped" in browser:
            lines.append(browser["skipped"])
            continue
        lines += ["| page | open → rendered s, returning visitor | first visit (empty cache), "
                  "1 round | filter change s |", "|---|---|---|---|"]
        first_opens = browser.get("first_open_s", {})
        for page, seconds in browser["open_s"].items():
            first = f"{first_opens[page]:.2f}" if page in first_opens else "–"
            lines.append(f"| {page} | {seconds:.2f} | {first} | {browser['filter_s'][page]:.2f} |")
        lines.append(f"\nServer peak memory: {browser['server_peak_rss_mb']:,.0f} MB. "
                     f"Errors: {'; '.join(browser['errors']) or 'none'}.")
        references = browser.get("reference_open_s")
        if references:
            lines.append("\nFor scale, reference pages with no Northstar code, opened the same "
                         "way: " + ", ".join(f"{name} {seconds:.2f} s"
                                             for name, seconds in references.items()) + ".")
    load = report.get("load")
    if load:
        lines += ["", "## Many executives at once (bench/load.py)", ""]
        if "skipped" in load:
            lines.append(load["skipped"])
        else:
            def sec(value: float | None) -> str:
                return "–" if value is None else f"{value:.2f} s"

            opens, changes = load["open_s"], load["filter_s"]
            lines.append(
                f"{load['sessions']} browser sessions at once for {load['seconds']:.0f} s at "
                f"{load['accounts']:,} accounts: {load['page_opens']} page opens, "
                f"{load['filter_changes']} filter changes, {len(load['errors'])} errors, pages "
                f"never rendered: {', '.join(load['never_rendered']) or 'none'}; page open "
                f"median {sec(opens['median'])}, p95 {sec(opens['p95'])}; filter change median "
                f"{sec(changes['median'])}; server peak memory {load['peak_rss_mb']:,.0f} MB. "
                f"Details in {load['file']}.")
    lines += ["", "## Slowest queries (default filters, median ms)", ""]
    for size, entry in sizes.items():
        calls = [(page, key.split("|", 1)[1], value["median_s"])
                 for page, keyed in entry["northstar"]["calls"].items()
                 for key, value in keyed.items() if key.startswith("default|")]
        top = sorted(calls, key=lambda item: -item[2])[:5]
        lines.append(f"- {size:,}: " + ", ".join(f"{page}/{key} {ms(s)}" for page, key, s in top))
    lines += ["", "## Targets", ""]
    for size, entry in sizes.items():
        if size in TARGET_PAGE_S:
            medians = {page: statistics.median([t for ts in times.values() for t in ts])
                       for page, times in entry["northstar"]["pages"].items()}
            worst = max(medians.values())
            over = [f"{page} {ms(s)}" for page, s in medians.items() if s > TARGET_PAGE_S[size]]
            ok = worst <= TARGET_PAGE_S[size]
            lines.append(f"- {size:,}: slowest page median {ms(worst)} ms "
                         f"(target ≤ {ms(TARGET_PAGE_S[size])}): {'met' if ok else 'NOT met'};"
                         f" {len(medians) - len(over)} of {len(medians)} pages within"
                         + (f" (over: {', '.join(over)})" if over else ""))
            tabs = entry["northstar"].get("tabs", {})
            if tabs:
                # what a visit waits for: the whole set, or on a page with lazy tabs its
                # slowest tab
                visit = {page: max(tabs[page].values()) if page in tabs else seconds
                         for page, seconds in medians.items()}
                slow = [f"{page} {ms(s)}" for page, s in visit.items()
                        if s > TARGET_PAGE_S[size]]
                lines.append(f"- {size:,}: opening a page on its slowest tab (pages without lazy "
                             f"tabs: the whole set): {len(visit) - len(slow)} of {len(visit)} "
                             "pages within" + (f" (over: {', '.join(slow)})" if slow else ""))
        if size in TARGET_BUILD_S and entry.get("build"):
            seconds = entry["build"]["seconds"]
            target = TARGET_BUILD_S[size]
            lines.append(f"- {size:,}: build {seconds:.0f} s (target ≤ {target:.0f}):"
                         f" {'met' if seconds <= target else 'NOT met'}")
        if size in TARGET_SERVER_MB:
            mb = entry["northstar"]["peak_rss_mb"]
            lines.append(f"- {size:,}: query process peak {mb:,.0f} MB (target ≤ 2,048): "
                         f"{'met' if mb <= TARGET_SERVER_MB[size] else 'NOT met'}")
        if size in TARGET_RATIO and entry.get("pandas"):
            pandas = entry["pandas"]
            worst = min((pandas["load_s"][p] + statistics.median(s))
                        / statistics.median(pandas["northstar_s"][p])
                        for p, s in pandas["pages"].items())
            lines.append(f"- {size:,}: lowest pandas/Northstar ratio {worst:.1f}× (target ≥ 5×): "
                         f"{'met' if worst >= TARGET_RATIO[size] else 'NOT met'}")
        browser = entry.get("browser")
        if browser and "open_s" in browser:
            worst_open = max(browser["open_s"].values())
            worst_filter = max(browser["filter_s"].values())
            first_opens = browser.get("first_open_s") or {"": float("nan")}
            worst_first = max(first_opens.values())
            lines.append(f"- {size:,}: slowest page open {worst_open:.2f} s for a returning "
                         f"visitor, {worst_first:.2f} s on a first visit (target ≤ 2), "
                         f"slowest filter change {worst_filter:.2f} s (target ≤ 1): returning "
                         f"{'met' if worst_open <= 2 and worst_filter <= 1 else 'NOT met'}, "
                         f"first visit {'met' if worst_first <= 2 else 'NOT met'}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    log(f"bench finished in {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
