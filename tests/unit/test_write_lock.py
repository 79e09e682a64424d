"""One load at a time: a second build or load into the same database stops (exit 2, naming who
holds it) or waits, and never moves another load's file."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from northstar.data.db import write_lock
from northstar.data.importer.run import main
from tests.conftest import REPO_ROOT
from tests.unit.test_load_cases import Case, write_source

HOLD = """
import sys, time
from pathlib import Path
from northstar.data.db import write_lock
with write_lock.exclusive(Path(sys.argv[1]), "load"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database's write lock for `seconds`."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    source = write_source(tmp_path / "source", Case("lock"))
    db = tmp_path / "northstar.duckdb"
    assert main([str(source), "--db", str(db)]) == 0
    return source, db


def test_a_second_load_stops_and_names_who_holds_the_database(loaded, capsys):
    source, db = loaded
    before = digest(db)
    holder = hold_lock(db, 30)
    try:
        assert main([str(source), "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert f"process {holder.pid}" in err and "is unchanged" in err and "--wait" in err
        assert digest(db) == before
        assert not (db.parent / f"{db.name}.progress.json").exists()  # its record untouched
    finally:
        holder.kill()
        holder.wait()


def test_with_wait_a_second_load_waits_then_loads(loaded, capsys):
    source, db = loaded
    holder = hold_lock(db, 2)
    started = time.monotonic()
    assert main([str(source), "--db", str(db), "--wait"]) == 0
    assert time.monotonic() - started >= 1.0
    assert "Waiting for load started by" in capsys.readouterr().err
    holder.wait()


def test_a_killed_holder_leaves_no_lock_behind(loaded):
    source, db = loaded
    holder = hold_lock(db, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert main([str(source), "--db", str(db)]) == 0  # the OS released the lock


def test_two_loads_at_once_leave_one_good_database(loaded):
    source, db = loaded
    command = [sys.executable, "-m", "northstar.load", str(source), "--db", str(db)]
    runs = [subprocess.Popen(command, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outcomes = sorted(run.wait() for run in runs)
    errors = [run.stderr.read() for run in runs]
    assert outcomes in ([0, 0], [0, 2]), errors  # the second finished after, or stopped
    if outcomes == [0, 2]:
        assert any("Load not started" in text and "is being replaced by" in text
                   for text in errors)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from accounts").fetchone()[0] == 3
    assert not list(db.parent.glob("*.loading*"))


def test_a_build_and_a_load_share_the_lock(loaded, capsys):
    from northstar.data.demo.generator import main as demo_main

    _, db = loaded
    holder = hold_lock(db, 30)
    try:
        assert demo_main(["--accounts", "10", "--db", str(db)]) == 2
        assert "Demo build not started" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_nests_within_one_process(tmp_path):
    db = tmp_path / "x.duckdb"
    with write_lock.exclusive(db, "load"), write_lock.exclusive(db, "load"):
        assert "load started by" in write_lock.holder(db)
    assert write_lock.holder(db).startswith("another process")  # released and cleared
