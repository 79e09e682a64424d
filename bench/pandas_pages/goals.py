"""Goal alignment and the department scorecard in pandas: the KPI catalogue, every KPI's
actual per period, departments and outcomes; for customer service, its touchpoint scores, its
employees' kudos, its engagement, and the rows behind a touchpoint score and behind its first
response KPI.

The computed KPIs' actuals (which the pages read from the `kpi_actuals` table, where the
rollups store them) are computed here from the tickets, answers and revenue, by the rules in
northstar/rollups_sql/05_kpi_actuals.sql; imported KPIs' actuals are read from `kpi_actuals`
as loaded.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import (
    Expect,
    Page,
    close,
    elapsed,
    expect_list,
    expect_totals,
    scope_of,
    ts,
)
from northstar.analytics import goals
from northstar.analytics.periods import FilterState
from northstar.data.months import last_day

DEPARTMENT = "customer_service"  # bench/pages.py's scorecard
OUTCOME_ORDER = ["retention", "satisfaction", "effort", "growth", "advocacy"]
GRAIN_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}


def _round(values: pd.Series, digits: int) -> pd.Series:
    """round(x, digits) as DuckDB does it: halves away from zero."""
    scaled = values * 10.0 ** digits
    whole = np.trunc(scaled)
    return (whole + np.sign(scaled) * (np.abs(scaled - whole) >= 0.5)) / 10.0 ** digits


def _period(months: pd.Series, grain: str) -> pd.Series:
    return months.dt.to_period(GRAIN_PERIODS[grain]).dt.start_time


def _month(stamps: pd.Series) -> pd.Series:
    return stamps.dt.to_period("M").dt.start_time


def _pct(flags: pd.Series) -> float:
    return 100.0 * flags.mean() if len(flags) else np.nan


def _measures(t, grain: str, first_month: pd.Timestamp, last_month: pd.Timestamp
              ) -> pd.DataFrame:
    """Every computed measure per period of `grain`, from the first billed month to the data's
    last month (a period without the data a measure needs has none)."""
    months = pd.Series(pd.date_range(first_month, last_month, freq="MS"))
    periods = pd.DataFrame({"month": months, "period_start": _period(months, grain)})
    bounds = periods.groupby("period_start")["month"].max().rename("closing_month").to_frame()
    bounds["opening_month"] = bounds.index - pd.DateOffset(months=1)
    period_of = periods.set_index("month")["period_start"]

    def by_period(frame: pd.DataFrame, month: pd.Series):
        inside = month.map(period_of)
        return frame.loc[inside.notna()].groupby(inside[inside.notna()])

    tickets = t["support_tickets"]
    opened = tickets.assign(hours=elapsed(tickets["opened_at"], tickets["first_response_at"],
                                          "s") / 3600, defect=tickets["category"] == "defect")
    ticket_measures = by_period(opened, _month(opened["opened_at"])).agg(
        first_response_median_hours=("hours", "median"), defect_tickets=("defect", "sum"))
    resolved = tickets.loc[tickets["resolved_at"].notna()]
    resolved = resolved.assign(
        hours=elapsed(resolved["opened_at"], resolved["resolved_at"], "s") / 3600)
    resolution = by_period(resolved, _month(resolved["resolved_at"]))["hours"].median()

    answers = t["survey_responses"]
    answers = answers.assign(month=_month(answers["responded_on"]))

    def csat_pct(program: str) -> pd.Series:
        picked = answers.loc[(answers["survey_type"] == "CSAT") & (answers["program"] == program)]
        return by_period(picked, picked["month"])["score"].apply(lambda s: _pct(s >= 4))

    nps = answers.loc[(answers["survey_type"] == "NPS") & (answers["program"] == "relationship")]
    nps_groups = by_period(nps, nps["month"])["score"]
    measures = pd.DataFrame({
        "first_response_median_hours": ticket_measures["first_response_median_hours"],
        "resolution_median_hours": resolution,
        "support_csat_pct": csat_pct("support"),
        "post_ps_csat_pct": csat_pct("post_professional_services"),
        "onboarding_csat_pct": csat_pct("post_installation"),
        "relationship_nps": 100.0 * (nps_groups.apply(lambda s: (s >= 9).mean())
                                     - nps_groups.apply(lambda s: (s <= 6).mean())),
    }, index=bounds.index)

    mrr = t["account_mrr_monthly"]
    billed = mrr.loc[mrr["mrr_usd"] > 0]
    if grain == "month":
        billed_accounts = billed.groupby("month").size()
    else:
        billed_accounts = by_period(billed, billed["month"])["account_id"].nunique()
    billed_accounts = billed_accounts.reindex(bounds.index)
    defects = ticket_measures["defect_tickets"].reindex(bounds.index).fillna(0)
    measures["defect_tickets_per_1k_accounts"] = (
        1000.0 * defects / billed_accounts).where(billed_accounts > 0)

    # revenue: accounts billed in each period's last month, with their mrr in the month
    # before the period (none when not billed then)
    closing = billed.merge(bounds.reset_index(), left_on="month", right_on="closing_month")
    opening = billed.rename(columns={"month": "opening_month", "mrr_usd": "opening_mrr_usd"})
    closing = closing.merge(opening, on=["account_id", "opening_month"], how="left")
    grew = closing["mrr_usd"] > closing["opening_mrr_usd"]
    closing = closing.assign(
        new=closing["mrr_usd"].where(closing["opening_mrr_usd"].isna(), 0.0),
        expansion=(closing["mrr_usd"] - closing["opening_mrr_usd"]).where(grew, 0.0))
    revenue = 12 * closing.groupby("period_start")[["new", "expansion"]].sum()
    revenue = revenue.loc[revenue.index > first_month]
    measures["new_arr_usd"] = revenue["new"]
    measures["expansion_arr_usd"] = revenue["expansion"]

    # survey coverage: accounts billed in the period's last month with a relationship nps
    # answer in that month or the five before it
    answered = nps[["account_id", "month"]].drop_duplicates()
    covered = pd.concat([answered.assign(month=answered["month"] + pd.DateOffset(months=k))
                         for k in range(6)]).drop_duplicates()
    closing = closing.merge(covered.assign(covered=True), on=["account_id", "month"],
                            how="left")
    measures["survey_coverage_pct"] = closing.groupby("period_start")["covered"].apply(
        lambda flags: 100.0 * flags.notna().sum() / len(flags))
    return measures


def kpi_actuals(t, context: Context) -> pd.DataFrame:
    kpis = t["department_kpis"]
    computed = kpis.loc[(kpis["source"] == "computed") & kpis["computation"].notna()]
    imported = t["kpi_actuals"].merge(kpis.loc[kpis["source"] != "computed", ["kpi_id"]],
                                      on="kpi_id")
    first_month = t["account_mrr_monthly"]["month"].min()
    rows = [imported]
    if pd.notna(first_month):
        for grain, of_grain in computed.groupby("period_grain"):
            measures = _measures(t, grain, first_month, ts(context.last_month))
            for kpi_id, computation in zip(of_grain["kpi_id"], of_grain["computation"],
                                           strict=True):
                values = _round(measures[computation], 4).dropna()
                rows.append(pd.DataFrame({"kpi_id": kpi_id, "period_start": values.index,
                                          "actual_value": values.to_numpy()}))
    return pd.concat(rows, ignore_index=True).sort_values(["kpi_id", "period_start"],
                                                          ignore_index=True)


def _catalogue(t) -> pd.DataFrame:
    served = t["kpi_outcomes"].merge(t["customer_outcomes"][["outcome_id", "outcome_name"]],
                                     on="outcome_id").sort_values("outcome_name")
    served = served.groupby("kpi_id").agg(outcome_ids=("outcome_id", list),
                                          outcome_names=("outcome_name", ", ".join))
    kpis = t["department_kpis"]
    departments = t["departments"].set_index("department_id")["department_name"]
    owners = t["employees"].set_index("employee_id")["employee_name"]
    out = kpis.assign(
        department_name=kpis["department_id"].map(departments).fillna(kpis["department_id"]),
        owner_name=kpis["owner_employee_id"].map(owners)).merge(
        served, left_on="kpi_id", right_index=True, how="left")
    out["outcome_ids"] = [ids if isinstance(ids, list) else [] for ids in out["outcome_ids"]]
    return out.sort_values(["department_name", "kpi_name"], ignore_index=True)


def _outcomes(t) -> pd.DataFrame:
    outcomes = t["customer_outcomes"]
    order = outcomes["outcome_id"].map({key: i + 1 for i, key in enumerate(OUTCOME_ORDER)})
    return outcomes.assign(sort_order=order.fillna(99).astype(int)).sort_values(
        ["sort_order", "outcome_name"], ignore_index=True)


def _departments(t) -> pd.DataFrame:
    return t["departments"].sort_values("department_name", ignore_index=True)


def alignment_page(t, context: Context, state: FilterState) -> dict[str, object]:
    return {"kpis": _catalogue(t), "actuals": kpi_actuals(t, context),
            "departments": _departments(t), "outcomes": _outcomes(t)}


def _touchpoints(answers: pd.DataFrame, period: dict) -> pd.DataFrame:
    responded = answers["responded_on"]
    in_period = (responded >= ts(period["start_date"])) & (responded <= ts(period["end_date"]))
    in_comparison = ((responded >= ts(period["comparison_start_date"]))
                     & (responded <= ts(period["comparison_end_date"])))
    answers = answers.loc[in_period | in_comparison].assign(
        window_name=np.where(in_period, "period", "comparison")[in_period | in_comparison])
    score = answers["score"]
    answers = answers.assign(promoter=(score >= 9).astype(int), detractor=(score <= 6).astype(int),
                             satisfied=(score >= 4).astype(int))
    scores = answers.groupby(["program", "survey_type", "window_name"]).agg(
        answers=("score", "size"), promoters=("promoter", "mean"),
        detractors=("detractor", "mean"), satisfied=("satisfied", "mean"),
        ces_mean=("score", "mean")).reset_index()
    scores["score"] = np.select(
        [scores["survey_type"] == "NPS", scores["survey_type"] == "CSAT"],
        [100.0 * (scores["promoters"] - scores["detractors"]), 100.0 * scores["satisfied"]],
        scores["ces_mean"])
    current = scores.loc[scores["window_name"] == "period"]
    comparison = scores.loc[scores["window_name"] == "comparison",
                            ["program", "survey_type", "score", "answers"]]
    out = current[["program", "survey_type", "score", "answers"]].merge(
        comparison.rename(columns={"score": "comparison_score", "answers": "comparison_answers"}),
        on=["program", "survey_type"], how="left")
    out["comparison_answers"] = out["comparison_answers"].fillna(0)
    return out.sort_values(["survey_type", "program"], ignore_index=True)


def _kudos(t, given: pd.DataFrame, period: dict) -> pd.DataFrame:
    given = given.loc[(given["department_id"] == DEPARTMENT)
                      & (given["given_on"] >= ts(period["start_date"]))
                      & (given["given_on"] <= ts(period["end_date"]))].merge(
        t["employees"][["employee_id", "employee_name", "job_title"]], on="employee_id")
    out = given.groupby(["employee_id", "employee_name", "job_title"], dropna=False).agg(
        kudos=("employee_id", "size"), accounts=("account_id", "nunique"),
        latest_given_on=("given_on", "max")).reset_index()
    out["department_kudos"] = out["kudos"].sum()
    return out.sort_values(["kudos", "latest_given_on", "employee_id"],
                           ascending=[False, False, True], ignore_index=True).head(
        goals.DRILL_LIMIT)


def _named_rows(t, listed: pd.DataFrame, total: int) -> pd.DataFrame:
    """A drill-down's listed rows with account and department names and the total."""
    departments = t["departments"].set_index("department_id")["department_name"]
    listed = listed.merge(t["accounts"][["account_id", "account_name"]], on="account_id")
    return listed.assign(
        department_name=listed["department_id"].map(departments).fillna(listed["department_id"]),
        total_rows=total)


def _drill_answers(t, answers: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    answers = answers.loc[answers["survey_type"].isin(["NPS", "CSAT", "CES"])
                          & (answers["responded_on"] >= ts(start))
                          & (answers["responded_on"] <= ts(end))]
    listed = answers.sort_values(["score", "responded_on", "response_id"],
                                 ascending=[True, False, True]).head(goals.DRILL_LIMIT)
    return _named_rows(t, listed, len(answers))


def _drill_tickets(t, scoped, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Tickets opened in the period, slowest first response first (the first response KPI's
    drill-down)."""
    tickets = t["support_tickets"]
    tickets = scoped.rows(tickets.loc[(tickets["opened_at"] >= ts(start))
                                      & (tickets["opened_at"] < ts(end) + pd.Timedelta(days=1))])
    tickets = tickets.assign(
        first_response_hours=elapsed(tickets["opened_at"], tickets["first_response_at"],
                                     "s") / 3600,
        resolution_hours=elapsed(tickets["opened_at"], tickets["resolved_at"], "s") / 3600)
    listed = tickets.sort_values(["first_response_hours", "ticket_id"], ascending=[False, True],
                                 na_position="last").head(goals.DRILL_LIMIT)
    return _named_rows(t, listed, len(tickets))


def scorecard_page(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    scoped = scope_of(t["accounts"], state)
    period = {"start_date": window.start_month, "end_date": context.as_of,
              "comparison_start_date": window.comparison_start_month,
              "comparison_end_date": last_day(window.comparison_end_month)}
    answers = t["survey_responses"]
    answers = scoped.rows(answers.loc[answers["department_id"] == DEPARTMENT])
    engagement = t["employee_engagement"]
    engagement = engagement.loc[engagement["department_id"] == DEPARTMENT].sort_values(
        "quarter_start", ignore_index=True)
    engagement = engagement.assign(response_rate_pct=100.0 * engagement["respondents"]
                                   / engagement["headcount"].replace(0, np.nan))
    kpi_end = goals.period_end(window.end_month, "month", context.as_of)
    return {
        "departments": _departments(t),
        "kpis": _catalogue(t),
        "actuals": kpi_actuals(t, context),
        "touchpoints": _touchpoints(answers, period),
        "engagement": engagement,
        "kudos": _kudos(t, scoped.rows(t["kudos"]), period),
        "drill:touchpoint": _drill_answers(t, answers, window.start_month, context.as_of),
        "drill:kpi": _drill_tickets(t, scoped, window.end_month, kpi_end),
    }


def _check_catalogue(expect: Expect, northstar, ours) -> None:
    for column in ("kpi_id", "outcome_names", "owner_name"):
        expect_list(expect, northstar, ours, "kpis", column)
    expect_list(expect, northstar, ours, "departments", "department_id")
    n, p = northstar["actuals"], ours["actuals"]
    expect("actuals", len(n), len(p))
    expect_list(expect, northstar, ours, "actuals", "kpi_id")
    both = n.merge(p, on=["kpi_id", "period_start"], how="outer", suffixes=("_n", "_p"))
    differing = sum(not close(a, b) for a, b in zip(both["actual_value_n"],
                                                     both["actual_value_p"], strict=True))
    expect("actuals that differ", 0, differing)


def check_alignment(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    _check_catalogue(expect, northstar, ours)
    expect_list(expect, northstar, ours, "outcomes", "outcome_id")


def check_scorecard(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    _check_catalogue(expect, northstar, ours)
    for column in ("program", "survey_type", "score", "answers", "comparison_score",
                   "comparison_answers"):
        expect_list(expect, northstar, ours, "touchpoints", column)
    expect_list(expect, northstar, ours, "kudos", "employee_id")
    expect_totals(expect, northstar, ours, "kudos", "kudos", "accounts", "department_kudos")
    expect_totals(expect, northstar, ours, "engagement", "response_rate_pct")
    expect_list(expect, northstar, ours, "drill:touchpoint", "response_id")
    expect_totals(expect, northstar, ours, "drill:touchpoint", "total_rows")
    expect_list(expect, northstar, ours, "drill:kpi", "ticket_id")
    expect_totals(expect, northstar, ours, "drill:kpi", "total_rows", "first_response_hours")


CATALOGUE = {
    "department_kpis": ("kpi_id", "department_id", "kpi_name", "definition", "unit",
                        "direction", "target_value", "period_grain", "source", "computation",
                        "owner_employee_id", "next_review_on"),
    "kpi_outcomes": ("kpi_id", "outcome_id"),
    "customer_outcomes": ("outcome_id", "outcome_name", "description"),
    "departments": ("department_id", "department_name", "head_name"),
    "employees": ("employee_id", "employee_name", "job_title"),
    "kpi_actuals": ("kpi_id", "period_start", "actual_value"),
    "account_mrr_monthly": ("account_id", "month", "mrr_usd"),
}
ACTUALS_SOURCES = {
    "support_tickets": ("ticket_id", "account_id", "department_id", "opened_at",
                        "first_response_at", "resolved_at", "status", "priority", "category"),
    "survey_responses": ("response_id", "account_id", "survey_type", "program", "department_id",
                         "responded_on", "score", "comment"),
}
PAGES = (
    Page("alignment", {**CATALOGUE, **{
        "support_tickets": ("opened_at", "first_response_at", "resolved_at", "category"),
        "survey_responses": ("account_id", "survey_type", "program", "responded_on", "score"),
    }}, alignment_page, ("kpis", "actuals", "departments", "outcomes"), check_alignment),
    Page("scorecard", {
        **CATALOGUE, **ACTUALS_SOURCES,
        "accounts": ("account_id", "account_name", "segment", "region", "plan"),
        "kudos": ("employee_id", "department_id", "account_id", "given_on"),
        "employee_engagement": ("department_id", "quarter_start", "engagement_score",
                                "respondents", "headcount"),
    }, scorecard_page,
        ("departments", "kpis", "actuals", "touchpoints", "engagement", "kudos",
         "drill:touchpoint", "drill:kpi"), check_scorecard),
)
