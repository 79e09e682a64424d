"""Take full-page screenshots of a running Northstar app in headless Chromium.

Usage::

    python tools/screenshot.py [--base-url http://localhost:8501] [--out screenshots]
                               [--width 1440 --height 900] [PATH ...]

PATH is an app path such as ``/``, ``/glossary`` or ``/?period=last_12_months``
(default: ``/``). Each page is loaded, waited on until Streamlit has finished running and
rendering, and saved as ``<out>/<name>.png``; the file path is printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

# Make the sibling helper module importable however this file is run.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import (
    CHROMIUM_ARGS,
    CHROMIUM_ENV_VAR,
    EXCEPTION,
    chromium_available,
    chromium_executable,
    screenshot_full_page,
    wait_for_app_loaded,
)


def name_for_path(app_path: str) -> str:
    """File stem for an app path: ``/`` -> ``home``, ``/a/b?x=1`` -> ``a_b__x-1``."""
    parts = urlsplit(app_path)
    stem = parts.path.strip("/").replace("/", "_") or "home"
    if parts.query:
        stem += "__" + parts.query
    if parts.fragment:
        stem += "__" + parts.fragment
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.")
    return stem or "home"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Full-page screenshots of a running Northstar (Streamlit) app.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=["/"],
        help='app paths, e.g. "/", "/glossary", "/?period=last_12_months"',
    )
    parser.add_argument(
        "--base-url",
        default="http://localhost:8501",
        help="URL of the running app (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("screenshots"),
        help="output directory (default: %(default)s)",
    )
    parser.add_argument("--width", type=int, default=1440, help="viewport width (%(default)s)")
    parser.add_argument("--height", type=int, default=900, help="viewport height (%(default)s)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for each page to load (%(default)s)",
    )
    parser.add_argument(
        "--chromium",
        default=None,
        help=f"Chromium binary (default: ${CHROMIUM_ENV_VAR} or /usr/bin/chromium)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chromium = args.chromium or chromium_executable()
    if not chromium_available(chromium):
        print(
            f"error: Chromium not found or not executable at {chromium} "
            "(install Debian's 'chromium' package, e.g. `make chromium` as root)",
            file=sys.stderr,
        )
        return 2

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    base = args.base_url.rstrip("/") + "/"
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": args.width, "height": args.height})
            for app_path in args.paths:
                url = urljoin(base, app_path.lstrip("/"))
                target = args.out / f"{name_for_path(app_path)}.png"
                page = context.new_page()
                try:
                    page.goto(url, wait_until="domcontentloaded", timeout=args.timeout * 1000)
                    wait_for_app_loaded(page, timeout_ms=int(args.timeout * 1000))
                    screenshot_full_page(page, target)
                    exceptions = page.locator(EXCEPTION).count()
                except PlaywrightError as exc:
                    failures += 1
                    print(f"error: {url}: {exc}", file=sys.stderr)
                    continue
                finally:
                    page.close()
                if exceptions:
                    print(
                        f"warning: {url} shows {exceptions} Streamlit exception(s)", file=sys.stderr
                    )
                print(target)
            context.close()
        finally:
            browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
