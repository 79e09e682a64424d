"""The data plan of the invest page (views/invest.py)."""

from __future__ import annotations

from northstar.analytics import invest, periods
from northstar.analytics.plans.core import Call, Context, app_calls, in_tabs, model_calls
from northstar.data import rules, settings
from northstar.data.months import add_months


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    scope = state.query_params()
    last_month = context.last_month
    params = {**scope, **invest.load_cost_config().query_params(),
              **settings.load_config().query_params()}
    tabs = {"planted": "Drivers", "initiatives": "Initiatives", "kpis": "What-if",
            "customers": "Customers"}
    return app_calls(in_tabs([
        Call("driver_counts", "invest_driver_counts", {
            **scope, "as_of_month": last_month,
            "opening_month": add_months(last_month, -12)}),
        Call("model_drivers", "invest_model_drivers", scope),
        Call("model_attributes", "invest_model_attributes"),
        Call("contrasts", "churn_model_contrasts"),
        Call("fits", "churn_model_fits"),
        *model_calls("", context, scope),
        Call("planted", "invest_planted_effects"),
        Call("initiatives", "invest_initiatives", {**scope, "as_of_month": last_month}),
        Call("kpis", "kpi_windows",
             {**scope, "window_months": 12, "end_months": [last_month]}),
        Call("customers:segment", "invest_customers", {**params, "grain": "segment", "limit": 0}),
        Call("customers:account", "invest_customers",
             {**params, "grain": "account", "limit": rules.LIST_LIMIT}),
    ], tabs))
