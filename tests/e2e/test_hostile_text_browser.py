"""Text from data or the URL is text, on every page and tab, in a real browser.

The app serves a demo database whose names, reasons, comments, subjects and notes all carry
Markdown and HTML (an image, a link, bold, a raw tag, a bare URL, LaTeX, a colour directive);
the URL carries the same into `?account=`, `?department=` and the comment search. No page may
fetch from the hostile host, draw a link or image pointing at it, or draw the planted bold.
Masked, the account links of every table open Account 360 masked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

import duckdb
import pytest

from browser import EXCEPTION, share_link, wait_for_app_loaded
from tests.e2e.conftest import _free_port, serve, streamlit_command
from tests.planted_text import HOSTILE, HOSTILE_HOST, HOSTILE_MARK, plant_hostile_text

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HOSTILE_URL_TEXT = quote(f"![{HOSTILE_MARK}]({'http://' + HOSTILE_HOST}/u.png)" + HOSTILE)
VIEWS = [
    "/", "/?present=true",
    "/retention?view=Overview", "/retention?view=Breakdown", "/retention?view=Cohorts",
    "/retention?view=Churn+reasons",
    "/health", "/account?account=A0000001", f"/account?account={HOSTILE_URL_TEXT}",
    "/satisfaction?view=Scores", "/satisfaction?view=Verbatims",
    f"/satisfaction?view=Verbatims&q={HOSTILE_URL_TEXT}", "/satisfaction?view=Closed+loop",
    *[f"/programs?program={quote(tab)}" for tab in (
        "Advisory board", "Executive meetings", "Onboarding", "Professional services",
        "Support review", "Kudos")],
    "/alignment", "/scorecard?department=customer_service",
    f"/scorecard?department={HOSTILE_URL_TEXT}",
    "/invest?view=Drivers", "/invest?view=Initiatives", "/invest?view=What-if",
    "/invest?view=Customers", "/glossary", "/data",
]

# what the page drew from the planted text, if anything: links or images pointing at the
# hostile host, elements holding exactly the planted bold or tag text, LaTeX
FINDINGS_JS = f"""() => {{
    const host = {HOSTILE_HOST!r};
    const found = [];
    for (const a of document.querySelectorAll('a')) {{
        const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
        if (href.includes(host)) found.push('link ' + href);
    }}
    for (const img of document.querySelectorAll('img, image')) {{
        const src = img.getAttribute('src') || img.getAttribute('href') || '';
        if (src.includes(host)) found.push('image ' + src);
    }}
    for (const el of document.querySelectorAll('strong, b, em, i, span[style], tspan[style]')) {{
        const text = el.textContent.trim();
        if (text === '{HOSTILE_MARK}bold' || text === '{HOSTILE_MARK}tag'
            || text === '{HOSTILE_MARK}') found.push('styled ' + el.tagName + ' ' + text);
    }}
    if (document.querySelector('.katex')) found.push('latex');
    return found;
}}"""


@pytest.fixture(scope="module")
def hostile_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plant_hostile_text(demo_db, tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


@pytest.fixture(scope="module")
def hostile_app(hostile_db: Path) -> Iterator[str]:
    database, folder = hostile_db, hostile_db.parent
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NORTHSTAR_DB": str(database), "PYTHONUNBUFFERED": "1"}
    with serve(streamlit_command(port), env, f"{base_url}/_stcore/health",
               folder / "streamlit.log"):
        yield base_url


def open_view(page: Page, url: str) -> list[str]:
    """Open a view, scroll through it so lazy charts draw, and return what it drew from data."""
    page.goto(url, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    page.locator('[data-testid="stMain"]').evaluate("main => main.scrollTo(0, main.scrollHeight)")
    page.wait_for_timeout(300)
    errors = page.locator(f'{EXCEPTION}, [data-testid="stAlertContentError"]')
    assert errors.count() == 0, (url, errors.all_inner_texts())
    return page.evaluate(FINDINGS_JS)


def test_no_page_interprets_text_from_data_or_the_url(hostile_app: str, browser: Browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(request.url)
               if (urlsplit(request.url).hostname or "").endswith(HOSTILE_HOST) else None)
    page = context.new_page()
    findings = {}
    shown_somewhere = False
    for view in VIEWS:
        found = open_view(page, hostile_app + view)
        if found:
            findings[view] = found[:4]
        shown_somewhere |= HOSTILE_MARK in page.locator('[data-testid="stMain"]').inner_text()
    context.close()
    assert findings == {}
    assert fetched == []
    assert shown_somewhere  # the planted text is on the pages, shown as text


def test_a_drill_from_a_masked_view_opens_masked(hostile_app: str, hostile_db: Path,
                                                 browser: Browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{hostile_app}/?mask=true", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    evidence = page.locator('a[href*="account?"]').first
    href = evidence.get_attribute("href") or ""
    assert "mask=true" in href, href
    with context.expect_page() as opened:
        evidence.click()
    drill = opened.value
    wait_for_app_loaded(drill)
    heading = drill.locator('[data-testid="stHeading"]').nth(1).inner_text()
    assert heading.startswith("Account "), heading  # a pseudonym, not the planted name
    account_id = parse_qs(urlsplit(href).query)["account"][0]
    with duckdb.connect(str(hostile_db), read_only=True) as con:
        name, contact = con.execute(
            "select account_name, primary_contact_name from accounts where account_id = $id",
            {"id": account_id}).fetchone()
    shown = drill.locator('[data-testid="stMain"]').inner_text()
    assert name.split(" ")[0] not in shown and contact.split(" ")[0] not in shown
    assert drill.get_by_role("switch", name="Mask customer names").is_checked()
    share = share_link(drill)
    assert "mask=true" in share, share
    context.close()
