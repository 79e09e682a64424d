"""A starting mapping for a folder of exports (`--draft-mapping`): which file is which common
export shape (a customer list, subscriptions, invoices, a purchase log, cancellations, helpdesk
tickets, survey answers, product usage), recognised from its column names and values; which of
its columns look like each canonical column; the joins a file needs to reach its account; and,
for every file left out, what it could feed or why not. Every guess carries a comment saying
what it rests on.

The guesses are a start, not a load: the data owner reads each line, then checks the mapping
with `--dry-run`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from northstar.data.importer.datasets import table_rules
from northstar.data.importer.file_readers import (
    WHITESPACE,
    SourceError,
    quote_identifier,
    stage_source,
)
from northstar.data.importer.mapping import SOURCE_SUFFIXES, TableMapping
from northstar.data.importer.pipeline import EXTRA_DEFAULTS

SAMPLES = 3  # sample values quoted in a comment
KEY_VALUES = 5_000  # distinct values of an id column kept to see which files share customers
LEVELS = 20  # a column with at most this many distinct values has them all kept
REQUIRED_NOTE = "required, and no column looks like it: map it"  # ends a line left to map
LEFT_OUT_NOTE = "# Not drafted:"  # starts the line saying why a file is left out
NOT_RECORDED = "Not recorded"  # the value a descriptive column takes when the export has none
# names a source column may have for each canonical column, normalised (lowercase, letters and
# digits only), the likeliest first
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": ("accountid", "customerid", "custid", "clientid", "companyid", "recordid",
                   "customer", "customeremail", "account", "requesteremail", "email"),
    "account_name": ("accountname", "customername", "companyname", "company", "clientname",
                     "name"),
    "segment": ("segment", "customersegment", "tier", "contract", "contracttype"),
    "industry": ("industry", "sector", "vertical"),
    "region": ("region", "country", "countryregion", "billingcountry", "geo", "territory"),
    "plan": ("plan", "plantier", "product", "package", "subscription", "internetservice"),
    "acquisition_channel": ("acquisitionchannel", "referralsource", "leadsource",
                            "acquisitionsource", "originalsource"),
    "start_date": ("startdate", "signupdate", "customersince", "since", "firstpurchase",
                   "createdate", "createddate"),
    "churn_date": ("churndate", "canceldate", "cancelledat", "canceledat", "enddate"),
    "churn_reason": ("churnreason", "cancelreason", "reasoncode", "cancellationreason",
                     "reason"),
    "month": ("month", "billingmonth", "period", "invoicemonth", "invoicedate"),
    "mrr_usd": ("mrr", "mrrusd", "mrramount", "monthlycharges", "monthlycharge",
                "monthlyrevenue", "monthlyamount", "amount", "revenue"),
    "ticket_id": ("ticketid", "ticketnumber", "caseid", "casenumber", "ticket", "id"),
    "opened_at": ("openedat", "createdat", "created", "opened", "createddate", "dateopened",
                  "submittedat"),
    "first_response_at": ("firstresponseat", "firstresponse", "firstreplyat", "firstrepliedat"),
    "resolved_at": ("resolvedat", "resolved", "solvedat", "closedat", "resolutiondate"),
    "status": ("status", "ticketstatus", "state"),
    "priority": ("priority", "ticketpriority", "urgency"),
    "category": ("category", "tickettype", "type", "topic"),
    "channel": ("channel", "ticketchannel", "via"),
    "escalated_at": ("escalatedat", "escalationdate"),
    "reopen_count": ("reopencount", "reopens", "timesreopened"),
    "subject": ("subject", "ticketsubject", "title"),
    "satisfaction_score": ("satisfactionscore", "satisfactionrating", "customersatisfactionrating",
                           "csat", "rating"),
    "response_id": ("responseid", "answerid", "submissionid"),
    "survey_type": ("surveytype", "metric"),
    "responded_on": ("respondedon", "responsedate", "responsetimestamp", "respondedat",
                     "submittedat", "submitdateutc", "submitdate", "answeredat"),
    "score": ("score", "npsscore", "likelihoodtorecommend", "answer"),
    "comment": ("comment", "feedback", "verbatim"),
    "active_users": ("activeusers", "mau", "monthlyactiveusers", "activeusercount"),
    "seats_paid": ("seatspaid", "paidseats", "seatspurchased", "licenses", "licences",
                   "licensespurchased", "seats"),
    "seats_used": ("seatsused", "usedseats", "assignedseats", "activeseats", "licensesused",
                   "licencesused"),
    "key_feature_events": ("keyfeatureevents", "keyfeatureuses", "featureevents", "featureuses"),
}
# the shapes' own columns, normalised names, the likeliest first
SUBSCRIPTION_ID = ("subscriptionid", "subscription", "subid")
SUBSCRIPTION_START = ("startdate", "start", "startutc", "subscriptionstart", "startedat",
                      "subscriptionstartdate")
SUBSCRIPTION_END = ("enddate", "end", "endutc", "subscriptionend", "endedat", "endedatutc",
                    "subscriptionenddate")
INVOICE_AMOUNT = ("subtotal", "amountexcludingtax", "amount", "total", "amountdue",
                  "amountpaid", "invoiceamount", "invoicetotal")
INVOICE_DATE = ("periodstartutc", "periodstart", "servicestart", "invoicedate", "dateutc",
                "date", "createdutc", "created", "createdat", "issuedat", "issuedate")
BILLING_FREQUENCY = ("billingfrequency", "interval", "billingperiod", "billingcycle",
                     "planinterval")
# amounts named as monthly; any other subscription amount is divided by its period's months
MONTHLY_AMOUNTS = ("mrr", "mrrusd", "mrramount", "monthlycharges", "monthlycharge",
                   "monthlyrevenue", "monthlyamount")
PERIOD_MONTHS = {"year": 12, "yearly": 12, "annual": 12, "annually": 12, "quarter": 3,
                 "quarterly": 3, "semiannual": 6, "halfyear": 6}
NOT_BILLED = ("void", "draft", "uncollectible")  # invoice states that bill nothing
CANCELLED_ON = ("churndate", "canceldate", "cancellationdate", "cancelledat", "canceledat",
                "churnedat", "cancelledon", "canceledon")
FIRST_RESPONSE_MINUTES = ("firstresponsetimeminutes", "firstreplytimeinminutes",
                          "firstresponseminutes", "firstreplytimeminutes")
ESCALATION_FLAG = ("escalationflag", "escalated", "isescalated")
USAGE_DATE = ("usagedate", "eventdate", "eventtime", "occurredat", "timestamp", "date",
              "createdat")
USAGE_COUNT = ("usagecount", "eventcount", "count", "events", "uses", "clicks")
USAGE_WHAT = ("featurename", "feature", "eventname", "event", "action")
USER_ID = ("userid", "user", "useremail", "distinctid", "personid", "memberid")
DATE_COLUMNS = ("invoicedate", "orderdate", "purchasedate", "date", "dateutc", "createdat",
                "created", "openedat", "timestamp", "startdate", "responsetimestamp")
QUANTITY, UNIT_PRICE = ("quantity", "qty", "units"), ("unitprice", "price", "unitcost")
TENURE = ("tenure", "tenuremonths", "monthsactive", "months")
LIST_SHARE = 0.9  # a customer list: at least this share of its rows name another customer
LABELS = ("segment", "industry", "region", "plan")  # columns that group customers
# words in a survey tool's question header that say which canonical column it is
QUESTION_WORDS = {"score": ("recommend",), "comment": ("reason", "why", "comment", "feedback")}
TRUE_TEXTS = ("true", "1", "yes", "y")
# the descriptive ticket columns a load needs a value in: without a column, every ticket
# takes NOT_RECORDED (status is derived from the resolved time when there is one)
TICKET_LABELS = ("priority", "category", "channel")
_COMPACT_DATE = re.compile(r"^\d{8}$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")


def normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class SourceFile:
    path: Path
    columns: tuple[str, ...]
    samples: dict[str, list[str]]  # a few distinct non-blank values per column
    whitespace: bool  # read as whitespace-separated columns
    rows: int = 0
    distinct: dict[str, int] | None = None  # distinct values per column
    filled: dict[str, int] = field(default_factory=dict)  # non-blank values per column
    numbers: dict[str, tuple[float, float]] = field(default_factory=dict)  # all-number columns
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # few-valued columns
    keys: dict[str, frozenset[str]] = field(default_factory=dict)  # id-like columns' values
    mid_month: frozenset[str] = frozenset()  # date columns with days other than the 1st

    @property
    def name(self) -> str:
        return self.path.name

    def find(self, names: Sequence[str]) -> str | None:
        """The first column named like one of `names` (in their order) that holds a value."""
        by_name = {normalised(column): column for column in self.columns
                   if self.samples.get(column)}
        return next((by_name[name] for name in names if name in by_name), None)

    def unique(self, column: str) -> bool:
        return self.rows > 0 and (self.distinct or {}).get(column, 0) == self.rows

    def has_blanks(self, column: str) -> bool:
        return self.filled.get(column, self.rows) < self.rows


def _id_like(column: str) -> bool:
    name = normalised(column)
    return (name.endswith("id") or "email" in name or name in SYNONYMS["account_id"]
            or name in SUBSCRIPTION_ID)


def read_file(path: Path) -> SourceFile | None:
    """The file's columns, a few sample values and what its values look like, read as a load
    would read it."""
    with duckdb.connect() as con:
        con.execute("create temp table rejects (table_name varchar, source_file varchar, "
                    "line bigint, column_name varchar, value varchar, rule varchar, "
                    "message varchar)")
        whitespace = False
        try:
            staged = stage_source(con, TableMapping("draft", path), "draft", "rejects")
            if len(staged.columns) == 1 and " " in staged.columns[0].strip():
                staged = stage_source(con, TableMapping("draft", path, delimiter=WHITESPACE),
                                      "draft", "rejects")
                whitespace = True
        except SourceError:
            return None
        samples, distinct, filled, numbers, levels, keys = {}, {}, {}, {}, {}, {}
        mid_month = set()
        figures = []  # what each column's values look like, for every column in one scan
        for column in staged.columns:
            name = quote_identifier(column)
            text, day = f"nullif(trim({name}::varchar), '')", f"try_cast({name}::varchar as date)"
            figures += [f"count(distinct {name})", f"count({text})",
                        f"count(try_cast({text} as double))", f"min(try_cast({text} as double))",
                        f"max(try_cast({text} as double))", f"count({day})",
                        f"count(*) filter (where day({day}) = 1)"]
        found = con.execute(f"select {', '.join(figures)} from draft").fetchone()
        for index, column in enumerate(staged.columns):
            count, present, numeric, low, high, dates, firsts = found[7 * index:7 * index + 7]
            distinct[column], filled[column] = count, present
            if present and dates == present and firsts < dates:
                mid_month.add(column)
            if present and numeric == present:
                numbers[column] = (low, high)
            text = f"nullif(trim({quote_identifier(column)}::varchar), '')"
            samples[column] = [str(row[0]) for row in con.execute(
                f"select distinct {text} from draft where {text} is not null "
                f"limit {SAMPLES}").fetchall()]
            if present and count <= LEVELS:
                levels[column] = tuple(sorted(str(row[0]) for row in con.execute(
                    f"select distinct {text} from draft where {text} is not null").fetchall()))
            if _id_like(column):
                keys[column] = frozenset(str(row[0]).lower() for row in con.execute(
                    f"select distinct {text} from draft where {text} is not null "
                    f"limit {KEY_VALUES}").fetchall())
    return SourceFile(path, staged.columns, samples, whitespace, staged.rows, distinct, filled,
                      numbers, levels, keys, frozenset(mid_month))


def account_candidates(source: SourceFile) -> list[str]:
    """The columns named like a customer id that hold values, the likeliest name first."""
    found = [source.find((name,)) for name in ("accountid", *SYNONYMS["account_id"])]
    return list(dict.fromkeys(column for column in found if column))


def account_keys(sources: Sequence[SourceFile]) -> dict[Path, str]:
    """Each file's customer-id column: of the columns named like one, the one whose values the
    most other files' customer-id columns share (then the likeliest name)."""
    candidates = {source.path: account_candidates(source) for source in sources}
    chosen: dict[Path, str] = {}
    for source in sources:
        ranked = []
        for rank, column in enumerate(candidates[source.path]):
            values = source.keys.get(column, frozenset())
            shared = sum(1 for other in sources if other is not source and any(
                values & other.keys.get(theirs, frozenset()) for theirs in candidates[other.path]))
            ranked.append((-shared, rank, column))
        if ranked:
            chosen[source.path] = min(ranked)[2]
    return chosen


def _fits(column: str, source: SourceFile, column_name: str, account: str | None) -> bool:
    """Whether a column's values can be the canonical column's: a rating is 1 to 5, a score a
    number, and a label (plan, segment, ...) groups customers, so it has fewer values than
    the file has customers (a subscription id is no plan)."""
    if column_name == "satisfaction_score":
        low, high = source.numbers.get(column, (0, 0))
        return column in source.numbers and low >= 1 and high <= 5
    if column_name in LABELS and account:
        values, customers = (source.distinct or {}).get(column, 0), (
            source.distinct or {}).get(account, 0)
        return not (customers > LEVELS and values >= customers and not source.unique(account))
    if column_name == "score":
        return column in source.numbers
    return True


def column_guesses(table: str, source: SourceFile, account: str | None = None
                   ) -> dict[str, str]:
    """canonical column -> source column, by name (and, for ratings, by value); `account`
    is the file's customer-id column when known."""
    guesses: dict[str, str] = {}
    used: set[str] = set()
    for column in table_rules(table).columns:
        if column.name == "account_id" and account:
            guesses["account_id"] = account
            used.add(account)
            continue
        for synonym in (normalised(column.name), *SYNONYMS.get(column.name, ())):
            found = source.find((synonym,))
            if found and found not in used and _fits(found, source, column.name, account):
                guesses[column.name] = found
                used.add(found)
                break
        worded = _worded(source, column.name, used)
        if column.name not in guesses and worded:
            guesses[column.name] = worded
            used.add(worded)
    return guesses


def _worded(source: SourceFile, column_name: str, used: set[str]) -> str | None:
    """A survey tool's question column (its header is the question): the NPS question for the
    score when its answers are 0 to 10, a "why" question for the comment."""
    for column in source.columns:
        name = normalised(column)
        if column in used or not source.samples.get(column) or not any(
                word in name for word in QUESTION_WORDS.get(column_name, ())):
            continue
        low, high = source.numbers.get(column, (-1, -1))
        if column_name == "score" and low >= 0 and high <= 10:
            return column
        if column_name == "comment" and column not in source.numbers:
            return column
    return None


def date_format(values: list[str]) -> tuple[str | None, str]:
    """A strptime format for sample date values, and why."""
    if values and all(_COMPACT_DATE.match(value) for value in values):
        return "%Y%m%d", "the sample values are 8 digits (YYYYMMDD)"
    slashed = [_SLASH_DATE.match(value) for value in values]
    if values and all(slashed):
        if any(int(match.group(1)) > 12 for match in slashed):
            return "%d/%m/%Y", "a first number above 12 means day/month/year"
        if any(int(match.group(2)) > 12 for match in slashed):
            return "%m/%d/%Y", "a second number above 12 means month/day/year"
        return "%d/%m/%Y", "day/month/year or month/day/year: check which"
    return None, ""


def _toml_string(text: str) -> str:
    """A TOML literal string for a SQL expression (single quotes when it holds double ones)."""
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _expression(source_column: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", source_column)
    return source_column if plain else quote_identifier(source_column)


def _as_date(column: str, source: SourceFile) -> str:
    """SQL reading a source column as a date (a timestamp when its samples carry a time), with
    the format its samples suggest."""
    samples = source.samples.get(column, [])
    found, _ = date_format(samples)
    expression = _expression(column)
    if found:
        return f"strptime({expression}, '{found}')"
    timed = any(":" in value for value in samples)
    return f"{expression}::{'timestamp' if timed else 'date'}"


def _examples(source: SourceFile, column: str) -> str:
    return (", ".join(source.samples.get(column, [])[:SAMPLES]) or "no values")[:80]


def _line(name: str, expression: str, comment: str) -> str:
    return f"{name} = {_toml_string(expression)}  # {comment}"


def _file_line(source: SourceFile, folder: Path, comment: str,
               more: Sequence[SourceFile] = ()) -> list[str]:
    names = [str(item.path.relative_to(folder)) for item in (source, *more)]
    file = (f'"{names[0]}"' if len(names) == 1
            else "[" + ", ".join(f'"{name}"' for name in names) + "]")
    lines = [f"file = {file}  # {comment}"]
    if more:
        lines.append(f"# {len(names)} files with the same columns: their rows are loaded "
                     "together")
    if source.whitespace:
        lines.append(f'delimiter = "{WHITESPACE}"  # columns separated by runs of spaces')
    return lines


def _join_name(source: SourceFile) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", source.path.stem.lower()).strip("_") or "joined"
    return name if name[0].isalpha() else f"f_{name}"


@dataclass(frozen=True)
class Join:
    """Columns of a second file joined on a key (`[<table>.joins.<name>]`)."""

    source: SourceFile
    key: str  # the joined file's column
    on: str  # SQL over the main file's columns
    why: str

    @property
    def name(self) -> str:
        return _join_name(self.source)

    def column(self, column: str) -> str:
        return f"{self.name}.{_expression(column)}"

    def lines(self, table: str, folder: Path) -> list[str]:
        lines = [f"[{table}.joins.{self.name}]  # {self.why}",
                 f'file = "{self.source.path.relative_to(folder)}"']
        if self.source.whitespace:
            lines.append(f'delimiter = "{WHITESPACE}"  # columns separated by runs of spaces')
        lines += [f"key = {json.dumps(self.key)}  # its column",
                  f"on = {_toml_string(self.on)}  # this file's column with the same values"]
        repeats = self.source.rows - (self.source.distinct or {}).get(self.key, 0)
        if repeats > 0:
            lines.append(f"# {self.key} repeats in {self.source.name} ({repeats:,} rows more "
                         "than values): check which row should count")
        return lines + [""]


@dataclass(frozen=True)
class Shape:
    """A common export shape a file has: the table it feeds and how."""

    table: str
    kind: str  # customer list, subscriptions, monthly revenue, purchase log, invoices, tenure,
    # cancellations, tickets, survey answers, monthly usage, usage events
    score: int  # how sure: more recognised columns, or a more specific shape, is higher
    source: SourceFile
    account: str | None  # the customer-id column
    join: Join | None = None  # the file reaching its account through another one


def _section(table: str, source: SourceFile, guesses: dict[str, str], folder: Path,
             aggregate: bool = False, derived: dict[str, tuple[str, str]] | None = None,
             head: Sequence[str] = (), first_date: str | None = None,
             more: Sequence[SourceFile] = ()) -> list[str]:
    """A table's section: its file, options and a line per canonical column the file has;
    `derived` fills columns the file has not (expression, why); a required column neither has
    is left commented for the data owner to map."""
    rules = {column.name: column for column in table_rules(table).columns}
    extra = {column for owner, column in EXTRA_DEFAULTS if owner == table}
    derived = derived or {}
    named = (f"{len(guesses)} of its {len(source.columns)} columns are named like {table} "
             "columns")
    lines = [f"[{table}]", *(head or _file_line(source, folder, named, more))]
    dated = [source.samples[guesses[name]] for name, column in rules.items()
             if name in guesses and column.data_type in ("DATE", "TIMESTAMP")]
    formats = {date_format(values) for values in dated if date_format(values)[0]}
    if formats:
        chosen, why = sorted(formats)[0]
        lines.append(f'date_format = "{chosen}"  # {why}')
    if aggregate and not any(line.startswith("aggregate") for line in lines):
        lines.append("aggregate = true  # one account per customer: the rows are grouped")
    lines += [""]
    columns = [f"[{table}.columns]"]
    for name, column in rules.items():
        source_column = guesses.get(name)
        if source_column is None and table == "accounts" and name == "account_name":
            columns.append(_line("account_name", _expression(guesses["account_id"]),
                                 "no name column: the id is shown as the name"))
            continue
        if source_column is None and table == "accounts" and name == "start_date" and first_date:
            columns.append(_line("start_date", f"min({_as_date(first_date, source)})",
                                 f"the earliest {first_date!r}; needs aggregate = true"))
            continue
        if source_column is None and name in derived:
            expression, why = derived[name]
            columns.append(_line(name, expression, why))
            continue
        if source_column is None:
            if not column.nullable and column.default is None and name not in extra:
                columns.append(f"# {name} = ...  # {REQUIRED_NOTE}")
            continue
        expression = _expression(source_column)
        if aggregate and name != "account_id":
            expression = (f"min({expression})" if name == "start_date"
                          else f"any_value({expression})")
        columns.append(_line(name, expression, f"column {source_column!r} by its name; e.g. "
                             f"{_examples(source, source_column)}"))
    return lines + columns


# --- recognising the shapes -------------------------------------------------------------------

def _revenue_shape(source: SourceFile, account: str | None) -> Shape | None:
    if not account:
        return None
    guesses = column_guesses("account_mrr_monthly", source, account)
    amount = guesses.get("mrr_usd")
    if amount and source.find(SUBSCRIPTION_START) and source.find(SUBSCRIPTION_END):
        return Shape("account_mrr_monthly", "subscriptions", 10, source, account)
    if source.find(QUANTITY) and source.find(UNIT_PRICE) and (
            source.find(DATE_COLUMNS) or "month" in guesses):
        return Shape("account_mrr_monthly", "purchase log", 9, source, account)
    if amount and "month" in guesses and guesses["month"] not in source.mid_month:
        return Shape("account_mrr_monthly", "monthly revenue", 9, source, account)
    if amount and source.find(TENURE):
        return Shape("account_mrr_monthly", "tenure", 7, source, account)
    if source.find(INVOICE_AMOUNT) in source.numbers and source.find(INVOICE_DATE):
        return Shape("account_mrr_monthly", "invoices", 8, source, account)
    return None


def _ticket_shape(source: SourceFile, account: str | None) -> Shape | None:
    guesses = column_guesses("support_tickets", source, account)
    named_id = source.find(tuple(name for name in SYNONYMS["ticket_id"] if name != "id"))
    described = sum(name in guesses for name in ("status", "priority", "category", "channel",
                                                  "subject", "resolved_at"))
    if account and (named_id or ("opened_at" in guesses and described >= 2)):
        return Shape("support_tickets", "tickets", 5 + len(guesses), source, account)
    return None


def _survey_shape(source: SourceFile, account: str | None) -> Shape | None:
    guesses = column_guesses("survey_responses", source, account)
    if account and "score" in guesses and "responded_on" in guesses:
        return Shape("survey_responses", "survey answers", 5 + len(guesses), source, account)
    return None


def _usage_shape(source: SourceFile, account: str | None,
                 subscriptions: dict[str, tuple[SourceFile, str]]) -> Shape | None:
    guesses = column_guesses("product_usage", source, account)
    figures = sum(name in guesses for name in ("active_users", "seats_used",
                                               "key_feature_events"))
    if account and "month" in guesses and (figures or "seats_paid" in guesses):
        return Shape("product_usage", "monthly usage", 8, source, account)
    if not (source.find(USAGE_DATE) and (source.find(USAGE_COUNT) or source.find(USAGE_WHAT))):
        return None
    if account:
        return Shape("product_usage", "usage events", 7, source, account)
    subscription = source.find(SUBSCRIPTION_ID)
    if subscription and normalised(subscription) in subscriptions:
        owner, owner_account = subscriptions[normalised(subscription)]
        key = owner.find((normalised(subscription),)) or subscription
        join = Join(owner, key, _expression(subscription),
                    f"{source.name} names a subscription, {owner.name} its account")
        return Shape("product_usage", "usage events", 7, source, join.column(owner_account),
                     join)
    return None


def _accounts_shape(source: SourceFile, account: str | None) -> Shape | None:
    distinct = (source.distinct or {}).get(account or "", 0)
    if not account or distinct < LIST_SHARE * source.rows:
        return None
    guesses = column_guesses("accounts", source, account)
    described = [name for name in ("account_name", "segment", "industry", "region", "plan",
                                   "start_date", "acquisition_channel") if name in guesses]
    if described:
        return Shape("accounts", "customer list", len(guesses), source, account)
    return None


def _cancellation_shape(source: SourceFile, account: str | None) -> Shape | None:
    if account and source.find(CANCELLED_ON):
        return Shape("accounts", "cancellations", 6, source, account)
    return None


def recognise(sources: Sequence[SourceFile]) -> list[Shape]:
    """Every shape each file has, the surest first."""
    accounts = account_keys(sources)
    # subscription id -> the file listing subscriptions with their account
    subscriptions: dict[str, tuple[SourceFile, str]] = {}
    for source in sources:
        subscription, account = source.find(SUBSCRIPTION_ID), accounts.get(source.path)
        if subscription and account and source.unique(subscription):
            subscriptions.setdefault(normalised(subscription), (source, account))
    shapes: list[Shape] = []
    for source in sources:
        account = accounts.get(source.path)
        found = [_ticket_shape(source, account), _survey_shape(source, account),
                 _revenue_shape(source, account), _usage_shape(source, account, subscriptions),
                 _accounts_shape(source, account), _cancellation_shape(source, account)]
        shapes += [shape for shape in found if shape]
    # equally sure: the file whose rows, with those of files with the same columns, are most
    rows = {columns: sum(source.rows for source in sources if source.columns == columns)
            for columns in {source.columns for source in sources}}
    return sorted(shapes, key=lambda shape: (-shape.score, -rows[shape.source.columns]))


# what each revenue shape is, in a data owner's words
REVENUE_KINDS = {
    "monthly revenue": "revenue per customer and month",
    "purchase log": "a purchase log: quantities and prices per customer and date",
    "tenure": "one row per customer: a tenure and a monthly charge",
    "invoices": "invoices: amounts per customer and date",
}
# shapes that may come from a file that also feeds another table: a customer list with a
# tenure and a monthly charge (one row per customer) is both accounts and revenue
SHARED = {frozenset({"customer list", "tenure"})}
# where accounts are grouped out of when there is no customer list, the first drafted of
FALLBACK = ("account_mrr_monthly", "support_tickets", "survey_responses", "product_usage")


@dataclass
class Plan:
    """What the draft holds: a shape per table, further files of the same shape, the joined
    cancellations, and each file left out with why."""

    tables: dict[str, Shape] = field(default_factory=dict)
    more: dict[str, list[SourceFile]] = field(default_factory=dict)
    cancellations: Shape | None = None
    left_out: dict[Path, str] = field(default_factory=dict)


def plan(sources: Sequence[SourceFile]) -> Plan:
    """Each table's file, surest shape first: a file feeds one table (two only when it is a
    customer list with a tenure and a charge); further files with the same columns join it;
    cancellations join a customer list; without one, accounts are grouped out of a fact file."""
    shapes = recognise(sources)
    chosen = Plan()
    taken: dict[Path, str] = {}  # file -> the kind it was drafted as
    for shape in shapes:
        kind = taken.get(shape.source.path)
        if (shape.table in chosen.tables or shape.kind == "cancellations"
                or (kind and frozenset({kind, shape.kind}) not in SHARED)):
            continue
        chosen.tables[shape.table] = shape
        taken[shape.source.path] = shape.kind
        same = [other.source for other in shapes
                if other.table == shape.table and other.kind == shape.kind
                and other.source.columns == shape.source.columns
                and other.source.path not in taken]
        chosen.more[shape.table] = same
        taken.update({other.path: shape.kind for other in same})
    listed = chosen.tables.get("accounts")
    if listed is None:
        fact = next((chosen.tables[table] for table in FALLBACK if table in chosen.tables
                     and chosen.tables[table].join is None), None)
        if fact:
            chosen.tables["accounts"] = fact
            chosen.more["accounts"] = chosen.more[fact.table]
    elif listed.kind == "customer list":
        chosen.cancellations = next((shape for shape in shapes if shape.kind == "cancellations"
                                     and shape.source.path not in taken), None)
        if chosen.cancellations:
            taken[chosen.cancellations.source.path] = "cancellations"
    for source in sources:
        if source.path not in taken:
            chosen.left_out[source.path] = _why_left_out(source, shapes, chosen)
    return chosen


def _why_left_out(source: SourceFile, shapes: Sequence[Shape], chosen: Plan) -> str:
    """What a file left out of the draft could feed, or why it feeds nothing."""
    if source.rows == 0:
        return "no data rows"
    own = [shape for shape in shapes if shape.source is source]
    if own:
        shape = own[0]
        if shape.kind == "cancellations":
            return ("cancellations: their dates could set accounts' churn_date through a join "
                    f"on {shape.account}, once a customer list is drafted")
        other = chosen.tables.get(shape.table)
        drafted = other.source.name if other else "another file"
        return (f"it also looks like {shape.kind} ({shape.table}), drafted from {drafted}: "
                f"when it holds more of the same rows, list both under file = [...]")
    accounts = account_candidates(source)
    if not accounts:
        return "no customer id column, so no row can be tied to an account"
    account = accounts[0]
    if source.unique(account):
        return (f"one row per account; it could feed [accounts.attributes] through a join on "
                f"{account}")
    return (f"several rows per {account} but no dated amount, ticket, survey score or usage "
            "count that a Northstar table reads")


# --- writing the sections ---------------------------------------------------------------------

def _revenue_lines(shape: Shape, folder: Path, more: Sequence[SourceFile]) -> list[str]:
    """account_mrr_monthly from a file with amounts: subscriptions spread over the months they
    cover, monthly rows as they are, a purchase log or invoices added up per month, or one row
    per customer with a tenure spread over its months."""
    source, account_column = shape.source, shape.account or ""
    guesses = column_guesses("account_mrr_monthly", source, account_column)
    account = _line("account_id", _expression(account_column),
                    f"column {account_column!r}, e.g. {_examples(source, account_column)}")
    head = ["[account_mrr_monthly]"]
    if shape.kind == "subscriptions":
        start, end = source.find(SUBSCRIPTION_START), source.find(SUBSCRIPTION_END)
        amount = guesses["mrr_usd"]
        zero = source.numbers.get(amount, (1, 1))[0] == 0
        return head + _file_line(source, folder, "one row per subscription: a start, an end "
                                 "and a monthly amount, summed per account and month", more) + [
            _line("subscription_start", _date_or_column(start, source),
                  f"column {start!r}; e.g. {_examples(source, start)}"),
            _line("subscription_end", _date_or_column(end, source),
                  f"column {end!r}, blank while the subscription runs; e.g. "
                  f"{_examples(source, end)}"), "",
            "[account_mrr_monthly.columns]", account,
            _monthly_amount(source, amount, zero)]
    head += _file_line(source, folder, REVENUE_KINDS[shape.kind], more)
    if shape.kind == "purchase log":
        quantity, price = source.find(QUANTITY), source.find(UNIT_PRICE)
        dated = source.find(DATE_COLUMNS) or guesses.get("month") or ""
        amount = f"sum({_expression(quantity or '')}::double * {_expression(price or '')}::double)"
        month = "date_trunc('month', " + _as_date(dated, source) + ")"
        return head + [
            "aggregate = true  # a purchase log: a customer's purchases added up per month", "",
            "[account_mrr_monthly.columns]", account,
            _line("month", month, f"column {dated!r}"),
            _line("mrr_usd", amount, "quantity x unit price")]
    if shape.kind == "tenure":
        tenure = source.find(TENURE) or ""
        return head + [
            _line("spread_months", _expression(tenure), "one row per customer: one revenue "
                  "row per month of tenure"),
            "spread_last_month = \"date '2026-10-01'\"  # the snapshot's month: set it, and "
            "end churned customers' revenue the month before (see the README)", "",
            "[account_mrr_monthly.columns]", account,
            _line("mrr_usd", _expression(guesses["mrr_usd"]),
                  f"column {guesses['mrr_usd']!r}")]
    if shape.kind == "invoices":
        amount, dated = source.find(INVOICE_AMOUNT) or "", source.find(INVOICE_DATE) or ""
        lines = head + ["aggregate = true  # a customer's invoices added up per month"]
        status = source.find(("status", "invoicestatus", "state"))
        levels = source.levels.get(status or "", ())
        if status and {level.lower() for level in levels} & set(NOT_BILLED):
            column = _expression(status)
            if any(level != level.lower() for level in levels):
                column = f"lower({column})"
            listed = ", ".join(f"'{state}'" for state in NOT_BILLED)
            lines.append(_line("where", f"{column} not in ({listed})",
                               f"{', '.join(NOT_BILLED)} invoices bill nothing"))
        return lines + [
            "", "[account_mrr_monthly.columns]", account,
            _line("month", f"date_trunc('month', {_as_date(dated, source)})",
                  f"column {dated!r}"),
            _line("mrr_usd", f"sum({_expression(amount)}::double)",
                  f"column {amount!r}; an invoice for a year or a quarter counts in one "
                  "month: divide it by its months")]
    return head + ["", "[account_mrr_monthly.columns]", account,
                   _line("month", _as_date(guesses["month"], source),
                         f"column {guesses['month']!r} by its name"),
                   _line("mrr_usd", _expression(guesses["mrr_usd"]),
                         f"column {guesses['mrr_usd']!r} by its name")]


def _date_or_column(column: str, source: SourceFile) -> str:
    """The column as it is when its dates are ISO, else parsed with the format they show."""
    found, _ = date_format(source.samples.get(column, []))
    return f"strptime({_expression(column)}, '{found}')" if found else _expression(column)


def _monthly_amount(source: SourceFile, amount: str, zero: bool) -> str:
    """The mrr_usd line of a subscription: the amount as it is when it is named monthly (or
    nothing says how often it is billed), else divided by the months of its billing period."""
    trials = "; $0 rows (trials) stay $0 months" if zero else ""
    frequency = source.find(BILLING_FREQUENCY)
    levels = source.levels.get(frequency or "", ())
    periods = {level: PERIOD_MONTHS.get(normalised(level), 1) for level in levels}
    if normalised(amount) in MONTHLY_AMOUNTS or not frequency or max(
            periods.values(), default=1) == 1:
        note = (f"; {frequency!r} ({', '.join(levels) or _examples(source, frequency)}): check "
                "the amount is per month for every billing frequency") if frequency else ""
        return _line("mrr_usd", _expression(amount), f"column {amount!r}{trials}{note}")
    value = f"{_expression(amount)}::double"
    cases = " ".join(f"when '{level.lower()}' then {value} / {months}"
                     for level, months in periods.items() if months > 1)
    return _line("mrr_usd", f"case lower({_expression(frequency)}) {cases} else {value} end",
                 f"column {amount!r} is per billing period ({frequency!r}): divided by its "
                 f"months{trials}")


def _ticket_derived(source: SourceFile, guesses: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Required ticket columns the export has not, from what it has: status from the resolved
    time, a stated value for a missing label, the first response from a delay in minutes."""
    derived: dict[str, tuple[str, str]] = {}
    opened, resolved = guesses.get("opened_at"), guesses.get("resolved_at")
    if resolved:
        derived["status"] = (f"case when {_expression(resolved)} is null then 'open' "
                             "else 'closed' end", f"no status column: closed when {resolved!r} "
                             "has a time, else open")
    else:
        derived["status"] = (f"'{NOT_RECORDED}'", "no status or resolved time in the file")
    for name in TICKET_LABELS:
        derived[name] = (f"'{NOT_RECORDED}'", f"no {name} column: every ticket "
                         f"{NOT_RECORDED!r}; map it when another export has one")
    minutes = source.find(FIRST_RESPONSE_MINUTES)
    if opened and minutes:
        derived["first_response_at"] = (
            f"{_as_date(opened, source)} + "
            f"to_minutes(try_cast({_expression(minutes)} as bigint))",
            f"{opened!r} plus {minutes!r}")
    flag = source.find(ESCALATION_FLAG)
    if opened and flag:
        truths = ", ".join(f"'{text}'" for text in TRUE_TEXTS)
        derived["escalated_at"] = (
            f"case when lower({_expression(flag)}::varchar) in ({truths}) then "
            f"{_as_date(opened, source)} end",
            f"{flag!r} says whether, not when: the opened time stands in")
    return derived


def _labels_filled(source: SourceFile, guesses: dict[str, str]) -> dict[str, str]:
    """Ticket labels with blank values: a blank becomes NOT_RECORDED instead of a refusal."""
    return {name: f"coalesce(nullif(trim({_expression(guesses[name])}), ''), '{NOT_RECORDED}')"
            for name in (*TICKET_LABELS, "status")
            if name in guesses and source.has_blanks(guesses[name])}


def _tickets_lines(shape: Shape, folder: Path, more: Sequence[SourceFile]) -> list[str]:
    source = shape.source
    guesses = column_guesses("support_tickets", source, shape.account)
    lines = _section("support_tickets", source, guesses, folder,
                     derived=_ticket_derived(source, guesses), more=more)
    for name, expression in _labels_filled(source, guesses).items():
        lines = [_line(name, expression, f"column {guesses[name]!r}; a blank is "
                       f"{NOT_RECORDED!r}") if line.startswith(f"{name} = ") else line
                 for line in lines]
    return lines


def _survey_lines(shape: Shape, folder: Path, more: Sequence[SourceFile]) -> list[str]:
    source = shape.source
    guesses = column_guesses("survey_responses", source, shape.account)
    low, high = source.numbers.get(guesses["score"], (0, 0))
    survey, program = "NPS", ("relationship", "the relationship survey (NPS on the Briefing): "
                              "name another program if it is not")
    if low >= 1 and high <= 5:
        survey = "CSAT"
    elif low >= 1 and high <= 7 and high > 5:
        survey = "CES"
    if survey != "NPS":
        program = (_join_name(source), "the survey's name, as the file is called")
    derived = {"survey_type": (f"'{survey}'", f"scores from {low:g} to {high:g}: {survey}"),
               "program": (f"'{program[0]}'", program[1])}
    if "response_id" not in guesses:
        parts = [guesses[name] for name in ("account_id", "responded_on", "score")]
        derived["response_id"] = (
            f"md5(concat_ws('|', {', '.join(_expression(part) for part in parts)}))",
            "no answer id: one made of the customer, the time and the score")
    return _section("survey_responses", source, guesses, folder, derived=derived, more=more)


def _usage_lines(shape: Shape, folder: Path, more: Sequence[SourceFile]) -> list[str]:
    source = shape.source
    if shape.kind == "monthly usage":
        guesses = column_guesses("product_usage", source, shape.account)
        return _section("product_usage", source, guesses, folder, more=more)
    dated = source.find(USAGE_DATE) or ""
    count, user = source.find(USAGE_COUNT), source.find(USER_ID)
    lines = ["[product_usage]", *_file_line(source, folder, "usage events: one row per use, "
                                            "added up per account and month", more),
             "aggregate = true  # events added up per account and month", ""]
    if shape.join:
        lines += shape.join.lines("product_usage", folder)
    lines += ["[product_usage.columns]",
              _line("account_id", shape.account or "", "the account of the row's subscription")
              if shape.join else _line("account_id", _expression(shape.account or ""),
                                       f"column {shape.account!r}"),
              _line("month", f"date_trunc('month', {_as_date(dated, source)})",
                    f"column {dated!r}")]
    if user:
        lines.append(_line("active_users", f"count(distinct {_expression(user)})",
                           f"distinct {user!r} per month"))
    if count:
        lines.append(_line("key_feature_events", f"sum({_expression(count)}::bigint)",
                           f"column {count!r} added up; keep only the key features with a "
                           "where, e.g. on " + repr(source.find(USAGE_WHAT) or "the feature")))
    else:
        lines.append(_line("key_feature_events", "count(*)", "one event per row"))
    return lines


def _accounts_lines(shape: Shape, folder: Path, more: Sequence[SourceFile],
                    cancellations: Shape | None) -> list[str]:
    source, account = shape.source, shape.account or ""
    guesses = column_guesses("accounts", source, account)
    aggregate = not source.unique(account)
    if shape.kind == "customer list":
        head = _file_line(source, folder, f"a customer list: one row per {account!r}", more)
    else:
        head = _file_line(source, folder, f"no customer list: accounts are grouped out of "
                          f"{shape.kind}, one per {account!r}", more)
    joined: list[str] = []
    if cancellations:
        join = Join(cancellations.source, cancellations.account or "", _expression(account),
                    "cancellations: when and why customers left")
        dated = cancellations.source.find(CANCELLED_ON) or ""
        reason = cancellations.source.find(SYNONYMS["churn_reason"])
        guesses = {name: column for name, column in guesses.items()
                   if name not in ("churn_date", "churn_reason")}
        joined = join.lines("accounts", folder)
        derived = {"churn_date": (join.column(dated), f"{cancellations.source.name}'s "
                                  f"{dated!r}; e.g. {_examples(cancellations.source, dated)}")}
        if reason:
            derived["churn_reason"] = (join.column(reason), f"{cancellations.source.name}'s "
                                       f"{reason!r}; e.g. "
                                       f"{_examples(cancellations.source, reason)}")
    else:
        derived = {}
    if aggregate and shape.kind == "subscriptions":
        end = source.find(SUBSCRIPTION_END) or ""
        guesses.pop("churn_date", None)
        derived["churn_date"] = (
            f"case when count(*) = count({_expression(end)}) then "
            f"max({_date_or_column(end, source)}) end",
            f"churned when every subscription has ended: the last {end!r}")
    first = None
    if aggregate:
        first = (source.find(SUBSCRIPTION_START) if shape.kind == "subscriptions"
                 else source.find(INVOICE_DATE) if shape.kind == "invoices"
                 else source.find(DATE_COLUMNS))
    lines = _section("accounts", source, guesses, folder, aggregate,
                     derived=derived, head=head, first_date=first)
    if joined:
        at = lines.index("[accounts.columns]")
        lines = lines[:at] + joined + lines[at:]
    return lines


def draft_mapping(folder: Path) -> str:
    """A starting mapping (TOML text) for the exports in `folder`."""
    paths = [path for path in sorted(folder.iterdir())
             if path.is_file() and path.suffix.lower() in SOURCE_SUFFIXES]
    files = {path: read_file(path) for path in paths}
    sources = [source for source in files.values() if source is not None]
    chosen = plan(sources)
    out = ["# A starting mapping, guessed from the files' column names and sample values.",
           "# Every line is a guess: check it against your data, then run the load with",
           "# --dry-run before the real one. See \"Loading your own data\" in the README.", ""]
    tables = chosen.tables
    if not tables:
        out.append("# No file has columns named like a Northstar table: write the mapping by "
                   "hand (README, \"Loading your own data\").")
    writers = {"account_mrr_monthly": _revenue_lines, "support_tickets": _tickets_lines,
               "survey_responses": _survey_lines, "product_usage": _usage_lines}
    for table in ("accounts", "account_mrr_monthly", "product_usage", "support_tickets",
                  "survey_responses"):
        shape = tables.get(table)
        if shape is None:
            continue
        more = chosen.more.get(table, [])
        if table == "accounts":
            out += _accounts_lines(shape, folder, more, chosen.cancellations) + [""]
        else:
            out += writers[table](shape, folder, more) + [""]
    left = [f"{LEFT_OUT_NOTE} {source.name}{_column_list(source)}: "
            f"{chosen.left_out[source.path]}" for source in sources
            if source.path in chosen.left_out]
    left += [f"{LEFT_OUT_NOTE} {path.name}: not readable as a table" for path, source
             in files.items() if source is None]
    out += left
    return "\n".join(out).rstrip() + "\n"


def _column_list(source: SourceFile, limit: int = 6) -> str:
    """' (its columns)', the first `limit` of them; nothing for a file without rows (whose
    column names the reader made up)."""
    if not source.rows:
        return ""
    shown = ", ".join(source.columns[:limit])
    more = f", ... ({len(source.columns)} columns)" if len(source.columns) > limit else ""
    return f" ({shown}{more})"


def draft_summary(text: str) -> str:
    """What a draft holds, in a sentence: tables, columns left to map, files left out."""
    lines = text.splitlines()
    tables = [line for line in lines if re.fullmatch(r"\[[a-z_]+\]", line.split("  #")[0])]
    required = [line.split(" = ")[0].lstrip("# ") for line in lines
                if line.endswith(REQUIRED_NOTE)]
    left_out = sum(line.startswith(LEFT_OUT_NOTE) for line in lines)
    parts = [f"{len(tables)} table{'s' * (len(tables) != 1)}"]
    parts.append(f"{len(required)} required column{'s' * (len(required) != 1)} left to map"
                 + (f" ({', '.join(required)})" if required else ""))
    parts.append(f"{left_out} file{'s' * (left_out != 1)} not drafted"
                 + (" (why, at the end of the draft)" if left_out else ""))
    return "; ".join(parts)
