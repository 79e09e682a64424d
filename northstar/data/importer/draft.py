"""A starting mapping for a folder of exports: which file looks like which canonical table and
which of its columns look like each canonical column, guessed from the column names and sample
values, every guess with a comment saying what it rests on (`--draft-mapping`).

The guesses are a start, not a load: the data owner reads each line, then checks the mapping
with `--dry-run`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from northstar.data.datasets import DATASETS, table_rules
from northstar.data.importer.mapping import SOURCE_SUFFIXES, TableMapping
from northstar.data.importer.pipeline import EXTRA_DEFAULTS
from northstar.data.importer.sources import (
    WHITESPACE,
    SourceError,
    quote_identifier,
    stage_source,
)

SAMPLES = 3  # sample values quoted in a comment
# names a source column may have for each canonical column, normalised (lowercase, letters and
# digits only); the first table whose columns a file matches best takes it
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": ("accountid", "customerid", "custid", "clientid", "companyid", "customer",
                   "customeremail", "account"),
    "account_name": ("accountname", "customername", "companyname", "company", "clientname",
                     "name"),
    "segment": ("segment", "customersegment", "tier", "contract", "contracttype"),
    "industry": ("industry", "sector", "vertical"),
    "region": ("region", "country", "geo", "territory"),
    "plan": ("plan", "product", "package", "subscription", "internetservice"),
    "start_date": ("startdate", "signupdate", "customersince", "since", "firstpurchase"),
    "churn_date": ("churndate", "canceldate", "cancelledat", "canceledat", "enddate"),
    "churn_reason": ("churnreason", "cancelreason", "reason"),
    "month": ("month", "billingmonth", "period", "invoicemonth", "invoicedate"),
    "mrr_usd": ("mrr", "mrrusd", "monthlycharges", "monthlycharge", "monthlyrevenue", "amount",
                "revenue"),
    "ticket_id": ("ticketid", "ticketnumber", "caseid", "casenumber", "ticket"),
    "opened_at": ("openedat", "createdat", "created", "opened", "createddate", "dateopened"),
    "first_response_at": ("firstresponseat", "firstresponse", "firstreplyat", "firstrepliedat"),
    "resolved_at": ("resolvedat", "resolved", "solvedat", "closedat", "resolutiondate"),
    "status": ("status", "ticketstatus", "state"),
    "priority": ("priority", "ticketpriority", "urgency"),
    "category": ("category", "tickettype", "type", "topic"),
    "channel": ("channel", "ticketchannel", "via"),
    "subject": ("subject", "ticketsubject", "title"),
    "satisfaction_score": ("satisfactionscore", "satisfactionrating", "customersatisfactionrating",
                           "csat", "rating"),
    "response_id": ("responseid", "answerid", "submissionid"),
    "survey_type": ("surveytype", "metric"),
    "responded_on": ("respondedon", "responsedate", "submittedat", "answeredat"),
    "score": ("score", "npsscore", "answer"),
    "comment": ("comment", "feedback", "verbatim"),
    "active_users": ("activeusers", "mau", "monthlyactiveusers", "activeusercount"),
    "seats_paid": ("seatspaid", "paidseats", "seatspurchased", "licenses", "licences",
                   "licensespurchased", "seats"),
    "seats_used": ("seatsused", "usedseats", "assignedseats", "activeseats", "licensesused",
                   "licencesused"),
    "key_feature_events": ("keyfeatureevents", "keyfeatureuses", "featureevents", "featureuses"),
}
TABLES = ("accounts", "account_mrr_monthly", "product_usage", "support_tickets",
          "survey_responses")
_COMPACT_DATE = re.compile(r"^\d{8}$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")


def normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class SourceFile:
    path: Path
    columns: tuple[str, ...]
    samples: dict[str, list[str]]
    whitespace: bool  # read as whitespace-separated columns
    rows: int = 0
    distinct: dict[str, int] | None = None  # distinct values per column


def read_file(path: Path) -> SourceFile | None:
    """The file's columns and a few sample values, read as a load would read it."""
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
        samples, distinct = {}, {}
        for column in staged.columns:
            name = quote_identifier(column)
            distinct[column] = con.execute(f"select count(distinct {name}) from draft"
                                           ).fetchone()[0]
            samples[column] = [str(row[0]) for row in con.execute(
                f"select distinct {name} from draft where nullif(trim({name}::varchar), '') "
                f"is not null limit {SAMPLES}").fetchall()]
    return SourceFile(path, staged.columns, samples, whitespace, staged.rows, distinct)


def column_guesses(table: str, source: SourceFile) -> dict[str, str]:
    """canonical column -> source column, by name."""
    by_name = {normalised(column): column for column in source.columns}
    guesses: dict[str, str] = {}
    used: set[str] = set()
    for column in table_rules(table).columns:
        for synonym in (normalised(column.name), *SYNONYMS.get(column.name, ())):
            found = by_name.get(synonym)
            if found and found not in used:
                guesses[column.name] = found
                used.add(found)
                break
    return guesses


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


DATE_COLUMNS = ("invoicedate", "orderdate", "purchasedate", "date", "createdat", "created",
                "openedat", "timestamp")
QUANTITY, UNIT_PRICE = ("quantity", "qty", "units"), ("unitprice", "price", "unitcost")
TENURE = ("tenure", "tenuremonths", "monthsactive", "months")


def _find(source: SourceFile, names: tuple[str, ...]) -> str | None:
    by_name = {normalised(column): column for column in source.columns}
    return next((by_name[name] for name in names if name in by_name), None)


def _as_date(column: str, source: SourceFile) -> str:
    """SQL reading a source column as a date, with the format its samples suggest."""
    found, _ = date_format(source.samples.get(column, []))
    expression = _expression(column)
    return f"strptime({expression}, '{found}')" if found else f"{expression}::date"


def _revenue_lines(source: SourceFile, folder: Path) -> list[str]:
    """account_mrr_monthly from a file with amounts: monthly rows as they are, a purchase log
    added up per month, or one row per customer with a tenure spread over its months."""
    guesses = column_guesses("account_mrr_monthly", source)
    if "account_id" not in guesses:
        return []
    head = ["[account_mrr_monthly]", f'file = "{source.path.relative_to(folder)}"']
    if source.whitespace:
        head.append(f'delimiter = "{WHITESPACE}"  # columns separated by runs of spaces')
    account = (f"account_id = {_toml_string(_expression(guesses['account_id']))}  # column "
               f"{guesses['account_id']!r} by its name")
    quantity, price = _find(source, QUANTITY), _find(source, UNIT_PRICE)
    tenure = _find(source, TENURE)
    dated = _find(source, DATE_COLUMNS) or guesses.get("month")
    if quantity and price and dated:
        amount = f"sum({_expression(quantity)}::double * {_expression(price)}::double)"
        month = "date_trunc('month', " + _as_date(dated, source) + ")"
        return head + [
            "aggregate = true  # a purchase log: a customer's purchases added up per month", "",
            "[account_mrr_monthly.columns]", account,
            f"month = {_toml_string(month)}  # column {dated!r}",
            f"mrr_usd = {_toml_string(amount)}  # quantity x unit price"]
    if "mrr_usd" in guesses and tenure and "month" not in guesses:
        return head + [
            f"spread_months = {_toml_string(_expression(tenure))}  # one row per customer: "
            "one revenue row per month of tenure",
            "spread_last_month = \"date '2026-10-01'\"  # the snapshot's month: set it, and "
            "end churned customers' revenue the month before (see the README)", "",
            "[account_mrr_monthly.columns]", account,
            f"mrr_usd = {_toml_string(_expression(guesses['mrr_usd']))}  # column "
            f"{guesses['mrr_usd']!r}"]
    if "mrr_usd" in guesses and "month" in guesses:
        return head + ["", "[account_mrr_monthly.columns]", account,
                       f"month = {_toml_string(_as_date(guesses['month'], source))}  # column "
                       f"{guesses['month']!r} by its name",
                       f"mrr_usd = {_toml_string(_expression(guesses['mrr_usd']))}  # column "
                       f"{guesses['mrr_usd']!r} by its name"]
    return []


def _section(table: str, source: SourceFile, guesses: dict[str, str], folder: Path,
             aggregate: bool = False) -> list[str]:
    rules = {column.name: column for column in table_rules(table).columns}
    extra = {column for owner, column in EXTRA_DEFAULTS if owner == table}
    lines = [f"[{table}]", f'file = "{source.path.relative_to(folder)}"'
             f"  # {len(guesses)} of its {len(source.columns)} columns are named like "
             f"{table} columns"]
    if source.whitespace:
        lines.append(f'delimiter = "{WHITESPACE}"  # columns separated by runs of spaces')
    dated = [source.samples[guesses[name]] for name, column in rules.items()
             if name in guesses and column.data_type in ("DATE", "TIMESTAMP")]
    formats = {date_format(values) for values in dated if date_format(values)[0]}
    if formats:
        chosen, why = sorted(formats)[0]
        lines.append(f'date_format = "{chosen}"  # {why}')
    if aggregate:
        lines.append("aggregate = true  # one account per customer: the rows are grouped")
    lines += ["", f"[{table}.columns]"]
    for name, column in rules.items():
        source_column = guesses.get(name)
        if source_column is None and table == "accounts" and name == "account_name":
            lines.append(f"account_name = {_toml_string(_expression(guesses['account_id']))}"
                         "  # no name column: the id is shown as the name")
            continue
        dated = _find(source, DATE_COLUMNS)
        if source_column is None and table == "accounts" and name == "start_date" and dated:
            first = f"min({_as_date(dated, source)})"
            lines.append(f"start_date = {_toml_string(first)}  # the earliest {dated!r}; "
                         "needs aggregate = true")
            continue
        if source_column is None:
            if not column.nullable and column.default is None and name not in extra:
                lines.append(f"# {name} = ...  # required, and no column looks like it: map it")
            continue
        expression = _expression(source_column)
        if aggregate and name not in ("account_id",):
            expression = (f"min({expression})" if name == "start_date"
                          else f"any_value({expression})")
        examples = ", ".join(source.samples.get(source_column, [])[:SAMPLES]) or "no values"
        lines.append(f"{name} = {_toml_string(expression)}  # column {source_column!r} "
                     f"by its name; e.g. {examples[:80]}")
    return lines


def _repeats(source: SourceFile, column: str) -> bool:
    """Whether an id column repeats in the file (its rows are events, not customers)."""
    return (source.distinct or {}).get(column, 0) < source.rows


def draft_mapping(folder: Path) -> str:
    """A starting mapping (TOML text) for the exports in `folder`."""
    files = [read_file(path) for path in sorted(folder.iterdir())
             if path.is_file() and path.suffix.lower() in SOURCE_SUFFIXES]
    sources = [source for source in files if source is not None]
    chosen: dict[str, tuple[SourceFile, dict[str, str]]] = {}
    for table in TABLES:
        scored = sorted(((len(column_guesses(table, source)), index)
                         for index, source in enumerate(sources)), reverse=True)
        if scored and scored[0][0] >= (1 if table == "accounts" else 3):
            source = sources[scored[0][1]]
            guesses = column_guesses(table, source)
            if table != "accounts" or "account_id" in guesses:
                chosen[table] = (source, guesses)
    out = ["# A starting mapping, guessed from the files' column names and sample values.",
           "# Every line is a guess: check it against your data, then run the load with",
           "# --dry-run before the real one. See \"Loading your own data\" in the README.", ""]
    if not chosen:
        out.append("# No file has columns named like a Northstar table: write the mapping by "
                   "hand (README, \"Loading your own data\").")
    if "accounts" not in chosen and chosen:
        source, _ = next(iter(chosen.values()))
        guesses = column_guesses("accounts", source)
        if "account_id" in guesses:
            out += ["# No customer list: accounts are grouped out of "
                    f"{source.path.name}, one per {guesses['account_id']!r}."]
            out += _section("accounts", source, guesses, folder, aggregate=True) + [""]
    for dataset in DATASETS:
        if dataset.name == "account_mrr_monthly" and dataset.name not in chosen:
            revenue = next((lines for source in sources
                            if (lines := _revenue_lines(source, folder))), [])
            out += revenue + ([""] if revenue else [])
            continue
        if dataset.name in chosen:
            source, guesses = chosen[dataset.name]
            aggregate = dataset.name == "accounts" and _repeats(source, guesses["account_id"])
            out += _section(dataset.name, source, guesses, folder, aggregate) + [""]
    unused = [source.path.name for source in sources
              if all(source is not picked for picked, _ in chosen.values())]
    if unused:
        out.append(f"# Not matched to a table: {', '.join(unused)}")
    return "\n".join(out).rstrip() + "\n"
