"""Fixtures shared by the AppTest modules."""

from __future__ import annotations

import pytest


@pytest.fixture()
def demo(demo_db, use_db):
    """The session's demo database, used by the query runner for this test."""
    use_db(demo_db)
    return demo_db
