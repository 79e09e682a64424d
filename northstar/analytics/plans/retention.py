"""The data plan of the retention page (views/retention.py)."""

from __future__ import annotations

from northstar.analytics import periods, retention
from northstar.analytics.plans.core import Call, Context, app_calls, forecast_calls, in_tabs
from northstar.data.months import add_months


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    params = state.query_params()
    months = [
        add_months(context.first_month, offset)
        for offset in range(
            (context.last_month.year - context.first_month.year) * 12
            + context.last_month.month - context.first_month.month + 1
        )
    ]
    trend_months = months[1:]
    quarters = retention.quarter_ends(window.end_month, months[0])
    calls = [
        Call("revenue_months", "revenue_months"),
        # in data without revenue, in place of revenue_months: the accounts' own months
        Call("customer_months", "customer_months"),
        Call("overview:kpi_windows", "kpi_windows",
             {**params, "end_months": window.query_end_months()}),
        Call("overview:monthly", "kpi_windows",
             {**params, "window_months": 1, "end_months": trend_months}),
        Call("overview:trailing", "kpi_windows",
             {**params, "window_months": 12, "end_months": trend_months[11:]}),
        Call("overview:accounts", "retention_accounts",
             {**params, **retention.period_bounds(window), "movement": "churn",
              "limit": retention.ACCOUNTS_LIMIT}),
        Call("breakdown", "retention_breakdown",
             {**params, **retention.period_bounds(window), "dimension": "segment"}),
        Call("cohorts", "cohort_retention", {**params, "cohort_grain": "quarter"}),
        Call("survival", "survival_by_segment", params),
        Call("reasons", "churn_reasons",
             {**params, "window_months": window.months, "end_months": [window.end_month]}),
    ]
    if quarters:
        calls.append(Call("reasons:quarters", "churn_reasons",
                          {**params, "window_months": 3, "end_months": quarters}))
    calls += forecast_calls("forecast:")
    tabs = {"overview": "Overview", "breakdown": "Breakdown", "cohorts": "Cohorts",
            "survival": "Cohorts", "reasons": "Churn reasons", "forecast": "Forecast"}
    return app_calls(in_tabs(calls, tabs))
