"""The named queries each page runs, with the parameters the page passes: the one list the
benchmark times (and tests/unit/test_bench_pages.py keeps in step with views/ and queries/).

Each page's set mirrors its script in views/ with every tab open (the whole set a visitor
triggers by going through the page), plus the two queries app.py runs on every page
(`dataset_metadata`, `filter_options`). A call that a page runs only while one of its tabs is
open (the tabs of Retention, CCO programs, Satisfaction and Where to invest run lazily) names
that tab, so the report can also say what opening the page on one tab runs. Parameters are
built with the same helpers the pages use (northstar.analytics.periods, .retention, .programs,
.health, .satisfaction), so a change there is picked up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from northstar.analytics import (
    action_rules,
    goals,
    invest,
    periods,
    programs,
    renewals,
    retention,
    satisfaction,
)
from northstar.data import rules, settings
from northstar.data.months import add_months, last_day
from northstar.data.registry import pages as registry

# the filter combinations every page is timed with: (name, period, comparison, segments,
# regions, plans)
FILTER_SETS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("default", periods.DEFAULT_PERIOD, periods.DEFAULT_COMPARISON, (), (), ()),
    ("3m-yoy-enterprise", "last_3_months", "previous_year", ("Enterprise",), (), ()),
    ("ytd-emea-apac-pro", "ytd", "previous_period", (), ("EMEA", "APAC"), ("Professional",)),
)

Params = dict[str, Any] | Callable[[dict[str, pd.DataFrame]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One query run by a page; `params` may depend on earlier results of the same page."""

    key: str  # unique within the page
    query: str
    params: Params = field(default_factory=dict)
    tab: str = ""  # the lazy tab it runs in; empty: run whichever tab is open
    # calls next to each other with the same batch run at once, as the page's
    # page_queries.run_queries does; empty: on its own
    batch: str = ""

    def resolve(self, results: dict[str, pd.DataFrame]) -> dict[str, Any]:
        return self.params(results) if callable(self.params) else dict(self.params)


@dataclass(frozen=True)
class Context:
    """Facts about the database the pages read before running their queries."""

    last_month: dt.date
    as_of: dt.date
    first_month: dt.date  # first month with recurring revenue
    account_id: str  # the account Account 360 is opened on
    search: str  # what is typed into Account 360's search box


def filter_state(context: Context, filter_set: tuple) -> periods.FilterState:
    _, period, comparison, segments, regions, plans = filter_set
    return periods.FilterState(
        periods.resolve_period(context.last_month, period, comparison), segments, regions, plans
    )


def _in_tabs(calls: list[Call], tabs: dict[str, str]) -> list[Call]:
    """The calls with the tab named by their key's prefix ("cab:members" -> tabs["cab"]), or by
    their whole key; calls named by neither run whichever tab is open."""
    return [replace(call, tab=tabs.get(call.key.split(":", 1)[0], "")) for call in calls]


def _app(calls: list[Call]) -> list[Call]:
    # app.py reads the metadata and the filter options on every page, and which tables hold
    # rows (a page or tab without its data says which export would fill it)
    return [Call("app:metadata", "dataset_metadata"), Call("app:filters", "filter_options"),
            Call("app:tables", "table_presence"), *calls]


def _at_risk_call(key: str, context: Context, params: dict[str, Any], limit: int) -> Call:
    """The at-risk list (health_accounts) in every band, as the Health page's default pills and
    the CEO brief ask."""
    return Call(key, "health_accounts", {**params, "as_of_month": context.last_month,
                                         "band_orders": [1, 2, 3, 4, 5], "limit": limit})


def _model_calls(prefix: str, context: Context, scope: dict[str, Any]) -> list[Call]:
    """The churn model's verdict and the observed churn by segment a page shows in its place
    when the model failed its checks (northstar/ui/churn_model.py)."""
    return [Call(f"{prefix}model_checks", "churn_model_checks"),
            Call(f"{prefix}observed_churn", "retention_breakdown", {
                **scope, "dimension": "segment",
                "opening_month": add_months(context.last_month, -12),
                "closing_month": context.last_month})]


def _forecast_calls(prefix: str) -> list[Call]:
    """The revenue forecast, its track record and whether there is one (northstar/ui/forecast.py,
    after the churn model's verdict)."""
    return [Call(f"{prefix}model_checks", "churn_model_checks"),
            Call(f"{prefix}status", "revenue_forecast_status"),
            Call(f"{prefix}forecast", "revenue_forecast"),
            Call(f"{prefix}backtest", "revenue_forecast_backtest")]


def briefing_calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    scope = state.query_params()
    # the CEO brief's queries (northstar/ui/ceo_brief.py), with the parameters it passes
    params = {**scope, **settings.load_config().query_params()}
    return _app([
        Call("kpi_windows", "kpi_windows", {**scope, "end_months": window.query_end_months()}),
        Call("brief:driver_counts", "invest_driver_counts", {
            **scope, "as_of_month": context.last_month,
            "opening_month": add_months(context.last_month, -12)}),
        Call("brief:model_drivers", "invest_model_drivers", scope),
        Call("brief:initiatives", "invest_initiatives",
             {**scope, "as_of_month": context.last_month}),
        Call("brief:portfolio", "risk_portfolio", {**params, "as_of_month": context.last_month}),
        _at_risk_call("brief:at_risk", context, params, limit=2),
        *_model_calls("brief:", context, scope),
        *_forecast_calls("forecast:"),
    ])


def retention_calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    params = state.query_params()
    months = [
        add_months(context.first_month, offset)
        for offset in range(
            (context.last_month.year - context.first_month.year) * 12
            + context.last_month.month - context.first_month.month + 1
        )
    ]
    trend_months = months[1:]
    quarters = retention.quarter_ends(window.end_month, months[0])
    calls = [
        Call("revenue_months", "revenue_months"),
        # in data without revenue, in place of revenue_months: the accounts' own months
        Call("customer_months", "customer_months"),
        Call("overview:kpi_windows", "kpi_windows",
             {**params, "end_months": window.query_end_months()}),
        Call("overview:monthly", "kpi_windows",
             {**params, "window_months": 1, "end_months": trend_months}),
        Call("overview:trailing", "kpi_windows",
             {**params, "window_months": 12, "end_months": trend_months[11:]}),
        Call("overview:accounts", "retention_accounts",
             {**params, **retention.period_bounds(window), "movement": "churn",
              "limit": retention.ACCOUNTS_LIMIT}),
        Call("breakdown", "retention_breakdown",
             {**params, **retention.period_bounds(window), "dimension": "segment"}),
        Call("cohorts", "cohort_retention", {**params, "cohort_grain": "quarter"}),
        Call("survival", "survival_by_segment", params),
        Call("reasons", "churn_reasons",
             {**params, "window_months": window.months, "end_months": [window.end_month]}),
    ]
    if quarters:
        calls.append(Call("reasons:quarters", "churn_reasons",
                          {**params, "window_months": 3, "end_months": quarters}))
    calls += _forecast_calls("forecast:")
    tabs = {"overview": "Overview", "breakdown": "Breakdown", "cohorts": "Cohorts",
            "survival": "Cohorts", "reasons": "Churn reasons", "forecast": "Forecast"}
    return _app(_in_tabs(calls, tabs))


def health_calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    params = {**state.query_params(), **config.query_params()}
    return _app([
        Call("summary", "health_summary", {**params, "as_of_month": context.last_month}),
        Call("band_churn", "health_band_churn", params),
        # read when the check by band has no bars, to say whether the data is too short
        Call("revenue_months", "revenue_months"),
        # in data without revenue, in place of the scores: survival by the accounts' dates
        Call("survival", "survival_by_segment", state.query_params()),
        Call("portfolio", "risk_portfolio", {**params, "as_of_month": context.last_month}),
        Call("model_drivers", "invest_model_drivers", state.query_params()),
        Call("backtest", "churn_backtest_summary"),
        Call("backtest:deciles", "churn_backtest_deciles"),
        # the default pills: every band
        _at_risk_call("at_risk", context, params, limit=200),
        *_model_calls("", context, state.query_params()),
    ])


def renewals_calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    scope = state.query_params()
    dates = {"as_of": context.as_of, "as_of_month": context.last_month}
    return _app([
        Call("dates", "renewal_dates", {**scope, **dates}),
        Call("renewals", "renewal_accounts", {**scope, **config.query_params(), **dates,
                                              "days": renewals.LONGEST}),
        *_model_calls("", context, scope),
    ])


def account_calls(context: Context, state: periods.FilterState) -> list[Call]:
    config = settings.load_config()
    one = {"account_id": context.account_id}
    return _app([
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
        *_model_calls("", context, {"segments": [], "regions": [], "plans": []}),
    ])


def programs_calls(context: Context, state: periods.FilterState) -> list[Call]:
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
             {**scope, "as_of": as_of, "limit": programs.LIST_LIMIT}, batch="cab"),
        Call("cab:model", "churn_model_driver_terms", batch="cab"),
        Call("exec:months", "revenue_months"),
    ]
    points = programs.coverage_points(context.last_month, context.first_month)
    outcome_month = add_months(context.last_month, -12)
    calls += [
        Call("exec:coverage", "program_exec_coverage", {
            **scope, "end_months": sorted({*points, context.last_month, outcome_month}),
            "top_n": programs.DEFAULT_TOP_N, "as_of": as_of}, batch="exec"),
        Call("exec:unmet", "program_exec_unmet", {
            **scope, "top_n": programs.DEFAULT_TOP_N, "as_of": as_of,
            "limit": programs.LIST_LIMIT}, batch="exec"),
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
                 {**params, "limit": programs.LIST_LIMIT}, batch=name),
        ]
        if program is settings.PROFESSIONAL_SERVICES:
            calls.append(Call(f"{name}:topic", "program_survey_results",
                              {**params, "grain": "topic"}, batch=name))
    ticket_params = {**scope, **period, "as_of": as_of}
    kudos_params = {**scope, **period, "limit": programs.LIST_LIMIT}
    calls += [
        Call("support:categories", "program_ticket_categories", ticket_params, batch="support"),
        Call("support:ageing", "program_ticket_ageing", ticket_params, batch="support"),
        Call("support:followups", "program_ticket_followups",
             {**ticket_params, "open_ticket_days": rules.OPEN_TICKET_FOLLOW_UP_DAYS,
              "limit": programs.LIST_LIMIT}, batch="support"),
        Call("kudos:quarters", "program_kudos_quarters", {**scope, "as_of": as_of},
             batch="kudos"),
        Call("kudos:employees", "program_kudos_employees", kudos_params, batch="kudos"),
        Call("kudos:recent", "program_kudos_recent", kudos_params, batch="kudos"),
    ]
    return _app(_in_tabs(calls, dict(zip(
        ("cab", "exec", "onboarding", "services", "support", "kudos"), registry.tabs("programs"),
        strict=True))))


def satisfaction_calls(context: Context, state: periods.FilterState) -> list[Call]:
    window = state.period
    params = state.query_params()
    period_dates = {"start_date": window.start_month,
                    "end_date": last_day(window.end_month)}
    comparison_dates = {"start_date": window.comparison_start_month,
                        "end_date": last_day(window.comparison_end_month)}
    theme_params = satisfaction.theme_params(satisfaction.load_themes())
    loop_params = {**params, "target_days": 7, "as_of_date": context.as_of}
    tabs = {"scores": "Scores", "verbatims": "Verbatims", "loop": "Closed loop"}
    return _app(_in_tabs([
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


def data_calls(context: Context, state: periods.FilterState) -> list[Call]:
    return _app([
        Call("metadata", "dataset_metadata"),
        Call("table_rows", "data_table_rows"),
        Call("load_tables", "data_load_tables"),
        Call("load_files", "data_load_files"),
        Call("load_run", "data_load_run"),
        Call("rule_counts", "data_load_rule_counts"),
        Call("refused", "data_load_problems", {"kind": "refused", "row_limit": 500}),
        Call("warnings", "data_load_problems", {"kind": "warning", "row_limit": 500}),
    ])


def alignment_calls(context: Context, state: periods.FilterState) -> list[Call]:
    return _app([
        Call("kpis", "goal_kpis"),
        Call("actuals", "goal_kpi_actuals"),
        Call("departments", "goal_departments"),
        Call("outcomes", "goal_outcomes"),
    ])


def scorecard_calls(context: Context, state: periods.FilterState) -> list[Call]:
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
    return _app([
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


def invest_calls(context: Context, state: periods.FilterState) -> list[Call]:
    scope = state.query_params()
    last_month = context.last_month
    params = {**scope, **invest.load_cost_config().query_params(),
              **settings.load_config().query_params()}
    tabs = {"planted": "Drivers", "initiatives": "Initiatives", "kpis": "What-if",
            "customers": "Customers"}
    return _app(_in_tabs([
        Call("driver_counts", "invest_driver_counts", {
            **scope, "as_of_month": last_month,
            "opening_month": add_months(last_month, -12)}),
        Call("model_drivers", "invest_model_drivers", scope),
        Call("model_attributes", "invest_model_attributes"),
        Call("contrasts", "churn_model_contrasts"),
        Call("fits", "churn_model_fits"),
        *_model_calls("", context, scope),
        Call("planted", "invest_planted_effects"),
        Call("initiatives", "invest_initiatives", {**scope, "as_of_month": last_month}),
        Call("kpis", "kpi_windows",
             {**scope, "window_months": 12, "end_months": [last_month]}),
        Call("customers:segment", "invest_customers", {**params, "grain": "segment", "limit": 0}),
        Call("customers:account", "invest_customers",
             {**params, "grain": "account", "limit": 200}),
    ], tabs))


def forum_calls(context: Context, state: periods.FilterState) -> list[Call]:
    # a forum with actions on one account, one month old and done (their outcome and the
    # comparison), and the KPIs off track; the actions themselves come from the workspace
    config = settings.load_config().query_params()
    month = add_months(context.last_month, -3)
    return _app([
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


def glossary_calls(context: Context, state: periods.FilterState) -> list[Call]:
    return _app([])  # the glossary is static: only what app.py runs


# page (views/<name>.py) -> the calls it makes for a context and filter state; one plan per
# page of the registry (tests/unit/test_bench_pages.py fails when a page has none)
PLANS: dict[str, Callable[[Context, periods.FilterState], list[Call]]] = {
    "briefing": briefing_calls,
    "retention": retention_calls,
    "health": health_calls,
    "renewals": renewals_calls,
    "account": account_calls,
    "programs": programs_calls,
    "satisfaction": satisfaction_calls,
    "data": data_calls,
    "glossary": glossary_calls,
    "forum": forum_calls,
    "alignment": alignment_calls,
    "scorecard": scorecard_calls,
    "invest": invest_calls,
}
# the pages the benchmark opens: every page of the registry, in its order
PAGES: tuple[str, ...] = tuple(page.key for page in registry.PAGES)


# pages that record or list actions also read the department names and the people an action
# can be given to (the New action dialog, the action lists): small reads, timed with the page
ACTION_PAGES = frozenset({"health", "renewals", "account", "satisfaction", "programs", "alignment",
                          "scorecard", "invest", "forum"})


def batches(calls: list[Call]) -> list[list[Call]]:
    """The calls in the order they run: each group runs at once (a batch) or alone."""
    groups: list[list[Call]] = []
    for call in calls:
        if call.batch and groups and groups[-1][0].batch == call.batch:
            groups[-1].append(call)
        else:
            groups.append([call])
    return groups


def page_calls(page: str, context: Context, filter_set: tuple) -> list[Call]:
    calls = PLANS[page](context, filter_state(context, filter_set))
    if page in ACTION_PAGES:
        calls = [*calls, Call("actions:departments", "goal_departments"),
                 Call("actions:people", "action_people", {"department_id": None})]
    return calls
