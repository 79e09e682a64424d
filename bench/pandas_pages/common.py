"""What every pandas page shares: loading whole tables, the global filters, DuckDB's way of
counting durations, and the equality checks (rows, totals, listed values, float tolerance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from bench.pages import Context
from northstar.analytics.periods import FilterState

Tables = dict[str, pd.DataFrame]
Results = dict[str, object]
Expect = Callable[[str, object, object], None]

# table -> columns the first pandas pages (briefing, retention, health, satisfaction) load; a
# page that needs other columns of a table names its own (see `Page.tables`)
TABLES: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "account_name", "segment", "region", "plan", "start_date",
                 "renewal_date", "csm_employee_id"),
    "account_mrr_monthly": ("account_id", "month", "mrr_usd"),
    "survey_responses": ("account_id", "survey_type", "program", "responded_on", "score"),
    "support_tickets": ("account_id", "escalated_at", "resolved_at"),
    "account_health_monthly": ("account_id", "month", "mrr_usd", "support_experience",
                               "survey_sentiment", "engagement", "revenue_trend"),
    "engagements": ("account_id", "engagement_type", "attended", "started_on"),
    "employees": ("employee_id", "employee_name"),
}


def base_tables(*names: str, **wider: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """`TABLES`' columns of `names`, plus tables loaded with other columns (`wider`)."""
    return {**{name: TABLES[name] for name in names}, **wider}


@dataclass(frozen=True)
class Page:
    """One page in the pandas approach: the tables (and columns) it loads, what it computes,
    which Northstar calls (bench/pages.py keys) that reproduces, and the numbers that must
    agree."""

    name: str
    tables: dict[str, tuple[str, ...]]
    compute: Callable[[Tables, Context, FilterState], Results]
    covered: tuple[str, ...]
    check: Callable[[Expect, dict[str, pd.DataFrame], Results, dt.date], None]


def load_tables(con, tables: Mapping[str, tuple[str, ...]]) -> Tables:
    """What a typical dashboard does first: whole tables (needed columns) into pandas."""
    frames = {}
    for name, columns in tables.items():
        frame = con.table(name).select(*columns).df()
        for column in frame.columns:
            if column in ("month", "start_date", "renewal_date", "responded_on", "started_on"):
                frame[column] = pd.to_datetime(frame[column])
        if "mrr_usd" in frame.columns:
            frame["mrr_usd"] = frame["mrr_usd"].astype("float64")
        frames[name] = frame
    return frames


def scope(accounts: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The accounts the global filters keep."""
    mask = pd.Series(True, index=accounts.index)
    for column, values in (("segment", state.segments), ("region", state.regions),
                           ("plan", state.plans)):
        if values:
            mask &= accounts[column].isin(values)
    return accounts.loc[mask]


@dataclass(frozen=True)
class Scope:
    """The accounts the global filters keep, and how a table's rows are kept to them."""

    accounts: pd.DataFrame
    filtered: bool

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame`'s rows of accounts in scope: with no filter every row, as the queries'
        account_in_scope; else a join with the accounts kept (not `isin` with a list of every
        id kept, which costs pandas a Python loop over the list)."""
        if not self.filtered:
            return frame
        return frame.merge(self.accounts[["account_id"]], on="account_id")


def scope_of(accounts: pd.DataFrame, state: FilterState) -> Scope:
    return Scope(scope(accounts, state), bool(state.segments or state.regions or state.plans))


def ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def elapsed(start: pd.Series, end: pd.Series, unit: str) -> pd.Series:
    """Whole `unit`s ("s", "min", "ms") from start to end, counted as DuckDB's datediff counts
    them: the unit boundaries crossed."""
    return (end.dt.floor(unit) - start.dt.floor(unit)) / pd.Timedelta(1, unit=unit)


def joined(values: pd.Series, in_order: bool = True) -> str:
    """A list's values as one string, for checks that compare lists exactly: in their order,
    or sorted where the query's order leaves ties."""
    items = ["" if pd.isna(value) else str(value) for value in values]
    return "|".join(items if in_order else sorted(items))


def expect_totals(expect: Expect, northstar: dict, ours: dict, key: str, *columns: str) -> None:
    """The same number of rows in a result, and the same total of each of `columns`."""
    n, p = northstar[key], ours[key]
    expect(f"{key} rows", len(n), len(p))
    for column in columns:
        expect(f"{key} {column}", n[column].sum(), p[column].sum())


def expect_list(expect: Expect, northstar: dict, ours: dict, key: str, column: str,
                in_order: bool = True) -> None:
    """The same values of `column` in a result (in the same order, unless `in_order` is
    false); numbers within float tolerance."""
    n, p = northstar[key][column], ours[key][column]
    numbers = all(is_numeric_dtype(values) and not is_bool_dtype(values) for values in (n, p))
    if not numbers or len(n) != len(p):
        expect(f"{key} {column}", joined(n, in_order), joined(p, in_order))
        return
    if not in_order:
        n, p = n.sort_values(), p.sort_values()
    differing = sum(not close(a, b) for a, b in zip(n, p, strict=True))
    expect(f"{key} {column} values that differ", 0, differing)


def close(a, b) -> bool:
    """Equal within float tolerance (text and dates exactly); two missing values are equal."""
    if pd.isna(a) and pd.isna(b):
        return True
    if isinstance(a, str | dt.date) or isinstance(b, str | dt.date):
        return a == b
    return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=1e-6))
