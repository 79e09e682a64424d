"""The data plan of the programs page (views/programs.py)."""

from __future__ import annotations

from northstar.analytics import periods, programs
from northstar.analytics.plans.core import Call, Context, app_calls, in_tabs
from northstar.data import rules, settings
from northstar.data.registry import pages as registry


def calls(context: Context, state: periods.FilterState, top_n: int = rules.DEFAULT_TOP_N,
          masked: bool = False) -> list[Call]:
    """`top_n`: the executive-meeting tab's top accounts by ARR; `masked`: names are masked
    (the services survey's topics, free text from the engagements' notes, are not broken down)."""
    window = state.period
    scope = state.query_params()
    period = programs.period_params(window, context.as_of)
    as_of = context.as_of
    calls = [
        Call("cab:comparison", "program_cab_comparison", {**scope, **period}, batch="cab"),
        Call("cab:sessions", "program_cab_sessions",
             {**scope, "grains": list(programs.SESSION_QUERY_GRAINS), "as_of": as_of},
             batch="cab"),
        Call("cab:members", "program_cab_members",
             {**scope, "as_of": as_of, "limit": rules.LIST_LIMIT}, batch="cab"),
        Call("cab:model", "churn_model_driver_terms", batch="cab"),
        Call("exec:months", "revenue_months"),
    ]

    def coverage_params(results: dict) -> dict:
        # the trend's months reach back as far as the data's first month with revenue
        months = programs.exec_months(context.last_month, results["exec:months"])
        return {**scope, "end_months": months.end_months, "top_n": top_n, "as_of": as_of}

    calls += [
        Call("exec:coverage", "program_exec_coverage", coverage_params, batch="exec"),
        Call("exec:unmet", "program_exec_unmet", {
            **scope, "top_n": top_n, "as_of": as_of,
            "limit": rules.LIST_LIMIT}, batch="exec"),
        Call("exec:model", "churn_model_driver_terms", batch="exec"),
    ]
    for name, program in (("onboarding", settings.ONBOARDING),
                          ("services", settings.PROFESSIONAL_SERVICES)):
        params = {**scope, **period, **program.query_params(), "as_of": as_of}
        calls += [
            Call(f"{name}:total", "program_survey_results", {**params, "grain": "total"},
                 batch=name),
            Call(f"{name}:trend", "program_survey_results",
                 {**params, "start_date": programs.HISTORY_START, "grain": "quarter"}, batch=name),
            Call(f"{name}:low", "program_survey_low_scores",
                 {**params, "limit": rules.LIST_LIMIT}, batch=name),
        ]
        if program is settings.PROFESSIONAL_SERVICES and not masked:
            calls.append(Call(f"{name}:topic", "program_survey_results",
                              {**params, "grain": "topic"}, batch=name))
    ticket_params = {**scope, **period, "as_of": as_of}
    kudos_params = {**scope, **period, "limit": rules.LIST_LIMIT}
    calls += [
        Call("support:categories", "program_ticket_categories", ticket_params, batch="support"),
        Call("support:ageing", "program_ticket_ageing", ticket_params, batch="support"),
        Call("support:followups", "program_ticket_followups",
             {**ticket_params, "open_ticket_days": rules.OPEN_TICKET_FOLLOW_UP_DAYS,
              "limit": rules.LIST_LIMIT}, batch="support"),
        Call("kudos:quarters", "program_kudos_quarters", {**scope, "as_of": as_of},
             batch="kudos"),
        Call("kudos:employees", "program_kudos_employees", kudos_params, batch="kudos"),
        Call("kudos:recent", "program_kudos_recent", kudos_params, batch="kudos"),
    ]
    return app_calls(in_tabs(calls, dict(zip(
        ("cab", "exec", "onboarding", "services", "support", "kudos"), registry.tabs("programs"),
        strict=True))))
