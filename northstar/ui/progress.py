"""Long operations in the app: while a demo build, load or export started from the command
line runs on the database in use, every page shows a compact notice in the sidebar and the
Data page shows the detail. Both redraw every few seconds on their own (fragments), without
rerunning the page; when a build or load finishes, the app reruns once to show the new data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from northstar.analytics.literal_text import literal
from northstar.data.db import job_progress
from northstar.data.db.data_source import database_path
from northstar.data.importer import data_status

REFRESH_SECONDS = 2  # while an operation runs
# when none runs: a rerun every 2 s of every open session (20 executives in a board meeting)
# kept the server busy for nothing, so idle pages look for a new operation twice a minute
IDLE_REFRESH_SECONDS = 30
_SEEN_KEY = "_running_refreshes"  # tokens of the builds and loads this session saw running


def _statuses() -> list[job_progress.JobStatus]:
    """The records on the database in use; none when the data source is not a local file."""
    try:
        database: Path = database_path()
    except ValueError:  # a Parquet folder or remote database: no command runs on it here
        return []
    return job_progress.read_all(database)


def refresh_running() -> bool:
    """Whether a demo build or load is writing the database in use right now."""
    return any(status.running and status.refresh for status in _statuses())


def _rerun_when_a_refresh_finished(statuses: list[job_progress.JobStatus]) -> None:
    """Rerun the app when a build or load seen running is gone (it finished: a failed or
    interrupted one stays on record, and left the data as it was)."""
    seen = st.session_state.get(_SEEN_KEY, frozenset())
    tokens = {status.token for status in statuses}
    st.session_state[_SEEN_KEY] = frozenset(
        status.token for status in statuses if status.running and status.refresh
    )
    if seen - tokens:
        st.rerun(scope="app")


def _interval(statuses: list[job_progress.JobStatus]) -> int:
    return REFRESH_SECONDS if any(status.running for status in statuses) else IDLE_REFRESH_SECONDS


def _timed_fragment(
    body: Callable[[list[job_progress.JobStatus]], None], statuses: list[job_progress.JobStatus]
) -> None:
    """Run `body` as a fragment that redraws itself every 2 s while an operation runs and
    every 30 s otherwise; the app reruns once when that changes, to switch the interval."""
    interval = _interval(statuses)

    def redraw() -> None:
        current = _statuses()
        body(current)
        if _interval(current) != interval:
            st.rerun(scope="app")

    st.fragment(redraw, run_every=interval)()


def _notice(statuses: list[job_progress.JobStatus]) -> None:
    _rerun_when_a_refresh_finished(statuses)
    for status in statuses:
        if status.running:
            st.progress(status.fraction, text=status.notice())


def render_notice() -> None:
    """A progress bar per operation running on the database in use (nothing otherwise)."""
    _timed_fragment(_notice, _statuses())


def render_detail() -> None:
    """The Data page's account of operations on the database in use: what a running one is
    doing, and why the last one failed or stopped."""
    _timed_fragment(_detail, _statuses())


def _detail(statuses: list[job_progress.JobStatus]) -> None:
    for status in statuses:
        if not status.running:
            show = st.error if status.state == job_progress.FAILED else st.warning
            show(literal(data_status.job_outcome(status)), icon=":material/sync_problem:")
            continue
        # not `with`: leaving the block would mark the status complete
        box = st.status(status.notice(), state="running", expanded=True)
        box.progress(status.fraction)
        box.markdown("  \n".join(
            f"**{label}:** {literal(value)}" for label, value in data_status.job_facts(status)
        ))
        if status.refresh:
            box.caption("The figures below are from the current database; they change when the "
                        "new one is in place.")
