"""What every pandas page shares: loading whole tables, the global filters, and the equality
checks' tolerance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.pages import Context
from northstar.filters import FilterState

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


def ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def close(a, b) -> bool:
    """Equal within float tolerance; two missing values are equal."""
    if pd.isna(a) and pd.isna(b):
        return True
    return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=1e-6))
