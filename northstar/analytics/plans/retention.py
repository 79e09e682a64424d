"""The data plan of the retention page (views/retention.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics import periods, retention
from northstar.analytics.plans.core import Call, Context, app_calls, forecast_calls, in_tabs
from northstar.data import rules


def data_months(results: dict[str, pd.DataFrame]) -> list[dt.date]:
    """The months of the data the page read first: with recurring revenue (revenue_months), or
    in data without revenue the accounts' own months (customer_months)."""
    return retention.months_of(results["revenue_months"] if "revenue_months" in results
                               else results["customer_months"])


def calls(context: Context, state: periods.FilterState, *, movement: str = "churn",
          dimension: str = "segment", cohort_grain: str = "quarter") -> list[Call]:
    """`movement`: the accounts listed under the overview; `dimension`: the breakdown;
    `cohort_grain`: the cohorts' grain. The trend's and the quarters' months are those of the
    data (its revenue_months, read first)."""
    window = state.period
    params = state.query_params()

    def trend(window_months: int, skip: int):
        # every month that has the month before it in the data can end a 1-month window
        return lambda results: {**params, "window_months": window_months,
                                "end_months": data_months(results)[1:][skip:]}

    def quarters(results: dict[str, pd.DataFrame]) -> dict[str, object]:
        months = data_months(results)
        return {**params, "window_months": 3,
                "end_months": retention.quarter_ends(window.end_month, months[0])}

    calls = [
        Call("revenue_months", "revenue_months"),
        # in data without revenue, in place of revenue_months: the accounts' own months
        Call("customer_months", "customer_months"),
        Call("overview:kpi_windows", "kpi_windows",
             {**params, "end_months": window.query_end_months()}),
        Call("overview:monthly", "kpi_windows", trend(1, 0)),
        Call("overview:trailing", "kpi_windows", trend(12, 11)),
        Call("overview:accounts", "retention_accounts",
             {**params, **retention.period_bounds(window), "movement": movement,
              "limit": rules.LIST_LIMIT}),
        Call("breakdown", "retention_breakdown",
             {**params, **retention.period_bounds(window), "dimension": dimension}),
        Call("cohorts", "cohort_retention", {**params, "cohort_grain": cohort_grain}),
        Call("survival", "survival_by_segment", params),
        Call("reasons", "churn_reasons",
             {**params, "window_months": window.months, "end_months": [window.end_month]}),
        # the page reads it when there is a quarter-end in the data
        Call("reasons:quarters", "churn_reasons", quarters),
        *forecast_calls("forecast:"),
    ]
    tabs = {"overview": "Overview", "breakdown": "Breakdown", "cohorts": "Cohorts",
            "survival": "Cohorts", "reasons": "Churn reasons", "forecast": "Forecast"}
    return app_calls(in_tabs(calls, tabs))
