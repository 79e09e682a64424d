"""The canonical schema (data/schema.sql) and its default reference rows (data/reference.sql),
created the same way by the demo build and the importer."""

from __future__ import annotations

import re

import duckdb

from northstar.data.db.paths import DATA_DIR

SCHEMA_PATH = DATA_DIR / "schema.sql"


REFERENCE_PATH = DATA_DIR / "reference.sql"


# The large fact tables are stored without key indexes. DuckDB enforces a primary or foreign
# key with an ART index that every insert updates and probes, which made writing these tables
# about ten times slower (19 M revenue rows: 5 s without, 50 CPU-seconds with) while no query
# uses those indexes. Their keys and references stay declared in data/schema.sql: the importer
# checks them in set-based SQL before it writes (northstar/data/importer), and the demo's test
# checks the generated rows against them (`key_violations`).
UNINDEXED_TABLES = ("account_mrr_monthly", "product_usage", "support_tickets", "engagements",
                    "survey_responses")


_TABLE_BLOCK = re.compile(r"create table (\w+) \((.*?)\n\);", re.DOTALL)


def _without_keys(block: str) -> str:
    block = re.sub(r"\n\s*primary key \([^)]*\),?", "", block)  # table-level key
    block = re.sub(r" primary key(?=[,\s])", " not null", block)  # column-level key
    block = re.sub(r" references \w+ \(\w+\)", "", block)
    return re.sub(r",(\s*)$", r"\1", block)  # a trailing comma left by a removed last line


def schema_sql(key_indexes: bool = True) -> str:
    """data/schema.sql; without `key_indexes`, the UNINDEXED_TABLES lose their key and
    reference clauses (checks, types and not-null rules stay)."""
    sql = SCHEMA_PATH.read_text()
    if key_indexes:
        return sql

    def strip(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        if name not in UNINDEXED_TABLES:
            return match.group(0)
        return f"create table {name} ({_without_keys(body)}\n);"

    return _TABLE_BLOCK.sub(strip, sql)


def create_schema(con: duckdb.DuckDBPyConnection, key_indexes: bool = True) -> None:
    """Create the canonical tables from data/schema.sql (see UNINDEXED_TABLES for
    `key_indexes=False`, what the demo build and the importer write)."""
    con.execute(schema_sql(key_indexes)).fetchall()


def insert_reference_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the default departments and customer outcomes from data/reference.sql."""
    con.execute(REFERENCE_PATH.read_text()).fetchall()
