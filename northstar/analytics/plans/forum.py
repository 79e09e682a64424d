"""The data plan of the forum page (views/forum.py)."""

from __future__ import annotations

from northstar.analytics import action_rules, periods
from northstar.analytics.plans.core import Call, Context, app_calls
from northstar.data import settings
from northstar.data.months import add_months


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    # a forum with actions on one account, one month old and done (their outcome and the
    # comparison), and the KPIs off track; the actions themselves come from the workspace
    config = settings.load_config().query_params()
    month = add_months(context.last_month, -3)
    return app_calls([
        Call("departments", "goal_departments"),
        Call("kpis", "goal_kpis"),
        Call("actuals", "goal_kpi_actuals"),
        Call("accounts", "action_account_outcomes", {
            **config, "account_ids": [context.account_id], "action_months": [month]}),
        Call("answers", "action_answer_outcomes", {"response_ids": [], "after_dates": []}),
        Call("tickets", "action_ticket_outcomes", {"ticket_ids": []}),
        Call("account_comparison", "action_account_comparison", {
            **config, "account_ids": [context.account_id], "action_months": [month],
            "band_orders": [3], "window_days": action_rules.OUTCOME_WINDOW_DAYS}),
        Call("answer_comparison", "action_answer_comparison", {"response_ids": []}),
        Call("ticket_comparison", "action_ticket_comparison",
             {"ticket_ids": [], "as_of_date": context.as_of}),
    ])
