"""Many executives at once: N browser sessions against one `streamlit run` server.

    python -m bench.many_sessions --db PATH [--sessions 20] [--writers 5] [--seconds 120]
                         [--timeout 120] [--contexts] [--out FILE.md]

One server (bench/browser.py's `Server`) and one headless chromium; every session is a tab of
one browser context (each tab is its own Streamlit session, on its own websocket; the tabs
share the browser's cache, which spares the browser compiling the frontend once per session:
`--contexts` gives each session a context of its own instead), and all of them start together.
A session goes through every page in its own shuffled order (seeded by its number), over and
over until the time is up: it opens a page by its URL (sometimes with filters in the query
string) or, more often, from the sidebar's navigation, waits until the page is fully rendered,
checks it for errors, and now and then changes a filter in the sidebar (Period, Segment,
Region) or through the URL and waits for that rerun too. Pages no session has opened yet go
first, and sessions go on past the time until every page has been opened once, so even a short
run covers every page.

Rendered means: the run the action caused has finished (counted from the server's
`script_finished` messages on the session's websocket, so the sidebar's periodic fragment runs
do not count), the websocket is connected, no skeleton is left and the script is not running
(or only the sidebar's fragment is). An error is an exception element, an `st.error` box, a
page without its title or on the wrong path, a lost connection, a JavaScript error on the
page, a run that did not render within `--timeout` (its websocket events are kept in the JSON
and a screenshot is saved beside the report), a failed interaction, or a traceback in the
server's log other than a websocket that a closed tab left.

The first `--writers` sessions record actions instead of reading (the CCO and executives at the
weekly forum): over and over, one creates an action from Health & risk (the Action cell of one
of the first rows, then Save action in the dialog) and twice changes an action's status on the
forum page (one of its first rows, Open and In progress in turn, Save changes). Writers often
pick the same action, so some saves are refused with "changed by X at T", as they must be; a
refusal is counted, not an error. The server writes to a workspace of its own, made for the
run; afterwards the workspace is read back and must hold exactly the actions the writers saw
saved, every accepted change as a version and an audit row (no lost or duplicated write).

The server's memory is the resident memory (VmRSS) of the streamlit process and its children,
sampled every 0.5 s; the peak is reported, with the CPU seconds the server and the browser
used. The report (a markdown table) is printed and, with `--out`, written there with every
page open next to it as JSON. Exit status 1 when there was any error or a page was never
rendered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from bench.browser import Server
from bench.report import p95
from browser import (  # tools/, put on sys.path by bench.browser
    CHROMIUM_ARGS,
    EXCEPTION,
    SKELETON,
    chromium_available,
    chromium_executable,
)
from northstar.data.registry import pages as registry
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import Workspace

VIEWPORT = {"width": 1440, "height": 900}
SAMPLE_EVERY_S = 0.5
P_BY_URL = 0.25  # a page is opened by its URL (else from the sidebar's navigation)
P_URL_FILTERS = 0.4  # an opened URL carries filters in its query string
P_FILTER_CHANGE = 0.4  # after a page has rendered, a filter is changed
WRITER_STEPS = ("create", "update", "update")  # a writer's round
WRITE_PAGES = {"create": "health", "update": "forum"}
# where a writer clicks in a table (px): rows, the selection column, Health & risk's Action cell
ROW_PX = 36
SELECT_BOX_PX = 18
ACTION_CELL_PX = 36 + 200 + 45
PICK_ROWS = 3  # a writer picks one of the first rows of a table
ACTION_TRIES = 3
ACTION_TAKES_S = 20.0  # a click or a choice asks for a rerun within this, or is tried again
REFUSED = "after you opened it"  # the store's "changed by X at T" refusal
PERIODS = ("Last month", "Last 3 months", "Last 6 months", "Last 12 months", "Year to date")
DEFAULT_PERIOD = "Last 12 months"

# connected, and nothing left to load
DRAWN_JS = """skeleton => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && !document.querySelector(skeleton);
}"""
SCRIPT_STATE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app ? app.getAttribute('data-test-script-state') : null;
}"""

PROBLEMS_JS = """exception => {
    const texts = sel => Array.from(document.querySelectorAll(sel),
                                    el => el.innerText.trim().replace(/\\s+/g, ' ').slice(0, 300));
    const app = document.querySelector('[data-testid="stApp"]');
    return {
        exceptions: texts(exception),
        alerts: texts('[data-testid="stAlertContentError"]'),
        dialogs: texts('[role="dialog"]').filter(t => /connection|still running/i.test(t)),
        connection: app ? app.getAttribute('data-test-connection-state') : 'no app',
        heading: !!document.querySelector('[data-testid="stHeading"]'),
        path: location.pathname,
    };
}"""


async def rendered(page, deadline: float, runs: Runs | None = None) -> None:
    """Wait (until the monotonic `deadline`) for `page` to be connected, with no skeleton left
    and its script not running: once `runs` has seen the full run finish, a run started since
    is the sidebar's fragment, and the page counts as rendered while it runs."""
    while True:
        timeout_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        await page.wait_for_function(DRAWN_JS, arg=SKELETON, polling=100, timeout=timeout_ms)
        state = await page.evaluate(SCRIPT_STATE_JS)
        if state == "notRunning" or (runs is not None and runs.started_since_full):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"script state {state}")
        await asyncio.sleep(0.1)


def page_paths(db: Path) -> dict[str, str]:
    """Every page's URL path (Account 360 opened on the account with the most tickets)."""
    from bench.pages import PAGES
    from bench.worker import context_for

    paths = {page: "" if page == registry.HOME else page for page in PAGES}
    paths["account"] = f"account?account={context_for(db).account_id}"
    return paths


def filter_values(db: Path) -> dict[str, list[str]]:
    """The segments and regions in the data, and how many accounts there are."""
    with duckdb.connect(str(db), read_only=True) as con:
        values = {column: [row[0] for row in con.execute(
            f"select distinct {column} from accounts where {column} is not null order by 1"
        ).fetchall()] for column in ("segment", "region")}
        values["accounts"] = con.execute("select count(*) from accounts").fetchone()[0]
    return values


# --- the server's memory and CPU ------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (from /proc/<pid>/task/<tid>/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):
                    todo += [int(child) for child in (task / "children").read_text().split()]
    return found


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by the process."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


class Sampler(threading.Thread):
    """Every `every` seconds until stopped: the resident memory of the server's process tree,
    and the CPU time used by the server's tree and by this process's other children (the
    browser and Playwright's driver) with this process itself."""

    def __init__(self, server_pid: int, every: float = SAMPLE_EVERY_S) -> None:
        super().__init__(daemon=True)
        self.server_pid, self.every = server_pid, every
        self.samples: list[float] = []
        self.cpu: dict[str, dict[int, float]] = {"server": {}, "clients": {}}
        self.baseline = {"server": 0.0, "clients": 0.0}
        self.halt = threading.Event()

    def sample(self) -> None:
        server = _tree(self.server_pid)
        self.samples.append(sum(_rss_kb(pid) for pid in server) / 1024)
        for pid in server:
            self.cpu["server"][pid] = _cpu_s(pid)
        for pid in set(_tree(os.getpid())) - set(server):
            self.cpu["clients"][pid] = _cpu_s(pid)

    def cpu_s(self, side: str) -> float:
        """CPU seconds used since `mark` (a process that ended between samples is counted
        up to its last sample)."""
        return sum(self.cpu[side].values()) - self.baseline[side]

    def mark(self) -> None:
        """Count CPU time from now on (the server's start and the warm-up are left out)."""
        self.sample()
        self.baseline = {side: sum(used.values()) for side, used in self.cpu.items()}
        self.samples.clear()

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.every)

    def stop(self) -> None:
        self.halt.set()
        self.join()
        self.sample()


# --- one session --------------------------------------------------------------------------


@dataclass
class Visit:
    """One page open or filter change: how long until rendered (None: it never was)."""

    session: int
    page: str
    kind: str  # "open", "filter" or "action"
    # open: "url", "nav"; filter: "period", "segment", "region", "url"; action: "create",
    # "update"
    how: str
    started_s: float  # since the start of the run
    seconds: float | None = None
    outcome: str | None = None  # an action: "saved", "updated" or "refused"
    errors: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)  # the protocol's events, when not rendered
    server: str | None = None  # behind a load balancer: the server its affinity cookie names


class Runs:
    """Counts the full script runs the server finished on the page's current websocket.

    Reads Streamlit's own protocol (`ForwardMsg.script_finished`): a fragment's run (the
    sidebar's progress notice reruns every few seconds) finishes with another status and is
    not counted; a compile error or a page the server does not know is noted as an error.
    """

    def __init__(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.message, self.back = ForwardMsg, BackMsg
        self.finished = 0
        self.started_since_full = False  # a run (a fragment's) began after the last full run
        self.socket = 0
        # (monotonic time, what happened): sockets opened and closed, reruns asked for and
        # runs ended, kept for the account of a page that did not render
        self.events: list[tuple[float, str]] = []
        self.problems: list[str] = []
        self.changed = asyncio.Event()

    def attach(self, page) -> None:
        page.on("websocket", self._opened)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))

    def _opened(self, socket) -> None:
        if not socket.url.endswith("/_stcore/stream"):
            return
        self.socket += 1
        number = self.socket
        self._note(f"socket {number} opened")
        socket.on("framereceived", lambda payload: self._frame(number, payload))
        socket.on("framesent", lambda payload: self._sent(number, payload))
        socket.on("close", lambda _: self._note(f"socket {number} closed"))
        # a lost connection shows in the page's state; this notes a socket's end, which also
        # comes when a page is left while its socket is still connecting
        socket.on("socketerror", lambda error: self._note(f"socket {number} error: {error}"))

    def _note(self, event: str) -> None:
        self.events.append((time.monotonic(), event))

    def _sent(self, number: int, payload: bytes | str) -> None:
        if number != self.socket or isinstance(payload, str) or len(payload) > 65_536:
            return
        with contextlib.suppress(Exception):
            message = self.back.FromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                rerun = message.rerun_script
                self._note("asked: fragment rerun" if rerun.fragment_id else
                           f"asked: rerun of {rerun.page_name or 'the page'}")

    def _frame(self, number: int, payload: bytes | str) -> None:
        # script_finished messages are small; the large frames are the page's data
        if number != self.socket or isinstance(payload, str) or len(payload) > 16_384:
            return
        try:
            message = self.message.FromString(payload)
        except Exception:  # noqa: BLE001  (not a message of ours: ignored)
            return
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            status = message.script_finished
            self._note(f"ended: {self.message.ScriptFinishedStatus.Name(status)}")
            if status == self.message.FINISHED_SUCCESSFULLY:
                self.finished += 1
                self.started_since_full = False
                self.changed.set()
            elif status == self.message.FINISHED_WITH_COMPILE_ERROR:
                self.problems.append("the script did not compile")
        elif kind == "new_session":  # sent as every run starts
            self.started_since_full = True
        elif kind == "page_not_found":
            self.problems.append(f"page not found: {message.page_not_found.page_name}")
        elif kind == "session_event":
            event = message.session_event.WhichOneof("type")
            self._note(f"server: {event}")
            if event == "script_compilation_exception":
                self.problems.append("script compilation exception")

    async def wait_beyond(self, count: int, deadline: float) -> None:
        while self.finished <= count:
            self.changed.clear()
            if self.finished > count:
                break
            await asyncio.wait_for(self.changed.wait(), max(0.001, deadline - time.monotonic()))


@dataclass
class Plan:
    """What every session shares."""

    base: str  # the server's URL
    paths: dict[str, str]  # page -> URL path
    values: dict  # the segments and regions to filter on
    started: float  # monotonic time of the start
    timeout_s: float
    unvisited: set[str]  # pages no session has opened yet
    shots: Path | None = None  # where to save a screenshot of a page that did not render
    context: object | None = None  # one browser context for all sessions (tabs), else one each
    shots_left: int = 10
    writers: int = 0  # sessions 1..writers record actions
    saved: int = 0  # actions the writers have seen saved so far
    server_cookie: str | None = None  # behind a load balancer: its affinity cookie's name
    extended_to: float = 0.0  # monotonic time the sessions go on to, when later than the end

    def until(self, deadline: float) -> float:
        return max(deadline, self.extended_to)


class Session:
    def __init__(self, number: int, browser, plan: Plan) -> None:
        self.number, self.browser, self.plan = number, browser, plan
        self.base, self.paths, self.values = plan.base, plan.paths, plan.values
        self.unvisited, self.started, self.timeout_s = plan.unvisited, plan.started, plan.timeout_s
        self.rng = random.Random(number)
        self.visits: list[Visit] = []

    async def run(self, deadline: float) -> list[Visit]:
        order = list(self.paths)
        self.rng.shuffle(order)
        context = self.plan.context or await self.browser.new_context(viewport=VIEWPORT)
        try:
            self.page = await context.new_page()
            # clicks wait as long as a page may take to render: the browser may be slow too
            self.page.set_default_timeout(self.timeout_s * 1000)
            self.runs = Runs()
            self.runs.attach(self.page)
            if self.number <= self.plan.writers:
                await self._write_until(deadline)
                return self.visits
            fresh = True
            # past the deadline only while some page has not been opened by anyone yet
            while time.monotonic() < self.plan.until(deadline) or self.unvisited:
                # the session's own order, but a page nobody has opened yet comes first
                name = next((page for page in order if page in self.unvisited), order[0])
                self.unvisited.discard(name)
                order.remove(name)
                order.append(name)
                how = "url" if fresh or self.rng.random() < P_BY_URL else "nav"
                visit = await self._timed(name, "open", how)
                fresh = visit.seconds is None or bool(visit.errors)
                if (not fresh and time.monotonic() < self.plan.until(deadline)
                        and self.rng.random() < P_FILTER_CHANGE):
                    how = self.rng.choice(("period", "segment", "region", "url"))
                    change = await self._timed(name, "filter", how)
                    fresh = change.seconds is None or bool(change.errors)
        finally:
            if self.plan.context is None:
                await context.close()
            elif getattr(self, "page", None) is not None:
                await self.page.close()
        return self.visits

    async def _timed(self, name: str, kind: str, how: str) -> Visit:
        visit = Visit(self.number, name, kind, how, time.monotonic() - self.started)
        self.visits.append(visit)
        self.runs.problems.clear()
        count, events = self.runs.finished, len(self.runs.events)
        began = time.monotonic()
        deadline = began + self.timeout_s
        try:
            await self._act(name, kind, how, deadline)
        except Exception as error:  # noqa: BLE001  (recorded; the session goes on)
            return await self._failed(visit, error, events, began)
        try:
            await self.runs.wait_beyond(count, deadline)
            await rendered(self.page, deadline, self.runs)
            visit.seconds = time.monotonic() - began
        except Exception:  # noqa: BLE001  (a timeout, or the page went away)
            visit.trace = self._trace(events, began)
            ended = Counter(event[7:] for _, event in self.runs.events[events:]
                            if event.startswith("ended: "))
            visit.errors.append(
                f"did not render within {self.timeout_s:.0f} s ({await self._state()}; "
                f"runs ended since: {dict(ended) or 'none'}; at {self.page.url})")
            await self._screenshot(visit)
        if visit.seconds is not None:
            visit.errors += await self._problems(name)
        visit.errors += self.runs.problems
        visit.server = await self.server()
        return visit

    async def server(self) -> str | None:
        """The server the load balancer's affinity cookie names for this session now."""
        if self.plan.server_cookie is None:
            return None
        with contextlib.suppress(Exception):
            cookies = await self.page.context.cookies()
            return next((cookie["value"] for cookie in cookies
                         if cookie["name"] == self.plan.server_cookie), None)
        return None

    async def _write_until(self, deadline: float) -> None:
        step = 0
        while time.monotonic() < self.plan.until(deadline):
            how = WRITER_STEPS[step % len(WRITER_STEPS)]
            step += 1
            if how == "update" and not self.plan.saved:
                continue  # nothing to change yet
            await self._timed_write(how)

    async def _timed_write(self, how: str) -> Visit:
        """A write from opening its page to the page rendered after the save (or refusal)."""
        name = WRITE_PAGES[how]
        visit = Visit(self.number, name, "action", how, time.monotonic() - self.started)
        self.visits.append(visit)
        self.runs.problems.clear()
        events = len(self.runs.events)
        began = time.monotonic()
        deadline = began + self.timeout_s
        try:
            visit.outcome = await (self._create(deadline) if how == "create"
                                   else self._update(deadline))
            await rendered(self.page, deadline)
            visit.seconds = time.monotonic() - began
        except Exception as error:  # noqa: BLE001  (recorded; the session goes on)
            return await self._failed(visit, error, events, began)
        problems = await self._problems(name)
        # the refusal of a stale save is an error box, and the right answer
        visit.errors += [problem for problem in problems
                         if not (visit.outcome == "refused" and REFUSED in problem)]
        visit.errors += self.runs.problems
        if visit.errors:
            visit.trace = self._trace(events, began)
        visit.server = await self.server()
        return visit

    async def _open_for_writing(self, name: str, deadline: float):
        """Open `name` by its URL; its table (the first on Health & risk, the last, every
        action, on the forum) centred on the screen, and the table's box."""
        count = self.runs.finished
        await self._goto(name, {})
        await self.runs.wait_beyond(count, deadline)
        await rendered(self.page, deadline, self.runs)
        tables = self.page.locator('[data-testid="stDataFrame"]')
        grid = tables.first if name == "health" else tables.last
        await grid.evaluate("el => el.scrollIntoView({block: 'center'})")
        box = await grid.bounding_box()
        if box is None:
            raise RuntimeError(f"no table on {name}")
        return box

    async def _click_cell(self, x: float, y: float, deadline: float) -> None:
        """Click a table cell (a table drawn on a canvas may miss a click while it redraws
        after a scroll)."""
        await self._until_rerun(lambda: self.page.mouse.click(x, y),
                                f"click the table at ({x:.0f}, {y:.0f})", deadline)

    async def _until_rerun(self, action, what: str, deadline: float) -> None:
        """Do `action` until it takes, that is until the page asks the server for a rerun:
        under load a click can land while a widget is redrawn, or a list open too late for
        its option to be picked, and change nothing. A browser busy with 20 tabs may take many
        seconds to send what a click changed, so a try is given ACTION_TAKES_S."""
        for _ in range(ACTION_TRIES):
            asked = len(self.runs.events)
            await action()
            taken = min(deadline, time.monotonic() + ACTION_TAKES_S)
            while time.monotonic() < taken:
                if any(event.startswith("asked: rerun")
                       for _, event in self.runs.events[asked:]):
                    return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{ACTION_TRIES} tries to {what} asked for no rerun")

    async def _create(self, deadline: float) -> str:
        box = await self._open_for_writing("health", deadline)
        row = self.rng.randrange(PICK_ROWS)
        await self._click_cell(box["x"] + ACTION_CELL_PX, box["y"] + ROW_PX * (row + 1.5),
                               deadline)
        dialog = self.page.get_by_role("dialog")
        await dialog.get_by_text("What will be done").wait_for()
        await dialog.get_by_role("button", name="Save action").click()
        await self.page.get_by_text("Action saved").first.wait_for()
        self.plan.saved += 1
        return "saved"

    async def _update(self, deadline: float) -> str:
        box = await self._open_for_writing("forum", deadline)
        row = self.rng.randrange(min(PICK_ROWS, self.plan.saved))
        await self._click_cell(box["x"] + SELECT_BOX_PX, box["y"] + ROW_PX * (row + 1.5),
                               deadline)
        save = self.page.get_by_role("button", name="Save changes")
        await save.wait_for()
        status = self.page.locator('[data-testid="stSelectbox"]').filter(has_text="Status").last
        current = await status.locator("input").input_value()
        target = "In progress" if current == "Open" else "Open"
        await status.click()
        await self.page.get_by_role("option", name=target, exact=True).click()
        await save.click()
        updated = self.page.get_by_text("Action updated").first
        refused = self.page.get_by_text(REFUSED).first
        await updated.or_(refused).wait_for()
        return "refused" if await refused.is_visible() else "updated"

    async def _failed(self, visit: Visit, error: Exception, events: int, began: float) -> Visit:
        """Record what failed: the first line, and the last step of Playwright's call log when
        there is one, the websocket's events since, and a screenshot."""
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        detail = lines[0] + (f" … {lines[-1]}" if len(lines) > 1 else "")
        if time.monotonic() - began >= self.timeout_s:  # the step ran out of the time it had
            detail = f"not done within {self.timeout_s:.0f} s: {detail}"
        visit.errors.append(f"{visit.how} failed: {detail[:400]}")
        visit.trace = self._trace(events, began)
        await self._screenshot(visit)
        visit.server = await self.server()
        return visit

    def _trace(self, start: int, began: float) -> list[str]:
        """The websocket events since the action, seconds after it."""
        return [f"{at - began:6.2f} s {event}" for at, event in self.runs.events[start:]]

    async def _screenshot(self, visit: Visit) -> None:
        plan = self.plan
        if plan.shots is None or plan.shots_left <= 0:
            return
        plan.shots_left -= 1
        path = plan.shots.with_name(
            f"{plan.shots.stem}-s{self.number}-{visit.started_s:.0f}s-{visit.page}.png")
        with contextlib.suppress(Exception):
            await self.page.screenshot(path=str(path), full_page=True)
            visit.trace.append(f"screenshot: {path}")

    async def _state(self) -> str:
        with contextlib.suppress(Exception):
            return await self.page.evaluate("""skeleton => {
                const app = document.querySelector('[data-testid="stApp"]');
                if (!app) return 'no app';
                return 'connection ' + app.getAttribute('data-test-connection-state')
                    + ', script ' + app.getAttribute('data-test-script-state') + ', skeletons '
                    + document.querySelectorAll(skeleton).length;
            }""", SKELETON)
        return "page not answering"

    async def _problems(self, name: str) -> list[str]:
        found = await self.page.evaluate(PROBLEMS_JS, EXCEPTION)
        problems = [f"exception: {text}" for text in found["exceptions"]]
        problems += [f"st.error: {text}" for text in found["alerts"]]
        problems += [f"dialog: {text}" for text in found["dialogs"]]
        if found["connection"] != "CONNECTED":
            problems.append(f"connection: {found['connection']}")
        if not found["heading"]:
            problems.append("no page title")
        expected = "/" + self.paths[name].split("?")[0]
        if found["path"].rstrip("/") != expected.rstrip("/"):
            problems.append(f"on {found['path']} instead of {expected}")
        return problems

    # --- what a visitor does ---

    async def _act(self, name: str, kind: str, how: str, deadline: float) -> None:
        if kind == "open" and how == "url":
            params = self._random_params() if self.rng.random() < P_URL_FILTERS else {}
            await self._goto(name, params)
        elif kind == "open":
            href = f"{self.base}/{self.paths[name].split('?')[0]}"
            await self.page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]').click()
        elif how == "url":
            params = self._random_params()
            while params == self._current():
                params = self._random_params()
            await self._goto(name, params)
        elif how == "period":
            current = (self._current().get("period") or [DEFAULT_PERIOD])[0]
            period = self.rng.choice([p for p in PERIODS if p != current])
            await self._until_rerun(lambda: self._choose("Period", period, selectbox=True),
                                    f"choose the period {period}", deadline)
        else:
            label = how.capitalize()
            chosen = self._current().get(how, [])
            sidebar = self.page.get_by_test_id("stSidebarUserContent")
            box = sidebar.get_by_test_id("stMultiSelect").filter(has_text=label)
            if chosen:
                await self._until_rerun(box.get_by_role("button", name="Clear all").click,
                                        f"clear the {label}", deadline)
            else:
                value = self.rng.choice(self.values[how])
                await self._until_rerun(lambda: self._choose(label, value),
                                        f"choose the {label} {value}", deadline)

    def _current(self) -> dict[str, list[str]]:
        query = urllib.parse.urlsplit(self.page.url).query
        params = urllib.parse.parse_qs(query)
        return {key: params[key] for key in ("period", "segment", "region") if key in params}

    def _random_params(self) -> dict[str, list[str]]:
        params: dict[str, list[str]] = {}
        if self.rng.random() < 0.7:
            params["period"] = [self.rng.choice(PERIODS)]
        for key in ("segment", "region"):
            if self.rng.random() < 0.4:
                params[key] = [self.rng.choice(self.values[key])]
        return params

    async def _goto(self, name: str, params: dict[str, list[str]]) -> None:
        path = self.paths[name]
        query = urllib.parse.urlencode(params, doseq=True)
        separator = "&" if "?" in path else "?"
        await self.page.goto(f"{self.base}/{path}{separator + query if query else ''}",
                             timeout=self.timeout_s * 1000)

    async def _choose(self, label: str, option: str, selectbox: bool = False) -> None:
        """Open the sidebar's `label` box and pick `option`. A freshly drawn box may be redrawn
        under the pointer and a long list may open only on a key press (as tools/browser.py's
        `choose_option` notes), so a click that does not take falls back to the keyboard."""
        sidebar = self.page.get_by_test_id("stSidebarUserContent")
        box = sidebar.get_by_role("combobox", name=label)
        try:
            await box.click(timeout=5000)
        except Exception:  # noqa: BLE001  (redrawn while clicked: focus it instead)
            await box.focus()
        options = self.page.get_by_role("option")
        try:
            await options.first.wait_for(timeout=3000)
        except Exception:  # noqa: BLE001  (the list did not open on the click)
            await self.page.keyboard.press("ArrowDown")
            await options.first.wait_for()
        target = self.page.get_by_role("option", name=option, exact=True)
        try:
            await target.click(timeout=10_000)
        except Exception:  # noqa: BLE001  (the list redrawn under the pointer: type the name)
            await box.fill(option)
            await self.page.keyboard.press("Enter")
        if not selectbox:  # a multiselect's list stays open
            await self.page.keyboard.press("Escape")


# --- the run ------------------------------------------------------------------------------


async def _drive(base: str, paths: dict[str, str], values: dict, sessions: int,
                 seconds: float, timeout_s: float, shots: Path | None, sampler: Sampler,
                 tabs: bool, writers: int) -> tuple[list[Visit], float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)
        try:
            # a first visit loads the server's imports and connection: not counted
            warm = await browser.new_page(viewport=VIEWPORT)
            await warm.goto(base, timeout=timeout_s * 1000)
            await rendered(warm, time.monotonic() + timeout_s)
            await warm.close()
            sampler.mark()
            started = time.monotonic()
            deadline = started + seconds
            plan = Plan(base, paths, values, started, timeout_s, set(paths), shots,
                        await browser.new_context(viewport=VIEWPORT) if tabs else None,
                        writers=writers)
            runners = [Session(number, browser, plan) for number in range(1, sessions + 1)]
            done = await asyncio.gather(*(runner.run(deadline) for runner in runners),
                                        return_exceptions=True)
            visits: list[Visit] = []
            for number, result in enumerate(done, start=1):
                if isinstance(result, BaseException):
                    visits.append(Visit(number, "(session)", "open", "-", 0.0,
                                        errors=[f"session failed: {result!r}"[:300]]))
                    visits += runners[number - 1].visits
                else:
                    visits += result
            return visits, time.monotonic() - started
        finally:
            await browser.close()


def server_log_errors(path: Path) -> tuple[list[str], list[str]]:
    """The exception line of every traceback in the server's log: errors, and the websocket
    disconnections (a tab closed while the server was still sending to it), which are not."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return [], []
    errors, disconnects = [], []
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            tail = next((later for later in lines[index + 1:]
                         if later and not later[0].isspace() and not later.startswith("Trace")),
                        "traceback").strip()[:300]
            (disconnects if "WebSocketDisconnect" in tail else errors).append(
                f"server log: {tail}")
    return errors, disconnects


def reconcile(visits: list[Visit], workspace_url: str) -> dict:
    """What the writers saw against what the workspace holds: every action saved once, every
    accepted change a version and an audit row."""
    seen = Counter(v.outcome for v in visits if v.kind == "action" and v.outcome)
    store = Workspace(workspace_url)
    try:
        stored = store.actions(LOCAL_DEMO_VIEWER)
        audit_rows = store.audit_count()
    finally:
        store.dispose()
    checks = {
        "saved": seen["saved"], "updated": seen["updated"], "refused": seen["refused"],
        "stored": len(stored), "versions_after_first": int((stored["version"] - 1).sum()),
        "audit_rows": audit_rows,
    }
    problems = []
    if checks["stored"] != checks["saved"]:
        problems.append(f"workspace: {checks['stored']} actions stored, {checks['saved']} seen "
                        "saved")
    if checks["versions_after_first"] != checks["updated"]:
        problems.append(f"workspace: {checks['versions_after_first']} changes in the versions, "
                        f"{checks['updated']} seen accepted")
    if audit_rows != checks["saved"] + checks["updated"]:
        problems.append(f"workspace: {audit_rows} audit rows for {checks['saved']} creates and "
                        f"{checks['updated']} changes")
    checks["problems"] = problems
    return checks


def run(db: Path, sessions: int = 20, seconds: float = 120, timeout_s: float = 120,
        out: Path | None = None, tabs: bool = True, writers: int = 0) -> dict:
    """The whole load test; returns the summary (and writes the report to `out`)."""
    if not chromium_available():
        return {"skipped": f"chromium not found at {chromium_executable()}"}
    paths = page_paths(db)
    values = filter_values(db)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="northstar-load-test-") as folder:
        workspace_url = f"sqlite:///{Path(folder) / 'load-test.workspace.sqlite'}"
        with Server(db, env={"NORTHSTAR_WORKSPACE": workspace_url}) as server:
            sampler = Sampler(server.process.pid)
            sampler.start()
            try:
                visits, wall = asyncio.run(
                    _drive(server.url, paths, values, sessions, seconds, timeout_s, out,
                           sampler, tabs, writers))
            finally:
                sampler.stop()
                peak_hwm = server.peak_rss_mb()
        writes = reconcile(visits, workspace_url) if writers else None
    server_errors, disconnects = server_log_errors(Path(server.log.name))
    summary = summarize(visits, list(paths), server_errors)
    summary["disconnects"] = disconnects
    summary["writers"], summary["writes"] = writers, writes
    if writes:
        summary["errors"] += writes["problems"]
    summary.update({
        "started": dt.datetime.now().strftime("%Y%m%d-%H%M%S"), "db": str(db),
        "accounts": values["accounts"], "sessions": sessions, "seconds": seconds,
        "wall_s": wall, "timeout_s": timeout_s, "cores": os.cpu_count(), "tabs": tabs,
        "load_before": load_before, "load_after": os.getloadavg()[0],
        "peak_rss_mb": max(sampler.samples, default=float("nan")),
        "end_rss_mb": sampler.samples[-1] if sampler.samples else float("nan"),
        "main_hwm_mb": peak_hwm, "rss_samples": len(sampler.samples),
        "server_cpu_s": sampler.cpu_s("server"), "clients_cpu_s": sampler.cpu_s("clients"),
    })
    text = render(summary)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        raw = {**summary, "visits": [asdict(visit) for visit in visits]}
        out.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    summary["report"] = text
    return summary


def _spread(times: list[float]) -> dict:
    if not times:
        return {"median": None, "p95": None, "max": None}
    return {"median": statistics.median(times), "p95": p95(times), "max": max(times)}


def summarize(visits: list[Visit], pages: list[str], server_errors: list[str]) -> dict:
    opens = [v for v in visits if v.kind == "open" and v.page in pages]
    changes = [v for v in visits if v.kind == "filter"]
    writes = [v for v in visits if v.kind == "action"]
    errors = [f"{v.page} ({v.kind} {v.how}): {e}" for v in visits for e in v.errors]
    errors += server_errors
    per_page = {}
    for name in pages:
        mine = [v for v in opens if v.page == name]
        theirs = [v for v in changes if v.page == name]
        per_page[name] = {
            "opens": len(mine),
            "rendered": sum(v.seconds is not None for v in mine),
            "open_s": _spread([v.seconds for v in mine if v.seconds is not None]),
            "filter_changes": len(theirs),
            "filter_s": _spread([v.seconds for v in theirs if v.seconds is not None]),
            "errors": sum(len(v.errors) for v in mine + theirs),
        }
    return {
        "page_opens": len(opens),
        "opens_by": dict(Counter(v.how for v in opens)),
        "filter_changes": len(changes),
        "changes_by": dict(Counter(v.how for v in changes)),
        "errors": errors,
        "never_rendered": [name for name, entry in per_page.items() if not entry["rendered"]],
        "open_s": _spread([v.seconds for v in opens if v.seconds is not None]),
        "filter_s": _spread([v.seconds for v in changes if v.seconds is not None]),
        "write_s": {how: _spread([v.seconds for v in writes
                                  if v.how == how and v.seconds is not None])
                    for how in ("create", "update")},
        "pages": per_page,
    }


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _spread_cell(spread: dict) -> str:
    return " / ".join(_s(spread[key]) for key in ("median", "p95", "max"))


def _write_rows(summary: dict) -> list[str]:
    writes = summary.get("writes")
    if not writes:
        return []
    times = summary["write_s"]
    return [
        f"| writers (of the sessions) | {summary['writers']} |",
        f"| actions created: seen saved / stored | {writes['saved']} / {writes['stored']} |",
        f"| status changes: accepted / refused as stale (\"changed by X at T\") | "
        f"{writes['updated']} / {writes['refused']} |",
        f"| accepted changes in the stored versions | {writes['versions_after_first']} |",
        f"| audit rows (one per create and accepted change) | {writes['audit_rows']} |",
        f"| create: Health & risk opened → saved → rendered, median / p95 / max s | "
        f"{_spread_cell(times['create'])} |",
        f"| change: forum opened → saved → rendered, median / p95 / max s | "
        f"{_spread_cell(times['update'])} |",
    ]


def render(summary: dict) -> str:
    by = ", ".join(f"{how} {n}" for how, n in sorted(summary["opens_by"].items()))
    changed = ", ".join(f"{how} {n}" for how, n in sorted(summary["changes_by"].items()))
    errors = summary["errors"]
    how = "tabs of one context" if summary["tabs"] else "a context each"
    lines = [
        f"# Northstar load test {summary['started']}", "",
        f"{summary['sessions']} browser sessions at once (one headless chromium, {how}) "
        f"against one `streamlit run` server on {Path(summary['db']).name} "
        f"({summary['accounts']:,} accounts), opening pages and changing filters for "
        f"{summary['seconds']:.0f} s ({summary['wall_s']:.0f} s until the last page in "
        f"progress had rendered). Machine: {summary['cores']} cores, shared by the server, "
        f"the browser and anything else running; load average {summary['load_before']:.1f} "
        f"at the start, {summary['load_after']:.1f} at the end.", "",
        "| measure | value |", "|---|---|",
        f"| sessions | {summary['sessions']} |",
        f"| page opens | {summary['page_opens']} ({by}) |",
        f"| filter changes | {summary['filter_changes']} ({changed or 'none'}) |",
        f"| errors | {len(errors)} |",
        f"| pages never rendered | {', '.join(summary['never_rendered']) or 'none'} |",
        f"| page open → rendered, median / p95 / max s | {_spread_cell(summary['open_s'])} |",
        f"| filter change → rendered, median / p95 / max s | "
        f"{_spread_cell(summary['filter_s'])} |",
        *_write_rows(summary),
        f"| peak server memory (RSS of the process tree, every {SAMPLE_EVERY_S} s) | "
        f"{summary['peak_rss_mb']:,.0f} MB |",
        f"| server memory at the end | {summary['end_rss_mb']:,.0f} MB |",
        f"| CPU seconds used: server / browser and driver (of {summary['cores']} cores × "
        f"{summary['wall_s']:.0f} s) | {summary['server_cpu_s']:,.0f} / "
        f"{summary['clients_cpu_s']:,.0f} |",
        "", "## Per page", "",
        "| page | opens | open median / p95 / max s | filter changes "
        "| filter median / p95 / max s | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in summary["pages"].items():
        lines.append(f"| {name} | {entry['opens']} | {_spread_cell(entry['open_s'])} | "
                     f"{entry['filter_changes']} | {_spread_cell(entry['filter_s'])} | "
                     f"{entry['errors']} |")
    lines += ["", "## Errors", ""]
    if errors:
        lines += [f"- {count} × {message}" for message, count in Counter(errors).most_common()]
    else:
        lines.append("None.")
    if summary.get("disconnects"):
        lines += ["", f"Not counted: {len(summary['disconnects'])} tracebacks in the server's "
                  "log from websockets already closed (a tab closed while the server was "
                  "sending to it)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--writers", type=int, default=5,
                        help="how many of the sessions record actions instead of reading")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a page open or filter change may take to render")
    parser.add_argument("--out", type=Path, help="write the report here (and .json beside it)")
    parser.add_argument("--contexts", action="store_true",
                        help="a browser context per session instead of a tab each in one "
                        "context (no shared cache: much more browser CPU)")
    args = parser.parse_args(argv)
    if not args.db.is_file():
        parser.error(f"no database at {args.db}")
    if not 0 <= args.writers < args.sessions:
        parser.error("--writers must leave at least one session reading")
    summary = run(args.db, args.sessions, args.seconds, args.timeout, args.out,
                  tabs=not args.contexts, writers=args.writers)
    if "skipped" in summary:
        print(summary["skipped"], file=sys.stderr)
        return 2
    print(summary["report"])
    if args.out:
        print(f"written to {args.out}", file=sys.stderr)
    return 1 if summary["errors"] or summary["never_rendered"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
