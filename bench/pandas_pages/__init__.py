"""The pandas approach, for the three heaviest pages (Retention, CCO programs, Satisfaction):
the same results computed the way a typical Streamlit dashboard does it — load the tables
into DataFrames (`con.table(...).df()`), then filter, merge and group in pandas — so the
benchmark's ratio pandas / Northstar stays honest without a second copy of every page.

- Retention: KPIs, monthly and trailing trend, breakdown by segment, quarterly cohorts.
- CCO programs: the advisory board comparison and sessions, executive coverage, the onboarding
  and professional-services survey results (total, topic, trend), the support review by
  category and age, kudos by quarter, by employee and the newest.
- Satisfaction: scores (current, comparison, monthly, by program).

`COVERED` names the Northstar calls (bench/pages.py keys) each one reproduces, so the ratio
compares like with like. The pandas side starts from whole tables and does not read the
tallies the rollups build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from bench import pages
from bench.pandas_pages import programs, revenue, satisfaction
from bench.pandas_pages.common import TABLES, Page, close, load_tables

MODULES = (revenue, programs, satisfaction)
_BY_NAME: dict[str, Page] = {page.name: page for module in MODULES for page in module.PAGES}
_ORDERED = [name for name in pages.PAGES if name in _BY_NAME]  # bench/pages.py's order

# page -> Northstar call keys reproduced by the pandas computation
COVERED: dict[str, tuple[str, ...]] = {name: _BY_NAME[name].covered for name in _ORDERED}
# page -> table -> columns it loads
PAGE_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    name: _BY_NAME[name].tables for name in _ORDERED}
PANDAS_PAGES: dict[str, Callable[..., dict[str, object]]] = {
    name: _BY_NAME[name].compute for name in _ORDERED}

__all__ = ["COVERED", "PAGE_TABLES", "PANDAS_PAGES", "TABLES", "check_equal", "load_tables"]


def _short(value, width: int = 60) -> str:
    text = str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def check_equal(page: str, northstar: dict[str, pd.DataFrame], ours: dict[str, object],
                end_month: dt.date) -> list[str]:
    """A few numbers from both approaches that must agree; returns what differed."""
    problems: list[str] = []

    def expect(label: str, a, b) -> None:
        if not close(a, b):
            problems.append(f"{page} {label}: northstar {_short(a)} != pandas {_short(b)}")

    _BY_NAME[page].check(expect, northstar, ours, end_month)
    return problems
