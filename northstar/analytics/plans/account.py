"""The data plan of the account page (views/account.py)."""

from __future__ import annotations

from northstar.analytics import periods
from northstar.analytics.plans.core import Call, Context, app_calls, model_calls
from northstar.data import settings


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    one = {"account_id": context.account_id}
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
        *model_calls("", context, {"segments": [], "regions": [], "plans": []}),
    ])
