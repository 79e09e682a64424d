"""Fixtures shared by the AppTest modules."""

from __future__ import annotations

import pytest

from tests.app.access_file import ACCESS_FILE


@pytest.fixture()
def demo(demo_db, use_db):
    """The session's demo database, used by the query runner for this test."""
    use_db(demo_db)
    return demo_db


@pytest.fixture()
def signed_in(demo_db, use_db, tmp_path, monkeypatch):
    """Sign-in configured, with the access file of tests.app.access_file."""
    use_db(demo_db)
    path = tmp_path / "access.toml"
    path.write_text(ACCESS_FILE)
    monkeypatch.setenv("NORTHSTAR_ACCESS_FILE", str(path))
    return demo_db
