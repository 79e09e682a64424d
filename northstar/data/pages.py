"""Which pages exist: one table that the navigation, the access rules, the presentation deck,
the CEO brief's evidence links and the benchmark all read.

A page's key is its address (`/retention`), the name the access rules and links use, and the
stem of its script in views/. Its tabs are the labels its `st.tabs(..., key="view")` shows and
a link's `?view=` (or `?program=`) names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

ALL_ROLES = frozenset({"cco", "executive", "board", "department_head"})
STAFF = frozenset({"cco", "executive"})


@dataclass(frozen=True)
class Page:
    key: str  # address, access key and views/<key>.py
    title: str
    icon: str  # a Material icon
    group: str  # the navigation heading it sits under
    roles: frozenset[str]  # who may open it
    deck_position: int | None = None  # place in the board deck of presentation mode
    tabs: tuple[str, ...] = ()  # its tabs, in order; the first opens by default
    tab_parameter: str = "view"  # the address parameter that names the open tab
    default: bool = False  # the home page
    purpose: str = field(default="", compare=False)  # one line for the docs and the README
    # canonical tables (northstar.data.datasets) the page cannot show anything without, and
    # those each tab needs besides: without their rows the page or tab names the export
    # that would fill it instead
    needs: tuple[str, ...] = ()
    tab_needs: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def tables_needed(self, tab: str | None = None) -> tuple[str, ...]:
        """The tables the page, or one of its tabs, needs rows in."""
        extra = dict(self.tab_needs).get(tab, ()) if tab is not None else ()
        return (*self.needs, *extra)

    @property
    def script(self) -> str:
        return f"views/{self.key}.py"


REVENUE, SURVEYS = "account_mrr_monthly", "survey_responses"
PAGES: tuple[Page, ...] = (
    Page("briefing", "Briefing", ":material/dashboard:", "Overview", ALL_ROLES, deck_position=1,
         default=True, needs=(REVENUE,),
         purpose="The state of the customer base on one screen, and the CEO brief"),
    Page("retention", "Retention", ":material/autorenew:", "Retention",
         ALL_ROLES - {"department_head"}, deck_position=2,
         tabs=("Overview", "Breakdown", "Cohorts", "Churn reasons"), needs=(REVENUE,),
         purpose="How much revenue we kept, from whom, and why accounts left"),
    Page("health", "Health & risk", ":material/monitor_heart:", "Retention",
         ALL_ROLES - {"department_head"}, needs=(REVENUE,),
         purpose="A transparent health score per account and the ARR at risk"),
    Page("renewals", "Renewals", ":material/event_repeat:", "Retention",
         ALL_ROLES - {"department_head"}, needs=(REVENUE,),
         purpose="The renewals of the next 30, 90 and 180 days and the ARR expected to renew"),
    Page("account", "Account 360", ":material/person_search:", "Retention", STAFF,
         purpose="Everything about one account"),
    Page("satisfaction", "Satisfaction", ":material/sentiment_satisfied:",
         "Voice of the customer", ALL_ROLES - {"department_head"}, deck_position=3,
         tabs=("Scores", "Verbatims", "Closed loop"),
         tab_needs=(("Verbatims", (SURVEYS,)), ("Closed loop", (SURVEYS,))),
         purpose="NPS, CSAT and CES at every touchpoint, comments and the closed loop"),
    Page("programs", "CCO programs", ":material/groups:", "Programs",
         ALL_ROLES - {"department_head"},
         tabs=("Advisory board", "Executive meetings", "Onboarding", "Professional services",
               "Support review", "Kudos"), tab_parameter="program",
         tab_needs=(("Advisory board", (REVENUE, "cab_memberships")),
                    ("Executive meetings", (REVENUE, "engagements")),
                    ("Onboarding", ("engagements", SURVEYS)),
                    ("Professional services", ("engagements", SURVEYS)),
                    ("Support review", ("support_tickets",)), ("Kudos", ("kudos",))),
         purpose="Whether the CCO's programs move retention"),
    Page("alignment", "Goal alignment", ":material/hub:", "Goals", ALL_ROLES, deck_position=4,
         needs=("department_kpis",),
         purpose="Whether the departments pull toward shared customer outcomes"),
    Page("scorecard", "Department scorecard", ":material/scoreboard:", "Goals",
         STAFF | {"department_head"},
         purpose="One department's KPIs against targets and the rows behind them"),
    Page("forum", "Accountability forum", ":material/checklist:", "Goals", ALL_ROLES,
         purpose="The weekly forum: open and overdue actions, what closed since, and whether "
                 "closed actions worked"),
    Page("invest", "Where to invest", ":material/savings:", "Invest",
         ALL_ROLES - {"department_head"}, deck_position=5,
         tabs=("Drivers", "Initiatives", "What-if", "Customers"), needs=(REVENUE,),
         purpose="Which fixes protect the most revenue, with evidence"),
    Page("glossary", "Glossary", ":material/menu_book:", "Reference", ALL_ROLES,
         purpose="Every metric's definition, unit and good direction"),
    Page("data", "Data", ":material/database:", "Reference", frozenset({"cco"}),
         purpose="What the dashboard is reading and what the last load refused"),
)
PAGES_BY_KEY: dict[str, Page] = {page.key: page for page in PAGES}
HOME = next(page.key for page in PAGES if page.default)
# the board deck of presentation mode, in order
DECK: tuple[str, ...] = tuple(
    page.key for page in sorted(PAGES, key=lambda page: page.deck_position or 0)
    if page.deck_position is not None
)


def tabs(key: str) -> list[str]:
    """The page's tab labels, in order."""
    return list(PAGES_BY_KEY[key].tabs)


def link(key: str, tab: str | None = None, **params: str) -> str:
    """A relative link to a page, on one of its tabs (checked against the registry)."""
    page = PAGES_BY_KEY[key]
    query = dict(params)
    if tab is not None:
        if tab not in page.tabs:
            raise ValueError(f"page {key!r} has no tab {tab!r}; its tabs: {', '.join(page.tabs)}")
        query = {page.tab_parameter: tab, **query}
    encoded = urlencode(query)
    return f"{key}?{encoded}" if encoded else key
