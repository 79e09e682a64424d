"""A page's data (northstar.ui.page_data) runs its plan's calls as the page reads them: a call
on first read, a batch at once, results reused, and a call's parameters from earlier results."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from northstar.analytics import periods
from northstar.analytics.plans import Call
from northstar.ui import page_data, page_queries


@pytest.fixture()
def runs(monkeypatch):
    """What each page_queries.run_queries call ran: a list of (query, params) per call."""
    ran: list[list[tuple[str, dict]]] = []

    def run_queries(*requests):
        ran.append([(request.query, dict(request.params)) for request in requests])
        return [pd.DataFrame({"query": [request.query], "n": [len(ran)]})
                for request in requests]

    monkeypatch.setattr(page_queries, "run_queries", run_queries)
    monkeypatch.setattr(page_queries, "request",
                        lambda query, **params: type("R", (), {"query": query, "params": params}))
    return ran


def test_a_batch_runs_at_once_on_first_read_and_only_what_is_read_runs(runs):
    data = page_data.PageData([
        Call("first", "q_first"),
        Call("a", "q_a", {"x": 1}, batch="b"),
        Call("b", "q_b", batch="b"),
        Call("later", "q_later", lambda results: {"n": int(results["first"]["n"].iloc[0])}),
        Call("unread", "q_unread"),
    ])
    assert runs == []
    data["first"]
    data["b"]
    data["a"]  # ran with b: not run again
    data["later"]
    assert runs == [[("q_first", {})], [("q_a", {"x": 1}), ("q_b", {})],
                    [("q_later", {"n": 1})]]
    assert set(data) == {"first", "a", "b", "later", "unread"}


def test_a_choice_goes_to_the_plan_or_to_the_context(monkeypatch):
    seen = {}

    def plan(context, state, *, grouping: str = "program"):
        seen.update(context=context, grouping=grouping)
        return [Call("one", "q")]

    monkeypatch.setitem(page_data.PLANS, "satisfaction", plan)
    # the dataset's dates are all page_data reads of the metadata
    metadata = SimpleNamespace(last_month=dt.date(2026, 10, 1), as_of=dt.date(2026, 10, 31))
    state = periods.FilterState(periods.resolve_period(dt.date(2026, 10, 1),
                                                       periods.DEFAULT_PERIOD,
                                                       periods.DEFAULT_COMPARISON), (), (), ())
    page_data.page_data("satisfaction", metadata, state, grouping="segment", search="North")
    assert seen["grouping"] == "segment"
    assert seen["context"].search == "North"


def test_the_ceo_brief_reads_the_plan_calls_that_ask_for_what_it_asks(runs):
    from northstar.ui import ceo_brief

    data = page_data.PageData([Call("brief:portfolio", "risk_portfolio", {"as_of_month": 1}),
                               Call("brief:model_checks", "churn_model_checks")])
    run = ceo_brief.runner(data)
    assert run("risk_portfolio", as_of_month=1)["query"].iloc[0] == "risk_portfolio"
    assert runs == [[("risk_portfolio", {"as_of_month": 1})]]
    # a plan out of step with the brief says so, rather than timing another query
    with pytest.raises(ValueError, match="brief:model_checks"):
        run("churn_model_checks", limit=3)
