"""Fixtures for Northstar's browser (e2e) tests: a demo DB, a live app, headless Chromium.

Modelled on Streamlit's own ``e2e_playwright/conftest.py``: start ``streamlit run``
headless on a free port, poll ``/_stcore/health`` until it answers ``ok``, then drive the
app with Playwright and wait for Streamlit's loaded-state DOM attributes
(see ``tools/browser.py``). Uses Debian's Chromium (``/usr/bin/chromium`` or
``$NORTHSTAR_CHROMIUM``); tests are skipped when it is not installed.
Every test in this directory is marked ``e2e`` (deselect with ``-m "not e2e"``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO / "tools"))

from browser import (  # noqa: E402  (tools/ is put on sys.path just above)
    CHROMIUM_ARGS,
    CHROMIUM_ENV_VAR,
    chromium_available,
    chromium_executable,
    wait_for_app_loaded,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["wait_for_app_loaded"]

DEMO_ACCOUNTS = 1500
DEMO_SEED = 7
SERVER_START_TIMEOUT_S = 60.0


def _chromium_skip_reason(path: str) -> str:
    return (
        f"Chromium not found or not executable at {path}: browser tests skipped. "
        f"Install Debian's 'chromium' package (`make chromium` as root) "
        f"or point ${CHROMIUM_ENV_VAR} at a Chromium binary."
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test collected from tests/e2e with ``e2e``.

    Without Chromium they are skipped up front, before any demo DB or server is built.
    """
    path = chromium_executable()
    skip = None if chromium_available(path) else pytest.mark.skip(_chromium_skip_reason(path))
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip is not None:
                item.add_marker(skip)


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<could not read {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


def _answers(url: str, ok_text: str | None = "ok") -> bool:
    """Whether `url` answers (with exactly `ok_text`, when given)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return ok_text is None or resp.read().decode().strip() == ok_text
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def demo_db(built_demo: Callable[[int, int], Path]) -> Path:
    """A small demo DuckDB database (DEMO_ACCOUNTS, DEMO_SEED): the session's shared build of
    that size, which the unit tests of the demo generator and of loads read too."""
    return built_demo(DEMO_ACCOUNTS, DEMO_SEED)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary to drive; skips the test if it is not installed."""
    path = chromium_executable()
    if not chromium_available(path):
        pytest.skip(_chromium_skip_reason(path))
    return path


@contextmanager
def serve(
    cmd: list[str], env: dict[str, str], health_url: str, log_path: Path, ok_text: str | None = "ok"
) -> Iterator[None]:
    """Start a server process, wait until `health_url` answers, stop it afterwards."""
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _answers(health_url, ok_text):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{cmd[2:4]} exited with code {proc.returncode} before becoming healthy; "
                    f"log {log_path}:\n{_tail(log_path)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{health_url} did not answer within {SERVER_START_TIMEOUT_S:.0f}s; "
                    f"log {log_path}:\n{_tail(log_path)}"
                )
            time.sleep(0.5)
        yield
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def streamlit_command(port: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        *extra,
    ]


@pytest.fixture(scope="session")
def app_workspace(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The workspace (actions) of the live app: a file of its own for the browser tests."""
    return f"sqlite:///{tmp_path_factory.mktemp('workspace') / 'e2e.workspace.sqlite'}"


@pytest.fixture(scope="session")
def app_server(demo_db: Path, app_workspace: str,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``streamlit run serve.py`` headless against ``demo_db``; yield its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("app_server") / "streamlit.log"
    env = {**os.environ, "NORTHSTAR_DB": str(demo_db), "NORTHSTAR_WORKSPACE": app_workspace,
           "PYTHONUNBUFFERED": "1"}
    with serve(streamlit_command(port), env, f"{base_url}/_stcore/health", log_path):
        yield base_url


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (no Playwright-managed browser)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh 1440x900 browser context and page per test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()
