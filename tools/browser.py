"""Shared headless-Chromium helpers for Northstar's browser tests and screenshot tool.

Imported by ``tools/screenshot.py`` and ``tests/e2e/conftest.py`` (which put ``tools/`` on
``sys.path``). Kept dependency-free apart from Playwright.

The loaded-state wait mirrors Streamlit's own e2e suite (``e2e_playwright/conftest.py``):
the root ``[data-testid="stApp"]`` element carries ``data-test-connection-state``
(``CONNECTED`` once the websocket is up) and ``data-test-script-state`` (``initial`` ->
``running`` -> ``notRunning``); lazily loaded elements render a ``[data-testid="stSkeleton"]``
placeholder until they are ready. Attribute names checked against the Streamlit 1.67
frontend bundle.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV_VAR = "NORTHSTAR_CHROMIUM"

CHROMIUM_ARGS: list[str] = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

APP_CONTAINER = '[data-testid="stAppViewContainer"]'
APP_CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
APP_SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SKELETON = '[data-testid="stSkeleton"]'
EXCEPTION = '[data-testid="stException"]'


def chromium_executable() -> str:
    """Path of the Chromium binary: ``$NORTHSTAR_CHROMIUM`` or ``/usr/bin/chromium``."""
    return os.environ.get(CHROMIUM_ENV_VAR) or DEFAULT_CHROMIUM


def chromium_available(path: str | None = None) -> bool:
    candidate = Path(path or chromium_executable())
    return candidate.is_file() and os.access(candidate, os.X_OK)


def wait_for_app_loaded(page: Page, timeout_ms: int = 60_000, settle_ms: int = 250) -> None:
    """Block until the Streamlit app in ``page`` has finished its script run and rendered.

    Waits, sharing one overall ``timeout_ms`` budget, for: the app container, a connected
    websocket, the script run to finish (``notRunning``), and every ``stSkeleton``
    placeholder to disappear; then gives the frontend ``settle_ms`` to paint.
    """
    deadline = time.monotonic() + timeout_ms / 1000

    def remaining() -> float:
        # Playwright treats 0 as "no timeout", so never pass less than 1 ms.
        return max(1.0, (deadline - time.monotonic()) * 1000)

    page.wait_for_selector(APP_CONTAINER, state="attached", timeout=remaining())
    page.wait_for_selector(APP_CONNECTED, state="attached", timeout=remaining())
    page.wait_for_selector(APP_SCRIPT_DONE, state="attached", timeout=remaining())
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length === 0",
        arg=SKELETON,
        timeout=remaining(),
    )
    if settle_ms > 0:
        page.wait_for_timeout(settle_ms)


# Streamlit pins the document to the viewport and scrolls inside ``stMain``, so Playwright's
# ``full_page=True`` alone only captures one viewport. Grow the viewport to the content
# height for the shot, then restore it.
_CONTENT_HEIGHT_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const heights = [document.documentElement.scrollHeight];
    if (main) heights.push(main.scrollHeight);
    return Math.max(...heights);
}"""

MAX_SCREENSHOT_HEIGHT = 16_000


def screenshot_full_page(page: Page, path: str | Path) -> Path:
    """Save a PNG of the whole app (not just the viewport) to ``path`` and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    if original is None:
        page.screenshot(path=str(out), full_page=True)
        return out
    height = int(page.evaluate(_CONTENT_HEIGHT_JS))
    height = min(max(height, original["height"]), MAX_SCREENSHOT_HEIGHT)
    try:
        if height > original["height"]:
            page.set_viewport_size({"width": original["width"], "height": height})
            page.wait_for_timeout(300)  # let charts re-layout to the new size
        page.screenshot(path=str(out), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(original)
    return out


def choose_option(page: Page, widget: Locator, option: str | None = None) -> str:
    """Open a Streamlit selectbox and pick `option` (or the first option); return its text.

    A long or freshly drawn option list sometimes opens only on a key press, so the list is
    opened with a click and, if it did not show, ArrowDown.
    """
    widget.get_by_role("combobox").click()
    options = page.get_by_role("option")
    try:
        options.first.wait_for(timeout=3000)
    except Exception:  # the list did not open on the click
        page.keyboard.press("ArrowDown")
        options.first.wait_for(timeout=15000)
    target = options.filter(has_text=option).first if option else options.first
    text = target.inner_text()
    target.click()
    return text


def share_link(page: Page) -> str:
    """The address the sidebar's *Link to this view* shows (opening its popover)."""
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name="Link to this view").click()
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]')
    code.wait_for()
    link = code.inner_text()
    page.keyboard.press("Escape")
    return link.strip()
