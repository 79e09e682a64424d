"""A page's data: its plan's queries (northstar.analytics.plans) run for the current viewer when
the page first reads their results, so a lazy tab runs only the calls it reads and a batch of
calls runs at once."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import pandas as pd

from northstar.analytics import periods
from northstar.analytics.plans import PLANS, Call, Context
from northstar.data.db.query_runner import DatasetMetadata
from northstar.ui import page_queries


class PageData(Mapping[str, pd.DataFrame]):
    """The results of one page's plan by call key, each run on first read."""

    def __init__(self, calls: list[Call]) -> None:
        self._calls = {call.key: call for call in calls}
        self._results: dict[str, pd.DataFrame] = {}

    def __getitem__(self, key: str) -> pd.DataFrame:
        if key not in self._results:
            call = self._calls[key]
            group = [call] if not call.batch else [
                other for other in self._calls.values()
                if other.batch == call.batch and other.key not in self._results]
            frames = page_queries.run_queries(*(
                page_queries.request(member.query, **member.resolve(self._results))
                for member in group))
            self._results.update(zip((member.key for member in group), frames, strict=True))
        return self._results[key]

    def params(self, key: str) -> dict[str, Any]:
        """The parameters the call under `key` runs with (given the results read so far)."""
        return self._calls[key].resolve(self._results)

    def __iter__(self):
        return iter(self._calls)

    def __len__(self) -> int:
        return len(self._calls)


def page_data(page: str, metadata: DatasetMetadata, state: periods.FilterState,
              **choices: Any) -> PageData:
    """The data of `page` (a registry key) for these filters and the viewer's choices: fields
    of plans.Context beyond the dataset's dates (e.g. account_id on Account 360), or keyword
    arguments of the page's plan (e.g. the breakdown Satisfaction is grouped by)."""
    plan = PLANS[page]
    # a parameter of the plan beyond the context and the filters takes the choice; any other
    # choice is a Context field
    own = set(list(inspect.signature(plan).parameters)[2:])
    context = Context(metadata.last_month, metadata.as_of,
                      **{name: value for name, value in choices.items() if name not in own})
    return PageData(plan(context, state, **{
        name: value for name, value in choices.items() if name in own}))
