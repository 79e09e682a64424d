"""Which pages exist: one table that the navigation, the access rules, the presentation deck,
the CEO brief's evidence links and the benchmark all read.

A page's key is its address (`/retention`), the name the access rules and links use, and the
stem of its script in views/. Its tabs are the labels its `st.tabs(..., key="view")` shows and
a link's `?view=` (or `?program=`) names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from northstar.data import rules
from northstar.data.registry.roles import ALL_ROLES, STAFF


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
    # what the page answers, in a reader's words: the README's page table and the Glossary
    purpose: str = field(default="", compare=False)
    # canonical tables (northstar.data.importer.datasets) the page cannot show anything without, and
    # those each tab needs besides: without their rows the page or tab names the export
    # that would fill it instead
    needs: tuple[str, ...] = ()
    tab_needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # what else of the page shows a table, (table, part): a part that is one of its tabs, or
    # in the reader's words; with `needs` and `tab_needs` this is what the Data page and a
    # load's summary say a missing table affects (northstar.data.importer.datasets)
    shows: tuple[tuple[str, str], ...] = ()

    def tables_needed(self, tab: str | None = None) -> tuple[str, ...]:
        """The tables the page, or one of its tabs, needs rows in."""
        extra = dict(self.tab_needs).get(tab, ()) if tab is not None else ()
        return (*self.needs, *extra)

    def parts_showing(self, table: str) -> tuple[str, ...]:
        """The parts of the page that show the table: its tabs in order ("every tab" when it
        is all of them), then the other parts; () when none or the whole page without tabs."""
        tabs = [tab for tab in self.tabs
                if table in self.tables_needed(tab) or (table, tab) in self.shows]
        others = [part for name, part in self.shows if name == table and part not in self.tabs]
        if self.tabs and len(tabs) == len(self.tabs):
            tabs = ["every tab"]
        return (*tabs, *others)

    def reads(self, table: str) -> bool:
        return table in self.needs or bool(self.parts_showing(table))

    @property
    def script(self) -> str:
        return f"views/{self.key}.py"


REVENUE, SURVEYS, TICKETS = "account_mrr_monthly", "survey_responses", "support_tickets"
ENGAGEMENTS, CAB, OWNERS = "engagements", "cab_memberships", "employees"
KPIS, ACTUALS = "department_kpis", "kpi_actuals"
PAGES: tuple[Page, ...] = (
    # Briefing, Retention, Health & risk and Where to invest work without revenue: they count
    # accounts from their start and churn dates and say once that revenue figures need a
    # billing export (northstar.ui.data_needs.no_revenue_notice)
    Page("briefing", "Briefing", ":material/dashboard:", "Overview", ALL_ROLES, deck_position=1,
         default=True,
         shows=((REVENUE, "ARR, NRR, GRR, where ARR moved (logo churn then comes from the "
                 "accounts' start and churn dates)"), ("accounts", "every KPI"),
                (SURVEYS, "NPS, CSAT, CES"), (TICKETS, "open escalations"),
                ("initiatives", "CEO brief")),
         purpose="The state of the customer base on one screen: ARR, NRR, GRR, logo churn, NPS, "
                 "CSAT, CES and open escalations with their change and sparklines, where ARR "
                 "moved, the next four quarters' forecast with its track record, and the CEO "
                 "brief."),
    Page("retention", "Retention", ":material/autorenew:", "Retention",
         ALL_ROLES - {"department_head"}, deck_position=2,
         tabs=("Overview", "Breakdown", "Cohorts", "Churn reasons", "Forecast"),
         shows=((REVENUE, "revenue figures (logo churn, cohorts and survival come from the "
                 "accounts' dates)"),),
         purpose="How much revenue we kept, from whom and why accounts left: overview and revenue"
                 " bridge, breakdown by segment, region, plan, channel or tenure, cohorts and "
                 "survival, churn reasons, and the next four quarters' forecast with its track "
                 "record."),
    Page("health", "Health & risk", ":material/monitor_heart:", "Retention",
         ALL_ROLES - {"department_head"},
         shows=((REVENUE, "revenue trend, ARR at risk"), (OWNERS, "account owners (CSMs)"),
                ("product_usage", "product usage"), (TICKETS, "support experience"),
                (ENGAGEMENTS, "engagement"), (CAB, "engagement"), (SURVEYS, "survey sentiment")),
         purpose="The ARR at risk in the next 12 months in total, where it sits and the drivers "
                 "adding most; then the accounts with the most ARR at risk, with their main "
                 "reasons (click a row for its 360 view, its Action cell to record an action); a "
                 "transparent health score per account (with a product-usage component when usage"
                 " is loaded); and proof on months the model has not seen."),
    Page("renewals", "Renewals", ":material/event_repeat:", "Retention",
         ALL_ROLES - {"department_head"}, needs=(REVENUE,),
         shows=((OWNERS, "owners (CSMs)"),),
         purpose="The renewals of the next 30, 90 and 180 days: ARR up for renewal against the "
                 "ARR expected to renew (with its range), by month, and each renewal's churn "
                 "chance, owner, health and open actions (its Action cell records an action); "
                 "without renewal dates in the data, the export that would fill them."),
    Page("account", "Account 360", ":material/person_search:", "Retention", STAFF,
         shows=((REVENUE, "ARR and health history"), ("product_usage", "health history"),
                (OWNERS, "account owner (CSM)"), (SURVEYS, "surveys"), (TICKETS, "tickets"),
                (ENGAGEMENTS, "engagements"), (CAB, "advisory board"), ("kudos", "kudos")),
         purpose="Everything about one account (`?account=A0001234`): profile, ARR and health "
                 "history, surveys, tickets, engagements, advisory board, kudos."),
    Page("satisfaction", "Satisfaction", ":material/sentiment_satisfied:",
         "Voice of the customer", ALL_ROLES - {"department_head"}, deck_position=3,
         tabs=("Scores", "Verbatims", "Closed loop"),
         tab_needs=(("Verbatims", (SURVEYS,)), ("Closed loop", (SURVEYS,))),
         # the scores count answers and ticket ratings; the closed loop counts follow-ups
         shows=((SURVEYS, "Scores"), (TICKETS, "Scores"), (ENGAGEMENTS, "Closed loop")),
         purpose="NPS, CSAT and CES at every touchpoint with margins of error, comment themes and"
                 " complaint spikes, and the closed loop on unhappy customers."),
    Page("programs", "CCO programs", ":material/groups:", "Programs",
         ALL_ROLES - {"department_head"},
         tabs=("Advisory board", "Executive meetings", "Onboarding", "Professional services",
               "Support review", "Kudos"), tab_parameter="program",
         tab_needs=(("Advisory board", (REVENUE, CAB)),
                    ("Executive meetings", (REVENUE, ENGAGEMENTS)),
                    ("Onboarding", (ENGAGEMENTS, SURVEYS)),
                    ("Professional services", (ENGAGEMENTS, SURVEYS)),
                    ("Support review", (TICKETS,)), ("Kudos", ("kudos",))),
         # the advisory board's sessions are engagements; kudos name the staff praised
         shows=((ENGAGEMENTS, "Advisory board"), (OWNERS, "Kudos")),
         purpose="Whether the CCO's programs move retention: advisory board, executive meetings, "
                 "onboarding survey, professional-services follow-up, support ticket review, "
                 "kudos."),
    Page("alignment", "Goal alignment", ":material/hub:", "Goals", ALL_ROLES, deck_position=4,
         needs=(KPIS,),
         shows=(("customer_outcomes", "the outcome matrix"),
                ("kpi_outcomes", "which outcome each KPI serves"), (ACTUALS, "imported KPIs")),
         purpose="Whether the departments pull toward shared customer outcomes: alignment scores,"
                 " the departments × outcomes matrix, KPIs off track"
                 f" {rules.in_words(rules.RUN_THRESHOLD)} periods running."),
    Page("scorecard", "Department scorecard", ":material/scoreboard:", "Goals",
         STAFF | {"department_head"},
         shows=((KPIS, "KPIs against targets"), (ACTUALS, "KPIs against targets"),
                (SURVEYS, "touchpoint scores"), ("kudos", "kudos"),
                ("employee_engagement", "employee engagement")),
         purpose="One department's KPIs against targets over time "
                 "(`?department=customer_service`), its touchpoint scores, its actions, and the "
                 "tickets, answers or accounts behind each number."),
    Page("forum", "Accountability forum", ":material/checklist:", "Goals", ALL_ROLES,
         shows=((KPIS, "KPIs off track with no action"),
                (ACTUALS, "KPIs off track with no action"),
                (SURVEYS, "whether closed actions worked"),
                (TICKETS, "whether closed actions worked")),
         purpose="The CCO's weekly forum: open and overdue actions by department and owner, KPIs "
                 "off track with no action, what closed since the last forum and whether closed "
                 "actions worked."),
    Page("invest", "Where to invest", ":material/savings:", "Invest",
         ALL_ROLES - {"department_head"}, deck_position=5,
         tabs=("Drivers", "Initiatives", "What-if", "Customers"),
         shows=((REVENUE, "churn drivers"),
                ("product_usage", "the usage drivers (usage fell, seats under-used)"),
                ("initiatives", "Initiatives")),
         purpose="Which fixes protect the most revenue: churn drivers with evidence (the "
                 "programs' drivers, account attributes and, when a product-usage export is "
                 "loaded, usage that fell and seats under-used), initiatives ranked by return on "
                 "cost (judged by what they measurably achieved once that can be told), what-if "
                 "scenarios, cost to serve and the motion per customer quadrant."),
    Page("glossary", "Glossary", ":material/menu_book:", "Reference", ALL_ROLES,
         purpose="Every metric's definition, unit and good direction, what each page answers, "
                 "and the conventions for periods and deltas."),
    Page("data", "Data", ":material/database:", "Reference", frozenset({"cco"}),
         purpose="What the dashboard is reading: freshness, rows per table, the last load's "
                 "refused rows and warnings, missing tables and the pages they affect."),
)
PAGES_BY_KEY: dict[str, Page] = {page.key: page for page in PAGES}
HOME = next(page.key for page in PAGES if page.default)
# the board deck of presentation mode, in order
DECK: tuple[str, ...] = tuple(
    page.key for page in sorted(PAGES, key=lambda page: page.deck_position or 0)
    if page.deck_position is not None
)


def where_shown(table: str) -> tuple[str, ...]:
    """What of each page shows a canonical table, in registry order: "Retention: every tab",
    "Health & risk: engagement", or the page's title when the whole page (without tabs)
    needs it."""
    shown = []
    for page in PAGES:
        parts = page.parts_showing(table)
        if parts:
            shown.append(f"{page.title}: {', '.join(parts)}")
        elif table in page.needs:
            shown.append(page.title)
    return tuple(shown)


def page_table(keys: tuple[str, ...] | None = None) -> str:
    """The pages (all of them, or those named) with what each answers, as a Markdown table in
    registry order: the README's page table and the Glossary's."""
    lines = ["| page | what it answers |", "| --- | --- |"]
    for page in PAGES:
        if keys is None or page.key in keys:
            home = " (home)" if page.default else ""
            lines.append(f"| **{page.title}**{home} | {page.purpose} |")
    return "\n".join(lines)


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
