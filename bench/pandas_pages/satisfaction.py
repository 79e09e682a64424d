"""Satisfaction scores in pandas: the period's, the comparison's, monthly and by program."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, base_tables, expect_list, scope_of, ts
from northstar.analytics import periods
from northstar.analytics.periods import FilterState
from northstar.data.months import last_day


def _tallies(answers: pd.DataFrame, by: str | None) -> pd.DataFrame:
    keys = ([by] if by else []) + ["survey_type"]
    score, survey_type = answers["score"], answers["survey_type"]
    nps = survey_type == "NPS"
    frame = answers.assign(promoter=nps & (score >= 9), passive=nps & score.between(7, 8),
                           detractor=nps & (score <= 6),
                           satisfied=(survey_type == "CSAT") & (score >= 4),
                           squares=score * score)
    out = frame.groupby(keys).agg(responses=("score", "size"), promoters=("promoter", "sum"),
                                  passives=("passive", "sum"), detractors=("detractor", "sum"),
                                  satisfied=("satisfied", "sum"), score_total=("score", "sum"),
                                  score_squares_total=("squares", "sum"))
    return out.reset_index()


def satisfaction_page(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    answers = scope_of(t["accounts"], state).rows(t["survey_responses"])

    def between(start: dt.date, end: dt.date) -> pd.DataFrame:
        return answers.loc[(answers["responded_on"] >= ts(start))
                           & (answers["responded_on"] <= ts(end))]

    period = between(window.start_month, last_day(window.end_month))
    previous = between(window.comparison_start_month,
                       last_day(window.comparison_end_month))
    monthly = between(periods.EARLIEST, context.as_of)
    monthly = monthly.assign(month=monthly["responded_on"].dt.to_period("M").dt.to_timestamp())
    return {
        "scores:current": _tallies(period, None),
        "scores:previous": _tallies(previous, None),
        "scores:monthly": _tallies(monthly, "month"),
        "scores:by_program": _tallies(period, "program"),
    }


def check_satisfaction(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    for key in ("scores:current", "scores:previous", "scores:monthly", "scores:by_program"):
        for column in ("survey_type", "responses", "promoters", "passives", "detractors",
                       "satisfied", "score_total", "score_squares_total"):
            expect_list(expect, northstar, ours, key, column)


PAGES = (
    Page("satisfaction", base_tables("accounts", "survey_responses"), satisfaction_page,
         ("scores:current", "scores:previous", "scores:monthly", "scores:by_program"),
         check_satisfaction),
)
