"""Where to invest in pandas: the trailing-year KPIs, and which customers to invest in (cost to
serve, margin, health and motion per account billed in the data's last month, totalled per
segment and motion, and the largest accounts per motion).

The page prices the `account_cost_quantities` rollup; here a year of revenue, tickets and
engagement hours is counted from the tables instead. The health components come from the
`account_health_monthly` rollup, as on the Health & risk page (their trailing windows are not
something a dashboard would recompute per visit), scored in pandas.

Not reproduced: the churn drivers (counted from the driver rollups), initiatives and the
planted effects.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, expect_list, expect_totals, scope, ts
from bench.pandas_pages.health import health_scores
from bench.pandas_pages.revenue import REVENUE_TABLES, check_kpi_window, kpi_windows
from northstar.analytics import invest
from northstar.analytics.periods import FilterState
from northstar.data import settings
from northstar.data.months import add_months, last_day

ACCOUNT_LIMIT = 200  # bench/pages.py's limit for the largest accounts per motion
# cost columns -> the engagement types whose hours they price
HOUR_COSTS = {
    "services_cost_usd": ("professional_services", "installation"),
    "executive_cost_usd": ("executive_meeting", "qbr", "cab_session"),
    "follow_up_cost_usd": ("detractor_follow_up",),
}


def _customers(t, context: Context, state: FilterState) -> pd.DataFrame:
    """Every account billed in the data's last month (with a health row) in scope, costed and
    classified."""
    costs = invest.load_cost_config()
    config = settings.load_config()
    last_month = ts(context.last_month)
    first_month = ts(add_months(context.last_month, -11))
    health_rows = t["account_health_monthly"]
    billed = health_rows.loc[health_rows["month"] == last_month].merge(
        scope(t["accounts"], state)[["account_id", "segment"]], on="account_id")
    ids = billed[["account_id"]]

    mrr = t["account_mrr_monthly"]
    revenue = mrr.loc[(mrr["month"] >= first_month) & (mrr["month"] <= last_month)].merge(
        ids, on="account_id").groupby("account_id")["mrr_usd"].sum()
    tickets = t["support_tickets"]
    tickets = tickets.loc[(tickets["opened_at"] >= first_month)
                          & (tickets["opened_at"] < last_month + pd.DateOffset(months=1))].merge(
        ids, on="account_id")
    by_priority = tickets.groupby(["account_id", "priority"]).size().unstack(fill_value=0)
    engagements = t["engagements"]
    engagements = engagements.loc[engagements["attended"]
                                  & (engagements["started_on"] >= first_month)
                                  & (engagements["started_on"]
                                     <= ts(last_day(context.last_month)))].merge(
        ids, on="account_id")
    hours = engagements.pivot_table(index="account_id", columns="engagement_type",
                                    values="hours", aggfunc="sum")

    customers = billed.set_index("account_id")
    arr = 12 * customers["mrr_usd"]
    staff_hours = engagements.groupby("account_id")["hours"].sum()

    def per_account(values: pd.Series) -> pd.Series:
        return values.reindex(customers.index).fillna(0)

    def count(priority: str) -> pd.Series:
        return per_account(by_priority[priority] if priority in by_priority else pd.Series())

    def hours_of(kind: str) -> pd.Series:
        return per_account(hours[kind] if kind in hours else pd.Series())

    out = pd.DataFrame({
        "segment": customers["segment"], "arr_usd": arr,
        "health_score": health_scores(customers, config),
        "revenue_12m_usd": per_account(revenue),
        "tickets_12m": per_account(tickets.groupby("account_id").size()),
        "support_cost_usd": sum(count(priority) * price
                                for priority, price in costs.ticket_usd.items()),
        "staff_hours_12m": per_account(staff_hours),
        **{column: sum(hours_of(kind) * costs.hour_usd[kind] for kind in kinds)
           for column, kinds in HOUR_COSTS.items()},
    })
    out["cost_to_serve_usd"] = (out["support_cost_usd"] + out["services_cost_usd"]
                                + out["executive_cost_usd"] + out["follow_up_cost_usd"])
    out["margin_usd"] = out["revenue_12m_usd"] - out["cost_to_serve_usd"]
    threshold = out.loc[out["health_score"].notna(), "arr_usd"].median()
    high = out["arr_usd"] >= threshold
    healthy = out["health_score"] >= config.watch_from
    out["motion"] = np.select(
        [out["health_score"].isna(), high & ~healthy, high, healthy],
        ["Not scored", "Invest", "Protect", "Maintain"], "Monitor")
    out["arr_threshold_usd"] = threshold
    out["health_threshold"] = config.watch_from
    return out.reset_index()


SUMMED = ("arr_usd", "revenue_12m_usd", "cost_to_serve_usd", "support_cost_usd",
          "services_cost_usd", "executive_cost_usd", "follow_up_cost_usd", "margin_usd",
          "tickets_12m", "staff_hours_12m")


def invest_page(t, context: Context, state: FilterState) -> dict[str, object]:
    customers = _customers(t, context, state)
    segments = customers.groupby(["segment", "motion"]).agg(
        accounts=("account_id", "size"), **{column: (column, "sum") for column in SUMMED},
        health_score=("health_score", "mean"), arr_threshold_usd=("arr_threshold_usd", "first"),
        health_threshold=("health_threshold", "first")).reset_index()
    largest = (customers.sort_values(["arr_usd", "account_id"], ascending=[False, True])
               .groupby("motion").head(ACCOUNT_LIMIT)
               .merge(t["accounts"][["account_id", "account_name"]], on="account_id")
               .sort_values(["segment", "motion", "arr_usd", "account_id"],
                            ascending=[True, True, False, True], ignore_index=True))
    return {
        "kpis": kpi_windows(t, state, [context.last_month], 12),
        "customers:segment": segments.sort_values(["segment", "motion", "arr_usd"],
                                                  ascending=[True, True, False],
                                                  ignore_index=True),
        "customers:account": largest,
    }


def check_invest(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    check_kpi_window(expect, northstar["kpis"], ours["kpis"],
                     ours["kpis"]["window_end_month"].iloc[-1].date())
    for column in ("segment", "motion"):
        expect_list(expect, northstar, ours, "customers:segment", column)
    expect_totals(expect, northstar, ours, "customers:segment", "accounts", *SUMMED,
                  "health_score", "arr_threshold_usd")
    expect_list(expect, northstar, ours, "customers:account", "account_id")
    expect_totals(expect, northstar, ours, "customers:account", "margin_usd", "health_score")


PAGES = (
    Page("invest", {
        **REVENUE_TABLES,
        "accounts": ("account_id", "account_name", "segment", "region", "plan"),
        "support_tickets": ("account_id", "opened_at", "escalated_at", "resolved_at",
                            "priority"),
        "engagements": ("account_id", "engagement_type", "started_on", "attended", "hours"),
        "account_health_monthly": ("account_id", "month", "mrr_usd", "support_experience",
                                   "survey_sentiment", "engagement", "revenue_trend"),
    }, invest_page, ("kpis", "customers:segment", "customers:account"), check_invest),
)
