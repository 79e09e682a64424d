"""Northstar on two servers behind HAProxy, one killed mid-load, then a load published.

    python -m bench.cluster_faults [--accounts 500] [--sessions 4] [--writers 1]
                                   [--seconds 30] [--kill-after 10] [--carry-on 10]
                                   [--timeout 60] [--out FILE.md]

Starts the cluster `make cluster` starts (deploy/cluster.py: two Streamlit servers, HAProxy in
front with session affinity and health checks, the workspace on a local PostgreSQL) on a demo
database of `--accounts` accounts, then:

1. runs the many-sessions load test (bench/many_sessions.py) through the balancer, each session
   in a browser context of its own (so each has its own affinity cookie), `--writers` of them
   recording actions, and kills server s1 (SIGKILL) `--kill-after` seconds in (once every
   session has a page open), after which the sessions go on for RECOVERY_SECONDS +
   `--carry-on` seconds at least;
2. checks that the sessions on s2 carried on without an error, that each session on s1 carried
   on on s2 (it rendered a page there after the kill, and nothing it started once
   RECOVERY_SECONDS had passed failed: it reconnects and its page runs again there),
   that new sessions land on s2 and render, and that the workspace reconciles: every action a
   writer saw saved is stored once, every change it saw accepted is one version, nothing else
   is stored but the writes the kill interrupted, and every stored write has its audit row;
3. starts s1 again, opens the Data page in several sessions (half on each server) over
   and over, and meanwhile loads the demo's export with another as-of date
   (`python -m northstar.load`), which publishes a new version: every session must show
   the new as-of date at its next open after the load finished, none with an error, and both
   servers must have served it.

Reports sessions per server and each server's peak memory. Exit status 1 when a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.many_sessions import (
    VIEWPORT,
    Plan,
    Runs,
    Sampler,
    Session,
    Visit,
    filter_values,
    page_paths,
    rendered,
    server_log_errors,
)
from browser import CHROMIUM_ARGS, chromium_available, chromium_executable
from deploy.cluster import AFFINITY_COOKIE, Cluster, haproxy_binary, postgres_binaries
from northstar.data.demo.generator import DEFAULT_AS_OF, build_demo
from northstar.data.export import export_csv
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
VICTIM, SURVIVOR = "s1", "s2"
RECOVERY_SECONDS = 12.0  # a session on the killed server may fail this long after the kill
CARRY_ON_SECONDS = 10.0  # and must then go on opening pages without an error (--carry-on)
NEW_SESSIONS = 2  # sessions opened after the kill, which must land on the survivor
PUBLISH_WAIT_SECONDS = 90.0  # after the load, every reader must show the new date within this
NEW_AS_OF = DEFAULT_AS_OF - dt.timedelta(days=16)
AS_OF_JS = """() => {
    const metric = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
        .find(el => el.innerText.includes('Data as of'));
    return metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText.trim()
                  : null;
}"""


def as_of_text(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"  # as the Data page shows it


def missing_parts() -> str | None:
    """Why the fault test cannot run here, or None."""
    if haproxy_binary() is None:
        return "HAProxy is not installed (Debian package haproxy)"
    if postgres_binaries() is None:
        return "PostgreSQL is not installed (Debian package postgresql)"
    if not chromium_available():
        return f"chromium not found at {chromium_executable()}"
    return None


@dataclass
class Outcome:
    visits: list[Visit] = field(default_factory=list)  # the load, with the kill in it
    kill_s: float = 0.0  # seconds into the load
    fresh: list[Visit] = field(default_factory=list)  # new sessions after the kill
    readers: list[Visit] = field(default_factory=list)  # Data page opens around the publish
    shown: list[tuple[int, float, str | None, str | None]] = field(default_factory=list)
    load_started_s: float = 0.0  # seconds into the publish phase
    published_s: float = 0.0
    load_output: str = ""
    home: dict[int, str | None] = field(default_factory=dict)  # session -> server at the kill
    load_status: int = 0


def _session(number: int, browser, plan: Plan, context) -> Session:
    session = Session(number, browser, plan)
    session.context = context
    return session


async def _open(session: Session, name: str) -> Visit:
    """One open of `name` by its URL in a session of its own context."""
    if getattr(session, "page", None) is None:
        session.page = await session.context.new_page()
        session.page.set_default_timeout(session.timeout_s * 1000)
        session.runs = Runs()
        session.runs.attach(session.page)
    return await session._timed(name, "open", "url")


async def _drive(cluster: Cluster, db: Path, export: Path, sessions: int, writers: int,
                 seconds: float, kill_after: float, timeout_s: float,
                 carry_on: float) -> Outcome:
    from playwright.async_api import async_playwright

    outcome = Outcome()
    paths, values = page_paths(db), filter_values(db)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        try:
            for server in cluster.app_servers:  # imports and connection: not counted
                warm = await browser.new_page(viewport=VIEWPORT)
                await warm.goto(server.url, timeout=timeout_s * 1000)
                await rendered(warm, time.monotonic() + timeout_s)
                await warm.close()
            started = time.monotonic()
            plan = Plan(cluster.url, paths, values, started, timeout_s, set(), writers=writers,
                        server_cookie=AFFINITY_COOKIE)
            runners = [Session(number, browser, plan) for number in range(1, sessions + 1)]

            async def kill() -> None:
                # after `kill_after`, once every session has a page open (at most a minute more)
                await asyncio.sleep(kill_after)
                settled = time.monotonic() + 60
                while time.monotonic() < settled and not all(
                        any(v.seconds is not None for v in runner.visits) for runner in runners):
                    await asyncio.sleep(0.2)
                for runner in runners:
                    outcome.home[runner.number] = await runner.server()
                outcome.kill_s = time.monotonic() - started
                # the sessions go on long enough to show they carry on
                plan.extended_to = time.monotonic() + RECOVERY_SECONDS + carry_on
                await asyncio.to_thread(cluster.kill, VICTIM)

            killer = asyncio.create_task(kill())
            done = await asyncio.gather(*(runner.run(started + seconds) for runner in runners),
                                        return_exceptions=True)
            await killer
            for number, result in enumerate(done, start=1):
                if isinstance(result, BaseException):
                    where = traceback.extract_tb(result.__traceback__)[-3:]
                    outcome.visits.append(Visit(number, "(session)", "open", "-", 0.0, errors=[
                        f"session failed: {result!r}"[:300] + f" at {where}"[:600]]))
                outcome.visits += runners[number - 1].visits
            # new sessions after the kill
            for number in range(1, NEW_SESSIONS + 1):
                context = await browser.new_context(viewport=VIEWPORT)
                fresh = _session(100 + number, browser, plan, context)
                outcome.fresh.append(await _open(fresh, "briefing"))
                await context.close()
            # the killed server back, then a load published while sessions read
            await asyncio.to_thread(cluster.restart, VICTIM)
            await _publish_while_reading(browser, plan, export, cluster, outcome, sessions)
        finally:
            await browser.close()
    return outcome


async def _publish_while_reading(browser, plan: Plan, export: Path, cluster: Cluster,
                                 outcome: Outcome, sessions: int) -> None:
    began = plan.started = time.monotonic()  # the readers' times count from here
    readers = []
    names = [server.name for server in cluster.app_servers]
    for number in range(1, max(2, sessions // 2) + 1):
        context = await browser.new_context(viewport=VIEWPORT)
        # half the readers on each server, so both must switch to the new version
        await context.add_cookies([{"name": AFFINITY_COOKIE, "value": names[number % 2],
                                    "url": cluster.url + "/"}])
        readers.append(_session(200 + number, browser, plan, context))
    load_done = asyncio.Event()
    seen_new: set[int] = set()
    new_text = as_of_text(NEW_AS_OF)

    async def read(session: Session) -> None:
        while True:
            visit = await _open(session, "data")
            outcome.readers.append(visit)
            shown = None
            if visit.seconds is not None:
                shown = await session.page.evaluate(AS_OF_JS)
            outcome.shown.append((session.number, visit.started_s, visit.server, shown))
            if (load_done.is_set() and visit.started_s >= outcome.published_s
                    and shown == new_text):
                seen_new.add(session.number)
                return
            if time.monotonic() - began > PUBLISH_WAIT_SECONDS + 120:
                return

    async def load() -> None:
        # every reader has shown the current version once before the load starts
        while len({entry[0] for entry in outcome.shown}) < len(readers):
            await asyncio.sleep(0.2)
        outcome.load_started_s = time.monotonic() - began
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "northstar.load", str(export), "--db", str(cluster.db),
            "--as-of", NEW_AS_OF.isoformat(), cwd=REPO,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await process.communicate()
        outcome.load_output = output.decode(errors="replace")[-2000:]
        outcome.load_status = process.returncode or 0
        outcome.published_s = time.monotonic() - began
        load_done.set()

    await asyncio.gather(load(), *(read(session) for session in readers))
    for session in readers:
        await session.context.close()


def reconcile_after_kill(visits: list[Visit], workspace_url: str) -> dict:
    """The writers' view against the workspace, allowing for the writes the kill interrupted
    (committed or not, their writer never saw the answer): none lost, none stored twice."""
    seen = Counter(v.outcome for v in visits if v.kind == "action" and v.outcome)
    interrupted = Counter(v.how for v in visits if v.kind == "action" and v.outcome is None)
    store = Workspace(workspace_url)
    try:
        stored = store.actions(LOCAL_DEMO_VIEWER)
        audit_rows = store.audit_count()
    finally:
        store.dispose()
    changes = int((stored["version"] - 1).sum())
    checks = {"saved": seen["saved"], "updated": seen["updated"], "refused": seen["refused"],
              "interrupted": dict(interrupted), "stored": len(stored),
              "versions_after_first": changes, "audit_rows": audit_rows}
    problems = []
    if not seen["saved"] <= len(stored) <= seen["saved"] + interrupted["create"]:
        problems.append(f"workspace: {len(stored)} actions stored, {seen['saved']} seen saved "
                        f"and {interrupted['create']} creates interrupted")
    if not seen["updated"] <= changes <= seen["updated"] + interrupted["update"]:
        problems.append(f"workspace: {changes} changes in the versions, {seen['updated']} seen "
                        f"accepted and {interrupted['update']} updates interrupted")
    if audit_rows != len(stored) + changes:
        problems.append(f"workspace: {audit_rows} audit rows for {len(stored)} actions and "
                        f"{changes} changes")
    checks["problems"] = problems
    return checks


def check(outcome: Outcome, writes: dict) -> list[str]:
    """Every failed check, in words."""
    problems: list[str] = []
    by_session: dict[int, list[Visit]] = {}
    for visit in outcome.visits:
        by_session.setdefault(visit.session, []).append(visit)
    recovered = outcome.kill_s + RECOVERY_SECONDS
    moved = 0
    for number, visits in sorted(by_session.items()):
        home = outcome.home.get(number)
        if home == VICTIM:
            moved += 1
            carried_on = [v for v in visits if v.started_s >= outcome.kill_s
                          and v.seconds is not None and not v.errors and v.server == SURVIVOR]
            if not carried_on:
                problems.append(f"session {number} (on {VICTIM}) rendered no page on "
                                f"{SURVIVOR} after the kill")
            for visit in visits:  # only what was under way as the kill settled may fail
                if visit.started_s >= recovered and (visit.errors or visit.server != SURVIVOR):
                    problems.append(f"session {number} (moved from {VICTIM}) at "
                                    f"{visit.started_s:.0f} s on {visit.server}: "
                                    f"{visit.page} {visit.errors}")
        else:
            for visit in visits:
                if visit.errors:
                    problems.append(f"session {number} (on {home}) at {visit.started_s:.0f} s: "
                                    f"{visit.page} {visit.errors}")
    if not moved:
        problems.append(f"no session was on {VICTIM} when it was killed")
    for visit in outcome.fresh:
        if visit.errors or visit.server != SURVIVOR:
            problems.append(f"a new session after the kill: on {visit.server}, {visit.errors}")
    problems += writes["problems"]
    if outcome.load_status:
        problems.append(f"the load failed ({outcome.load_status}): {outcome.load_output}")
    for visit in outcome.readers:
        if visit.errors:
            problems.append(f"reader {visit.session} at {visit.started_s:.0f} s: {visit.errors}")
    new_text, old_text = as_of_text(NEW_AS_OF), as_of_text(DEFAULT_AS_OF)
    after = [entry for entry in outcome.shown if entry[1] >= outcome.published_s]
    for number, started_s, server, shown in outcome.shown:
        expected = new_text if started_s >= outcome.published_s else None
        if shown not in (new_text, old_text):
            problems.append(f"reader {number} at {started_s:.0f} s on {server} showed {shown!r}")
        elif expected and shown != expected:
            problems.append(f"reader {number} opened the Data page {started_s:.0f} s in, after "
                            f"the load had published ({outcome.published_s:.0f} s), on "
                            f"{server}, and saw {shown}")
    readers = {entry[0] for entry in outcome.shown}
    if {entry[0] for entry in after if entry[3] == new_text} != readers:
        problems.append("not every reader saw the new as-of date")
    if {entry[2] for entry in after} != {VICTIM, SURVIVOR}:
        problems.append(f"the new version was read on {sorted({e[2] or '?' for e in after})} "
                        "only, not on both servers")
    return problems


def run(accounts: int = 500, sessions: int = 4, writers: int = 1, seconds: float = 30,
        kill_after: float = 10, timeout_s: float = 60, out: Path | None = None,
        carry_on: float = CARRY_ON_SECONDS) -> dict:
    """The whole fault test; the summary, with `problems` (empty when every check passed)."""
    missing = missing_parts()
    if missing:
        return {"skipped": missing}
    # PostgreSQL runs as the postgres user when we are root: a folder it may reach
    root = Path(tempfile.mkdtemp(prefix="northstar-cluster-"))
    os.chmod(root, 0o755)
    try:
        db = root / "northstar.duckdb"
        build_demo(db, accounts=accounts, seed=7)
        export = root / "export"
        export_csv(db, export)
        with Cluster(db, root / "cluster") as cluster:
            samplers = {server.name: Sampler(server.process.pid)
                        for server in cluster.app_servers if server.process is not None}
            for sampler in samplers.values():
                sampler.start()
            try:
                outcome = asyncio.run(_drive(cluster, db, export, sessions, writers, seconds,
                                             kill_after, timeout_s, carry_on))
            finally:
                for sampler in samplers.values():
                    sampler.stop()
            writes = reconcile_after_kill(outcome.visits, cluster.workspace or "")
            logs = {server.name: server_log_errors(server.log)[0]
                    for server in cluster.app_servers}
        problems = check(outcome, writes)
        problems += [f"{name}: {error}" for name, errors in logs.items() for error in errors]
        summary = {
            "accounts": accounts, "sessions": sessions, "writers": writers, "seconds": seconds,
            "kill_s": outcome.kill_s, "published_s": outcome.published_s,
            "sessions_per_server": dict(Counter(outcome.home.values())),
            "peak_rss_mb": {name: max(sampler.samples, default=0.0)
                            for name, sampler in samplers.items()},
            "opens": len(outcome.visits), "reader_opens": len(outcome.readers),
            "writes": writes, "problems": problems,
        }
    except BaseException:
        print(f"the cluster's logs are kept in {root / 'cluster'}", file=sys.stderr)
        raise
    if summary["problems"]:
        summary["problems"].append(f"the cluster's logs are kept in {root / 'cluster'}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    summary["report"] = render(summary)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(summary["report"])
    return summary


def render(summary: dict) -> str:
    writes = summary["writes"]
    lines = [
        "# Two servers behind HAProxy, one killed mid-load, then a load published",
        "",
        f"{summary['sessions']} sessions ({summary['writers']} writing) on "
        f"{summary['accounts']:,} accounts for {summary['seconds']:.0f} s; {VICTIM} killed "
        f"{summary['kill_s']:.0f} s in; a load published while sessions read.",
        "",
        "| server | sessions when s1 was killed | peak memory (MB) |",
        "|---|---|---|",
        *(f"| {name} | {summary['sessions_per_server'].get(name, 0)} | {peak:,.0f} |"
          for name, peak in summary["peak_rss_mb"].items()),
        "",
        f"Page opens: {summary['opens']} during the load, {summary['reader_opens']} of the "
        "Data page around the publish.",
        f"Writes: {writes['saved']} saved, {writes['updated']} updated, {writes['refused']} "
        f"refused, interrupted by the kill {writes['interrupted'] or 'none'}; stored "
        f"{writes['stored']} actions, {writes['versions_after_first']} changes, "
        f"{writes['audit_rows']} audit rows.",
        "",
        "Every check passed." if not summary["problems"] else "Failed checks:",
        *(f"- {problem}" for problem in summary["problems"]),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kill-after", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--carry-on", type=float, default=CARRY_ON_SECONDS,
                        help="how long the sessions go on after the kill has settled")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    summary = run(args.accounts, args.sessions, args.writers, args.seconds, args.kill_after,
                  args.timeout, args.out, args.carry_on)
    if "skipped" in summary:
        print(f"skipped: {summary['skipped']}")
        return 0
    print(summary["report"])
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
