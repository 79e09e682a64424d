"""Northstar on two servers behind HAProxy, one killed mid-load, then a load published.

    python -m bench.cluster_faults [--accounts 500 | --db DEMO.duckdb] [--workspace URL]
                                   [--sessions 4] [--writers 1] [--seconds 20]
                                   [--kill-after 5] [--carry-on 10] [--timeout 60]
                                   [--out FILE.md]

Starts the cluster `make cluster` starts (deploy/cluster.py: two Streamlit servers, HAProxy in
front with session affinity and health checks, the workspace on a local PostgreSQL, or on
`--workspace`) on a demo database of `--accounts` accounts (or a copy of `--db`), then:

1. runs the many-sessions load test (bench/many_sessions.py) through the balancer, each session
   in a browser context of its own (so each has its own affinity cookie), `--writers` of them
   recording actions, and kills server s1 (SIGKILL) `--kill-after` seconds in, once every
   session has a page open (the sessions go on until then, however long the machine takes);
   the sessions then go on for RECOVERY_SECONDS + `--carry-on` seconds, and once the balancer
   has taken s1 out of rotation, NEW_SESSIONS new sessions open a page;
2. checks that the sessions on s2 carried on without an error, that each session on s1 carried
   on on s2 (it rendered a page there after the kill, and nothing it started once
   RECOVERY_SECONDS had passed failed: it reconnects and its page runs again there),
   that the new sessions landed on s2 and rendered, and that the workspace reconciles: every
   action a writer saw saved is stored once, every change it saw accepted is one version,
   nothing else is stored but the writes the kill interrupted, and every stored write has its
   audit row;
3. starts s1 again, opens the Data page in several sessions (half on each server) over
   and over, and meanwhile loads the demo's export with another as-of date
   (`python -m northstar.load`), which publishes a new version: every session must show
   the new as-of date at its next open after the load finished, none with an error, and both
   servers must have served it.

Reports the sessions on each server at the kill, each server's peak memory (the restarted
server's over both its runs) and the seconds each phase took. Exit status 1 when a check
failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
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
from deploy.cluster import (
    AFFINITY_COOKIE,
    AppServer,
    Cluster,
    ClusterError,
    haproxy_binary,
    postgres_binaries,
)
from northstar.data.demo.generator import DEFAULT_AS_OF, build_demo
from northstar.data.export import export_csv
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace

REPO = Path(__file__).resolve().parents[1]
VICTIM, SURVIVOR = "s1", "s2"
SETTLE_SECONDS = 60.0  # the kill waits at most this long for every session to have a page open
RECOVERY_SECONDS = 12.0  # a session on the killed server may fail this long after the kill
CARRY_ON_SECONDS = 10.0  # and must then go on opening pages without an error (--carry-on)
NEW_SESSIONS = 2  # sessions opened after the kill, which must land on the survivor
PUBLISH_WAIT_SECONDS = 90.0  # after the load, every reader must show the new date within this
# a reader opens the Data page at most this often: people read a page before they open the next,
# and back-to-back opens would only slow the load down on a small machine
READ_EVERY_SECONDS = 2.0
LOAD_SECONDS = 600.0  # the load of the demo's export (seconds alone on an idle machine)
PAGE_TEXT_CHARS = 400  # of a page that failed a check, quoted in the report
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
    failures: list[str] = field(default_factory=list)  # what went wrong outside the checks
    unsettled: list[int] = field(default_factory=list)  # sessions with no page open at the kill
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds it took


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
                 carry_on: float, sample: Callable[[AppServer], None],
                 shots: Path | None = None) -> Outcome:
    from playwright.async_api import async_playwright

    outcome = Outcome()
    paths, values = page_paths(db), filter_values(db)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        try:
            mark = time.monotonic()

            async def warm(url: str) -> None:
                page = await browser.new_page(viewport=VIEWPORT)
                await page.goto(url, timeout=timeout_s * 1000)
                await rendered(page, time.monotonic() + timeout_s)
                await page.close()

            # each server's imports and connection, at once: not counted
            await asyncio.gather(*(warm(server.url) for server in cluster.app_servers))
            started = time.monotonic()
            outcome.phases["warm-up"] = started - mark
            # a page that did not render or a write that failed: its screenshot beside the report
            plan = Plan(cluster.url, paths, values, started, timeout_s, set(), shots,
                        writers=writers, server_cookie=AFFINITY_COOKIE)
            runners = [Session(number, browser, plan) for number in range(1, sessions + 1)]

            killer = asyncio.create_task(kill_when_settled(
                runners, plan, outcome, kill_after, carry_on,
                lambda: asyncio.to_thread(cluster.kill, VICTIM)))


            async def fresh(number: int) -> Visit:
                context = await browser.new_context(viewport=VIEWPORT)
                try:
                    return await _open(_session(number, browser, plan, context), "briefing")
                finally:
                    await context.close()

            async def new_sessions() -> list[Visit]:
                # once the balancer has taken the killed server out, while the others carry on
                await asyncio.shield(killer)
                try:
                    await asyncio.to_thread(cluster.wait_out_of_rotation, VICTIM)
                except ClusterError as error:
                    outcome.failures.append(str(error))
                    return []
                return await asyncio.gather(
                    *(fresh(100 + number) for number in range(1, NEW_SESSIONS + 1)))

            newcomers = asyncio.create_task(new_sessions())
            done = await asyncio.gather(*(runner.run(started + seconds) for runner in runners),
                                        return_exceptions=True)
            await killer
            outcome.fresh += await newcomers
            for number, result in enumerate(done, start=1):
                if isinstance(result, BaseException):
                    where = traceback.extract_tb(result.__traceback__)[-3:]
                    outcome.visits.append(Visit(number, "(session)", "open", "-", 0.0, errors=[
                        f"session failed: {result!r}"[:300] + f" at {where}"[:600]]))
                outcome.visits += runners[number - 1].visits
            mark = time.monotonic()
            outcome.phases["load with the kill and new sessions"] = mark - started
            # the killed server back, then a load published while sessions read
            await asyncio.to_thread(cluster.restart, VICTIM)
            sample(cluster.server(VICTIM))
            outcome.phases["restart"] = time.monotonic() - mark
            mark = time.monotonic()
            await _publish_while_reading(browser, plan, export, cluster, outcome, sessions)
            outcome.phases["publish"] = time.monotonic() - mark
        finally:
            await browser.close()
    return outcome


async def kill_when_settled(runners: list[Session], plan: Plan, outcome: Outcome,
                            kill_after: float, carry_on: float,
                            kill: Callable[[], Awaitable[object]]) -> None:
    """Kill the victim `kill_after` seconds into the load, once every session has a page open
    (at most SETTLE_SECONDS more), noting each session's server first; then let the sessions go
    on until each has rendered a page it opened once the kill had settled (RECOVERY_SECONDS),
    and for RECOVERY_SECONDS + `carry_on` at least (at most two page timeouts more).

    The sessions' end is the kill's, whatever the load's planned length: on a busy machine the
    first pages can render after it, and a session that had stopped would have no server to
    be moved from and nothing to show after the kill. Start this task before the sessions."""
    plan.extended_to = math.inf
    try:
        await asyncio.sleep(kill_after)
        settled = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settled and not all(
                any(v.seconds is not None for v in runner.visits) for runner in runners):
            await asyncio.sleep(0.2)
        outcome.unsettled = [runner.number for runner in runners
                             if not any(v.seconds is not None for v in runner.visits)]
        for runner in runners:
            outcome.home[runner.number] = await runner.server()
        outcome.kill_s = time.monotonic() - plan.started
        await kill()
        recovered = outcome.kill_s + RECOVERY_SECONDS

        def waiting() -> list[int]:  # sessions with no page since the kill settled
            return [runner.number for runner in runners if not any(
                v.started_s >= recovered and v.seconds is not None for v in runner.visits)]

        least = time.monotonic() + RECOVERY_SECONDS + carry_on
        most = least + 2 * plan.timeout_s
        while time.monotonic() < least or (waiting() and time.monotonic() < most):
            await asyncio.sleep(0.2)
        outcome.failures += [
            f"session {number} rendered no page it opened after the kill had settled "
            f"({RECOVERY_SECONDS:.0f} s) within {most - least + carry_on:.0f} s"
            for number in waiting()]
    finally:
        plan.extended_to = time.monotonic()


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
            opened = time.monotonic()
            visit = await _open(session, "data")
            outcome.readers.append(visit)
            shown = None
            if visit.seconds is not None:
                shown = await session.page.evaluate(AS_OF_JS)
            if visit.errors or shown is None:  # what the page showed instead
                visit.errors.append(f"the page read: {await _page_text(session)}")
            outcome.shown.append((session.number, visit.started_s, visit.server, shown))
            if (load_done.is_set() and visit.started_s >= outcome.published_s
                    and shown == new_text):
                seen_new.add(session.number)
                return
            # the load's end is a condition (it is bounded by LOAD_SECONDS); from then on the
            # new date must show within PUBLISH_WAIT_SECONDS
            if (load_done.is_set()
                    and time.monotonic() - began - outcome.published_s > PUBLISH_WAIT_SECONDS):
                return
            await asyncio.sleep(max(0.0, opened + READ_EVERY_SECONDS - time.monotonic()))

    async def load() -> None:
        # every reader has shown the current version once before the load starts
        while len({entry[0] for entry in outcome.shown}) < len(readers):
            await asyncio.sleep(0.2)
        outcome.load_started_s = time.monotonic() - began
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "northstar.load", str(export), "--db", str(cluster.db),
            "--as-of", NEW_AS_OF.isoformat(), cwd=REPO,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), LOAD_SECONDS)
        except TimeoutError:
            process.kill()
            output, _ = await process.communicate()
            outcome.failures.append(f"the load did not finish within {LOAD_SECONDS:.0f} s")
        outcome.load_output = output.decode(errors="replace")[-2000:]
        outcome.load_status = process.returncode or 0
        outcome.published_s = time.monotonic() - began
        load_done.set()

    await asyncio.gather(load(), *(read(session) for session in readers))
    for session in readers:
        await session.context.close()


async def _page_text(session: Session) -> str:
    with contextlib.suppress(Exception):
        text = await session.page.evaluate("() => document.body.innerText")
        return " ".join(text.split())[:PAGE_TEXT_CHARS]
    return "(the page did not answer)"


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
    problems: list[str] = list(outcome.failures)
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
    problems += [f"session {number} had no page open {SETTLE_SECONDS:.0f} s after the kill was "
                 "due" for number in outcome.unsettled]
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


def run(accounts: int = 500, sessions: int = 4, writers: int = 1, seconds: float = 20,
        kill_after: float = 5, timeout_s: float = 60, out: Path | None = None,
        carry_on: float = CARRY_ON_SECONDS, source_db: Path | None = None,
        workspace: str | None = None) -> dict:
    """The whole fault test; the summary, with `problems` (empty when every check passed).

    `source_db`: a demo database to copy instead of building one of `accounts` accounts;
    `workspace`: an empty workspace database (NORTHSTAR_WORKSPACE's format) instead of a
    PostgreSQL of the run's own."""
    missing = missing_parts()
    if missing:
        return {"skipped": missing}
    # PostgreSQL runs as the postgres user when we are root: a folder it may reach
    root = Path(tempfile.mkdtemp(prefix="northstar-cluster-"))
    os.chmod(root, 0o755)
    try:
        mark = time.monotonic()
        db = root / "northstar.duckdb"
        if source_db is None:
            build_demo(db, accounts=accounts, seed=7)
        else:  # the load publishes into the run's own copy
            shutil.copyfile(source_db, db)
            accounts = filter_values(db)["accounts"]
        export = root / "export"
        export_csv(db, export)
        prepared = time.monotonic() - mark
        mark = time.monotonic()
        with Cluster(db, root / "cluster", workspace=workspace) as cluster:
            began = time.monotonic() - mark
            # each server's memory, the restarted server's over both its lives
            samplers: dict[str, list[Sampler]] = {}

            def sample(server: AppServer) -> None:
                if server.process is not None:
                    sampler = Sampler(server.process.pid)
                    samplers.setdefault(server.name, []).append(sampler)
                    sampler.start()

            for server in cluster.app_servers:
                sample(server)
            try:
                outcome = asyncio.run(_drive(cluster, db, export, sessions, writers, seconds,
                                             kill_after, timeout_s, carry_on, sample, out))
            finally:
                for sampler in (one for lives in samplers.values() for one in lives):
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
            "peak_rss_mb": {name: max((peak for sampler in lives for peak in sampler.samples),
                                      default=0.0)
                            for name, lives in samplers.items()},
            "opens": len(outcome.visits), "reader_opens": len(outcome.readers),
            "writes": writes, "problems": problems,
            "phases": {"demo database and export": prepared, "cluster start": began,
                       **outcome.phases},
        }
    except BaseException:
        print(f"the cluster's logs are kept in {root / 'cluster'}", file=sys.stderr)
        raise
    if summary["problems"]:
        summary["problems"].append(f"the cluster's logs are kept in {root / 'cluster'}")
        if out is not None and (shots := sorted(out.parent.glob(f"{out.stem}-s*.png"))):
            summary["problems"].append(f"screenshots of the pages that failed: "
                                       f"{', '.join(str(shot) for shot in shots)}")
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
        "Seconds per phase: " + ", ".join(f"{name} {seconds:.0f}"
                                          for name, seconds in summary["phases"].items()) + ".",
        "",
        "Every check passed." if not summary["problems"] else "Failed checks:",
        *(f"- {problem}" for problem in summary["problems"]),
    ]
    return "\n".join(lines) + "\n"


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by {signal.Signals(signum).name}")


def main(argv: list[str] | None = None) -> int:
    # told to stop (a test's time is up, Ctrl-C in a terminal that sends SIGTERM): stop the
    # cluster on the way out rather than leave its servers and balancer running
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kill-after", type=float, default=5)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--carry-on", type=float, default=CARRY_ON_SECONDS,
                        help="how long the sessions go on after the kill has settled")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--db", type=Path, help="copy this demo database instead of building "
                                                "one of --accounts accounts")
    parser.add_argument("--workspace", help="an empty workspace database's URL instead of a "
                                            "PostgreSQL of the run's own")
    args = parser.parse_args(argv)
    if args.db is not None and not args.db.is_file():
        parser.error(f"no database at {args.db}")
    summary = run(args.accounts, args.sessions, args.writers, args.seconds, args.kill_after,
                  args.timeout, args.out, args.carry_on, args.db, args.workspace)
    if "skipped" in summary:
        print(f"skipped: {summary['skipped']}")
        return 0
    print(summary["report"])
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
