"""The page registry (northstar/data/registry/pages.py) is the only list of pages: what each canonical
table feeds, the README's page table and its board deck are read from it or checked against it."""

from __future__ import annotations

import re

import pytest

from northstar.data.db.paths import REPO_ROOT
from northstar.data.importer.datasets import DATASETS_BY_NAME
from northstar.data.registry import access, pages, roles


def tables_named(page: pages.Page) -> set[str]:
    return {*page.needs, *(name for _, names in page.tab_needs for name in names),
            *(name for name, _ in page.shows)}


@pytest.mark.parametrize("key", list(pages.PAGES_BY_KEY))
def test_the_registry_names_canonical_tables_and_the_pages_own_tabs(key):
    page = pages.PAGES_BY_KEY[key]
    assert tables_named(page) <= set(DATASETS_BY_NAME), key
    assert {tab for tab, _ in page.tab_needs} <= set(page.tabs), key


@pytest.mark.parametrize("key", list(pages.PAGES_BY_KEY))
def test_a_missing_table_names_every_page_that_needs_or_shows_it(key):
    # what the Data page and a load's summary say a missing table affects: every page the
    # registry says needs the table (or one of whose tabs does), or shows it
    page = pages.PAGES_BY_KEY[key]
    for table in tables_named(page):
        affects = DATASETS_BY_NAME[table].pages
        named = [text for text in affects
                 if text == page.title or text.startswith(f"{page.title}: ")]
        assert len(named) == 1, (table, page.title, affects)


def test_what_a_table_feeds_is_read_from_the_registry_in_its_order():
    assert DATASETS_BY_NAME["account_mrr_monthly"].pages == (
        "Briefing: ARR, NRR, GRR, where ARR moved (logo churn then comes from the accounts' "
        "start and churn dates)",
        "Retention: revenue figures (logo churn, cohorts and survival come from the accounts' "
        "dates)",
        "Health & risk: revenue trend, ARR at risk", "Renewals", "Account 360: ARR and health history",
        "CCO programs: Advisory board, Executive meetings", "Where to invest: churn drivers")
    # a tab that needs the table, and the page's other parts that show it; the app-wide uses
    # after the pages
    assert DATASETS_BY_NAME["department_kpis"].pages == (
        "Goal alignment", "Department scorecard: KPIs against targets",
        "Accountability forum: KPIs off track with no action")
    assert DATASETS_BY_NAME["accounts"].pages == (
        "Briefing: every KPI", "Every page", "Global filters: segment, region, plan")


README = REPO_ROOT / "README.md"


def readme_page_table() -> str:
    """The table under the README's "## Pages" heading."""
    section = README.read_text().split("\n## Pages\n", 1)[1]
    return "\n".join(line for line in section.strip().split("\n\n", 1)[0].splitlines())


def test_every_page_says_what_it_answers():
    assert [page.key for page in pages.PAGES if not page.purpose.strip()] == []


def test_the_readme_lists_every_page_of_the_registry_with_what_it_answers():
    # a page added to the registry without its README row (or a README row the registry does
    # not have, or says otherwise) fails here; the table below is what the README should hold
    assert readme_page_table() == pages.page_table(), "\n" + pages.page_table()


def test_the_readme_walks_the_board_deck_in_the_registry_order():
    text = " ".join(README.read_text().split())
    deck = text.split("The buttons walk the board deck — ", 1)[1].split(" — ", 1)[0]
    titles = [re.sub(r"\(.*?\)", "", step).strip() for step in deck.split("→")]
    assert titles == [pages.PAGES_BY_KEY[key].title for key in pages.DECK]


def named_pages(text: str) -> set[str]:
    return {page.key for page in pages.PAGES if re.search(rf"\b{re.escape(page.title)}\b", text)}


def test_the_readme_says_which_pages_each_role_sees_as_the_registry_does():
    # "every page except X", or the pages a role sees, then "; no X, Y or Z": the pages a row
    # names are exactly those the role may open (or, after "except" or "no", may not)
    rows = dict(re.findall(r"^\| `(\w+)`[^|]* \| (.+) \|$", README.read_text(), re.MULTILINE))
    assert set(rows) == set(roles.ROLES)
    for role, text in rows.items():
        allowed = set(access.ROLE_PAGES[role])
        refused = set(pages.PAGES_BY_KEY) - allowed
        sees, _, sees_not = text.partition("; no ")
        if sees.startswith("every page"):
            assert named_pages(sees.partition(" except ")[2]) == refused, (role, text)
        elif named_pages(sees):
            assert named_pages(sees) == allowed, (role, text)
        if named_pages(sees_not):
            assert named_pages(sees_not) == refused, (role, text)


def test_the_data_page_counts_every_canonical_table_and_presence_covers_every_need(empty_db):
    """The Data page's row counts name every canonical table, and the presence check the
    pages ask covers every table a page or tab needs, plus product usage (which adds a health
    component and drivers when it has rows)."""
    from northstar.data.db.query_runner import execute
    from northstar.data.importer.datasets import DATASETS

    con, path = empty_db
    con.close()
    counted = set(execute("data_table_rows", {}, path)["table_name"])
    assert counted == {dataset.name for dataset in DATASETS}
    needed = {table for page in pages.PAGES for table in
              (*page.needs, *(table for _, tables in page.tab_needs for table in tables))}
    present = set(execute("table_presence", {}, path)["table_name"])
    assert needed | {"product_usage"} <= present
