"""Briefing and Retention in pandas: the KPI wall's windows (also the Where to invest page's
KPIs), the revenue breakdown by segment and quarterly cohorts, from the revenue, survey and
ticket tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, base_tables, scope, scope_of, ts
from northstar.analytics import retention
from northstar.analytics.periods import FilterState
from northstar.data.months import add_months, last_day


def kpi_windows(t: dict[str, pd.DataFrame], state: FilterState, end_months, months: int
                ) -> pd.DataFrame:
    scoped = scope_of(t["accounts"], state)
    mrr = scoped.rows(t["account_mrr_monthly"])
    by_month = {month: frame.set_index("account_id")["mrr_usd"]
                for month, frame in mrr.groupby("month")}
    surveys = scoped.rows(t["survey_responses"])
    tickets = t["support_tickets"]
    escalated = scoped.rows(tickets.loc[tickets["escalated_at"].notna()])
    empty = pd.Series(dtype="float64")
    rows = []
    for end in sorted(set(end_months)):
        end_ts = ts(end)
        opening_ts = ts(add_months(end, -months))
        start_ts = ts(add_months(end, -(months - 1)))
        opening = by_month.get(opening_ts, empty)
        closing = by_month.get(end_ts, empty)
        joined = pd.concat([opening.rename("o"), closing.rename("c")], axis=1)
        was = joined["o"].notna()
        o, c = joined["o"].fillna(0), joined["c"].fillna(0)
        starting = 12 * o.sum()
        retained = 12 * c[was].sum()
        gross = 12 * np.minimum(o[was], c[was]).sum()
        churned = was & (c == 0)
        window_end_at = ts(last_day(end)) + pd.Timedelta(days=1)
        answers = surveys.loc[(surveys["responded_on"] >= start_ts)
                              & (surveys["responded_on"] < window_end_at)]
        nps = answers.loc[answers["survey_type"] == "NPS", "score"]
        csat = answers.loc[answers["survey_type"] == "CSAT", "score"]
        ces = answers.loc[answers["survey_type"] == "CES", "score"]
        open_escalations = int(((escalated["escalated_at"] < window_end_at)
                                & (escalated["resolved_at"].isna()
                                   | (escalated["resolved_at"] >= window_end_at))).sum())
        rows.append({
            "window_end_month": end_ts,
            "arr_usd": 12 * c.sum(),
            "starting_arr_usd": starting,
            "new_arr_usd": 12 * c[~was].sum(),
            "expansion_arr_usd": 12 * (c - o).clip(lower=0)[was & (c > 0)].sum(),
            "contraction_arr_usd": 12 * (o - c).clip(lower=0)[was & (c > 0)].sum(),
            "churned_arr_usd": 12 * o[churned].sum(),
            "opening_accounts": int(was.sum()),
            "churned_accounts": int(churned.sum()),
            "nrr_pct": 100 * retained / starting if starting else np.nan,
            "grr_pct": 100 * gross / starting if starting else np.nan,
            "logo_churn_pct": 100 * churned.sum() / was.sum() if was.sum() else np.nan,
            "nps": 100 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps) if len(nps) else np.nan,
            "csat_pct": 100 * (csat >= 4).sum() / len(csat) if len(csat) else np.nan,
            "ces_mean": ces.mean() if len(ces) else np.nan,
            "open_escalations": open_escalations,
        })
    return pd.DataFrame(rows)


def _breakdown(t, state: FilterState, opening: dt.date, closing: dt.date) -> pd.DataFrame:
    accounts = scope(t["accounts"], state)[["account_id", "segment"]]
    mrr = t["account_mrr_monthly"]
    o = mrr.loc[mrr["month"] == ts(opening), ["account_id", "mrr_usd"]]
    c = mrr.loc[mrr["month"] == ts(closing), ["account_id", "mrr_usd"]]
    moves = o.merge(c, on="account_id", how="left", suffixes=("_o", "_c")).fillna({"mrr_usd_c": 0})
    moves = moves.merge(accounts, on="account_id")
    churn = moves["mrr_usd_c"] == 0
    contraction = (~churn) & (moves["mrr_usd_c"] < moves["mrr_usd_o"])
    moves["lost"] = np.where(churn, moves["mrr_usd_o"],
                             np.where(contraction, moves["mrr_usd_o"] - moves["mrr_usd_c"], 0))
    moves["churned"] = churn
    out = moves.groupby("segment").agg(
        opening_accounts=("account_id", "size"), churned_accounts=("churned", "sum"),
        lost=("lost", "sum"), opening=("mrr_usd_o", "sum"), closing=("mrr_usd_c", "sum"))
    out["lost_arr_usd"] = 12 * out["lost"]
    out["nrr_pct"] = 100 * out["closing"] / out["opening"]
    return out.reset_index().rename(columns={"segment": "dimension_value"}).sort_values(
        ["lost_arr_usd", "dimension_value"], ascending=[False, True])


def _cohorts(t, state: FilterState) -> pd.DataFrame:
    accounts = scope(t["accounts"], state)[["account_id", "start_date"]]
    mrr = t["account_mrr_monthly"]
    first_month, last_month = mrr["month"].min(), mrr["month"].max()
    mrr = mrr.merge(accounts, on="account_id")
    first = mrr.groupby("account_id", sort=False)["month"].transform("min")
    starts = mrr.loc[(mrr["month"] == first)
                     & (mrr["start_date"].dt.to_period("M").dt.to_timestamp() == first)]
    members = starts[["account_id", "month", "mrr_usd"]].rename(
        columns={"month": "start_month", "mrr_usd": "starting_mrr_usd"})
    members["cohort_start"] = members["start_month"].dt.to_period("Q").dt.to_timestamp()
    members = members.loc[members["cohort_start"] >= first_month]
    cohorts = members.groupby("cohort_start").agg(
        cohort_size=("account_id", "size"), starting_mrr_usd=("starting_mrr_usd", "sum"),
        last_member_start=("start_month", "max")).reset_index()
    activity = mrr.loc[mrr["mrr_usd"] > 0, ["account_id", "month", "mrr_usd"]].merge(
        members, on="account_id")
    months_since = ((activity["month"].dt.year - activity["start_month"].dt.year) * 12
                    + activity["month"].dt.month - activity["start_month"].dt.month)
    activity = activity.loc[months_since % 3 == 0].assign(age=months_since[months_since % 3 == 0]
                                                            // 3)
    counts = activity.groupby(["cohort_start", "age"]).agg(
        active_accounts=("account_id", "size"), mrr_usd=("mrr_usd", "sum")).reset_index()
    # every age the cohort's youngest member has been observed at, active or not
    cohorts["max_age"] = ((last_month.year - cohorts["last_member_start"].dt.year) * 12
                          + last_month.month - cohorts["last_member_start"].dt.month) // 3
    grid = cohorts.assign(age=[list(range(age + 1)) for age in cohorts["max_age"]]).explode("age")
    grid["age"] = grid["age"].astype(int)
    out = grid.merge(counts, on=["cohort_start", "age"], how="left").fillna(
        {"active_accounts": 0, "mrr_usd": 0.0})
    out["logo_retention_pct"] = 100 * out["active_accounts"] / out["cohort_size"]
    return out.sort_values(["cohort_start", "age"]).reset_index(drop=True)


def retention_page(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    months = pd.date_range(context.first_month, context.last_month, freq="MS").date
    trend_months = list(months[1:])
    bounds = retention.period_bounds(window)
    return {
        "overview:kpi_windows": kpi_windows(t, state, window.query_end_months(), window.months),
        "overview:monthly": kpi_windows(t, state, trend_months, 1),
        "overview:trailing": kpi_windows(t, state, trend_months[11:], 12),
        "breakdown": _breakdown(t, state, bounds["opening_month"], bounds["closing_month"]),
        "cohorts": _cohorts(t, state),
    }


def check_kpi_window(expect: Expect, northstar: pd.DataFrame, ours: pd.DataFrame,
                     end_month: dt.date) -> None:
    """The KPI wall's window ending at `end_month`."""
    n = northstar.set_index("window_end_month").loc[ts(end_month)]
    p = ours.set_index("window_end_month").loc[ts(end_month)]
    for column in ("arr_usd", "nrr_pct", "grr_pct", "churned_accounts", "nps",
                   "open_escalations"):
        expect(column, n[column], p[column])


def check_retention(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    check_kpi_window(expect, northstar["overview:kpi_windows"], ours["overview:kpi_windows"],
                     end_month)
    n, p = northstar["breakdown"], ours["breakdown"]
    expect("breakdown lost_arr_usd", n["lost_arr_usd"].sum(), p["lost_arr_usd"].sum())
    n, p = northstar["cohorts"], ours["cohorts"]
    expect("cohort rows", len(n), len(p))
    expect("cohort active accounts", n["active_accounts"].sum(), p["active_accounts"].sum())


REVENUE_TABLES = base_tables("accounts", "account_mrr_monthly", "survey_responses",
                             "support_tickets")
PAGES = (
    Page("retention", REVENUE_TABLES, retention_page,
         ("overview:kpi_windows", "overview:monthly", "overview:trailing", "breakdown",
          "cohorts"), check_retention),
)
