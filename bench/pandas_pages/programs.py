"""CCO programs in pandas: the advisory board against comparable non-members and its sessions,
executive coverage of the top accounts, the onboarding and professional-services survey
results, the support review by category and age, and kudos by quarter, by employee and the
newest ones.

Not reproduced (light lists): the board's members, the unmet top accounts, the surveys' low
scores and the tickets to follow up.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import (
    Expect,
    Page,
    Scope,
    elapsed,
    expect_list,
    expect_totals,
    scope_of,
    ts,
)
from northstar.analytics import programs
from northstar.analytics.periods import FilterState
from northstar.data import rules, settings
from northstar.data.months import add_months, last_day


def _month_end(month: pd.Timestamp | dt.date) -> pd.Timestamp:
    return ts(last_day(pd.Timestamp(month).date()))


def _cab_comparison(t, scoped: Scope, period: dict) -> pd.DataFrame:
    mrr = t["account_mrr_monthly"]
    opening = mrr.loc[mrr["month"] == ts(period["opening_month"]), ["account_id", "mrr_usd"]]
    closing = mrr.loc[mrr["month"] == ts(period["closing_month"]), ["account_id", "mrr_usd"]]
    moves = opening.merge(closing, on="account_id", how="left", suffixes=("_o", "_c"))
    moves = moves.merge(scoped.accounts[["account_id", "segment"]], on="account_id")
    moves["c"] = moves["mrr_usd_c"].fillna(0)
    moves["churned"] = moves["c"] == 0
    cab = t["cab_memberships"]
    opening_end, closing_end = _month_end(period["opening_month"]), _month_end(
        period["closing_month"])
    members = cab.loc[(cab["joined_on"] <= opening_end)
                      & (cab["left_on"].isna() | (cab["left_on"] >= opening_end)), "account_id"]
    joined_later = cab.loc[(cab["joined_on"] > opening_end) & (cab["joined_on"] <= closing_end),
                           "account_id"]
    is_member = moves["account_id"].isin(members)
    floors = moves.loc[is_member].groupby("segment")["mrr_usd_o"].min()
    floor = moves["segment"].map(floors).astype("float64")
    moves["group_order"] = np.select(
        [is_member, moves["account_id"].isin(joined_later), moves["mrr_usd_o"] >= floor],
        [1, 0, 2], 3)
    moves = moves.loc[moves["group_order"] > 0]
    moves["least"] = np.minimum(moves["mrr_usd_o"], moves["c"])
    revenue = moves.groupby("group_order").agg(
        opening_accounts=("account_id", "size"), churned_accounts=("churned", "sum"),
        opening=("mrr_usd_o", "sum"), closing=("c", "sum"), least=("least", "sum"))
    answers = t["survey_responses"]
    answers = answers.loc[(answers["survey_type"] == "NPS") & (answers["program"] == "relationship")
                          & (answers["responded_on"] >= ts(period["start_date"]))
                          & (answers["responded_on"] <= ts(period["end_date"])),
                          ["account_id", "score"]].merge(moves[["account_id", "group_order"]],
                                                         on="account_id")
    nps = answers.assign(promoter=answers["score"] >= 9, detractor=answers["score"] <= 6).groupby(
        "group_order").agg(nps_responses=("score", "size"), promoters=("promoter", "sum"),
                           detractors=("detractor", "sum"))
    out = revenue.join(nps, how="outer").reindex([1, 2, 3])
    out["logo_churn_pct"] = 100 * out["churned_accounts"] / out["opening_accounts"]
    out["starting_arr_usd"] = 12 * out["opening"].fillna(0)
    out["retained_arr_usd"] = 12 * out["closing"].fillna(0)
    out["nrr_pct"] = 100 * out["closing"] / out["opening"].replace(0, np.nan)
    out["grr_pct"] = 100 * out["least"] / out["opening"].replace(0, np.nan)
    out["nps"] = 100 * (out["promoters"] - out["detractors"]) / out["nps_responses"]
    out[["opening_accounts", "churned_accounts", "nps_responses"]] = out[
        ["opening_accounts", "churned_accounts", "nps_responses"]].fillna(0)
    listed = [{"segment": segment, "floor_arr_usd": 12 * value}
              for segment, value in floors.items()]
    out["comparable_floors"] = [listed or None] * len(out)  # null without members, as SQL
    return out.rename_axis("group_order").reset_index()


def _exec_coverage(t, scoped: Scope, end_months: list[dt.date], top_n: int,
                   as_of: dt.date) -> pd.DataFrame:
    mrr = t["account_mrr_monthly"]
    billed = scoped.rows(mrr.loc[mrr["month"].isin([ts(month) for month in end_months])
                                 & (mrr["mrr_usd"] > 0)])
    threshold = (billed.sort_values("mrr_usd", ascending=False).groupby("month").head(top_n)
                 .groupby("month")["mrr_usd"].min())
    top = billed.loc[billed["mrr_usd"] >= billed["month"].map(threshold)].copy()
    top["reference_date"] = top["month"].map(
        lambda month: min(_month_end(month), ts(as_of)))
    top["outcome_month"] = top["month"] + pd.DateOffset(months=12)
    meetings = t["engagements"]
    meetings = meetings.loc[(meetings["engagement_type"] == "executive_meeting")
                            & meetings["attended"], ["account_id", "started_on"]]
    met = top[["account_id", "month", "reference_date"]].merge(meetings, on="account_id")
    met = met.loc[(met["started_on"] >= met["reference_date"] - pd.DateOffset(months=12))
                  & (met["started_on"] <= met["reference_date"])]
    met_keys = set(zip(met["account_id"], met["month"], strict=True))
    top["is_met"] = [key in met_keys for key in zip(top["account_id"], top["month"],
                                                     strict=True)]
    outcome = mrr.rename(columns={"month": "outcome_month", "mrr_usd": "outcome_mrr_usd"})
    top = top.merge(outcome, on=["account_id", "outcome_month"], how="left")
    top["outcome_mrr_usd"] = top["outcome_mrr_usd"].fillna(0)
    top["churned"] = top["outcome_mrr_usd"] == 0
    out = top.groupby(["month", "is_met"]).agg(
        accounts=("account_id", "size"), mrr=("mrr_usd", "sum"),
        churned_within_12m=("churned", "sum"), outcome=("outcome_mrr_usd", "sum")).reset_index()
    out["arr_usd"] = 12 * out["mrr"]
    out["has_outcome"] = out["month"] + pd.DateOffset(months=12) <= ts(as_of.replace(day=1))
    out["churned_within_12m"] = out["churned_within_12m"].where(out["has_outcome"])
    out["churn_within_12m_pct"] = 100 * out["churned_within_12m"] / out["accounts"]
    out["nrr_12m_pct"] = (100 * out["outcome"] / out["mrr"].replace(0, np.nan)).where(
        out["has_outcome"])
    return (out.rename(columns={"month": "snapshot_month"})
            .sort_values(["snapshot_month", "is_met"], ascending=[True, False], ignore_index=True))


def _survey_results(t, scoped: Scope, program: settings.SurveyProgram, grain: str,
                    start: dt.date, end: dt.date, as_of: dt.date) -> pd.DataFrame:
    engagements = t["engagements"]
    ended = scoped.rows(engagements.loc[
        (engagements["engagement_type"] == program.engagement_type)
        & engagements["ended_on"].notna()])
    closes = ended["ended_on"] + pd.Timedelta(days=program.window_days)
    awaiting = int(((ended["ended_on"] <= ts(as_of)) & (closes > ts(as_of))).sum())
    due = ended.loc[(closes >= ts(start)) & (closes <= ts(end)) & (closes <= ts(as_of)),
                    ["engagement_id", "notes"]].assign(window_closes_on=closes)
    answers = t["survey_responses"]
    answers = answers.loc[(answers["program"] == program.program)
                          & (answers["survey_type"] == "CSAT") & answers["engagement_id"].notna()
                          & (answers["responded_on"] <= ts(as_of))]
    latest = (answers.sort_values(["responded_on", "response_id"], ascending=False)
              .drop_duplicates("engagement_id")[["engagement_id", "score"]])
    due = due.merge(latest, on="engagement_id", how="left")
    keys = []
    if grain == "quarter":
        due["quarter_start"] = due["window_closes_on"].dt.to_period("Q").dt.start_time
        keys = ["quarter_start"]
    elif grain == "topic":
        notes = due["notes"].str.strip()
        due["topic"] = notes.where(notes.notna() & (notes != ""), "Not recorded")
        keys = ["topic"]
    score = due["score"]
    due = due.assign(satisfied=score >= 4,
                     **{f"score_{value}": score == value for value in range(1, 6)})
    grouped = due.groupby(keys) if keys else due.groupby(np.zeros(len(due)))
    out = grouped.agg(engagements_due=("engagement_id", "size"), answered=("score", "count"),
                      satisfied=("satisfied", "sum"), mean_score=("score", "mean"),
                      **{f"score_{value}": (f"score_{value}", "sum") for value in range(1, 6)})
    out = out.reset_index() if keys else out.reset_index(drop=True)
    out["completion_pct"] = 100 * out["answered"] / out["engagements_due"]
    out["csat_pct"] = 100 * out["satisfied"] / out["answered"].replace(0, np.nan)
    out["awaiting_answers"] = awaiting
    # ordered by quarter, answers (most first), topic
    order = ["answered", *keys] if grain == "topic" else [*keys, "answered"]
    return out.sort_values(order, ascending=[column != "answered" for column in order],
                           ignore_index=True)


def _ticket_categories(t, scoped: Scope, start: dt.date, end: dt.date,
                       as_of: dt.date) -> pd.DataFrame:
    tickets = t["support_tickets"]
    tickets = scoped.rows(tickets.loc[(tickets["opened_at"] >= ts(start))
                                      & (tickets["opened_at"] < ts(end) + pd.Timedelta(days=1))])
    solved = tickets["resolved_at"].notna() & (
        tickets["resolved_at"] < ts(as_of) + pd.Timedelta(days=1))
    frame = pd.DataFrame({
        "category": tickets["category"], "is_solved": solved,
        "escalated": tickets["escalated_at"].notna(), "reopened": tickets["reopen_count"] > 0,
        "first_response_hours": elapsed(tickets["opened_at"], tickets["first_response_at"],
                                        "s") / 3600,
        "resolution_hours": (elapsed(tickets["opened_at"], tickets["resolved_at"], "s")
                             / 3600).where(solved)})

    def summary(group: pd.DataFrame) -> pd.Series:
        return pd.Series({
            "opened_tickets": len(group), "solved_tickets": int(group["is_solved"].sum()),
            "open_tickets": int((~group["is_solved"]).sum()),
            "escalated_tickets": int(group["escalated"].sum()),
            "reopened_tickets": int(group["reopened"].sum()),
            "median_first_response_hours": group["first_response_hours"].quantile(0.5),
            "p90_first_response_hours": group["first_response_hours"].quantile(0.9),
            "median_resolution_hours": group["resolution_hours"].quantile(0.5),
            "p90_resolution_hours": group["resolution_hours"].quantile(0.9)})

    rows = [summary(group).rename(category) for category, group in
            frame.groupby("category", dropna=False)]
    out = pd.DataFrame(rows).rename_axis("category").reset_index().assign(is_total=False)
    total = summary(frame).to_frame().T.assign(category=None, is_total=True)
    out = pd.concat([total, out], ignore_index=True)
    return out.sort_values(["is_total", "opened_tickets", "category"],
                           ascending=[False, False, True], ignore_index=True)


AGE_BUCKETS = ((1, "0–2 days", 0, 2), (2, "3–7 days", 3, 7), (3, "8–30 days", 8, 30),
               (4, "Over 30 days", 31, None))


def _ticket_ageing(t, scoped: Scope, as_of: dt.date) -> pd.DataFrame:
    tickets = t["support_tickets"]
    day_after = ts(as_of) + pd.Timedelta(days=1)
    open_tickets = scoped.rows(tickets.loc[(tickets["opened_at"] < day_after)
                                           & (tickets["resolved_at"].isna()
                                              | (tickets["resolved_at"] >= day_after))])
    age = (ts(as_of) - open_tickets["opened_at"].dt.normalize()).dt.days
    rows = []
    for order, label, low, high in AGE_BUCKETS:
        inside = open_tickets.loc[(age >= low) & ((age <= high) if high is not None else True)]
        rows.append({"bucket_order": order, "age_bucket": label, "open_tickets": len(inside),
                     "escalated_tickets": int(inside["escalated_at"].notna().sum()),
                     "urgent_or_high_tickets": int(inside["priority"].isin(["urgent", "high"])
                                                   .sum())})
    return pd.DataFrame(rows)


# pandas' period for each grain of program_cab_sessions (weeks start on Monday, as in DuckDB)
_PERIODS = {"quarter": "Q", "month": "M", "week": "W-SUN"}


def _cab_sessions(t, scoped: Scope, as_of: dt.date) -> pd.DataFrame:
    engagements = t["engagements"]
    invited = scoped.rows(engagements.loc[(engagements["engagement_type"] == "cab_session")
                                          & (engagements["started_on"] <= ts(as_of))])
    frames = []
    for grain in programs.SESSION_QUERY_GRAINS:
        period = invited["started_on"].dt.to_period(_PERIODS[grain])
        out = invited.groupby(period.dt.start_time.rename("period_start")).agg(
            sessions=("started_on", "nunique"), invitations=("started_on", "size"),
            attended=("attended", "sum")).reset_index()
        out["attendance_pct"] = 100 * out["attended"] / out["invitations"]
        frames.append(out.assign(grain=grain))
    return pd.concat(frames, ignore_index=True)


def _with_department(frame: pd.DataFrame, departments: pd.DataFrame) -> pd.DataFrame:
    names = frame["department_id"].map(departments.set_index("department_id")["department_name"])
    return frame.assign(department_name=names.fillna(frame["department_id"]))


def _kudos_quarters(t, given: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    given = _with_department(given.loc[given["given_on"] <= ts(as_of)], t["departments"])
    quarter = given["given_on"].dt.to_period("Q").dt.start_time.rename("quarter_start")
    out = given.groupby([quarter, "department_name"]).size().rename("kudos").reset_index()
    return out.sort_values(["quarter_start", "department_name"], ignore_index=True)


def _kudos_employees(t, given: pd.DataFrame, limit: int) -> pd.DataFrame:
    given = _with_department(given, t["departments"]).merge(
        t["employees"][["employee_id", "employee_name", "job_title"]], on="employee_id")
    out = given.groupby(["employee_id", "employee_name", "department_name", "job_title"],
                        dropna=False).agg(kudos=("kudos_id", "size"),
                                          accounts=("account_id", "nunique"),
                                          latest_given_on=("given_on", "max")).reset_index()
    return out.sort_values(["kudos", "latest_given_on", "employee_id"],
                           ascending=[False, False, True], ignore_index=True).head(limit)


def _kudos_recent(t, given: pd.DataFrame, limit: int) -> pd.DataFrame:
    given = _with_department(given, t["departments"]).merge(
        t["employees"][["employee_id", "employee_name"]], on="employee_id").merge(
        t["accounts"][["account_id", "account_name"]], on="account_id")
    return given.sort_values(["given_on", "kudos_id"], ascending=False,
                             ignore_index=True).head(limit)


def programs_page(t, context: Context, state: FilterState) -> dict[str, object]:
    scoped = scope_of(t["accounts"], state)
    period = programs.period_params(state.period, context.as_of)
    as_of = context.as_of
    start, end = period["start_date"], period["end_date"]
    points = programs.coverage_points(context.last_month, context.first_month)
    coverage_months = sorted({*points, context.last_month,
                              add_months(context.last_month, -12)})
    given = scoped.rows(t["kudos"])
    in_period = given.loc[(given["given_on"] >= ts(start)) & (given["given_on"] <= ts(end))]
    out = {
        "cab:comparison": _cab_comparison(t, scoped, period),
        "cab:sessions": _cab_sessions(t, scoped, as_of),
        "exec:coverage": _exec_coverage(t, scoped, coverage_months, rules.DEFAULT_TOP_N, as_of),
    }
    for name, program in (("onboarding", settings.ONBOARDING),
                          ("services", settings.PROFESSIONAL_SERVICES)):
        out[f"{name}:total"] = _survey_results(t, scoped, program, "total", start, end, as_of)
        if program is settings.PROFESSIONAL_SERVICES:
            out[f"{name}:topic"] = _survey_results(t, scoped, program, "topic", start, end, as_of)
        out[f"{name}:trend"] = _survey_results(t, scoped, program, "quarter",
                                               programs.HISTORY_START, end, as_of)
    out.update({
        "support:categories": _ticket_categories(t, scoped, start, end, as_of),
        "support:ageing": _ticket_ageing(t, scoped, as_of),
        "kudos:quarters": _kudos_quarters(t, given, as_of),
        "kudos:employees": _kudos_employees(t, in_period, rules.LIST_LIMIT),
        "kudos:recent": _kudos_recent(t, in_period, rules.LIST_LIMIT),
    })
    return out


def _floors(floors) -> str:
    if not isinstance(floors, list | np.ndarray):  # null: no members
        return ""
    return "|".join(f"{floor['segment']}:{floor['floor_arr_usd']:.2f}" for floor in floors)


def check_programs(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    n = northstar["cab:comparison"].set_index("group_order")
    p = ours["cab:comparison"].set_index("group_order")
    for group in (1, 2, 3):
        for column in ("opening_accounts", "churned_accounts", "retained_arr_usd",
                       "nrr_pct", "nps_responses", "nps"):
            expect(f"cab group {group} {column}", n.loc[group, column], p.loc[group, column])
    expect("cab floors", _floors(n["comparable_floors"].iloc[0]),
           _floors(p["comparable_floors"].iloc[0]))
    for grain in programs.SESSION_QUERY_GRAINS:
        key = f"cab:sessions per {grain}"
        expect_totals(expect, {key: programs.sessions_at(northstar["cab:sessions"], grain)},
                      {key: programs.sessions_at(ours["cab:sessions"], grain)}, key,
                      "sessions", "invitations", "attended")
    expect_totals(expect, northstar, ours, "exec:coverage", "accounts", "arr_usd",
                  "churned_within_12m", "nrr_12m_pct")
    n, p = northstar["exec:coverage"], ours["exec:coverage"]
    expect("coverage met accounts", n.loc[n["is_met"], "accounts"].sum(),
           p.loc[p["is_met"], "accounts"].sum())
    for key in ("onboarding:total", "onboarding:trend", "services:total", "services:topic",
                "services:trend"):
        expect_totals(expect, northstar, ours, key, "engagements_due", "answered", "score_5",
                      "awaiting_answers", "csat_pct")
    expect_list(expect, northstar, ours, "support:categories", "category")
    expect_totals(expect, northstar, ours, "support:categories", "opened_tickets",
                  "solved_tickets", "escalated_tickets", "reopened_tickets",
                  "median_first_response_hours", "p90_first_response_hours",
                  "median_resolution_hours", "p90_resolution_hours")
    for column in ("open_tickets", "escalated_tickets", "urgent_or_high_tickets"):
        expect_list(expect, northstar, ours, "support:ageing", column)
    expect_totals(expect, northstar, ours, "kudos:quarters", "kudos")
    expect_list(expect, northstar, ours, "kudos:employees", "employee_id")
    expect_totals(expect, northstar, ours, "kudos:employees", "kudos", "accounts")
    expect_list(expect, northstar, ours, "kudos:recent", "kudos_id")


PAGES = (
    Page("programs", {
        "accounts": ("account_id", "account_name", "segment", "region", "plan"),
        "account_mrr_monthly": ("account_id", "month", "mrr_usd"),
        "cab_memberships": ("account_id", "joined_on", "left_on"),
        "survey_responses": ("response_id", "account_id", "survey_type", "program",
                             "responded_on", "score", "engagement_id"),
        "engagements": ("engagement_id", "account_id", "engagement_type", "started_on",
                        "ended_on", "attended", "notes"),
        "support_tickets": ("account_id", "opened_at", "first_response_at", "resolved_at",
                            "priority", "category", "escalated_at", "reopen_count"),
        "kudos": ("kudos_id", "employee_id", "department_id", "account_id", "given_on", "comment"),
        "employees": ("employee_id", "employee_name", "job_title"),
        "departments": ("department_id", "department_name"),
    }, programs_page,
        ("cab:comparison", "cab:sessions", "exec:coverage", "onboarding:total",
         "onboarding:trend", "services:total", "services:topic", "services:trend",
         "support:categories", "support:ageing", "kudos:quarters", "kudos:employees",
         "kudos:recent"), check_programs),
)
