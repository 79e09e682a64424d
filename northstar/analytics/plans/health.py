"""The data plan of the health page (views/health.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from northstar.analytics import health, periods
from northstar.analytics.plans.core import Call, Context, app_calls, at_risk_call, model_calls
from northstar.data import rules, settings


def calls(context: Context, state: periods.FilterState, *,
          band_orders: Sequence[int] = tuple(health.band_orders(health.BAND_OPTIONS)),
          ) -> list[Call]:
    """`band_orders`: the bands the at-risk list shows (the default pills: every band)."""
    config = settings.load_config()
    params = {**state.query_params(), **config.query_params()}
    at_risk = at_risk_call("at_risk", context, params, limit=rules.LIST_LIMIT)
    return app_calls([
        Call("summary", "health_summary", {**params, "as_of_month": context.last_month}),
        Call("band_churn", "health_band_churn", params),
        # read when the check by band has no bars, to say whether the data is too short
        Call("revenue_months", "revenue_months"),
        # in data without revenue, in place of the scores: survival by the accounts' dates
        Call("survival", "survival_by_segment", state.query_params()),
        Call("portfolio", "risk_portfolio", {**params, "as_of_month": context.last_month}),
        Call("model_drivers", "invest_model_drivers", state.query_params()),
        Call("backtest", "churn_backtest_summary"),
        Call("backtest:deciles", "churn_backtest_deciles"),
        replace(at_risk, params={**at_risk.resolve({}), "band_orders": list(band_orders)}),
        *model_calls("", context, state.query_params()),
    ])
