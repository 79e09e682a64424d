"""Browser timing: `streamlit run` on a free port against one database, headless chromium.

For every page: the time from opening its URL to it being fully rendered (script not running,
no skeletons: tools/browser.py's `wait_for_app_loaded`, with no settle time), and the time for
a filter change (the sidebar's Period set to another value) until the rerun has rendered.
A page is opened two ways: in a new tab of a browser that has opened Northstar before (a
returning visitor: Streamlit's frontend comes from the browser's cache; 3 rounds, each a new
session), and in a fresh browser context with an empty cache (a first visit; 1 round).

For scale, two reference pages with no Northstar code are opened the same way, in the same
browser: a bare Streamlit page (a title and a line of text), and a page with one 24-point
Plotly line chart. They are what Streamlit and Plotly take on this machine before a page's
own work.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

from browser import (  # noqa: E402  (tools/ is put on sys.path just above)
    APP_SCRIPT_DONE,
    CHROMIUM_ARGS,
    EXCEPTION,
    chromium_available,
    chromium_executable,
    wait_for_app_loaded,
)

# per round: the URL's filters when opening, and the period chosen for the filter change
VARIANTS = ("", "plan=Starter", "region=LATAM")
PERIODS = ("Last 3 months", "Last 6 months", "Last month")
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
# the first visit's plan filter (with segment SMB), so no query of it was run before
FIRST_VISIT_PLANS = ("Starter", "Professional", "Enterprise")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# the reference pages: name -> script (run from an empty folder with Northstar's config)
REFERENCE_PAGES = {
    "bare Streamlit page": (
        "import streamlit as st\n"
        "st.title('Reference')\n"
        "st.write('A page with a title and a line of text.')\n"
    ),
    "one Plotly chart": (
        "import pandas as pd\n"
        "import plotly.express as px\n"
        "import streamlit as st\n"
        "st.title('Reference')\n"
        "months = pd.date_range('2024-01-01', periods=24, freq='MS')\n"
        "frame = pd.DataFrame({'month': months, 'arr_usd': range(24)})\n"
        "st.plotly_chart(px.line(frame, x='month', y='arr_usd'))\n"
    ),
}


class Server:
    """`streamlit run serve.py` (Northstar as `make run` starts it; another `script` in
    another `folder`) headless on a free port against `db`, with `env` added to its
    environment."""

    def __init__(self, db: Path, folder: Path = REPO, env: dict[str, str] | None = None,
                 script: str = "serve.py") -> None:
        self.db = db
        self.folder = folder
        self.script = script
        self.extra_env = env or {}
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "NORTHSTAR_DB": str(self.db), **self.extra_env}
        # the server's output, for a look when a page fails
        self.log = open(Path(tempfile.gettempdir()) / "northstar-bench-streamlit.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=self.folder, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("streamlit did not start within 60 s")

    def peak_rss_mb(self) -> float:
        return _rss_mb(self.process.pid) if self.process else float("nan")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def _loaded_seconds(page, action) -> float:
    started = time.perf_counter()
    action()
    wait_for_app_loaded(page, timeout_ms=120_000, settle_ms=0)
    return time.perf_counter() - started


def _launch(playwright):
    return playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS)


def _returning_visitor(browser, url: str, viewport: dict):
    """A browser context that has opened `url` once: the first visit starts the server's
    connection and imports and fills the browser's cache; it is not counted."""
    context = browser.new_context(viewport=viewport)
    warm = context.new_page()
    warm.goto(url)
    wait_for_app_loaded(warm, timeout_ms=120_000, settle_ms=0)
    warm.close()
    return context


def _reference_opens(playwright, viewport: dict, rounds: int = 3
                     ) -> tuple[dict[str, float], dict[str, float]]:
    """Open → rendered seconds of each reference page: the median for a returning visitor, and
    a first visit (a fresh context, empty cache), measured like the app's pages."""
    out, first_out = {}, {}
    for name, script in REFERENCE_PAGES.items():
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / ".streamlit").mkdir()
            (Path(folder) / ".streamlit" / "config.toml").write_text(
                (REPO / ".streamlit" / "config.toml").read_text())
            (Path(folder) / "app.py").write_text(script)
            with Server(Path(folder) / "none.duckdb", Path(folder), script="app.py") as server:
                browser = _launch(playwright)
                try:
                    context = _returning_visitor(browser, server.url, viewport)
                    opens = []
                    for round_ in range(rounds):
                        page = context.new_page()
                        url = f"{server.url}/?round={round_}"
                        opens.append(_loaded_seconds(page, lambda u=url, p=page: p.goto(u)))
                        page.close()
                    first = browser.new_context(viewport=viewport)
                    page = first.new_page()
                    url = f"{server.url}/?first=1"
                    first_out[name] = _loaded_seconds(page, lambda u=url, p=page: p.goto(u))
                    first.close()
                finally:
                    browser.close()
            out[name] = statistics.median(opens)
    return out, first_out


def measure(db: Path, paths: dict[str, str], rounds: int = 3) -> dict:
    """Median page-open and filter-change seconds per page, plus the server's peak memory."""
    if not chromium_available():
        return {"skipped": f"chromium not found at {chromium_executable()}"}
    from playwright.sync_api import sync_playwright

    out: dict = {"open_s": {}, "first_open_s": {}, "filter_s": {}, "errors": []}
    viewport = {"width": 1400, "height": 1000}
    with Server(db) as server, sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            returning = _returning_visitor(browser, server.url, viewport)
            for index, (name, path) in enumerate(paths.items()):
                opens, changes = [], []
                sep = "&" if "?" in path else "?"
                for variant, period in zip(VARIANTS[:rounds], PERIODS, strict=False):
                    # a new tab per round is a new session; the server's st.cache_data is
                    # shared by all sessions, so every round uses filters not seen before (a URL
                    # variant and a period), and every query runs uncached
                    page = returning.new_page()
                    url = f"{server.url}/{path}{sep + variant if variant else ''}"
                    opens.append(_loaded_seconds(page, lambda u=url, p=page: p.goto(u)))
                    if page.locator(EXCEPTION).count():
                        out["errors"].append(f"{name}: exception on the page")

                    def change(p=page, period=period) -> None:
                        # the sidebar's Period (a page may have its own "Period" box)
                        sidebar = p.get_by_test_id("stSidebarUserContent")
                        sidebar.get_by_role("combobox", name="Period").click()
                        p.get_by_role("option", name=period).click()
                        # the rerun may finish before we look for it
                        with contextlib.suppress(Exception):
                            p.wait_for_selector(RUNNING, state="attached", timeout=2_000)
                        p.wait_for_selector(APP_SCRIPT_DONE, state="attached", timeout=120_000)

                    try:
                        changes.append(_loaded_seconds(page, change))
                    except Exception as error:  # noqa: BLE001  (reported, the run goes on)
                        out["errors"].append(f"{name}: filter change failed: {error}"[:300])
                    page.close()
                # a first visit: a fresh context (empty cache), filters not seen before
                first = browser.new_context(viewport=viewport)
                page = first.new_page()
                url = f"{server.url}/{path}{sep}segment=SMB&plan={FIRST_VISIT_PLANS[index % 3]}"
                out["first_open_s"][name] = _loaded_seconds(page, lambda u=url, p=page: p.goto(u))
                first.close()
                out["open_s"][name] = statistics.median(opens)
                out["filter_s"][name] = statistics.median(changes) if changes else float("nan")
        finally:
            browser.close()
        out["server_peak_rss_mb"] = server.peak_rss_mb()
    with sync_playwright() as playwright:
        out["reference_open_s"], out["reference_first_open_s"] = _reference_opens(
            playwright, viewport)
    return out
