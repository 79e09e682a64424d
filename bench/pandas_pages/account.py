"""Account 360 in pandas: the search, and one account's profile, revenue history, health
history, surveys, tickets, engagements and kudos, picked out of the whole tables.

The revenue history (read from the `account_month_snapshots` rollup by the page) is rebuilt
from `account_mrr_monthly`; the health history reads the `account_health_monthly` rollup for
the components, as the Health & risk page does (their trailing windows are not something a
dashboard would recompute per visit), and scores them in pandas.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, elapsed, expect_list, expect_totals
from bench.pandas_pages.health import health_scores
from northstar.analytics.periods import FilterState
from northstar.data import settings

SEARCH_LIMIT = 25  # bench/pages.py's limit for the search


def _search(accounts: pd.DataFrame, text: str) -> pd.DataFrame:
    needle = text.lower()
    names, ids = accounts["account_name"].str.lower(), accounts["account_id"].str.lower()
    found = accounts.loc[names.str.contains(needle, regex=False)
                         | ids.str.contains(needle, regex=False)]
    names, ids = names[found.index], ids[found.index]
    found = found.assign(is_active=found["churn_date"].isna(),
                         is_exact=(names == needle) | (ids == needle),
                         is_prefix=names.str.startswith(needle))
    found = found.sort_values(["is_exact", "is_prefix", "is_active", "account_name", "account_id"],
                              ascending=[False, False, False, True, True]).head(SEARCH_LIMIT)
    return found[["account_id", "account_name", "segment", "region", "is_active"]].reset_index(
        drop=True)


def _profile(t, account_id: str) -> pd.DataFrame:
    account = t["accounts"].loc[t["accounts"]["account_id"] == account_id]
    revenue = t["account_mrr_monthly"]
    revenue = revenue.loc[revenue["account_id"] == account_id].sort_values("month")
    cab = t["cab_memberships"]
    cab = cab.loc[cab["account_id"] == account_id]
    employees = t["employees"].set_index("employee_id")["employee_name"]
    profile = account.assign(
        csm_name=account["csm_employee_id"].map(employees),
        last_billed_month=revenue["month"].max() if len(revenue) else pd.NaT,
        last_arr_usd=12 * revenue["mrr_usd"].iloc[-1] if len(revenue) else np.nan,
        cab_joined_on=cab["joined_on"].min(),
        is_cab_member_now=bool(cab["left_on"].isna().any()),
        cab_left_on=cab["left_on"].max())
    return profile.drop(columns="csm_employee_id").reset_index(drop=True)


def _revenue(t, account_id: str, last_month: dt.date) -> pd.DataFrame:
    """Every month from the first billed one through the month after the last (up to the
    data's last month), months without a row at zero, with the movement from the month
    before."""
    rows = t["account_mrr_monthly"]
    rows = rows.loc[rows["account_id"] == account_id].set_index("month")["mrr_usd"]
    if rows.empty:
        return pd.DataFrame(columns=["month", "arr_usd", "arr_change_usd", "movement"])
    through = min(rows.index.max() + pd.DateOffset(months=1), pd.Timestamp(last_month))
    months = pd.date_range(rows.index.min(), through, freq="MS")
    mrr = rows.reindex(months, fill_value=0.0)
    previous = mrr.shift(1, fill_value=0.0)
    start = t["accounts"].loc[t["accounts"]["account_id"] == account_id, "start_date"].iloc[0]
    first = pd.Series(months == months[0], index=months)
    movement = np.select(
        [first & (start.to_period("M").start_time < months[0]), first,
         (previous == 0) & (mrr > 0), (previous > 0) & (mrr == 0), mrr > previous,
         mrr < previous, mrr == 0],
        ["opening", "new", "reactivation", "churn", "expansion", "contraction", "inactive"],
        "flat")
    return pd.DataFrame({"month": months, "arr_usd": 12 * mrr.to_numpy(),
                         "arr_change_usd": 12 * (mrr - previous).to_numpy(),
                         "movement": movement})


def _health_history(t, account_id: str) -> pd.DataFrame:
    history = t["account_health_monthly"]
    history = history.loc[history["account_id"] == account_id].sort_values("month")
    return history.assign(health_score=health_scores(history, settings.load_config()))


def _named(frame: pd.DataFrame, t, **lookups: str) -> pd.DataFrame:
    """`frame` with names looked up: department_name from department_id, and each
    `name_column=id_column` from employees."""
    departments = t["departments"].set_index("department_id")["department_name"]
    employees = t["employees"].set_index("employee_id")["employee_name"]
    named = frame.assign(department_name=frame["department_id"].map(departments))
    for name, key in lookups.items():
        named[name] = frame[key].map(employees)
    return named


def account_page(t, context: Context, state: FilterState) -> dict[str, object]:
    account_id = context.account_id

    def of_account(name: str) -> pd.DataFrame:
        table = t[name]
        return table.loc[table["account_id"] == account_id]

    surveys = _named(of_account("survey_responses"), t).sort_values(
        ["responded_on", "survey_type"], ascending=[False, True], ignore_index=True)
    tickets = of_account("support_tickets")
    tickets = tickets.assign(
        first_response_hours=elapsed(tickets["opened_at"], tickets["first_response_at"],
                                     "min") / 60,
        resolution_hours=elapsed(tickets["opened_at"], tickets["resolved_at"], "min") / 60,
        is_escalated=tickets["escalated_at"].notna(),
    ).sort_values("opened_at", ascending=False, ignore_index=True)
    engagements = _named(of_account("engagements"), t, owner_name="owner_employee_id").sort_values(
        ["started_on", "engagement_type"], ascending=[False, True], ignore_index=True)
    kudos = of_account("kudos")
    kudos = _named(kudos.loc[kudos["employee_id"].isin(t["employees"]["employee_id"])], t,
                   employee_name="employee_id").sort_values(
        "given_on", ascending=False, ignore_index=True)
    return {
        "search": _search(t["accounts"], context.search),
        "profile": _profile(t, account_id),
        "revenue": _revenue(t, account_id, context.last_month),
        "health_history": _health_history(t, account_id),
        "surveys": surveys,
        "tickets": tickets,
        "engagements": engagements,
        "kudos": kudos,
    }


def check_account(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    expect_list(expect, northstar, ours, "search", "account_id")
    n, p = northstar["profile"].iloc[0], ours["profile"].iloc[0]
    for column in ("account_name", "csm_name", "churn_date", "last_billed_month",
                   "last_arr_usd", "cab_joined_on", "is_cab_member_now"):
        expect(f"profile {column}", n[column], p[column])
    expect_totals(expect, northstar, ours, "revenue", "arr_usd", "arr_change_usd")
    expect_list(expect, northstar, ours, "revenue", "movement")
    expect_totals(expect, northstar, ours, "health_history", "health_score")
    # answers, engagements and kudos of one day may come in either order
    expect_totals(expect, northstar, ours, "surveys", "score")
    expect_list(expect, northstar, ours, "surveys", "department_name", in_order=False)
    expect_list(expect, northstar, ours, "surveys", "comment", in_order=False)
    expect_list(expect, northstar, ours, "tickets", "ticket_id")
    expect_totals(expect, northstar, ours, "tickets", "first_response_hours",
                  "resolution_hours", "is_escalated")
    expect_totals(expect, northstar, ours, "engagements", "hours")
    expect_list(expect, northstar, ours, "engagements", "owner_name", in_order=False)
    expect_list(expect, northstar, ours, "kudos", "employee_name", in_order=False)


PAGES = (
    Page("account", {
        "accounts": ("account_id", "account_name", "segment", "industry", "region", "plan",
                     "acquisition_channel", "csm_employee_id", "primary_contact_name",
                     "primary_contact_email", "start_date", "renewal_date", "churn_date",
                     "churn_reason", "lost_to_competitor"),
        "account_mrr_monthly": ("account_id", "month", "mrr_usd"),
        "account_health_monthly": ("account_id", "month", "support_experience",
                                   "survey_sentiment", "engagement", "revenue_trend",
                                   "tickets_6m", "escalations_6m", "executive_meetings_12m",
                                   "is_cab_member", "open_detractors_6m"),
        "cab_memberships": ("account_id", "joined_on", "left_on"),
        "survey_responses": ("account_id", "survey_type", "program", "department_id",
                             "responded_on", "score", "respondent_name", "comment"),
        "support_tickets": ("ticket_id", "account_id", "opened_at", "first_response_at",
                            "resolved_at", "status", "priority", "category", "channel",
                            "escalated_at", "reopen_count", "satisfaction_score", "subject"),
        "engagements": ("account_id", "engagement_type", "department_id", "owner_employee_id",
                        "started_on", "ended_on", "attended", "hours", "notes"),
        "kudos": ("employee_id", "department_id", "account_id", "given_on", "comment"),
        "employees": ("employee_id", "employee_name"),
        "departments": ("department_id", "department_name"),
    }, account_page,
        ("search", "profile", "revenue", "health_history", "surveys", "tickets", "engagements",
         "kudos"), check_account),
)
