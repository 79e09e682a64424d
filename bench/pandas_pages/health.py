"""Health & risk in pandas: band summary, churn by band and the at-risk list.

It reads the `account_health_monthly` rollup for the components (their trailing windows are
not something a dashboard would recompute per visit) and computes scores, bands, churn and
the list in pandas.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, base_tables, scope, scope_of, ts
from northstar.analytics import health
from northstar.analytics.periods import FilterState
from northstar.data import settings
from northstar.data.months import add_months


def health_scores(h: pd.DataFrame, config: settings.HealthConfig) -> pd.Series:
    weights = config.weights
    total = pd.Series(0.0, index=h.index)
    norm = pd.Series(0.0, index=h.index)
    present = pd.Series(0, index=h.index)
    for column, weight in weights.items():
        has = h[column].notna()
        total += (h[column].fillna(0) * weight)
        norm += np.where(has, weight, 0)
        present += has.astype(int)
    score = total / norm.replace(0, np.nan)
    return score.where(present >= 2)


def _bands(score: pd.Series, config: settings.HealthConfig) -> pd.Series:
    return pd.Series(np.select(
        [score.isna(), score >= config.healthy_from, score >= config.watch_from,
         score >= config.at_risk_from], [5, 1, 2, 3], 4), index=score.index)


def health_page(t, context: Context, state: FilterState) -> dict[str, object]:
    config = settings.load_config()
    scoped = scope(t["accounts"], state)
    h = scope_of(t["accounts"], state).rows(t["account_health_monthly"])
    h = h.assign(health_score=health_scores(h, config))
    h = h.assign(band_order=_bands(h["health_score"], config))
    now = h.loc[h["month"] == ts(context.last_month)]
    summary = now.groupby("band_order").agg(
        accounts=("account_id", "size"), arr_usd=("mrr_usd", "sum")).reset_index()
    summary["arr_usd"] *= 12
    # churn within 12 months by band: a churn month is a month after a billed month with none
    mrr = t["account_mrr_monthly"]
    last = mrr.groupby("account_id")["month"].max()
    churns = (last[last < mrr["month"].max()] + pd.DateOffset(months=1)).rename("churn_month")
    cutoff = ts(add_months(context.last_month, -12))
    scored = h.loc[(h["month"] <= cutoff) & (h["band_order"] <= 4),
                   ["account_id", "month", "band_order"]]
    scored = scored.merge(churns, left_on="account_id", right_index=True, how="left")
    scored["churned"] = (scored["churn_month"] > scored["month"]) & (
        scored["churn_month"] <= scored["month"] + pd.DateOffset(months=12))
    band_churn = scored.groupby("band_order").agg(
        account_months=("account_id", "size"), churned_within_12m=("churned", "sum")).reset_index()
    band_churn["churn_within_12m_pct"] = (100 * band_churn["churned_within_12m"]
                                          / band_churn["account_months"])
    risks = health.band_risks(band_churn)
    risky = now.loc[now["band_order"].isin([2, 3, 4])].copy()
    risky["arr_usd"] = 12 * risky["mrr_usd"]
    risky["arr_at_risk_usd"] = risky["arr_usd"] * risky["band_order"].map(
        lambda order: risks[order - 1]) / 100
    top = risky.sort_values(["arr_at_risk_usd", "account_id"], ascending=[False, True]).head(200)
    meetings = t["engagements"]
    meetings = meetings.loc[(meetings["engagement_type"] == "executive_meeting")
                            & meetings["attended"]].groupby("account_id")["started_on"].max()
    meetings = meetings.rename("last_executive_meeting_on")
    top = top.merge(scoped[["account_id", "account_name", "renewal_date", "csm_employee_id"]],
                    on="account_id").merge(
        t["employees"], left_on="csm_employee_id", right_on="employee_id", how="left")
    top = top.merge(meetings, left_on="account_id", right_index=True, how="left")
    return {"summary": summary, "band_churn": band_churn, "at_risk": top}


def check_health(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    n, p = northstar["summary"], ours["summary"]
    expect("scored accounts", n["accounts"].sum(), p["accounts"].sum())
    expect("arr", n["arr_usd"].sum(), p["arr_usd"].sum())
    n, p = northstar["band_churn"], ours["band_churn"]
    expect("churned account-months", n["churned_within_12m"].sum(),
           p["churned_within_12m"].sum())
    n, p = northstar["at_risk"], ours["at_risk"]
    expect("at-risk arr", n["arr_at_risk_usd"].sum(), p["arr_at_risk_usd"].sum())


PAGES = (
    Page("health", base_tables("accounts", "account_mrr_monthly", "account_health_monthly",
                               "engagements", "employees"),
         health_page, ("summary", "band_churn", "at_risk"), check_health),
)
