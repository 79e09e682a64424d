"""The memory limit of database builds: applied, spilling beside the file, cleaned up, said."""

from __future__ import annotations

import duckdb
import pytest

from northstar.data.db.build_memory import (
    DEFAULT_BUILD_MEMORY,
    MEMORY_ENV,
    build_memory_limit,
    connect_for_build,
    spill_directory,
)
from northstar.data.demo.generator import build_demo, database_checksum
from northstar.data.demo.generator import main as demo_main
from northstar.data.importer.run import main as load_main


def test_the_limit_asked_for_wins_then_the_environment_then_the_default(monkeypatch):
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    assert build_memory_limit() == DEFAULT_BUILD_MEMORY == "3GB"
    monkeypatch.setenv(MEMORY_ENV, "2GB")
    assert build_memory_limit() == "2GB"
    assert build_memory_limit("1500MB") == "1500MB"


def test_a_build_connection_holds_the_limit_and_spills_beside_its_file(tmp_path):
    path = tmp_path / "x.duckdb"
    con = connect_for_build(path, "1GB", threads=1)
    try:
        limit, folder, threads, order = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('threads'), current_setting('preserve_insertion_order')"
        ).fetchone()
    finally:
        con.close()
    assert limit == "953.6 MiB"  # 1 GB = 10^9 bytes
    assert folder == str(spill_directory(path)) == str(tmp_path / "x.duckdb.spill")
    assert (threads, order) == (1, False)


def test_a_build_that_spills_gives_the_same_data_and_leaves_no_spill(tmp_path, built_demo):
    tight = tmp_path / "tight.duckdb"
    roomy = built_demo(1500, 7)  # the session's build_demo(accounts=1500, seed=7), no limit
    build_demo(tight, accounts=1500, seed=7, memory_limit="100MB")  # spills about 12 MB
    assert database_checksum(roomy) == database_checksum(tight)
    assert not list(tmp_path.glob("*.spill")), list(tmp_path.iterdir())


def test_an_unreadable_limit_is_a_message_naming_it(tmp_path, capsys):
    db = tmp_path / "demo.duckdb"
    assert demo_main(["--accounts", "10", "--db", str(db), "--memory-limit", "3 bananas"]) == 2
    err = capsys.readouterr().err
    assert "Demo build failed" in err and "Unknown unit for memory: 'bananas'" in err, err
    assert "Traceback" not in err and not db.exists()
    assert not list(tmp_path.glob("*.spill"))


def test_a_load_within_a_limit_loads_and_cleans_up(tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    (source / "accounts.csv").write_text(
        "account_id,account_name,segment,industry,region,plan,start_date\n"
        "A1,Acme,Enterprise,Retail,EMEA,Pro,2025-01-15\n")
    (source / "account_mrr_monthly.csv").write_text(
        "account_id,month,mrr_usd\nA1,2025-01-01,100\nA1,2025-02-01,120\n")
    db = tmp_path / "db.duckdb"
    assert load_main([str(source), "--db", str(db), "--memory-limit", "200MB"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select sum(mrr_usd) from account_mrr_monthly").fetchone()[0] == 220
    assert not list(tmp_path.glob("*.spill"))
    assert load_main([str(source), "--db", str(db), "--memory-limit", "lots"]) == 2
    err = capsys.readouterr().err
    assert "Load failed: the memory limit 'lots' is not a size" in err and "Traceback" not in err, err


@pytest.mark.parametrize("limit", ["", None])
def test_no_limit_given_means_the_default(limit, monkeypatch):
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    assert build_memory_limit(limit) == DEFAULT_BUILD_MEMORY
