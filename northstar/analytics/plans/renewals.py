"""The data plan of the renewals page (views/renewals.py)."""

from __future__ import annotations

from northstar.analytics import periods, renewals
from northstar.analytics.plans.core import Call, Context, app_calls, model_calls
from northstar.data import settings


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    scope = state.query_params()
    dates = {"as_of": context.as_of, "as_of_month": context.last_month}
    return app_calls([
        Call("dates", "renewal_dates", {**scope, **dates}),
        Call("renewals", "renewal_accounts", {**scope, **config.query_params(), **dates,
                                              "days": renewals.LONGEST}),
        *model_calls("", context, scope),
    ])
