"""Progress records of long operations: written atomically, read back, finished, failed,
interrupted; and the demo build, the load and the export write and finish theirs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from northstar.data import export
from northstar.data.db import job_progress
from northstar.data.db.job_progress import JobRecord, read, record_path
from northstar.data.demo import generator
from northstar.data.importer import data_status, run
from tests.unit.test_load_cases import ACCOUNTS, MRR


def test_write_read_and_advance(tmp_path):
    db = tmp_path / "northstar.duckdb"
    record = JobRecord("load", db, "from exports", ["loading accounts", "loading support_tickets",
                                                   "saving the database"])
    record.start()
    assert record_path(db, "load") == tmp_path / "northstar.duckdb.progress.json"
    status = read(db, "load")
    assert (status.state, status.step, status.fraction, status.pid) == (
        "running", "loading accounts", 0.0, os.getpid())
    assert status.running and status.refresh and status.detail == "from exports"
    record.advance(0.45)
    status = read(db, "load")
    assert (status.step, status.percent) == ("loading support_tickets", 45)
    assert status.notice() == "Data refresh running: loading support_tickets — 45%"
    for fraction in (0.9, 1.0, 1.0):  # more events than steps: the last step stays current
        record.advance(fraction)
    assert read(db, "load").step == "saving the database"
    assert job_progress.running(db) == [read(db, "load")]


def test_demo_and_load_share_a_record_and_export_has_its_own(tmp_path):
    db = tmp_path / "x.duckdb"
    assert record_path(db, "demo") == record_path(db, "load")
    assert record_path(db, "export").name == "x.duckdb.export.progress.json"
    JobRecord("demo", db).start()
    JobRecord("export", db, steps=["exporting accounts"]).start()
    statuses = job_progress.read_all(db)
    assert [status.operation for status in statuses] == ["demo", "export"]
    assert statuses[1].notice() == "Export running: exporting accounts — 0%"


def test_recording_removes_the_record_when_done(tmp_path):
    db = tmp_path / "northstar.duckdb"
    with job_progress.recording("demo", db, steps=["a", "b"]) as record:
        assert read(db, "demo").running
        record.advance(0.5)
    assert not record_path(db, "demo").exists()
    assert job_progress.read_all(db) == []


@pytest.mark.parametrize(("error", "state", "message"), [
    (ValueError("Refused: accounts has 12% refused rows"), "failed",
     "Refused: accounts has 12% refused rows"),
    (KeyboardInterrupt(), "interrupted", "Stopped before the end (interrupted)."),
])
def test_recording_marks_failure_and_interruption(tmp_path, error, state, message):
    db = tmp_path / "northstar.duckdb"
    with pytest.raises(type(error)), job_progress.recording("load", db, steps=["a", "b"]) as rec:
        rec.advance(0.5)
        raise error
    status = read(db, "load")
    assert (status.state, status.message, status.step, status.running) == (
        state, message, "b", False)
    assert job_progress.running(db) == []


def test_a_record_whose_process_is_gone_reads_as_interrupted(tmp_path):
    db = tmp_path / "northstar.duckdb"
    JobRecord("load", db).start()
    path = record_path(db, "load")
    fields = json.loads(path.read_text())
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    for pid, started in ((finished.pid, None), (os.getpid(), "1")):  # gone; pid reused
        path.write_text(json.dumps({**fields, "pid": pid, "process_started": started}))
        status = read(db, "load")
        assert (status.state, status.running) == ("interrupted", False), (pid, started)
        assert "stopped before the end" in status.message
    # another machine's process cannot be checked: it reads as running
    path.write_text(json.dumps({**fields, "pid": finished.pid, "host": "elsewhere"}))
    assert read(db, "load").running


def test_writes_are_atomic_and_never_fail_the_job(tmp_path, monkeypatch):
    db = tmp_path / "northstar.duckdb"
    record = JobRecord("load", db, steps=["a", "b", "c"])
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(job_progress.os, "replace",
                        lambda source, target: replaced.append((source, target))
                        or real_replace(source, target))
    record.start()
    source, target = replaced[0]
    assert target == record_path(db, "load") and str(source).endswith(".tmp")

    def refuse(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(job_progress.os, "replace", refuse)
    record.advance(0.5)  # no exception: progress is a courtesy
    assert read(db, "load").step == "a"  # the previous record, whole
    assert sorted(path.name for path in tmp_path.iterdir()) == ["northstar.duckdb.progress.json"]


def test_a_run_does_not_touch_a_later_runs_record(tmp_path):
    db = tmp_path / "northstar.duckdb"
    first = JobRecord("demo", db, steps=["a"])
    first.start()
    second = JobRecord("load", db, steps=["b"])
    second.start()
    first.fail("boom")
    first.finish()
    assert read(db, "load").operation == "load" and read(db, "load").running


def test_without_steps_the_last_one_done_is_shown_and_without_a_file_nothing_is_written(
    tmp_path,
):
    db = tmp_path / "northstar.duckdb"
    record = JobRecord("export", db)
    record.start()
    assert read(db, "export").step == "starting"
    record.tee(lambda message, fraction: None)("accounts: 3 rows (0.1 s)", 0.2)
    assert read(db, "export").step == "after accounts: 3 rows (0.1 s)"
    remote = JobRecord("export", None, "parquet files to s3://bucket/northstar")
    remote.start()
    remote.advance(0.5, "accounts")
    remote.finish()
    assert remote.status.fraction == 0.5 and remote.path is None


def test_an_unreadable_record_is_ignored(tmp_path):
    db = tmp_path / "northstar.duckdb"
    record_path(db, "load").write_text("{not json")
    record_path(db, "export").write_text(json.dumps({"operation": "export"}))
    assert job_progress.read_all(db) == []


def test_durations_elapsed_and_time_left():
    assert [job_progress.format_duration(dt.timedelta(seconds=s)) for s in (4, 185, 3720)] == [
        "4 s", "3 min 05 s", "1 h 02 min"]
    status = JobRecord("load", "x.duckdb", "from exports", ["loading accounts"]).status
    now = status.started + dt.timedelta(seconds=40)
    assert status.remaining(now) is None  # no pace yet
    half = replace(status, fraction=0.5)
    assert half.remaining(now) == dt.timedelta(seconds=40)
    facts = dict(data_status.job_facts(half, now))
    assert facts["Operation"] == "Data load, from exports"
    assert (facts["Step"], facts["Done"], facts["Elapsed"]) == ("loading accounts", "50%", "40 s")
    assert facts["Time left"] == "about 40 s at the pace so far"
    assert facts["Started by"].startswith(f"{status.user} on {status.host}")
    failed = replace(half, state="failed", message="Refused: too many rows.")
    assert data_status.job_outcome(failed).endswith(
        "failed at 50% (loading accounts): Refused: too many rows. The database was not "
        "replaced: the data shown is from before it.")


class Spy:
    """Every record an operation writes, as read back from disk."""

    def __init__(self, monkeypatch):
        self.seen: list[job_progress.JobStatus] = []
        write = JobRecord._write

        def spy(record, **changes):
            write(record, **changes)
            self.seen.append(job_progress._read(record.path))

        monkeypatch.setattr(JobRecord, "_write", spy)


def test_demo_build_writes_and_finishes_its_record(tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    db = tmp_path / "demo.duckdb"
    assert generator.main(["--accounts", "200", "--seed", "1", "--db", str(db)]) == 0
    steps = [status.step for status in spy.seen]
    assert steps[0] == "creating the tables" and "generating accounts" in steps
    assert "computing account_health_monthly" in steps
    fractions = [status.fraction for status in spy.seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {status.operation for status in spy.seen} == {"demo"}
    assert "200 accounts, seed 1" in spy.seen[0].detail
    assert not record_path(db, "demo").exists()


def test_load_writes_its_record_and_marks_a_refusal(tmp_path, monkeypatch):
    spy = Spy(monkeypatch)
    source = tmp_path / "source"
    source.mkdir()
    (source / "accounts.csv").write_text(ACCOUNTS)
    (source / "account_mrr_monthly.csv").write_text(MRR)
    db = tmp_path / "loaded.duckdb"
    assert run.main([str(source), "--db", str(db)]) == 0
    steps = [status.step for status in spy.seen]
    assert steps[:2] == ["loading departments", "loading customer_outcomes"]
    assert "checking the load" in steps and steps[-1] == "saving the database"
    assert not record_path(db, "load").exists()
    (source / "account_mrr_monthly.csv").write_text(MRR + "A9,2026-01-01,5\n")
    assert run.main([str(source), "--db", str(db), "--max-reject-pct", "0"]) == 1
    status = read(db, "load")
    assert status.state == "failed" and "refused" in status.message.lower()


def test_export_writes_and_finishes_its_record(tmp_path, monkeypatch, copy_demo):
    db = copy_demo(tmp_path / "demo.duckdb", 200, 1)
    spy = Spy(monkeypatch)
    assert export.main([str(tmp_path / "out"), "--db", str(db)]) == 0
    assert {status.operation for status in spy.seen} == {"export"}
    assert spy.seen[1].step == "exporting customer_outcomes"
    assert spy.seen[-1].fraction == 1.0
    assert not record_path(db, "export").exists()
