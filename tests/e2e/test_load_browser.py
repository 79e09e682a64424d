"""Several executives at once: the load test (bench/many_sessions.py) with 5 browser sessions for 30 s
against one server on the small demo database, 2 of them recording actions while the others read.
No errors, every page rendered at least once, every write accounted for in the workspace, and the
report gives the p95 page time and the server's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

SESSIONS = 5
WRITERS = 2
SECONDS = 30


def test_five_sessions_at_once(demo_db: Path, chromium_path: str, tmp_path: Path) -> None:
    out = tmp_path / "load.md"
    # its own process: bench.many_sessions drives chromium with Playwright's asyncio API, which does not
    # mix with the synchronous API the other browser tests run in this process
    done = subprocess.run(
        [sys.executable, "-m", "bench.many_sessions", "--db", str(demo_db), "--sessions", str(SESSIONS),
         "--writers", str(WRITERS), "--seconds", str(SECONDS), "--timeout", "60", "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    report = out.read_text() if out.exists() else ""
    assert done.returncode == 0, f"{done.stderr[-3000:]}\n{report}"
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["sessions"] == SESSIONS
    assert summary["errors"] == [], report
    assert summary["never_rendered"] == [], report
    for page, entry in summary["pages"].items():
        assert entry["rendered"] >= 1, (page, report)
    opens = [visit for visit in summary["visits"] if visit["kind"] == "open"]
    assert {visit["session"] for visit in opens} == set(range(WRITERS + 1, SESSIONS + 1))
    writes = [visit for visit in summary["visits"] if visit["kind"] == "action"]
    assert {visit["session"] for visit in writes} == set(range(1, WRITERS + 1))
    counts = summary["writes"]
    assert counts["problems"] == [] and counts["saved"] >= 2, report
    assert counts["stored"] == counts["saved"]
    assert counts["versions_after_first"] == counts["updated"]
    assert counts["audit_rows"] == counts["saved"] + counts["updated"]
    assert counts["updated"] + counts["refused"] == sum(visit["how"] == "update" for visit in writes)
    assert all(visit["seconds"] is not None for visit in summary["visits"]), report
    assert summary["open_s"]["p95"] > 0 and summary["peak_rss_mb"] > 50
    assert "page open → rendered, median / p95 / max s" in report
    assert "actions created: seen saved / stored" in report
    assert "peak server memory" in report and " MB |" in report
