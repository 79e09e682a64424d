"""Databases with planted text, for the privacy and escaping tests.

- `plant_canaries`: every value of every column holding customer names, contacts, e-mails or
  free text is wrapped in a marker, so a test can tell whether any query output, however a
  query renames or derives the column, shows a customer's words to a masked viewer.
- `plant_hostile_text`: every descriptive text value (account, department, KPI, employee and
  initiative names, reasons, competitors, comments, subjects, notes) carries Markdown and
  HTML that would fetch an image, draw a link or bold text if it were ever interpreted.

Both rebuild the rollups afterwards, so derived tables hold the planted text as well.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from northstar.data.db.rollups import build_rollups
from northstar.data.db.schema import create_schema
from northstar.data.demo.generator import CHECKSUM_TABLES

CANARY = "Qzxcanary"
# the canonical columns holding what customers are and say (masked on shared screens)
CUSTOMER_TEXT_COLUMNS = (
    ("accounts", "account_name"),
    ("accounts", "primary_contact_name"),
    ("accounts", "primary_contact_email"),
    ("support_tickets", "subject"),
    ("engagements", "notes"),
    ("cab_memberships", "seat_holder_name"),
    ("survey_responses", "respondent_name"),
    ("survey_responses", "comment"),
    ("kudos", "comment"),
)

HOSTILE_HOST = "evil.invalid"
HOSTILE_MARK = "Hzq"  # in every hostile value, so a test can find where it shows
HOSTILE = (
    f" ![{HOSTILE_MARK}img](http://{HOSTILE_HOST}/i.png) [{HOSTILE_MARK}link](http://"
    f"{HOSTILE_HOST}/x) **{HOSTILE_MARK}bold** <b>{HOSTILE_MARK}tag</b> "
    f"<img src=http://{HOSTILE_HOST}/t.png> <a href=\"http://{HOSTILE_HOST}/h\">Hzqhtml</a> "
    f"www.{HOSTILE_HOST} $x^2$ :red[{HOSTILE_MARK}]"
)
# descriptive text shown on pages, and the free vocabularies the filters offer (not keys, not
# the values the schema fixes)
HOSTILE_TEXT_COLUMNS = (
    *CUSTOMER_TEXT_COLUMNS,
    ("departments", "department_name"),
    ("departments", "head_name"),
    ("employees", "employee_name"),
    ("department_kpis", "kpi_name"),
    ("department_kpis", "definition"),
    ("initiatives", "initiative_name"),
    ("accounts", "churn_reason"),
    ("accounts", "lost_to_competitor"),
    ("accounts", "industry"),
    ("accounts", "region"),
    ("accounts", "plan"),
    ("customer_outcomes", "outcome_name"),
    ("employees", "job_title"),
)


def _rewrite(source: Path, target: Path, columns: tuple[tuple[str, str], ...],
             expression: str) -> Path:
    """A copy of `source` at `target` with each column set to `expression` of its value, and
    the rollups rebuilt from the changed tables."""
    target.unlink(missing_ok=True)
    changed: dict[str, list[str]] = {}
    for table, column in columns:
        changed.setdefault(table, []).append(column)
    with duckdb.connect(str(target)) as con:
        create_schema(con)
        con.execute("attach $path as source (read_only)", {"path": str(source)})
        for table in (*CHECKSUM_TABLES, "dataset_metadata"):  # referenced tables first
            # our own fixed table and column names
            replaced = ", ".join(f"{expression.format(value=column)} as {column}"
                                 for column in changed.get(table, ()))
            clause = f" replace ({replaced})" if replaced else ""
            con.execute(f"insert into {table} select *{clause} from source.{table}")
        con.execute("detach source")
        build_rollups(con)
        con.execute("checkpoint")
    return target


def plant_canaries(source: Path, target: Path) -> Path:
    return _rewrite(source, target, CUSTOMER_TEXT_COLUMNS,
                    f"'{CANARY} ' || {{value}} || ' {CANARY}'")


def plant_hostile_text(source: Path, target: Path) -> Path:
    hostile = HOSTILE.replace("'", "''")
    return _rewrite(source, target, HOSTILE_TEXT_COLUMNS, f"{{value}} || '{hostile}'")


def holds_canary(value: object) -> bool:
    """Whether a cell (or any item of a list cell) shows a planted customer text."""
    if isinstance(value, str):
        return CANARY.lower() in value.lower()
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return any(holds_canary(item) for item in value)
    return False
