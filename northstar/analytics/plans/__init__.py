"""Every page's data plan, by page key (the page registry's keys, northstar.data.registry.pages)."""

from __future__ import annotations

from collections.abc import Callable

from northstar.analytics.plans import (
    account,
    alignment,
    briefing,
    data,
    forum,
    glossary,
    health,
    invest,
    programs,
    renewals,
    retention,
    satisfaction,
    scorecard,
)
from northstar.analytics.plans.core import Call, Context, batches

# page (views/<name>.py) -> the calls it makes for a context and filter state (and, on pages
# that ask, keyword arguments for what the viewer chose); one plan per page of the registry
# (tests/unit/test_bench_pages.py fails when a page has none)
PLANS: dict[str, Callable[..., list[Call]]] = {
    "briefing": briefing.calls,
    "retention": retention.calls,
    "health": health.calls,
    "renewals": renewals.calls,
    "account": account.calls,
    "programs": programs.calls,
    "satisfaction": satisfaction.calls,
    "data": data.calls,
    "glossary": glossary.calls,
    "forum": forum.calls,
    "alignment": alignment.calls,
    "scorecard": scorecard.calls,
    "invest": invest.calls,
}

__all__ = ["PLANS", "Call", "Context", "batches"]
