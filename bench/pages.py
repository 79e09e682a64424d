"""The named queries each page runs, with the parameters the page passes: the pages' own data
plans (northstar.analytics.plans), which the page scripts read their results from, timed here
under several filter combinations.

Each page's plan lists its script's calls with every tab open (the whole set a visitor triggers
by going through the page), plus the queries app.py runs on every page (`dataset_metadata`,
`filter_options`, `table_presence`). A call that a page runs only while one of its tabs is open
names that tab, so the report can also say what opening the page on one tab runs.
"""

from __future__ import annotations

from northstar.analytics import periods
from northstar.analytics.plans import PLANS, Call, Context, batches
from northstar.data.registry import pages as registry

__all__ = ["ACTION_PAGES", "FILTER_SETS", "PAGES", "PLANS", "Call", "Context", "batches",
           "filter_state", "page_calls"]

# the filter combinations every page is timed with: (name, period, comparison, segments,
# regions, plans)
FILTER_SETS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("default", periods.DEFAULT_PERIOD, periods.DEFAULT_COMPARISON, (), (), ()),
    ("3m-yoy-enterprise", "last_3_months", "previous_year", ("Enterprise",), (), ()),
    ("ytd-emea-apac-pro", "ytd", "previous_period", (), ("EMEA", "APAC"), ("Professional",)),
)


def filter_state(context: Context, filter_set: tuple) -> periods.FilterState:
    _, period, comparison, segments, regions, plans = filter_set
    return periods.FilterState(
        periods.resolve_period(context.last_month, period, comparison), segments, regions, plans
    )


# the pages the benchmark opens: every page of the registry, in its order
PAGES: tuple[str, ...] = tuple(page.key for page in registry.PAGES)


# pages that record or list actions also read the department names and the people an action
# can be given to (the New action dialog, the action lists): small reads, timed with the page
ACTION_PAGES = frozenset({"health", "renewals", "account", "satisfaction", "programs", "alignment",
                          "scorecard", "invest", "forum"})


def page_calls(page: str, context: Context, filter_set: tuple) -> list[Call]:
    calls = PLANS[page](context, filter_state(context, filter_set))
    if page in ACTION_PAGES:
        calls = [*calls, Call("actions:departments", "goal_departments"),
                 Call("actions:people", "action_people", {"department_id": None})]
    return calls
