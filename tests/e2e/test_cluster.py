"""Northstar on two servers behind HAProxy (deploy/cluster.py, what `make cluster` starts).

- Sign-in works whichever server a user lands on: Streamlit keeps a sign-in's OpenID Connect
  state and identity in cookies signed with the `[auth]` cookie secret, so with the same secret
  on every server a sign-in started on one server completes on the other, and a signed-in
  user whose server dies stays signed in on the survivor.
- The fault test (bench/cluster_faults.py, short version): a server killed mid-load, then a
  load published while sessions read (`make test-cluster` runs this file alone).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bench.cluster_faults import missing_parts
from bench.many_sessions import _tree
from browser import wait_for_app_loaded
from deploy.cluster import AFFINITY_COOKIE, Cluster, free_port
from northstar.analytics.literal_text import WORD_JOINER
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import serve
from tests.e2e.test_signin_browser import LISTED, METRIC

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture()
def parts() -> None:
    missing = missing_parts()
    if missing:
        pytest.skip(missing)


@pytest.fixture()
def signed_cluster(parts, demo_db: Path) -> Iterator[Cluster]:
    """Two servers behind HAProxy with sign-in against a local OpenID Connect provider; both
    servers read the same secrets file (one cookie secret)."""
    root = Path(subprocess.check_output(["mktemp", "-d", "/tmp/northstar-signin-XXXXXX"],
                                        text=True).strip())
    os.chmod(root, 0o755)  # PostgreSQL, run as the postgres user, reaches its folder
    provider_port, port = free_port(), free_port()
    provider = f"http://127.0.0.1:{provider_port}"
    (root / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "northstar-test"\n'
        'client_secret = "northstar-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    (root / "access.toml").write_text('[[users]]\nemail = "cco@northstar.example"\n'
                                      'role = "cco"\n')
    provider_cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port),
                    "--user-claims", json.dumps(LISTED)]
    try:
        with serve(provider_cmd, dict(os.environ), f"{provider}/.well-known/openid-configuration",
                   root / "provider.log", ok_text=None), \
             Cluster(demo_db, root / "cluster", port=port,
                     env={"NORTHSTAR_ACCESS_FILE": str(root / "access.toml")},
                     streamlit_args=["--secrets.files", str(root / "secrets.toml")]) as cluster:
            yield cluster
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=False)


def server_of(page: Page) -> str:
    return next(cookie["value"] for cookie in page.context.cookies()
                if cookie["name"] == AFFINITY_COOKIE)


def send_to(page: Page, cluster: Cluster, server: str) -> None:
    """Make the balancer send this browser to `server` from its next request on."""
    page.context.add_cookies([{"name": AFFINITY_COOKIE, "value": server,
                               "url": cluster.url + "/"}])


def signed_in_as_the_cco(page: Page) -> bool:
    page.locator(METRIC).first.wait_for(timeout=60_000)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text().replace(WORD_JOINER, "")
    return "cco@northstar.example" in sidebar


def test_sign_in_works_whichever_server_a_user_lands_on(signed_cluster: Cluster,
                                                        browser: Browser) -> None:
    cluster = signed_cluster
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(cluster.url, wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    first = server_of(page)
    other = next(server.name for server in cluster.app_servers if server.name != first)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=LISTED["sub"]).wait_for()
    # the provider's answer comes back to the other server
    send_to(page, cluster, other)
    page.get_by_role("button", name=LISTED["sub"]).click()
    page.wait_for_url(f"{cluster.url}/**", timeout=30_000)
    wait_for_app_loaded(page)
    assert server_of(page) == other
    assert signed_in_as_the_cco(page)
    # that server dies: the user is on the first one, still signed in
    cluster.kill(other)
    page.goto(cluster.url + "/retention", wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    assert server_of(page) == first
    assert signed_in_as_the_cco(page)
    page.context.close()


# the fault run must end within pytest's time for a test (600 s), its cluster stopped: the run is
# told to stop (SIGTERM, upon which it stops its servers and balancer) this long after its start
RUN_SECONDS = 540
STOP_SECONDS = 45  # a told run stops its servers (20 s each at most) and its balancer


def test_a_server_killed_mid_load_and_a_load_published_while_sessions_read(
        parts, demo_db: Path, postgres_server, tmp_path: Path) -> None:
    """bench/cluster_faults.py's short version (see its docstring for every check) on a copy of
    the browser tests' demo database, the workspace a new database on the tests' PostgreSQL."""
    report = tmp_path / "cluster_faults.md"
    workspace = postgres_server.create_database(f"faults_{secrets.token_hex(4)}")
    with subprocess.Popen([sys.executable, "-m", "bench.cluster_faults", "--db", str(demo_db),
                           "--workspace", workspace, "--sessions", "3", "--out", str(report)],
                          cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as run:
        output = ""
        try:
            output, _ = run.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            output = f"the fault run did not finish within {RUN_SECONDS} s\n"
        finally:  # timed out, or the test interrupted: the run stops its cluster
            if run.poll() is None:
                run.terminate()
                try:
                    output += run.communicate(timeout=STOP_SECONDS)[0]
                except subprocess.TimeoutExpired:
                    run.kill()
    assert run.returncode == 0, output[-8000:]
    text = report.read_text()
    print(text)  # its phase times, with pytest -rP
    assert "Every check passed." in text
    assert "| s1 | 0 |" not in text and "| s2 | 0 |" not in text  # sessions on both servers


BALANCER_UP_SECONDS = 180  # a fault run's cluster starts: its servers, then its balancer


def _command(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes() if _running(pid) else b""
    return b""


def _cluster_part(pid: int) -> bool:
    """Whether `pid` is a server (streamlit) or the balancer (haproxy) and still running."""
    command = _command(pid)
    return b"haproxy" in command or b"streamlit\0run" in command


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_fault_run_told_to_stop_stops_its_servers_and_balancer(
        parts, demo_db: Path, postgres_server) -> None:
    """A fault run that runs out of time is told to stop (SIGTERM); it must not leave its
    servers and balancer running, on ports and CPU the next tests need."""
    workspace = postgres_server.create_database(f"stopped_{secrets.token_hex(4)}")
    with subprocess.Popen([sys.executable, "-m", "bench.cluster_faults", "--db", str(demo_db),
                           "--workspace", workspace, "--sessions", "2"], cwd=REPO_ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as run:
        try:
            deadline = time.monotonic() + BALANCER_UP_SECONDS
            while not any(b"haproxy" in _command(pid) for pid in _tree(run.pid)[1:]):
                assert run.poll() is None, "the fault run ended before its balancer started"
                assert time.monotonic() < deadline, \
                    f"the fault run's balancer did not start within {BALANCER_UP_SECONDS} s"
                time.sleep(0.5)
            started = [pid for pid in _tree(run.pid)[1:] if _cluster_part(pid)]
            run.terminate()
            run.wait(timeout=STOP_SECONDS)
        finally:
            if run.poll() is None:
                run.kill()
    assert len(started) == 3, started  # two servers and the balancer
    left = {pid: _command(pid)[:120] for pid in started if _cluster_part(pid)}
    for pid in left:  # not for the next tests to find
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"left running: {list(left.values())}"
