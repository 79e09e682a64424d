"""The data plan of the satisfaction page (views/satisfaction.py)."""

from __future__ import annotations

from northstar.analytics import periods, satisfaction
from northstar.analytics.plans.core import Call, Context, app_calls, in_tabs
from northstar.data import rules
from northstar.data.months import last_day


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    params = state.query_params()
    period_dates = {"start_date": window.start_month,
                    "end_date": last_day(window.end_month)}
    comparison_dates = {"start_date": window.comparison_start_month,
                        "end_date": last_day(window.comparison_end_month)}
    theme_params = satisfaction.theme_params(satisfaction.load_themes())
    loop_params = {**params, "target_days": 7, "as_of_date": context.as_of}
    tabs = {"scores": "Scores", "verbatims": "Verbatims", "loop": "Closed loop"}
    return app_calls(in_tabs([
        Call("scores:current", "survey_scores", {**params, **period_dates, "group_by": "none"}),
        Call("scores:previous", "survey_scores",
             {**params, **comparison_dates, "group_by": "none"}),
        Call("scores:monthly", "survey_scores", {**params, "start_date": periods.EARLIEST,
                                                 "end_date": context.as_of, "group_by": "month"}),
        Call("scores:distribution", "survey_distribution", {**params, **period_dates}),
        Call("scores:by_program", "survey_scores",
             {**params, **period_dates, "group_by": "program"}),
        Call("verbatims:themes", "comment_theme_months", {**params, **theme_params}),
        Call("verbatims:programs", "survey_scores",
             {**params, **period_dates, "group_by": "program"}),
        Call("verbatims:comments", "survey_comments", {
            **params, **period_dates, **theme_params, "programs": [], "survey_types": [],
            "min_score": 0, "max_score": 10, "search": "", "theme": "", "limit": 500}),
        Call("loop:monthly", "closed_loop_monthly", loop_params),
        Call("loop:retention", "closed_loop_retention",
             {**loop_params, "horizon_days": rules.CLOSED_LOOP_HORIZON_DAYS}),
        Call("loop:open", "closed_loop_open", {**loop_params, **period_dates, "limit": 300}),
    ], tabs))
