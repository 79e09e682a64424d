"""The real sign-in flow in a browser, against a local OpenID Connect provider (oidc-provider-mock):
an anonymous visitor sees no data, a listed user gets in, an unlisted user is refused."""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browser import wait_for_app_loaded
from northstar.analytics.literal_text import WORD_JOINER
from tests.e2e.conftest import _free_port, serve, streamlit_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

METRIC = '[data-testid="stMetric"]'
LISTED = {"sub": "cco-1", "email": "cco@northstar.example", "name": "Casey CCO",
          "email_verified": True}
UNLISTED = {"sub": "stranger-1", "email": "stranger@elsewhere.example", "name": "Sam Stranger",
            "email_verified": True}
# someone whose account at the provider claims the CCO's address without having proved it
UNVERIFIED = {"sub": "impostor-1", "email": "cco@northstar.example", "name": "Ivy Impostor",
              "email_verified": False}


@pytest.fixture(scope="module")
def signed_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("signin")
    provider_port, app_port = _free_port(), _free_port()
    provider = f"http://127.0.0.1:{provider_port}"
    app = f"http://127.0.0.1:{app_port}"
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "{app}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "northstar-test"\n'
        'client_secret = "northstar-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    (folder / "access.toml").write_text(
        '[[users]]\nemail = "cco@northstar.example"\nrole = "cco"\n'
    )
    provider_cmd = [
        sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port),
        "--user-claims", json.dumps(LISTED), "--user-claims", json.dumps(UNLISTED),
        "--user-claims", json.dumps(UNVERIFIED),
    ]
    env = {**os.environ, "NORTHSTAR_DB": str(demo_db), "PYTHONUNBUFFERED": "1",
           "NORTHSTAR_ACCESS_FILE": str(folder / "access.toml")}
    with serve(provider_cmd, env, f"{provider}/.well-known/openid-configuration",
               folder / "provider.log", ok_text=None), \
         serve(streamlit_command(app_port, "--secrets.files", str(folder / "secrets.toml")),
               env, f"{app}/_stcore/health", folder / "streamlit.log"):
        yield app


def fresh_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1280, "height": 800}).new_page()


def sign_in(page: Page, app: str, subject: str) -> None:
    page.goto(app, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=subject).click()  # the provider's predefined user
    page.wait_for_url(f"{app}/**", timeout=30000)
    wait_for_app_loaded(page)


def test_anonymous_visitor_sees_no_data(signed_app: str, browser: Browser) -> None:
    page = fresh_page(browser)
    for path in ("/", "/retention", "/account?account=A0000001", "/data"):
        page.goto(f"{signed_app}{path}", wait_until="domcontentloaded")
        wait_for_app_loaded(page)
        assert page.get_by_role("button", name="Sign in").is_visible(), path
        assert page.locator(METRIC).count() == 0, path
        assert "$" not in page.locator('[data-testid="stMain"]').inner_text(), path
    page.context.close()


def test_listed_user_gets_in(signed_app: str, browser: Browser) -> None:
    page = fresh_page(browser)
    sign_in(page, signed_app, LISTED["sub"])
    page.locator(METRIC).first.wait_for(timeout=30000)
    assert page.locator(METRIC).count() >= 8
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace(WORD_JOINER, "")
    assert "cco@northstar.example" in sidebar
    page.context.close()


def test_unlisted_user_is_refused(signed_app: str, browser: Browser) -> None:
    page = fresh_page(browser)
    sign_in(page, signed_app, UNLISTED["sub"])
    page.get_by_text("You don't have access yet").wait_for(timeout=30000)
    assert page.locator(METRIC).count() == 0
    page.context.close()


def test_an_unverified_address_is_refused_even_when_it_is_the_ccos(signed_app: str,
                                                                   browser: Browser) -> None:
    page = fresh_page(browser)
    sign_in(page, signed_app, UNVERIFIED["sub"])
    page.get_by_text("Your e-mail address is not verified").wait_for(timeout=30000)
    assert page.locator(METRIC).count() == 0
    assert "$" not in page.locator('[data-testid="stMain"]').inner_text()
    page.context.close()


def fetch_status(url: str, cookies: list[dict] | None = None) -> tuple[int, bytes]:
    """The status and body of a plain GET of `url`, with these browser cookies or none."""
    request = urllib.request.Request(url)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{c['name']}={c['value']}" for c in cookies))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def download_csv(page: Page, app: str, query: str = "") -> str:
    """Download Health & risk's first table as CSV; the address the file was served from."""
    page.goto(f"{app}/health{query}", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    with page.expect_download(timeout=60000) as download:
        page.locator('[data-testid="stDownloadButton"] button', has_text="CSV").first.click()
    media = download.value.url
    assert "/media/" in media and media.endswith(".csv"), media
    return media


def test_downloads_need_a_live_sign_in_and_sign_out_ends_a_copied_cookie(signed_app: str,
                                                                          browser: Browser) -> None:
    page = fresh_page(browser)
    sign_in(page, signed_app, LISTED["sub"])
    media = download_csv(page, signed_app)
    copied = page.context.cookies()
    assert any(cookie["name"] == "_streamlit_user" for cookie in copied)
    # the signed-in browser's cookie opens the file; no cookie, or a forged one, does not
    status, body = fetch_status(media, copied)
    assert status == 200 and b"Data as of" in body
    for attempt in range(2):
        assert fetch_status(media) == (403, b""), attempt
    forged = [{**cookie, "value": cookie["value"][:-4] + "AAAA"} if cookie["name"] ==
              "_streamlit_user" else cookie for cookie in copied]
    assert fetch_status(media, forged) == (403, b"")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out
    page.wait_for_url(f"{signed_app}/**", timeout=30000)
    wait_for_app_loaded(page)
    page.get_by_role("button", name="Sign in").wait_for(timeout=30000)
    page.context.close()

    # the same person signs in again elsewhere and downloads a file (a download lives until
    # the server's next clean-ups): a copy of the signed-out cookie cannot fetch it
    other = fresh_page(browser)
    sign_in(other, signed_app, LISTED["sub"])
    kept = download_csv(other, signed_app, "?segment=SMB")
    assert fetch_status(kept, copied) == (403, b"")
    assert fetch_status(kept, other.context.cookies())[0] == 200
    # nor open any page
    replay = browser.new_context(viewport={"width": 1280, "height": 800})
    replay.add_cookies([{key: cookie[key] for key in ("name", "value", "domain", "path")}
                        for cookie in copied])
    stolen = replay.new_page()
    for path in ("/", "/health"):
        stolen.goto(f"{signed_app}{path}", wait_until="domcontentloaded")
        wait_for_app_loaded(stolen)
        assert stolen.get_by_role("button", name="Sign in").is_visible(), path
        assert stolen.locator(METRIC).count() == 0, path
        assert "cco@northstar.example" not in stolen.locator("body").inner_text(), path
    replay.close()
    other.context.close()
