"""The data plan of the account page (views/account.py)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from northstar.analytics import periods
from northstar.analytics.plans.core import Call, Context, app_calls, model_calls
from northstar.data import settings


def _segment_scope(results: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    # the churn observed in the account's own segment (read after its profile)
    profile = results["profile"]
    return {"segments": [str(segment) for segment in profile["segment"].iloc[:1]],
            "regions": [], "plans": []}


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    one = {"account_id": context.account_id}
    checks, observed = model_calls("", context, {})
    observed_params = observed.resolve({})
    return app_calls([
        Call("search", "account_search", {"search": context.search, "match_names": True,
                                           "limit": 25}),
        Call("profile", "account_profile", one),
        Call("revenue", "account_revenue", one, batch="account"),
        Call("health_history", "account_health_history", {**one, **config.query_params()},
             batch="account"),
        Call("surveys", "account_surveys", one, batch="account"),
        Call("tickets", "account_tickets", one, batch="account"),
        Call("engagements", "account_engagements", one, batch="account"),
        Call("kudos", "account_kudos", one, batch="account"),
        Call("risk", "account_risk", one, batch="account"),
        checks,
        replace(observed, params=lambda results: {**observed_params,
                                                  **_segment_scope(results)}),
    ])
