"""Masking follows what each query declares: no query shows a customer's name or words to a
masked viewer, however the query names or derives the column.

Every query every page runs (the benchmark's page calls, all filter sets) is run on a database
whose customer names, contacts, e-mails, subjects, notes and comments are wrapped in a marker;
as a board member nothing marked may come back.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench import pages
from bench.worker import context_for
from northstar.data.db import query_runner
from northstar.data.registry import access
from northstar.ui import masking, page_queries, sign_in
from tests.conftest import REPO_ROOT
from tests.planted_text import holds_canary, plant_canaries

BOARD = access.Viewer("member@board.example", "board", signed_in=True)
CCO = access.Viewer("cco@northstar.example", "cco", signed_in=True)


@pytest.fixture(scope="module")
def canary_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plant_canaries(demo_db, tmp_path_factory.mktemp("canary") / "canary.duckdb")


def every_call(database: Path) -> list[tuple[str, dict]]:
    """(query, params) of every page call for every filter set, plus the scorecard drills
    the benchmark's departments do not reach and the query the churn-chance alert runs."""
    context = context_for(database)
    calls = []
    for page in pages.PAGES:
        for filter_set in pages.FILTER_SETS:
            results: dict[str, pd.DataFrame] = {}
            for call in pages.page_calls(page, context, filter_set):
                params = call.resolve(results)
                results[call.key] = query_runner.execute(call.query, params, database)
                calls.append((call.query, params))
    scope = {"segments": [], "regions": [], "plans": []}
    calls += [
        ("goal_drill_coverage", {**scope, "closing_month": context.last_month, "limit": 50}),
        ("goal_drill_revenue", {**scope, "movement": "new", "limit": 50,
                                "opening_month": context.last_month.replace(month=1),
                                "closing_month": context.last_month}),
        ("alert_churn_accounts", {"level_pct": 0, "as_of_month": context.last_month}),
    ]
    return calls


def shown(frame: pd.DataFrame) -> list[str]:
    return [f"{column}: {value!r}" for column in frame.columns for value in frame[column]
            if holds_canary(value)]


def run_as(viewer: access.Viewer, monkeypatch: pytest.MonkeyPatch, database: Path,
           name: str, params: dict) -> pd.DataFrame:
    monkeypatch.setattr(sign_in, "current_viewer", lambda: viewer)
    monkeypatch.setenv("NORTHSTAR_DB", str(database))
    return page_queries.run_query(name, **params)


def test_every_query_is_exercised(canary_db: Path):
    run = {name for name, _ in every_call(canary_db)}
    assert {path.stem for path in (REPO_ROOT / "queries").glob("*.sql")} - run == set()


def test_no_query_shows_a_customer_text_to_a_board_member(canary_db, monkeypatch):
    leaks = {}
    for name, params in every_call(canary_db):
        if BOARD.role not in access.SCOPE_ROLES[query_runner.load_query(name).scope]:
            continue  # refused to the board outright
        found = shown(run_as(BOARD, monkeypatch, canary_db, name, params))
        if found:
            leaks[name] = found[:3]
    assert leaks == {}


def test_the_same_queries_show_those_texts_unmasked(canary_db, monkeypatch):
    # the planted texts reach the outputs, so the test above would see a leak
    declared = {}
    for name, params in every_call(canary_db):
        query = query_runner.load_query(name)
        if query.sensitive:
            frame = run_as(CCO, monkeypatch, canary_db, name, params)
            declared.setdefault(name, set()).update(
                column for column, _ in query.sensitive if frame[column].map(holds_canary).any())
    assert {"health_accounts", "survey_comments", "program_survey_results"} <= set(declared)
    assert "topic" in declared["program_survey_results"]  # engagement notes under another name


def test_a_declared_column_missing_from_the_result_is_an_error():
    frame = pd.DataFrame({"name": ["Acme"]})
    with pytest.raises(masking.UndeclaredColumn, match="account_name"):
        masking.mask_frame(frame, (("account_name", "account"),), "some_query")


def test_a_search_over_customer_text_tells_a_masked_viewer_nothing(canary_db, monkeypatch):
    context = context_for(canary_db)
    params = {"segments": [], "regions": [], "plans": [], "start_date": context.first_month,
              "end_date": context.as_of, "theme_names": [], "theme_patterns": [],
              "programs": [], "survey_types": [], "min_score": 0, "max_score": 10,
              "theme": "", "limit": 500}
    everything = run_as(BOARD, monkeypatch, canary_db, "survey_comments",
                        {**params, "search": ""})
    for probe in ("zzz-no-comment-says-this", "slow", "a"):
        searched = run_as(BOARD, monkeypatch, canary_db, "survey_comments",
                          {**params, "search": probe})
        assert len(searched) == len(everything)  # the search is not applied at all
    unmasked = run_as(CCO, monkeypatch, canary_db, "survey_comments",
                      {**params, "search": "zzz-no-comment-says-this"})
    assert unmasked.empty


def test_account_search_looks_at_ids_only_while_names_are_masked(canary_db, monkeypatch):
    masked_cco = access.Viewer("cco@northstar.example", "cco", signed_in=True)
    monkeypatch.setattr(masking, "masking_on", lambda forced=False: True)
    by_name = run_as(masked_cco, monkeypatch, canary_db, "account_search",
                     {"search": "qzxcanary", "match_names": True, "limit": 25})
    assert by_name.empty
    by_id = run_as(masked_cco, monkeypatch, canary_db, "account_search",
                   {"search": "A000001", "match_names": True, "limit": 25})
    assert len(by_id) and not shown(by_id)
