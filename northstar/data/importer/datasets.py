"""The canonical tables a load fills: which are required, which pages each feeds (from the page
registry, northstar.data.registry.pages), their rules.

One place for the importer, the Data page and the tests. Column types, nullability, keys,
references and range checks are read from data/schema.sql itself (through DuckDB's
catalog), so the importer refuses exactly what the schema would refuse; the quality
warnings below are the extra, non-refusing checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import duckdb

from northstar.data.db.schema import UNINDEXED_TABLES, create_schema
from northstar.data.registry.pages import where_shown


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    required: bool
    app_wide: tuple[str, ...] = ()  # what reads it beyond the parts of pages (see `pages`)
    seeded: bool = False  # default rows from data/reference.sql when the source has none
    export: str = ""  # the kind of export that fills it, in a data owner's words

    @property
    def pages(self) -> tuple[str, ...]:
        """What in the app reads the table (shown when it is missing): the parts of pages the
        page registry names, then what is app-wide."""
        return (*where_shown(self.name), *self.app_wide)


@dataclass(frozen=True)
class QualityCheck:
    """A quality check that does not refuse the row: `condition` true = warn.

    `condition` is fixed SQL over the candidate row `s` (canonical column names), which may
    look up tables loaded earlier.
    """

    rule: str
    column: str
    condition: str
    message: str


# load order: every table after the tables it references
DATASETS: tuple[Dataset, ...] = (
    Dataset("departments", "Departments", False, ("Department names on every page",),
            seeded=True,
            export="a list of your customer-facing departments"),
    Dataset("customer_outcomes", "Customer outcomes", False, seeded=True,
            export="the customer outcomes your KPIs serve"),
    Dataset("employees", "Employees", False,
            export="a staff list from your HR or CRM system (account owners, agents)"),
    Dataset("accounts", "Accounts", True,
            ("Every page", "Global filters: segment, region, plan"),
            export="a customer list from your CRM, or customers grouped out of another "
                   "export"),
    Dataset("account_mrr_monthly", "Monthly recurring revenue", False,
            export="a billing export: revenue per customer and month, a subscription "
                   "table with a monthly charge and a tenure, or a purchase log"),
    Dataset("product_usage", "Product usage", False,
            export="a product-analytics or licence export: active users, seats paid and "
                   "used, key-feature use per customer and month"),
    Dataset("support_tickets", "Support tickets", False,
            export="a helpdesk export of tickets (Zendesk, Freshdesk, ...)"),
    Dataset("engagements", "Engagements", False,
            export="meetings and services work from your CRM or PSA tool"),
    Dataset("cab_memberships", "Advisory board memberships", False,
            export="the customer advisory board's member list"),
    Dataset("survey_responses", "Survey responses", False,
            export="survey answers (NPS, CSAT, CES) from your survey tool"),
    Dataset("department_kpis", "Department KPIs", False,
            export="each department's KPI catalogue with targets"),
    Dataset("kpi_outcomes", "KPI outcomes", False,
            export="which customer outcome each KPI serves"),
    Dataset("kpi_actuals", "KPI actuals", False,
            export="KPI actuals per month or quarter"),
    Dataset("initiatives", "Initiatives", False,
            export="the initiatives you fund, with their cost"),
    Dataset("kudos", "Kudos", False, export="praise customers gave your staff"),
    Dataset("employee_engagement", "Employee engagement", False,
            export="employee engagement survey results per department"),
)
DATASETS_BY_NAME = {dataset.name: dataset for dataset in DATASETS}

# dates a snapshot export may lack: when the mapping leaves the column unmapped and the file
# has no column of its name, every row is dated on the load's as-of date and the summary says
# so: (table, column) -> (the date in words, the rows in words)
AS_OF_DATED: dict[tuple[str, str], tuple[str, str]] = {
    ("survey_responses", "responded_on"): ("answer date", "answers"),
}

# what a page says, once, in place of every dollar figure when the data has accounts but no
# revenue table: its logo figures come from the accounts' start and churn dates
NO_REVENUE_TEXT = (
    "Revenue figures need a billing export. The loaded data has accounts but no revenue, so "
    "churn here counts accounts (logo churn, from their start and churn dates), not dollars. "
    "Load revenue per customer and month as the revenue table, `account_mrr_monthly` (see "
    "“Accounts without revenue” in docs/loading-data.md).")

# columns holding an e-mail address Northstar sends mail to (the action digest): a value that
# is not one plain address (northstar.data.addresses) is dropped with a warning, its row kept
MAIL_ADDRESS_COLUMNS: dict[str, tuple[str, ...]] = {"employees": ("email",)}
MAIL_ADDRESS_MESSAGE = ("not one plain e-mail address (one name@domain, no display name, list "
                        "or line break): the employee is kept without an address")

WARNINGS: dict[str, tuple[QualityCheck, ...]] = {
    "accounts": (
        QualityCheck("renewal_before_start", "renewal_date", "s.renewal_date < s.start_date",
                "renewal date is before the start date"),
    ),
    "account_mrr_monthly": (
        QualityCheck("billed_after_churn", "month",
                "exists (select 1 from accounts a where a.account_id = s.account_id "
                "and s.month > a.churn_date)",
                "revenue billed in a month after the account's churn date"),
        QualityCheck("billed_before_start", "month",
                "exists (select 1 from accounts a where a.account_id = s.account_id "
                "and s.month < date_trunc('month', a.start_date))",
                "revenue billed before the account's start month"),
    ),
    "product_usage": (
        QualityCheck("seats_used_above_paid", "seats_used", "s.seats_used > s.seats_paid",
                "more seats used than paid for"),
    ),
    "support_tickets": (
        QualityCheck("resolved_before_first_response", "resolved_at",
                "s.resolved_at < s.first_response_at",
                "resolved before the first response"),
        QualityCheck("escalated_after_resolution", "escalated_at",
                "s.escalated_at > s.resolved_at", "escalated after it was resolved"),
    ),
    "survey_responses": (
        QualityCheck("response_before_account_start", "responded_on",
                "exists (select 1 from accounts a where a.account_id = s.account_id "
                "and s.responded_on < a.start_date)",
                "answered before the account's start date"),
    ),
}


@dataclass(frozen=True)
class Role:
    """A value Northstar gives a meaning to, in a column whose other values are the company's
    own (kept as they are). A mapping's `[<table>.roles.<column>]` says which source values
    play it; a value spelled like the code (any case, spaces or hyphens for underscores)
    plays it without being listed."""

    code: str
    meaning: str  # what Northstar does with the rows that play it
    fills: str = ""  # what stays empty when no row plays it ("" when nothing depends on it)


ROLES: dict[tuple[str, str], tuple[Role, ...]] = {
    ("support_tickets", "status"): (
        Role("open", "not yet resolved"),
        Role("pending", "waiting on the customer"),
        Role("solved", "resolved: needs a resolved time"),
        Role("closed", "resolved and closed: needs a resolved time"),
    ),
    ("support_tickets", "priority"): (
        Role("low", "cost to serve: the low-priority ticket rate"),
        Role("normal", "cost to serve: the normal-priority ticket rate"),
        Role("high", "cost to serve: the high-priority ticket rate"),
        Role("urgent", "cost to serve: the urgent ticket rate"),
    ),
    ("engagements", "engagement_type"): (
        Role("executive_meeting", "an executive meeting", "CCO programs: Executive meetings"),
        Role("cab_session", "an advisory-board session", "CCO programs: Advisory board"),
        Role("detractor_follow_up", "a follow-up of an unhappy answer",
             "Satisfaction: Closed loop"),
        Role("qbr", "a business review (also counts as a follow-up)"),
        Role("installation", "onboarding work", "CCO programs: Onboarding"),
        Role("professional_services", "professional-services work",
             "CCO programs: Professional services"),
    ),
    ("survey_responses", "program"): (
        Role("relationship", "the relationship survey: NPS on the Briefing",
             "Briefing: NPS"),
        Role("post_installation", "the survey after onboarding"),
        Role("post_professional_services", "the survey after a services project"),
        Role("support", "the survey after a support ticket"),
    ),
}
@dataclass(frozen=True)
class EventDate:
    """A column saying when something happened (or, for `refuse_future=False`, may be planned).

    After the day of the load it is impossible (refused) or planned (warned); after the data's
    as-of date it is warned and kept, except the revenue month, which sets the as-of date and
    is refused after it.
    """

    column: str
    refuse_future: bool = True


# the date columns of each table that place a row in time, checked against the day of the load
# and the as-of date
EVENT_DATES: dict[str, tuple[EventDate, ...]] = {
    "accounts": (EventDate("start_date", refuse_future=False),),
    "account_mrr_monthly": (EventDate("month"),),
    "product_usage": (EventDate("month"),),
    "support_tickets": (EventDate("opened_at"), EventDate("first_response_at"),
                        EventDate("resolved_at"), EventDate("escalated_at")),
    "engagements": (EventDate("started_on", refuse_future=False),),
    "cab_memberships": (EventDate("joined_on", refuse_future=False),),
    "survey_responses": (EventDate("responded_on"),),
    "kpi_actuals": (EventDate("period_start"),),
    "kudos": (EventDate("given_on"),),
    "employee_engagement": (EventDate("quarter_start"),),
}
REVENUE_TABLE, REVENUE_MONTH = "account_mrr_monthly", "month"
# dates further ahead than this are warned as probably mistyped (a renewal in 2099)
FAR_FUTURE_YEARS = 10
FAR_FUTURE_DATES: dict[str, tuple[str, ...]] = {
    "accounts": ("renewal_date", "churn_date"),
    "initiatives": ("started_on", "ended_on"),
    "engagements": ("ended_on",),
}
# a month is part of the data when it bills at least this share of the median month's accounts;
# the as-of date is the end of the latest such month, so a few stray rows cannot move it
AS_OF_MONTH_SHARE = 0.1


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # DuckDB type, e.g. VARCHAR, DATE, DECIMAL(14,2)
    nullable: bool
    default: str | None  # SQL literal from the schema, e.g. '0' or 'true'


@dataclass(frozen=True)
class Check:
    """A CHECK constraint of the schema, as a refusing rule."""

    rule: str  # invalid_value, out_of_range, date_order or inconsistent
    columns: tuple[str, ...]  # distinct columns it reads, the reported one first
    expression: str  # SQL that is true (or null) for an acceptable row
    message: str


@dataclass(frozen=True)
class Reference:
    column: str
    table: str
    target_column: str

    @property
    def rule(self) -> str:
        return "unknown_account" if self.table == "accounts" else "unknown_reference"


@dataclass(frozen=True)
class TableRules:
    columns: tuple[Column, ...]
    keys: tuple[tuple[str, ...], ...]  # primary key first, then unique keys
    references: tuple[Reference, ...]
    checks: tuple[Check, ...]


def _check_rule(expression: str, columns: tuple[str, ...], types: dict[str, str]) -> Check:
    temporal = all(types[column] in ("DATE", "TIMESTAMP") for column in columns)
    numeric = [column for column in columns if types[column] != "VARCHAR"]
    if " IN (" in expression and len(columns) == 1:
        allowed = re.search(r" IN \((.*)\)\)", expression)
        listed = allowed.group(1) if allowed else expression
        return Check("invalid_value", columns, expression, f"must be one of {listed}")
    if temporal and len(columns) > 1:
        return Check("date_order", columns, expression, f"dates out of order: {expression}")
    if len(columns) == 1 or "BETWEEN" in expression:
        reported = tuple(numeric[-1:]) + tuple(c for c in columns if c not in numeric[-1:])
        return Check("out_of_range", reported, expression, f"out of range: {expression}")
    return Check("inconsistent", columns, expression, f"inconsistent values: {expression}")


@cache
def table_rules(table: str) -> TableRules:
    """Columns, keys, references and checks of a canonical table, read from data/schema.sql."""
    with duckdb.connect() as con:
        create_schema(con)
        columns = tuple(
            Column(name, data_type, nullable, default)
            for name, data_type, nullable, default in con.execute(
                "select column_name, data_type, is_nullable, column_default "
                "from duckdb_columns() where table_name = $table order by column_index",
                {"table": table},
            ).fetchall()
        )
        constraints = con.execute(
            "select constraint_type, expression, constraint_column_names, referenced_table, "
            "referenced_column_names from duckdb_constraints() where table_name = $table "
            "order by constraint_type = 'PRIMARY KEY' desc, constraint_index",
            {"table": table},
        ).fetchall()
    types = {column.name: column.data_type for column in columns}
    keys, references, checks = [], [], []
    for kind, expression, names, referenced_table, referenced_names in constraints:
        if kind in ("PRIMARY KEY", "UNIQUE"):
            keys.append(tuple(names))
        elif kind == "FOREIGN KEY":
            references.append(Reference(names[0], referenced_table, referenced_names[0]))
        elif kind == "CHECK":
            checks.append(_check_rule(expression, tuple(dict.fromkeys(names)), types))
    return TableRules(columns, tuple(keys), tuple(references), tuple(checks))


def key_violations(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = UNINDEXED_TABLES
                   ) -> dict[str, int]:
    """Rows breaking a declared key (duplicates) or reference (unknown target) of `tables`,
    by rule: {'account_mrr_monthly duplicate (account_id, month)': 0, ...}."""
    counts: dict[str, int] = {}
    for table in tables:
        rules = table_rules(table)
        for key in rules.keys:
            columns = ", ".join(key)
            # identifiers come from data/schema.sql, never from input
            counts[f"{table} duplicate ({columns})"] = con.execute(
                f"select count(*) - count(distinct ({columns})) from {table}"
            ).fetchone()[0]
        for reference in rules.references:
            counts[f"{table}.{reference.column} -> {reference.table}"] = con.execute(
                f"select count(*) from {table} t where t.{reference.column} is not null "
                f"and not exists (select 1 from {reference.table} r "
                f"where r.{reference.target_column} = t.{reference.column})"
            ).fetchone()[0]
    return counts
