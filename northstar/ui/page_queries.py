"""The query runner pages use: named queries for the current viewer, checked, masked, cached.

Pages call `run_query("name", **params)`, or `run_queries(request(...), request(...))` for
queries that do not depend on each other, which run at once. Before anything runs or is served
from cache, the viewer's role is checked against the scope the query's file declares; for a
viewer who sees masked data the declared sensitive columns are masked and the declared
`-- when masked:` parameters are forced. Results are cached by query name, parameters, data
version (the database file's identity, a Parquet folder's files, or a time bucket for remote
sources) and the viewer's scope, so a reloaded database is never served stale and nothing is
shared between viewers who may see different data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from northstar.data.db.data_source import DataSource, current_source
from northstar.data.db.query_runner import (
    RETRY_SECONDS,
    DatabaseMissingError,
    DatasetMetadata,
    QueryError,
    RefusedVersion,
    dataset_metadata_from,
    execute,
    load_query,
    refused_version,
    run_concurrently,
    serving_version,
    source_key,
)
from northstar.data.db.viewer_queries import checked_params
from northstar.ui import masking, sign_in

__all__ = ["RETRY_SECONDS", "DatabaseMissingError", "QueryError", "dataset_metadata",
           "filter_options", "newest_version_refused", "request", "run_queries", "run_query"]


@st.cache_data(show_spinner=False, max_entries=512, ttl=dt.timedelta(hours=12))
def _cached(
    name: str,
    params_key: tuple[tuple[str, Any], ...],
    source_key: str,
    version: str,
    viewer_scope: tuple[str | None, str | None],
    masked: bool,
    query_sql: str,
    _source: DataSource,
) -> pd.DataFrame:
    # the query's SQL is part of the key, so a query rendered from changed measures reruns;
    # viewer_scope is part of the key so results are never shared between viewers that may
    # see different data; masking is applied before the result is cached
    frame = execute(name, dict(params_key), _source)
    return masking.mask_frame(frame, load_query(name).sensitive, name) if masked else frame


def _cached_call(name: str, params: dict[str, Any]) -> partial[pd.DataFrame]:
    """The cached call for one query and the current viewer, after the access check."""
    viewer = sign_in.current_viewer()
    masked = masking.masking_on(forced=viewer.masking_forced)
    _, used = checked_params(viewer, name, params, masked)
    source = current_source()
    return partial(
        _cached, name, tuple(sorted(used.items())), source_key(source), serving_version(source),
        viewer.cache_scope, masked, load_query(name).sql, source,
    )


def run_query(name: str, **params: Any) -> pd.DataFrame:
    """Run a named query for the current viewer; cached by name, parameters, data version and
    viewer scope. Raises `AccessDenied` when the viewer's role may not see the query's data.

    Parameters the query does not use are ignored, so pages can pass the global filters
    to every query.
    """
    return _cached_call(name, params)()


@dataclass(frozen=True)
class QueryRequest:
    """One named query and its parameters, for run_queries."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


def request(name: str, **params: Any) -> QueryRequest:
    return QueryRequest(name, params)


def run_queries(*requests: QueryRequest) -> list[pd.DataFrame]:
    """Run independent named queries at once (query_runner.QUERY_WORKERS at a time); their
    results in the requests' order, each checked, masked and cached as run_query does. Every
    access check runs before any query does."""
    calls = [_cached_call(item.name, item.params) for item in requests]
    context = get_script_run_ctx()
    # the worker threads belong to this viewer's script run, so the cache's messages reach it
    return run_concurrently(calls, initializer=partial(add_script_run_ctx, None, context))


def dataset_metadata() -> DatasetMetadata:
    """What the data is and when it is from (raises DatabaseMissingError when the data source
    is missing or cannot be opened)."""
    return dataset_metadata_from(run_query("dataset_metadata"))


def newest_version_refused() -> RefusedVersion | None:
    """The newest published data version when this server could not open it (it keeps serving
    the previous one), else None."""
    return refused_version(current_source())


def filter_options() -> dict[str, list[str]]:
    """Values offered by the global filters, by dimension."""
    frame = run_query("filter_options")
    return {
        dimension: list(group["value"])
        for dimension, group in frame.groupby("dimension", sort=False)
    }
