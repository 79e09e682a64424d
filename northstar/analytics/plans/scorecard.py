"""The data plan of the scorecard page (views/scorecard.py)."""

from __future__ import annotations

import datetime as dt

from northstar.analytics import goals, periods, scorecard
from northstar.analytics.plans.core import Call, Context, app_calls
from northstar.data import rules
from northstar.data.months import last_day


def calls(context: Context, state: periods.FilterState,
          department: str = scorecard.DEFAULT_DEPARTMENT,
          drill_computation: str = "first_response_median_hours",
          drill_period: dt.date | None = None, drill_grain: str = "month") -> list[Call]:
    """`department`: the department shown (by default the one with the most customer
    touchpoints); `drill_*`: the computed KPI whose rows are listed, its period (None: the
    period's last month) and grain."""
    window = state.period
    scope = state.query_params()
    period_dates = {
        "start_date": window.start_month,
        "end_date": context.as_of,
        "comparison_start_date": window.comparison_start_month,
        "comparison_end_date": last_day(window.comparison_end_month),
    }
    drill_query, drill_params = goals.drill_params(
        drill_computation, drill_period or window.end_month, drill_grain, context.as_of)
    return app_calls([
        Call("departments", "goal_departments"),
        Call("kpis", "goal_kpis"),
        Call("actuals", "goal_kpi_actuals"),
        Call("touchpoints", "goal_touchpoint_scores",
             {**scope, **period_dates, "department_id": department}),
        Call("engagement", "goal_engagement", {"department_id": department}),
        Call("kudos", "goal_kudos_employees", {**scope, **period_dates,
                                               "department_id": department,
                                               "limit": rules.LIST_LIMIT}),
        Call("drill:touchpoint", "goal_drill_answers", {
            **scope, "survey_types": ["NPS", "CSAT", "CES"], "programs": [],
            "department_ids": [department], "start_date": window.start_month,
            "end_date": context.as_of, "limit": rules.LIST_LIMIT}),
        Call("drill:kpi", drill_query, {**scope, **drill_params}),
    ])
