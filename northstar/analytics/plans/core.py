"""A page's data plan: the named queries it runs, with their parameters and the tab each runs
in. The page's script reads its results by key (northstar.ui.page_data) and the benchmark times
the same calls (bench/pages.py), so what a page runs is written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from northstar.data.months import add_months

Params = dict[str, Any] | Callable[[dict[str, pd.DataFrame]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One query run by a page; `params` may depend on earlier results of the same page."""

    key: str  # unique within the page
    query: str
    params: Params = field(default_factory=dict)
    tab: str = ""  # the lazy tab it runs in; empty: run whichever tab is open
    # calls next to each other with the same batch run at once, as the page's
    # page_queries.run_queries does; empty: on its own
    batch: str = ""

    def resolve(self, results: dict[str, pd.DataFrame]) -> dict[str, Any]:
        return self.params(results) if callable(self.params) else dict(self.params)


@dataclass(frozen=True)
class Context:
    """Facts about the database the pages read before running their queries, and what the
    viewer chose on pages that ask (the benchmark fixes them)."""

    last_month: dt.date
    as_of: dt.date
    # first month with recurring revenue; None: a plan that needs it reads it from its own
    # revenue_months call
    first_month: dt.date | None = None
    account_id: str = ""  # the account Account 360 is opened on
    search: str = ""  # what is typed into Account 360's search box


def in_tabs(calls: list[Call], tabs: dict[str, str]) -> list[Call]:
    """The calls with the tab named by their key's prefix ("cab:members" -> tabs["cab"]), or by
    their whole key; calls named by neither run whichever tab is open."""
    return [replace(call, tab=tabs.get(call.key.split(":", 1)[0], "")) for call in calls]


def app_calls(calls: list[Call]) -> list[Call]:
    # app.py reads the metadata and the filter options on every page, and which tables hold
    # rows (a page or tab without its data says which export would fill it)
    return [Call("app:metadata", "dataset_metadata"), Call("app:filters", "filter_options"),
            Call("app:tables", "table_presence"), *calls]


def at_risk_call(key: str, context: Context, params: dict[str, Any], limit: int) -> Call:
    """The at-risk list (health_accounts) in every band, as the Health page's default pills and
    the CEO brief ask."""
    return Call(key, "health_accounts", {**params, "as_of_month": context.last_month,
                                         "band_orders": [1, 2, 3, 4, 5], "limit": limit})


def model_calls(prefix: str, context: Context, scope: dict[str, Any]) -> list[Call]:
    """The churn model's verdict and the observed churn by segment a page shows in its place
    when the model failed its checks (northstar/ui/churn_model.py)."""
    return [Call(f"{prefix}model_checks", "churn_model_checks"),
            Call(f"{prefix}observed_churn", "retention_breakdown", {
                **scope, "dimension": "segment",
                "opening_month": add_months(context.last_month, -12),
                "closing_month": context.last_month})]


def forecast_calls(prefix: str) -> list[Call]:
    """The revenue forecast, its track record and whether there is one (northstar/ui/forecast.py,
    after the churn model's verdict)."""
    return [Call(f"{prefix}model_checks", "churn_model_checks"),
            Call(f"{prefix}status", "revenue_forecast_status"),
            Call(f"{prefix}forecast", "revenue_forecast"),
            Call(f"{prefix}backtest", "revenue_forecast_backtest")]


def batches(calls: list[Call]) -> list[list[Call]]:
    """The calls in the order they run: each group runs at once (a batch) or alone."""
    groups: list[list[Call]] = []
    for call in calls:
        if call.batch and groups and groups[-1][0].batch == call.batch:
            groups[-1].append(call)
        else:
            groups.append([call])
    return groups
