"""Published database versions: a build or load publishes one, every reader switches to it at its
next query, a reader that cannot open it keeps the previous one and says so, and versions no
reader uses are cleaned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from northstar.data.db import published, query_runner
from northstar.data.db.data_source import PUBLISHED, source_version
from northstar.data.db.database_file import replace_database
from northstar.data.demo.generator import build_demo
from northstar.ui import page_queries
from tests.conftest import REPO_ROOT


def accounts(db: Path) -> int:
    """How many accounts the reader of `db` sees (each is in three filter lists)."""
    return int(page_queries.run_query("filter_options")["accounts"].sum()) // 3


def publish_demo(copy_demo, target: Path, count: int, seed: int = 5) -> None:
    """Put a demo of `count` accounts beside `target` (a copy of the session's build) and move it
    over it, as a load does."""
    built = copy_demo(target.with_name(f"next-{count}.duckdb"), count, seed)
    replace_database(built, target)


def test_a_build_publishes_the_version_readers_open(tmp_path, use_db):
    target = tmp_path / "northstar.duckdb"
    build_demo(target, accounts=200, seed=5)
    [version] = published.versions(target)
    assert version.samefile(target)  # the same file, no copy
    source = query_runner.as_source(target)
    assert source_version(source) == PUBLISHED + version.name
    use_db(target)
    assert accounts(target) == 200


def test_readers_switch_at_their_next_query_and_the_old_file_stays_whole(tmp_path, use_db,
                                                                          copy_demo):
    target = copy_demo(tmp_path / "northstar.duckdb", 200, 5)
    use_db(target)
    assert accounts(target) == 200
    [first] = published.versions(target)
    publish_demo(copy_demo, target, 400)
    assert accounts(target) == 400
    # the version the first reader had is a file of its own, untouched by the publish
    assert first.exists() and not first.samefile(target)
    query_runner.execute("filter_options", {}, first)


def test_a_reader_that_cannot_open_the_new_version_keeps_the_previous(tmp_path, use_db,
                                                                       copy_demo):
    target = copy_demo(tmp_path / "northstar.duckdb", 200, 5)
    use_db(target)
    assert accounts(target) == 200
    publish_demo(copy_demo, target, 400)
    newest = published.versions(target)[-1]
    with open(newest, "r+b") as file:  # a copy cut short on its way to a shared volume
        file.truncate(newest.stat().st_size // 2)
    assert accounts(target) == 200
    refused = page_queries.newest_version_refused()
    assert refused is not None and refused.version == newest.name
    assert "damaged or incomplete" in refused.why
    # the Data page says so
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    assert any("could not open the newest published data" in text
               and "keeps showing the previous version" in text for text in warnings), warnings
    # the next good version is read at once
    target.unlink()
    publish_demo(copy_demo, target, 300)
    assert accounts(target) == 300
    assert page_queries.newest_version_refused() is None


def test_clean_keeps_the_newest_two_and_any_version_a_reader_uses(tmp_path, copy_demo):
    target = copy_demo(tmp_path / "northstar.duckdb", 100, 5)
    [first] = published.versions(target)
    published.note_reading(target, first)  # this process reads the first version
    second = published.publish(target)
    third = published.publish(target)
    fourth = published.publish(target)
    assert published.versions(target) == [first, third, fourth]
    assert not second.exists()
    # a reader that has ended no longer keeps its version
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    note = next(published.readers_folder(target).glob("*.json"))
    facts = json.loads(note.read_text())
    note.write_text(json.dumps({**facts, "pid": int(ended.stdout)}))
    assert published.clean(target) == [first]
    assert published.versions(target) == [third, fourth]
    assert not list(published.readers_folder(target).glob("*.json"))


def test_a_stale_reader_note_keeps_nothing(tmp_path, copy_demo):
    target = copy_demo(tmp_path / "northstar.duckdb", 100, 5)
    [first] = published.versions(target)
    published.note_reading(target, first)
    note = next(published.readers_folder(target).glob("*.json"))
    old = note.stat().st_mtime - published.READER_FRESH_SECONDS - 1
    os.utime(note, (old, old))
    published.publish(target)
    published.publish(target)
    assert first not in published.versions(target)
