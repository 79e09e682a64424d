"""A page's script only orchestrates: it reads its data from its plan
(northstar.analytics.plans, the same calls the benchmark times) and keeps its logic in the
package, where it is unit tested, so the script reads top to bottom in a couple of hundred lines."""

from __future__ import annotations

import re

import pytest

from bench.pages import PAGES
from northstar.data.db.paths import REPO_ROOT

VIEWS_DIR = REPO_ROOT / "views"
MAX_VIEW_LINES = 200


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_runs_no_named_query_of_its_own(page):
    # every query is a call of the page's plan, read through northstar.ui.page_data
    source = (VIEWS_DIR / f"{page}.py").read_text()
    assert not re.findall(r"\b(?:run_query|run_queries|request)\(", source)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_script_reads_in_a_couple_of_hundred_lines(page):
    lines = (VIEWS_DIR / f"{page}.py").read_text().count("\n")
    assert lines <= MAX_VIEW_LINES, f"views/{page}.py has {lines} lines"
