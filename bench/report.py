"""The benchmark's report: one Markdown document from the measurements bench/run.py gathers,
a section per kind of measurement, then the targets and whether each is met."""

from __future__ import annotations

import os
import statistics
import sys

# targets (medians, uncached, on the machine the benchmark runs on)
TARGET_PAGE_S = {100_000: 0.150, 1_000_000: 1.0}
TARGET_BUILD_S = {1_000_000: 120.0}
TARGET_BUILD_MB = {1_000_000: 4096.0}
TARGET_SERVER_MB = {1_000_000: 2048.0}
TARGET_RATIO = {1_000_000: 5.0}
# browser: a page against the one-chart reference page opened the same way in the same run
REFERENCE_PAGE = "one Plotly chart"
TARGET_RETURNING_RATIO = 1.5
TARGET_FIRST_VISIT_RATIO = 2.0
TARGET_FILTER_S = 1.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(0.95 * len(ordered) + 0.5)) - 1))]


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}"


def render(report: dict) -> str:
    sizes = report["sizes"]
    lines = [f"# Northstar benchmark {report['started']}", "",
             f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}. Times are "
             "medians (p95) in ms over every round of the three filter sets, uncached.", ""]
    lines += build_section(sizes)
    lines += query_set_section(sizes)
    lines += tab_section(sizes)
    lines += pandas_section(sizes)
    for size, entry in sizes.items():
        lines += browser_section(size, entry.get("browser"))
    lines += load_section(report.get("load"))
    lines += server_section(report.get("server"))
    lines += slowest_queries_section(sizes)
    lines += ["", "## Targets", ""]
    for size, entry in sizes.items():
        lines += target_lines(size, entry)
    lines += load_target_lines(report.get("load"), report.get("server"))
    return "\n".join(lines) + "\n"


def load_target_lines(load: dict | None, server: dict | None) -> list[str]:
    lines = []
    if load and "skipped" not in load:
        writes = load.get("writes") or {}
        clean = not load["errors"] and not load["never_rendered"]
        lines.append(f"- load test: {len(load['errors'])} errors, "
                     f"{writes.get('saved', 0)} actions created and {writes.get('updated', 0)} "
                     f"changes while {load['sessions'] - load.get('writers', 0)} sessions read, "
                     f"page open p95 {load['open_s']['p95'] or float('nan'):.2f} s, server peak "
                     f"{load['peak_rss_mb']:,.0f} MB (target: no error, no lost update): "
                     f"{'met' if clean and writes.get('saved') else 'NOT met'}")
    if server and "skipped" not in server:
        size = server["accounts"]
        target = TARGET_SERVER_MB.get(size)
        if target:
            lines.append(f"- {size:,}: server peak {server['peak_rss_mb']:,.0f} MB serving "
                         f"{server['sessions']} sessions (target ≤ {target:,.0f}): "
                         f"{'met' if server['peak_rss_mb'] <= target else 'NOT met'}")
    return lines


def page_medians(entry: dict) -> dict[str, float]:
    """Each page's median time over every round of every filter set."""
    return {page: statistics.median([t for ts in times.values() for t in ts])
            for page, times in entry["northstar"]["pages"].items()}


def build_section(sizes: dict) -> list[str]:
    lines = ["## Build", "", "| accounts | build s | peak MB | slowest steps |",
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
    return lines


def query_set_section(sizes: dict) -> list[str]:
    lines = ["", "## Page query sets (Northstar, DuckDB)", ""]
    pages = list(next(iter(sizes.values()))["northstar"]["pages"])
    lines += ["| page | " + " | ".join(f"{n:,} median (p95)" for n in sizes) + " |",
              "|---|" + "---|" * len(sizes)]
    for page in pages:
        cells = []
        for entry in sizes.values():
            samples = [t for ts in entry["northstar"]["pages"][page].values() for t in ts]
            cells.append(f"{ms(statistics.median(samples))} ({ms(p95(samples))})")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines.append("| query process peak MB | " + " | ".join(
        f"{entry['northstar']['peak_rss_mb']:,.0f}" for entry in sizes.values()) + " |")
    return lines


def tab_section(sizes: dict) -> list[str]:
    tabbed = sorted({page for entry in sizes.values()
                     for page in entry["northstar"].get("tabs", {})})
    if not tabbed:
        return []
    lines = ["", "## Opening a page on one tab", "",
             "The tabs of these pages run their queries only while open: opening the page on a "
             "tab (or switching to it) runs the queries every tab needs and that tab's. Median "
             "ms over rounds and filter sets; in bold, within the page-time target.", "",
             "| page | tab | " + " | ".join(f"{size:,}" for size in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for page in tabbed:
        tabs = list(dict.fromkeys(tab for entry in sizes.values()
                                  for tab in entry["northstar"].get("tabs", {}).get(page, {})))
        for tab in tabs:
            cells = []
            for size, entry in sizes.items():
                seconds = entry["northstar"].get("tabs", {}).get(page, {}).get(tab)
                within = (size in TARGET_PAGE_S and seconds is not None
                          and seconds <= TARGET_PAGE_S[size])
                cells.append("–" if seconds is None
                             else f"**{ms(seconds)}**" if within else ms(seconds))
            lines.append(f"| {page} | {tab} | " + " | ".join(cells) + " |")
    return lines


def pandas_section(sizes: dict) -> list[str]:
    if not any("pandas" in entry for entry in sizes.values()):
        return []
    lines = ["", "## The pandas approach", "",
             "Load = the page's tables into pandas once (`con.table(...).df()`), as a dashboard "
             "that loads per session does; compute = the page's results in pandas (median over "
             "rounds and filter sets); Northstar = the same results from the named queries (the "
             "calls the pandas page reproduces). Ratio = (load + compute) / Northstar; the "
             "compute-only ratio in brackets.", "",
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
            lines.append(f"| {size:,} | {page} | {ms(load)} | {ms(compute)} | {ms(ours)} | "
                         f"{(load + compute) / ours:,.1f}× ({compute / ours:,.1f}×) |")
        lines.append(f"| {size:,} | pandas process peak MB | {pandas['peak_rss_mb']:,.0f} | | | |")
        mismatches = pandas["mismatches"]
        lines.append(f"| {size:,} | equality checks | "
                     f"{'all equal' if not mismatches else '; '.join(mismatches[:5])} | | | |")
    return lines


def browser_section(size: int, browser: dict | None) -> list[str]:
    if not browser:
        return []
    lines = ["", f"## Browser at {size:,} accounts (headless chromium, median of 3)", ""]
    if "skipped" in browser:
        return [*lines, browser["skipped"]]
    returning_ref, first_ref = reference_seconds(browser)
    lines += ["| page | open → rendered s, returning visitor | × one-chart page | first visit "
              "(empty cache), 1 round | × one-chart page | filter change s |",
              "|---|---|---|---|---|---|"]
    first_opens = browser.get("first_open_s", {})
    for page, seconds in browser["open_s"].items():
        first = first_opens.get(page)
        lines.append(f"| {page} | {seconds:.2f} | {_times(seconds, returning_ref)} | "
                     f"{'–' if first is None else f'{first:.2f}'} | "
                     f"{_times(first, first_ref)} | {browser['filter_s'][page]:.2f} |")
    lines.append(f"\nServer peak memory: {browser['server_peak_rss_mb']:,.0f} MB. "
                 f"Errors: {'; '.join(browser['errors']) or 'none'}.")
    references = browser.get("reference_open_s")
    if references:
        firsts = browser.get("reference_first_open_s", {})
        lines += ["", "Reference pages with no Northstar code, opened the same way in the same "
                  "run:", "", "| reference page | returning visitor s | first visit s |",
                  "|---|---|---|"]
        lines += [f"| {name} | {seconds:.2f} | "
                  f"{f'{firsts[name]:.2f}' if name in firsts else '–'} |"
                  for name, seconds in references.items()]
    return lines


def reference_seconds(browser: dict) -> tuple[float | None, float | None]:
    """The one-chart reference page's returning-visitor and first-visit seconds."""
    return (browser.get("reference_open_s", {}).get(REFERENCE_PAGE),
            browser.get("reference_first_open_s", {}).get(REFERENCE_PAGE))


def _times(seconds: float | None, reference: float | None) -> str:
    return "–" if seconds is None or not reference else f"{seconds / reference:.2f}×"


def load_section(load: dict | None) -> list[str]:
    if not load:
        return []
    lines = ["", "## Many executives at once (bench/many_sessions.py)", ""]
    if "skipped" in load:
        return [*lines, load["skipped"]]

    def sec(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f} s"

    opens, changes = load["open_s"], load["filter_s"]
    lines.append(
        f"{load['sessions']} browser sessions at once for {load['seconds']:.0f} s at "
        f"{load['accounts']:,} accounts: {load['page_opens']} page opens, "
        f"{load['filter_changes']} filter changes, {len(load['errors'])} errors, pages "
        f"never rendered: {', '.join(load['never_rendered']) or 'none'}; page open median "
        f"{sec(opens['median'])}, p95 {sec(opens['p95'])}; filter change median "
        f"{sec(changes['median'])}; server peak memory {load['peak_rss_mb']:,.0f} MB. "
        f"Details in {load['file']}.")
    writes = load.get("writes")
    if writes:
        create, change = load["write_s"]["create"], load["write_s"]["update"]
        verdict = "; ".join(writes["problems"]) or "no lost or duplicated write"
        lines.append(
            f"\n{load['writers']} of the sessions recorded actions meanwhile: "
            f"{writes['saved']} actions created ({writes['stored']} stored), "
            f"{writes['updated']} status changes accepted and {writes['refused']} refused as "
            f"stale; the stored versions hold {writes['versions_after_first']} changes and the "
            f"audit {writes['audit_rows']} rows ({verdict}). Create (open Health & "
            f"risk, click, save, rendered) median {sec(create['median'])}, p95 "
            f"{sec(create['p95'])}; status change on the forum median {sec(change['median'])}, "
            f"p95 {sec(change['p95'])}.")
    return lines


def server_section(server: dict | None) -> list[str]:
    if not server:
        return []
    lines = ["", f"## The server at {server['accounts']:,} accounts", ""]
    if "skipped" in server:
        return [*lines, server["skipped"]]
    return [*lines,
            f"{server['sessions']} browser sessions at once for {server['seconds']:.0f} s "
            f"({server['writers']} recording actions): {server['page_opens']} page opens, "
            f"{len(server['errors'])} errors; page open median "
            f"{server['open_s']['median']:.2f} s, p95 {server['open_s']['p95']:.2f} s; server "
            f"peak memory {server['peak_rss_mb']:,.0f} MB. Details in {server['file']}."]


def slowest_queries_section(sizes: dict) -> list[str]:
    lines = ["", "## Slowest queries (default filters, median ms)", ""]
    for size, entry in sizes.items():
        calls = [(page, key.split("|", 1)[1], value["median_s"])
                 for page, keyed in entry["northstar"]["calls"].items()
                 for key, value in keyed.items() if key.startswith("default|")]
        top = sorted(calls, key=lambda item: -item[2])[:5]
        lines.append(f"- {size:,}: " + ", ".join(f"{page}/{key} {ms(s)}" for page, key, s in top))
    return lines


def page_target_lines(size: int, entry: dict) -> list[str]:
    medians = page_medians(entry)
    worst = max(medians.values())
    over = [f"{page} {ms(s)}" for page, s in medians.items() if s > TARGET_PAGE_S[size]]
    lines = [f"- {size:,}: slowest page median {ms(worst)} ms (target ≤ "
             f"{ms(TARGET_PAGE_S[size])}): {'met' if worst <= TARGET_PAGE_S[size] else 'NOT met'};"
             f" {len(medians) - len(over)} of {len(medians)} pages within"
             + (f" (over: {', '.join(over)})" if over else "")]
    tabs = entry["northstar"].get("tabs", {})
    if tabs:
        # what a visit waits for: the whole set, or on a page with lazy tabs its slowest tab
        visit = {page: max(tabs[page].values()) if page in tabs else seconds
                 for page, seconds in medians.items()}
        slow = [f"{page} {ms(s)}" for page, s in visit.items() if s > TARGET_PAGE_S[size]]
        lines.append(f"- {size:,}: opening a page on its slowest tab (pages without lazy tabs: "
                     f"the whole set): {len(visit) - len(slow)} of {len(visit)} pages within"
                     + (f" (over: {', '.join(slow)})" if slow else ""))
    return lines


def target_lines(size: int, entry: dict) -> list[str]:
    lines = page_target_lines(size, entry) if size in TARGET_PAGE_S else []
    if size in TARGET_BUILD_S and entry.get("build"):
        seconds, target = entry["build"]["seconds"], TARGET_BUILD_S[size]
        lines.append(f"- {size:,}: build {seconds:.0f} s (target ≤ {target:.0f}): "
                     f"{'met' if seconds <= target else 'NOT met'}")
        mb, target_mb = entry["build"]["peak_rss_mb"], TARGET_BUILD_MB[size]
        lines.append(f"- {size:,}: build peak memory {mb:,.0f} MB (target ≤ {target_mb:,.0f}): "
                     f"{'met' if mb <= target_mb else 'NOT met'}")
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
        lines += browser_target_lines(size, browser)
    return lines


def browser_target_lines(size: int, browser: dict) -> list[str]:
    returning_ref, first_ref = reference_seconds(browser)
    if not returning_ref:
        return [f"- {size:,}: browser: no reference page measured, so no ratio"]
    lines = []
    for label, opens, reference, target in (
        ("returning visitor", browser["open_s"], returning_ref, TARGET_RETURNING_RATIO),
        ("first visit", browser.get("first_open_s") or {}, first_ref, TARGET_FIRST_VISIT_RATIO),
    ):
        if not opens or not reference:
            continue
        over = [f"{page} {seconds / reference:.2f}×" for page, seconds in opens.items()
                if seconds > target * reference]
        worst = max(opens.values()) / reference
        lines.append(f"- {size:,}: page open, {label}: slowest {worst:.2f}× the one-chart page "
                     f"({reference:.2f} s; target ≤ {target}×): "
                     f"{'met' if not over else 'NOT met'}; {len(opens) - len(over)} of "
                     f"{len(opens)} pages within" + (f" (over: {', '.join(over)})" if over else ""))
    slow = [f"{page} {seconds:.2f} s" for page, seconds in browser["filter_s"].items()
            if not seconds <= TARGET_FILTER_S]
    worst_filter = max(browser["filter_s"].values())
    lines.append(f"- {size:,}: slowest filter change {worst_filter:.2f} s (target ≤ "
                 f"{TARGET_FILTER_S:.0f} s): {'met' if not slow else 'NOT met'}"
                 + (f" (over: {', '.join(slow)})" if slow else ""))
    return lines
