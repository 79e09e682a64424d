"""The data plan of the alignment page (views/alignment.py)."""

from __future__ import annotations

from northstar.analytics import periods
from northstar.analytics.plans.core import Call, Context, app_calls


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    return app_calls([
        Call("kpis", "goal_kpis"),
        Call("actuals", "goal_kpi_actuals"),
        Call("departments", "goal_departments"),
        Call("outcomes", "goal_outcomes"),
    ])
