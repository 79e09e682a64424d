"""Satisfaction scores in pandas: the period's, the comparison's, monthly and by program."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, base_tables, scope, ts
from northstar import filters
from northstar.filters import FilterState


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
    scoped = scope(t["accounts"], state)[["account_id"]]
    answers = t["survey_responses"].merge(scoped, on="account_id")

    def between(start: dt.date, end: dt.date) -> pd.DataFrame:
        return answers.loc[(answers["responded_on"] >= ts(start))
                           & (answers["responded_on"] <= ts(end))]

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


def check_satisfaction(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    n, p = northstar["scores:current"], ours["scores:current"]
    expect("responses", n["responses"].sum(), p["responses"].sum())
    expect("promoters", n["promoters"].sum(), p["promoters"].sum())
    n, p = northstar["scores:monthly"], ours["scores:monthly"]
    expect("monthly responses", n["responses"].sum(), p["responses"].sum())


PAGES = (
    Page("satisfaction", base_tables("accounts", "survey_responses"), satisfaction_page,
         ("scores:current", "scores:previous", "scores:monthly", "scores:by_program"),
         check_satisfaction),
)
