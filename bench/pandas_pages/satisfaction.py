"""Satisfaction scores in pandas: the period's, the comparison's, monthly and by program; the
answers are the survey answers and the helpdesk's ticket ratings (CSAT 1-5 on a ticket, as their
own source, dated when the ticket was resolved, else opened), a rating whose ticket a CSAT
survey answer already covers counted once, as the answer."""

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


def answers_with_ticket_ratings(surveys: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    surveyed = surveys.loc[(surveys["survey_type"] == "CSAT") & surveys["ticket_id"].notna(),
                           "ticket_id"]
    rated = tickets.loc[tickets["satisfaction_score"].notna()
                        & ~tickets["ticket_id"].isin(surveyed)]
    ratings = pd.DataFrame({
        "account_id": rated["account_id"], "survey_type": "CSAT", "program": "ticket_rating",
        "responded_on": rated["resolved_at"].fillna(rated["opened_at"]).dt.normalize(),
        "score": rated["satisfaction_score"].astype("int64"),
    })
    return pd.concat([surveys.drop(columns="ticket_id"), ratings], ignore_index=True)


def satisfaction_page(t, context: Context, state: FilterState) -> dict[str, object]:
    window = state.period
    everything = answers_with_ticket_ratings(t["survey_responses"], t["support_tickets"])
    answers = scope_of(t["accounts"], state).rows(everything)

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
        "scores:breakdown": _tallies(period, "program"),
    }


def check_satisfaction(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    for key in ("scores:current", "scores:previous", "scores:monthly", "scores:breakdown"):
        for column in ("survey_type", "responses", "promoters", "passives", "detractors",
                       "satisfied", "score_total", "score_squares_total"):
            expect_list(expect, northstar, ours, key, column)


PAGES = (
    Page("satisfaction", base_tables(
        "accounts",
        survey_responses=("account_id", "survey_type", "program", "responded_on", "score",
                          "ticket_id"),
        support_tickets=("ticket_id", "account_id", "opened_at", "resolved_at",
                         "satisfaction_score")), satisfaction_page,
         ("scores:current", "scores:previous", "scores:monthly", "scores:breakdown"),
         check_satisfaction),
)
