"""A load or demo build never replaces a file that is not a Northstar database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from northstar.data.db import database_file
from tests.conftest import REPO_ROOT
from tests.unit.test_load_cases import Case, write_source


def sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("create table board (member text, seat integer)")
        con.execute("insert into board values ('Ada', 1), ('Grace', 2)")
    con.close()
    return path


def workbook(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["quarter", "arr"])
    book.active.append(["Q1", 1_000_000])
    book.save(path)
    return path


def random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(64 * 1024))
    return path


def other_duckdb(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create table ledger as select 1 as entry")
    return path


TARGETS = [
    ("precious.sqlite", sqlite_file, "is a SQLite database, not a Northstar database"),
    ("board.xlsx", workbook, "is an Excel workbook, not a Northstar database"),
    ("random.bin", random_bytes, "is not a DuckDB file, so not a Northstar database"),
    ("other.duckdb", other_duckdb,
     "is a DuckDB database but not a Northstar database (it has no dataset_metadata table)"),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("name", "make", "what"), TARGETS, ids=[t[0] for t in TARGETS])
def test_a_load_never_replaces_a_file_that_is_not_a_northstar_database(tmp_path, name, make,
                                                                       what):
    source = write_source(tmp_path / "source", Case("guard"))
    target = make(tmp_path / name)
    before = target.read_bytes()
    done = run("northstar.load", str(source), "--db", str(target))
    assert done.returncode == 2, done.stderr
    assert f"{target} {what}" in done.stderr
    assert "it was not changed" in done.stderr and "Traceback" not in done.stderr
    assert target.read_bytes() == before
    assert not list(tmp_path.glob(f"{name}.loading*"))


def test_a_dry_run_over_a_file_that_is_not_a_northstar_database_still_checks(tmp_path):
    source = write_source(tmp_path / "source", Case("guard"))
    target = sqlite_file(tmp_path / "precious.sqlite")
    before = target.read_bytes()
    done = run("northstar.load", str(source), "--db", str(target), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Dry run: the load would succeed" in done.stderr
    assert target.read_bytes() == before


def test_a_demo_build_never_replaces_a_file_that_is_not_a_northstar_database(tmp_path):
    target = sqlite_file(tmp_path / "precious.sqlite")
    before = target.read_bytes()
    done = run("northstar.data.demo", "--accounts", "20", "--db", str(target))
    assert done.returncode == 2, done.stderr
    assert f"{target} is a SQLite database, not a Northstar database" in done.stderr
    assert "it was not changed" in done.stderr and "Traceback" not in done.stderr
    assert target.read_bytes() == before


def test_a_northstar_database_and_an_empty_file_are_replaced(tmp_path, demo_db):
    source = write_source(tmp_path / "source", Case("guard"))
    for target in (tmp_path / "copy.duckdb", tmp_path / "empty.duckdb"):
        if target.name == "copy.duckdb":
            shutil.copy(demo_db, target)
        else:
            target.touch()
        done = run("northstar.load", str(source), "--db", str(target))
        assert done.returncode == 0, done.stderr
        with duckdb.connect(str(target), read_only=True) as con:
            assert con.execute("select count(*) from accounts").fetchone()[0] == 3


def test_a_file_duckdb_left_shorter_by_whole_free_blocks_is_not_taken_for_a_cut_one(demo_db,
                                                                                  tmp_path):
    """DuckDB can leave a file shorter than its header's block count by whole free blocks at
    the end (seen on a freshly built database); only a file that ends part-way through a block
    is a cut copy."""
    path = tmp_path / "fresh.duckdb"
    path.write_bytes(demo_db.read_bytes())
    # the current header counts one more block than the file holds, as DuckDB's can
    data = bytearray(path.read_bytes())
    offsets = (4096, 8192)
    iterations = [struct.unpack_from("<Q", data, offset + 8)[0] for offset in offsets]
    current = offsets[iterations.index(max(iterations))]
    blocks, block_size = struct.unpack_from("<2Q", data, current + 32)
    struct.pack_into("<Q", data, current + 32, blocks + 1)
    path.write_bytes(bytes(data))
    assert database_file.declared_size(path) == path.stat().st_size + block_size
    assert not database_file.is_cut_off(path)
    # the same file cut part-way through a block is
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(bytes(data[: len(data) - block_size // 2]))
    assert database_file.is_cut_off(cut)
