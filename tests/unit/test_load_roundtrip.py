"""Round trip, shipped sample exports, atomic swap under SIGKILL, and a query across a swap."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.data import settings
from northstar.data.db import query_runner
from northstar.data.db.data_source import source_version
from northstar.data.db.paths import DATA_DIR
from northstar.data.export import export_csv
from northstar.data.importer.run import main
from northstar.data.registry.access import LOCAL_DEMO_VIEWER
from northstar.data.workspace.store import NewAction, Workspace, default_url
from northstar.ui import page_queries
from tests.conftest import REPO_ROOT

MAPPINGS = DATA_DIR / "mappings"
KPI_PARAMS = [
    {"window_months": 12, "segments": [], "regions": [], "plans": []},
    {"window_months": 3, "segments": ["Enterprise"], "regions": [], "plans": []},
    {"window_months": 1, "segments": [], "regions": ["EMEA"], "plans": []},
    {"window_months": 6, "segments": ["SMB", "Mid-Market"], "regions": [], "plans": ["Starter"]},
]
END_MONTHS = [dt.date(2026, 10, 1), dt.date(2026, 4, 1), dt.date(2025, 12, 1)]


@pytest.fixture(scope="module")
def demo_and_export(tmp_path_factory, built_demo) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("roundtrip")
    demo = built_demo(1500, 7)  # the session's shared demo: read here, never written
    export_csv(demo, root / "export")
    return demo, root / "export"


def test_round_trip_gives_identical_kpis(demo_and_export, tmp_path):
    demo, export = demo_and_export
    loaded = tmp_path / "loaded.duckdb"
    assert main([str(export), "--mapping", str(MAPPINGS / "northstar.toml"),
                 "--db", str(loaded)]) == 0
    for params in KPI_PARAMS:
        expected = query_runner.execute("kpi_windows", {**params, "end_months": END_MONTHS}, demo)
        actual = query_runner.execute("kpi_windows", {**params, "end_months": END_MONTHS}, loaded)
        pd.testing.assert_frame_equal(actual, expected)
    with duckdb.connect(str(loaded), read_only=True) as con:
        facts = dict(con.execute("select key, value from dataset_metadata").fetchall())
        snapshots = con.execute("select count(*) from account_month_snapshots").fetchone()[0]
    with duckdb.connect(str(demo), read_only=True) as con:
        assert snapshots == con.execute("select count(*) from account_month_snapshots").fetchone()[0]
    assert facts["as_of_date"] == "2026-10-31" and facts["source"] == "load"


@pytest.mark.parametrize("shape", ["salesforce_stripe_zendesk_qualtrics",
                                   "hubspot_chargebee_freshdesk_delighted"])
def test_shipped_sample_exports_load(shape, tmp_path, capsys):
    loaded = tmp_path / "sample.duckdb"
    assert main([str(DATA_DIR / "samples" / shape), "--mapping", str(MAPPINGS / f"{shape}.toml"),
                 "--db", str(loaded)]) == 0, capsys.readouterr().err
    with duckdb.connect(str(loaded), read_only=True) as con:
        counts = con.execute("select table_name, loaded_rows from load_table_results "
                             "where status = 'loaded' order by all").fetchall()
    assert dict(counts).keys() == {"accounts", "account_mrr_monthly", "support_tickets",
                                   "survey_responses"}
    assert all(rows > 0 for _, rows in counts)
    frame = query_runner.execute("kpi_windows", {**KPI_PARAMS[0], "end_months": [dt.date(2026, 10, 1)]},
                       loaded)
    assert frame["arr_usd"].iloc[0] > 0 and frame["nps_responses"].iloc[0] > 0


def test_killed_load_leaves_the_previous_database_answering(demo_and_export, tmp_path,
                                                            copy_demo):
    demo, export = demo_and_export
    target = copy_demo(tmp_path / "northstar.duckdb", 300, 3)
    expected = query_runner.execute("kpi_windows", {**KPI_PARAMS[0], "end_months": END_MONTHS}, target)
    big = tmp_path / "big"
    big.mkdir()
    with duckdb.connect() as con:  # a source that takes a few seconds: 40x the tickets
        for name in ("accounts", "account_mrr_monthly"):
            (big / f"{name}.csv").write_bytes((export / f"{name}.csv").read_bytes())
        con.execute(
            "copy (select * replace (ticket_id || '-' || i as ticket_id) "
            "from read_csv($src, all_varchar = true), range(40) r(i)) to $out (header)",
            {"src": str(export / "support_tickets.csv"), "out": str(big / "support_tickets.csv")},
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "northstar.load", str(big), "--db", str(target)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    loading = target.with_name(target.name + ".loading")
    deadline = time.monotonic() + 30
    while not loading.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert process.poll() is None, "the load finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    actual = query_runner.execute("kpi_windows", {**KPI_PARAMS[0], "end_months": END_MONTHS}, target)
    pd.testing.assert_frame_equal(actual, expected)
    # the next load clears the leftover and succeeds
    assert main([str(export), "--db", str(target)]) == 0
    assert not loading.exists()


def test_query_running_during_a_swap_finishes(demo_and_export, tmp_path, use_db, copy_demo):
    demo, _ = demo_and_export
    target = copy_demo(tmp_path / "serving.duckdb", 200, 5)
    use_db(target)
    replacement = copy_demo(tmp_path / "replacement.duckdb", 400, 5)
    connection = query_runner._connection(str(target.resolve()), query_runner.as_source(target))
    version = source_version(query_runner.as_source(target.resolve()))
    cursor = connection.cursor(version)  # a session that has just started a query
    outcome: dict[str, object] = {}

    def slow_query() -> None:
        try:
            time.sleep(0.5)  # the swap and the next session's reopen happen meanwhile
            outcome["rows"] = cursor.execute("select count(*) from accounts").fetchone()[0]
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            outcome["error"] = error
        finally:
            cursor.close()

    worker = threading.Thread(target=slow_query)
    worker.start()
    os.replace(replacement, target)
    # another session's query right after the swap sees the new data
    assert page_queries.run_query("filter_options")["accounts"].sum() == 3 * 400
    worker.join()
    assert outcome == {"rows": 200}


def test_a_load_leaves_every_action_intact(demo_and_export, tmp_path, monkeypatch):
    """Actions live beside the database, not in it: a load that replaces the database keeps
    them all, and an action whose account the new data lacks is flagged, not lost."""
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    demo, export = demo_and_export
    target = tmp_path / "northstar.duckdb"
    assert main([str(export), "--db", str(target)]) == 0
    store = Workspace(default_url(target))
    kept = store.create(LOCAL_DEMO_VIEWER, NewAction(
        title="Call the sponsor", owner_employee_id="E00001", owner_name="Mei Lund",
        department_id="customer_service", due_on=dt.date(2026, 12, 10), subject_kind="account",
        subject_key="A0000001", subject_label="An account", account_id="A0000001"))
    store.dispose()
    shape = "salesforce_stripe_zendesk_qualtrics"
    assert main([str(DATA_DIR / "samples" / shape), "--mapping", str(MAPPINGS / f"{shape}.toml"),
                 "--db", str(target)]) == 0
    store = Workspace(default_url(target))
    after = store.get(LOCAL_DEMO_VIEWER, kept.action_id)
    assert (after.title, after.version, store.audit_count()) == ("Call the sponsor", 1, 1)
    store.dispose()
    facts = query_runner.execute("action_account_outcomes", {
        "account_ids": ["A0000001"], "action_months": [dt.date(2026, 12, 1)],
        **settings.load_config().query_params()}, target)
    assert not bool(facts["in_data"].iloc[0])
