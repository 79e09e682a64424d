"""The data plan of the glossary page (views/glossary.py)."""

from __future__ import annotations

from northstar.analytics import periods
from northstar.analytics.plans.core import Call, Context, app_calls


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    return app_calls([])  # the glossary is static: only what app.py runs


# page (views/<name>.py) -> the calls it makes for a context and filter state; one plan per
# page of the registry (tests/unit/test_bench_pages.py fails when a page has none)
