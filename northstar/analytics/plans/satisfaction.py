"""The data plan of the satisfaction page (views/satisfaction.py)."""

from __future__ import annotations

from collections.abc import Sequence

from northstar.analytics import periods, satisfaction
from northstar.analytics.plans.core import Call, Context, app_calls, in_tabs
from northstar.data import rules
from northstar.data.months import last_day

# the choices the page opens on (and the benchmark times)
DEFAULT_TARGET_DAYS = rules.CLOSED_LOOP_TARGET_DAYS


def calls(context: Context, state: periods.FilterState, *, grouping: str = "program",
          comment_search: str = "", theme: str = "", programs: Sequence[str] = (),
          survey_types: Sequence[str] = (), min_score: int = 0, max_score: int = 10,
          target_days: int = DEFAULT_TARGET_DAYS) -> list[Call]:
    """`grouping`: the Scores tab's breakdown; `comment_search` to `max_score`: the Verbatims tab's
    comment filters; `target_days`: the Closed loop tab's follow-up target."""
    window = state.period
    params = state.query_params()
    period_dates = {"start_date": window.start_month,
                    "end_date": last_day(window.end_month)}
    comparison_dates = {"start_date": window.comparison_start_month,
                        "end_date": last_day(window.comparison_end_month)}
    theme_params = satisfaction.theme_params(satisfaction.load_themes())
    loop_params = {**params, "target_days": int(target_days), "as_of_date": context.as_of}
    tabs = {"scores": "Scores", "verbatims": "Verbatims", "loop": "Closed loop"}
    return app_calls(in_tabs([
        Call("scores:current", "survey_scores", {**params, **period_dates, "group_by": "none"}),
        Call("scores:previous", "survey_scores",
             {**params, **comparison_dates, "group_by": "none"}),
        Call("scores:monthly", "survey_scores", {**params, "start_date": periods.EARLIEST,
                                                 "end_date": context.as_of, "group_by": "month"}),
        Call("scores:distribution", "survey_distribution", {**params, **period_dates}),
        Call("scores:breakdown", "survey_scores",
             {**params, **period_dates, "group_by": grouping}),
        Call("verbatims:themes", "comment_theme_months", {**params, **theme_params}),
        Call("verbatims:programs", "survey_scores",
             {**params, **period_dates, "group_by": "program"}),
        Call("verbatims:comments", "survey_comments", {
            **params, **period_dates, **theme_params, "programs": list(programs),
            "survey_types": list(survey_types), "min_score": min_score,
            "max_score": max_score, "search": comment_search.strip(), "theme": theme,
            "limit": rules.COMMENTS_LIMIT}),
        Call("loop:monthly", "closed_loop_monthly", loop_params),
        Call("loop:retention", "closed_loop_retention",
             {**loop_params, "horizon_days": rules.CLOSED_LOOP_HORIZON_DAYS}),
        Call("loop:open", "closed_loop_open",
             {**loop_params, **period_dates, "limit": rules.OPEN_ANSWERS_LIMIT}),
    ], tabs))
