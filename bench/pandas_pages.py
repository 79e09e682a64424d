"""The pandas approach: the same page results computed the way a typical Streamlit dashboard
does it — load the tables into DataFrames (`con.table(...).df()`), then filter, merge and
group in pandas.

Covered: the heavy pages' main results — Briefing (the KPI wall), Retention (KPIs, monthly and
trailing trend, breakdown by segment, quarterly cohorts), Health & risk (band summary, churn by
band, the at-risk list) and Satisfaction scores (current, comparison, monthly, by program).
`COVERED` names the Northstar calls (bench/pages.py keys) each one reproduces, so the ratio
compares like with like. The health page reads the `account_health_monthly` rollup here too
(its components need trailing windows a dashboard would not recompute per visit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from bench.pages import Context
from northstar import filters, health, retention
from northstar.filters import FilterState, add_months

# page -> Northstar call keys reproduced by the pandas computation
COVERED: dict[str, tuple[str, ...]] = {
    "briefing": ("kpi_windows",),
    "retention": ("overview:kpi_windows", "overview:monthly", "overview:trailing", "breakdown",
                  "cohorts"),
    "health": ("summary", "band_churn", "at_risk"),
    "satisfaction": ("scores:current", "scores:previous", "scores:monthly",
                     "scores:by_program"),
}

# table -> columns the pandas pages load
TABLES: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "account_name", "segment", "region", "plan", "start_date",
                 "renewal_date", "csm_employee_id"),
    "account_mrr_monthly": ("account_id", "month", "mrr_usd"),
    "survey_responses": ("account_id", "survey_type", "program", "responded_on", "score"),
    "support_tickets": ("account_id", "escalated_at", "resolved_at"),
    "account_health_monthly": ("account_id", "month", "mrr_usd", "support_experience",
                               "survey_sentiment", "engagement", "revenue_trend"),
    "engagements": ("account_id", "engagement_type", "attended", "started_on"),
    "employees": ("employee_id", "employee_name"),
}
PAGE_TABLES: dict[str, tuple[str, ...]] = {
    "briefing": ("accounts", "account_mrr_monthly", "survey_responses", "support_tickets"),
    "retention": ("accounts", "account_mrr_monthly", "survey_responses", "support_tickets"),
    "health": ("accounts", "account_mrr_monthly", "account_health_monthly", "engagements",
               "employees"),
    "satisfaction": ("accounts", "survey_responses"),
}


def load_tables(con, names) -> dict[str, pd.DataFrame]:
    """What a typical dashboard does first: whole tables (needed columns) into pandas."""
    frames = {}
    for name in names:
        frame = con.table(name).select(*TABLES[name]).df()
        for column in frame.columns:
            if column in ("month", "start_date", "renewal_date", "responded_on", "started_on"):
                frame[column] = pd.to_datetime(frame[column])
        if "mrr_usd" in frame.columns:
            frame["mrr_usd"] = frame["mrr_usd"].astype("float64")
        frames[name] = frame
    return frames


def _scope(accounts: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    mask = pd.Series(True, index=accounts.index)
    for column, values in (("segment", state.segments), ("region", state.regions),
                           ("plan", state.plans)):
        if values:
            mask &= accounts[column].isin(values)
    return accounts.loc[mask]


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def kpi_windows(t: dict[str, pd.DataFrame], state: FilterState, end_months, months: int
                ) -> pd.DataFrame:
    scoped_ids = _scope(t["accounts"], state)["account_id"]
    mrr = t["account_mrr_monthly"]
    mrr = mrr.loc[mrr["account_id"].isin(scoped_ids)]
    by_month = {month: frame.set_index("account_id")["mrr_usd"]
                for month, frame in mrr.groupby("month")}
    surveys = t["survey_responses"]
    surveys = surveys.loc[surveys["account_id"].isin(scoped_ids)]
    tickets = t["support_tickets"]
    escalated = tickets.loc[tickets["account_id"].isin(scoped_ids)
                            & tickets["escalated_at"].notna()]
    empty = pd.Series(dtype="float64")
    rows = []
    for end in sorted(set(end_months)):
        end_ts = _ts(end)
        opening_ts = _ts(add_months(end, -months))
        start_ts = _ts(add_months(end, -(months - 1)))
        opening = by_month.get(opening_ts, empty)
        closing = by_month.get(end_ts, empty)
        joined = pd.concat([opening.rename("o"), closing.rename("c")], axis=1)
        was = joined["o"].notna()
        o, c = joined["o"].fillna(0), joined["c"].fillna(0)
        starting = 12 * o.sum()
        retained = 12 * c[was].sum()
        gross = 12 * np.minimum(o[was], c[was]).sum()
        churned = was & (c == 0)
        window_end_at = _ts(filters.last_day(end)) + pd.Timedelta(days=1)
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


def briefing(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    kpis = kpi_windows(t, state, window.query_end_months(), window.months)
    return {"kpi_windows": kpis}


def _breakdown(t, state: FilterState, opening: dt.date, closing: dt.date) -> pd.DataFrame:
    accounts = _scope(t["accounts"], state)[["account_id", "segment"]]
    mrr = t["account_mrr_monthly"]
    o = mrr.loc[mrr["month"] == _ts(opening), ["account_id", "mrr_usd"]]
    c = mrr.loc[mrr["month"] == _ts(closing), ["account_id", "mrr_usd"]]
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
    accounts = _scope(t["accounts"], state)[["account_id", "start_date"]]
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
    out = counts.merge(cohorts, on="cohort_start")
    max_age = ((last_month.year - out["last_member_start"].dt.year) * 12
               + last_month.month - out["last_member_start"].dt.month) // 3
    out = out.loc[out["age"] <= max_age]
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


def _scores(h: pd.DataFrame, config: health.HealthConfig) -> pd.Series:
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


def _bands(score: pd.Series, config: health.HealthConfig) -> pd.Series:
    return pd.Series(np.select(
        [score.isna(), score >= config.healthy_from, score >= config.watch_from,
         score >= config.at_risk_from], [5, 1, 2, 3], 4), index=score.index)


def health_page(t, context: Context, state: FilterState) -> dict[str, object]:
    config = health.load_config()
    scoped = _scope(t["accounts"], state)
    h = t["account_health_monthly"]
    h = h.loc[h["account_id"].isin(scoped["account_id"])]
    h = h.assign(health_score=_scores(h, config))
    h = h.assign(band_order=_bands(h["health_score"], config))
    now = h.loc[h["month"] == _ts(context.last_month)]
    summary = now.groupby("band_order").agg(
        accounts=("account_id", "size"), arr_usd=("mrr_usd", "sum")).reset_index()
    summary["arr_usd"] *= 12
    # churn within 12 months by band: a churn month is a month after a billed month with none
    mrr = t["account_mrr_monthly"]
    last = mrr.groupby("account_id")["month"].max()
    churns = (last[last < mrr["month"].max()] + pd.DateOffset(months=1)).rename("churn_month")
    cutoff = _ts(add_months(context.last_month, -12))
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
    top = top.merge(scoped[["account_id", "account_name", "renewal_date", "csm_employee_id"]],
                    on="account_id").merge(
        t["employees"], left_on="csm_employee_id", right_on="employee_id", how="left")
    top["last_executive_meeting_on"] = top["account_id"].map(meetings)
    return {"summary": summary, "band_churn": band_churn, "at_risk": top}


def _tallies(answers: pd.DataFrame, by: str | None) -> pd.DataFrame:
    keys = ([by] if by else []) + ["survey_type"]
    score = answers["score"]
    frame = answers.assign(promoter=score >= 9, detractor=score <= 6, satisfied=score >= 4,
                           squares=score * score)
    out = frame.groupby(keys).agg(responses=("score", "size"), promoters=("promoter", "sum"),
                                  detractors=("detractor", "sum"), satisfied=("satisfied", "sum"),
                                  score_total=("score", "sum"), squares=("squares", "sum"))
    return out.reset_index()


def satisfaction_page(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    scoped = _scope(t["accounts"], state)[["account_id"]]
    answers = t["survey_responses"].merge(scoped, on="account_id")

    def between(start: dt.date, end: dt.date) -> pd.DataFrame:
        return answers.loc[(answers["responded_on"] >= _ts(start))
                           & (answers["responded_on"] <= _ts(end))]

    period = between(window.start_month, filters.last_day(window.end_month))
    previous = between(window.comparison_start_month,
                       filters.last_day(window.comparison_end_month))
    monthly = between(filters.EARLIEST, context.as_of)
    monthly = monthly.assign(month=monthly["responded_on"].dt.to_period("M").dt.to_timestamp())
    return {
        "scores:current": _tallies(period, None),
        "scores:previous": _tallies(previous, None),
        "scores:monthly": _tallies(monthly, "month"),
        "scores:by_program": _tallies(period, "program"),
    }


PANDAS_PAGES: dict[str, Callable[..., dict[str, object]]] = {
    "briefing": briefing,
    "retention": retention_page,
    "health": health_page,
    "satisfaction": satisfaction_page,
}


def _close(a: float, b: float) -> bool:
    return bool(np.isclose(float(a), float(b), rtol=1e-6, atol=1e-6))


def check_equal(page: str, northstar: dict[str, pd.DataFrame], ours: dict[str, object],
                end_month: dt.date) -> list[str]:
    """A few numbers from both approaches that must agree; returns what differed."""
    problems: list[str] = []

    def expect(label: str, a, b) -> None:
        if not _close(a, b):
            problems.append(f"{page} {label}: northstar {a} != pandas {b}")

    end = _ts(end_month)
    if page in ("briefing", "retention"):
        key = "kpi_windows" if page == "briefing" else "overview:kpi_windows"
        n = northstar[key].set_index("window_end_month").loc[end]
        p = ours[key].set_index("window_end_month").loc[end]
        for column in ("arr_usd", "nrr_pct", "grr_pct", "churned_accounts", "nps",
                       "open_escalations"):
            expect(column, n[column], p[column])
    if page == "retention":
        n, p = northstar["breakdown"], ours["breakdown"]
        expect("breakdown lost_arr_usd", n["lost_arr_usd"].sum(), p["lost_arr_usd"].sum())
        n, p = northstar["cohorts"], ours["cohorts"]
        expect("cohort rows", len(n), len(p))
        expect("cohort active accounts", n["active_accounts"].sum(), p["active_accounts"].sum())
    if page == "health":
        n, p = northstar["summary"], ours["summary"]
        expect("scored accounts", n["accounts"].sum(), p["accounts"].sum())
        expect("arr", n["arr_usd"].sum(), p["arr_usd"].sum())
        n, p = northstar["band_churn"], ours["band_churn"]
        expect("churned account-months", n["churned_within_12m"].sum(),
               p["churned_within_12m"].sum())
        n, p = northstar["at_risk"], ours["at_risk"]
        expect("at-risk arr", n["arr_at_risk_usd"].sum(), p["arr_at_risk_usd"].sum())
    if page == "satisfaction":
        n, p = northstar["scores:current"], ours["scores:current"]
        expect("responses", n["responses"].sum(), p["responses"].sum())
        expect("promoters", n["promoters"].sum(), p["promoters"].sum())
        n, p = northstar["scores:monthly"], ours["scores:monthly"]
        expect("monthly responses", n["responses"].sum(), p["responses"].sum())
    return problems
