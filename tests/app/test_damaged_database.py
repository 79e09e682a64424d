"""A data source file that is damaged or not Northstar's is explained in words on every page."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.data.db import data_source
from northstar.data.registry.pages import PAGES
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


def truncated(demo_db: Path, folder: Path) -> Path:
    """The first megabyte of a Northstar database: its catalog reads, its data does not."""
    path = folder / "cut.duckdb"
    with demo_db.open("rb") as source, path.open("wb") as copy:
        copy.write(source.read(1024 * 1024))
    return path


def sqlite_named_duckdb(demo_db: Path, folder: Path) -> Path:
    path = folder / "board.duckdb"
    with sqlite3.connect(path) as con:
        con.execute("create table board (member text)")
    con.close()
    return path


def sqlite_file(demo_db: Path, folder: Path) -> Path:
    path = sqlite_named_duckdb(demo_db, folder).rename(folder / "board.sqlite")
    return path


def other_duckdb(demo_db: Path, folder: Path) -> Path:
    path = folder / "ledger.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table ledger as select 1 as entry")
    return path


CASES = [
    (truncated, "is damaged or incomplete (truncated?) and cannot be opened: rebuild with make "
                "demo or load again"),
    (sqlite_named_duckdb, "is a SQLite database, not a Northstar database"),
    (sqlite_file, "is a SQLite database, not a Northstar database"),
    (other_duckdb, "is a DuckDB database but not a Northstar database"),
]


@pytest.mark.parametrize(("make", "message"), CASES, ids=[case[0].__name__ for case in CASES])
def test_every_page_says_what_is_wrong_with_the_database_file(make, message, demo_db, use_db,
                                                              tmp_path, monkeypatch):
    path = make(demo_db, tmp_path)
    # an attempt to download an extension fails at once (and would show in the message)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    use_db(path)
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=60).run()
        if page.script != "views/briefing.py":
            at.switch_page(page.script).run()
        assert not at.exception, (page.key, at.exception)
        errors = [error.value for error in at.error]
        assert errors and f"{path} {message}" in errors[0], (page.key, errors)
        assert "Traceback" not in errors[0] and "extension" not in errors[0], errors[0]
        assert len(at.metric) == 0


def test_a_truncated_copy_is_not_shown_as_data(demo_db, use_db, tmp_path):
    """A copy cut off further in (its first tables still read) is caught from its header."""
    path = tmp_path / "half.duckdb"
    with demo_db.open("rb") as source, path.open("wb") as copy:
        copy.write(source.read(demo_db.stat().st_size // 2))
    use_db(path)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "is damaged or incomplete (truncated?)" in at.error[0].value
    assert len(at.metric) == 0


def test_a_local_database_is_read_with_extension_loading_off(demo_db):
    con = data_source.open_source(data_source.parse_source(str(demo_db)))
    try:
        assert con.execute("select current_setting('autoinstall_known_extensions'), "
                           "current_setting('autoload_known_extensions')").fetchone() == (
            False, False)
    finally:
        con.close()


def test_the_intact_database_still_opens(demo_db, use_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, copy)
    use_db(copy)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Customer briefing"
