"""The data plan of the briefing page (views/briefing.py)."""

from __future__ import annotations

from dataclasses import replace

from northstar.analytics import ceo_brief, periods
from northstar.analytics.plans.core import (
    Call,
    Context,
    app_calls,
    at_risk_call,
    forecast_calls,
    model_calls,
)
from northstar.data import settings
from northstar.data.months import add_months


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    scope = state.query_params()
    # the CEO brief's queries (northstar/ui/ceo_brief.py), with the parameters it passes
    params = {**scope, **settings.load_config().query_params()}
    at_risk = at_risk_call("brief:at_risk", context, params,
                           limit=ceo_brief.AT_RISK_SENTENCES - 1)
    at_risk_params = at_risk.resolve({})
    return app_calls([
        Call("kpi_windows", "kpi_windows", {**scope, "end_months": window.query_end_months()}),
        Call("brief:driver_counts", "invest_driver_counts", {
            **scope, "as_of_month": context.last_month,
            "opening_month": add_months(context.last_month, -12)}),
        Call("brief:model_drivers", "invest_model_drivers", scope),
        Call("brief:initiatives", "invest_initiatives",
             {**scope, "as_of_month": context.last_month}),
        Call("brief:portfolio", "risk_portfolio", {**params, "as_of_month": context.last_month}),
        # the accounts after the portfolio's sentence (read after it)
        replace(at_risk, params=lambda results: {
            **at_risk_params, "limit": ceo_brief.at_risk_limit(results["brief:portfolio"])}),
        *model_calls("brief:", context, scope),
        *forecast_calls("forecast:"),
    ])
