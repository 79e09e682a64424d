"""The benchmark's report: one Markdown document from the measurements bench/run.py gathers,
a section per kind of measurement, then the targets and whether each is met."""

from __future__ import annotations

import os
import statistics
import sys

# targets (medians, uncached, on the machine the benchmark runs on)
TARGET_PAGE_S = {100_000: 0.150, 1_000_000: 1.0}
TARGET_BUILD_S = {1_000_000: 120.0}
TARGET_SERVER_MB = {1_000_000: 2048.0}
TARGET_RATIO = {1_000_000: 5.0}


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
    lines += slowest_queries_section(sizes)
    lines += ["", "## Targets", ""]
    for size, entry in sizes.items():
        lines += target_lines(size, entry)
    return "\n".join(lines) + "\n"


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
        lines.append("\nFor scale, reference pages with no Northstar code, opened the same way: "
                     + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in references.items())
                     + ".")
    return lines


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
    return lines


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
        worst_first = max((browser.get("first_open_s") or {"": float("nan")}).values())
        lines.append(f"- {size:,}: slowest page open {worst_open:.2f} s for a returning "
                     f"visitor, {worst_first:.2f} s on a first visit (target ≤ 2), slowest "
                     f"filter change {worst_filter:.2f} s (target ≤ 1): returning "
                     f"{'met' if worst_open <= 2 and worst_filter <= 1 else 'NOT met'}, "
                     f"first visit {'met' if worst_first <= 2 else 'NOT met'}")
    return lines
