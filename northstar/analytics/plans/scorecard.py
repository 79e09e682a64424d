"""The data plan of the scorecard page (views/scorecard.py)."""

from __future__ import annotations

from northstar.analytics import goals, periods
from northstar.analytics.plans.core import Call, Context, app_calls
from northstar.data.months import last_day


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    # the scorecard of customer service, the department with the most customer touchpoints
    window = state.period
    scope = state.query_params()
    department = "customer_service"
    period_dates = {
        "start_date": window.start_month,
        "end_date": context.as_of,
        "comparison_start_date": window.comparison_start_month,
        "comparison_end_date": last_day(window.comparison_end_month),
    }
    drill_query, drill_params = goals.drill_params(
        "first_response_median_hours", window.end_month, "month", context.as_of)
    return app_calls([
        Call("departments", "goal_departments"),
        Call("kpis", "goal_kpis"),
        Call("actuals", "goal_kpi_actuals"),
        Call("touchpoints", "goal_touchpoint_scores",
             {**scope, **period_dates, "department_id": department}),
        Call("engagement", "goal_engagement", {"department_id": department}),
        Call("kudos", "goal_kudos_employees", {**scope, **period_dates,
                                               "department_id": department,
                                               "limit": goals.DRILL_LIMIT}),
        Call("drill:touchpoint", "goal_drill_answers", {
            **scope, "survey_types": ["NPS", "CSAT", "CES"], "programs": [],
            "department_ids": [department], "start_date": window.start_month,
            "end_date": context.as_of, "limit": goals.DRILL_LIMIT}),
        Call("drill:kpi", drill_query, {**scope, **drill_params}),
    ])
