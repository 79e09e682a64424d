"""Warehouse tables as a source: a company's tables in a local PostgreSQL load with the same
figures as its files; bad tables, queries, credentials and connection settings are messages;
`--if-changed` reloads nothing when no source changed, for files and for the warehouse."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
import pytest

from northstar.data.db import query_runner
from northstar.data.db.paths import DATA_DIR
from northstar.data.demo.generator import build_demo
from northstar.data.export import export_csv
from northstar.data.importer.run import main
from tests.postgres_server import SUPERUSER

URL_VARIABLE = "NORTHSTAR_WAREHOUSE_URL"
KPI_PARAMS = [
    {"window_months": 12, "segments": [], "regions": [], "plans": []},
    {"window_months": 3, "segments": ["Enterprise"], "regions": [], "plans": []},
]
END_MONTHS = [dt.date(2026, 10, 1), dt.date(2026, 4, 1)]
FILE_MAPPING = DATA_DIR / "mappings" / "northstar.toml"
# how the tables are typed in the warehouse (from the types DuckDB reads the export with)
PG_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double "
            "precision", "DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean"}


def warehouse_mapping(text: str) -> str:
    """The file mapping with every `file = "x.csv"` read from the warehouse's crm.x."""
    return '[load]\ndatabase = "postgresql"\n' + re.sub(
        r'file = "(\w+)\.csv"', r'table = "crm.\1"', text)


@pytest.fixture(scope="module")
def company(tmp_path_factory, postgres_server) -> dict[str, object]:
    """A small company's exports as files, the same tables in a PostgreSQL database (typed
    columns), and a mapping for each."""
    root = tmp_path_factory.mktemp("warehouse")
    build_demo(root / "demo.duckdb", accounts=250, seed=17)
    export = root / "export"
    export_csv(root / "demo.duckdb", export)
    url = postgres_server.create_database("company").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(host=str(postgres_server.socket_dir), user=SUPERUSER,
                         dbname="company", autocommit=True) as pg, duckdb.connect() as con:
        pg.execute("create schema crm")
        for path in sorted(export.glob("*.csv")):
            columns = con.execute("describe select * from read_csv($path)",
                                  {"path": str(path)}).fetchall()
            typed = ", ".join(f'"{name}" {PG_TYPES.get(kind, "text")}'
                              for name, kind, *_ in columns)
            pg.execute(f'create table crm."{path.stem}" ({typed})')
            with pg.cursor().copy(f'copy crm."{path.stem}" from stdin with (format csv, '
                                  "header true)") as copy:
                copy.write(path.read_bytes())
    mapping = root / "warehouse.toml"
    mapping.write_text(warehouse_mapping(FILE_MAPPING.read_text()))
    return {"export": export, "url": url, "mapping": mapping, "server": postgres_server}


@pytest.fixture()
def warehouse_env(company, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv(URL_VARIABLE, str(company["url"]))
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "no-secrets.toml"))
    return str(company["url"])


def run_sql(company, sql: str) -> None:
    server = company["server"]
    with psycopg.connect(host=str(server.socket_dir), user=SUPERUSER, dbname="company",
                         autocommit=True) as pg:
        pg.execute(sql)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_tables_from_postgresql_give_the_same_figures(company, warehouse_env, tmp_path,
                                                                capsys):
    from_files, from_pg = tmp_path / "files.duckdb", tmp_path / "pg.duckdb"
    assert main([str(company["export"]), "--mapping", str(FILE_MAPPING),
                 "--db", str(from_files)]) == 0, capsys.readouterr().err
    assert main(["--mapping", str(company["mapping"]), "--db", str(from_pg)]) == 0, \
        capsys.readouterr().err
    for params in KPI_PARAMS:
        expected = query_runner.execute("kpi_windows", {**params, "end_months": END_MONTHS},
                                         from_files)
        actual = query_runner.execute("kpi_windows", {**params, "end_months": END_MONTHS},
                                       from_pg)
        pd.testing.assert_frame_equal(actual, expected)
    counts = ("select table_name, status, source_rows, loaded_rows, rejected_rows from "
              "load_table_results order by all")
    with duckdb.connect(str(from_files), read_only=True) as files, \
            duckdb.connect(str(from_pg), read_only=True) as pg:
        assert pg.execute(counts).fetchall() == files.execute(counts).fetchall()
        assert (pg.execute("select count(*), sum(mrr_usd) from account_mrr_monthly").fetchall()
                == files.execute("select count(*), sum(mrr_usd) from account_mrr_monthly"
                                 ).fetchall())
        source, = pg.execute("select source_path from load_runs").fetchone()
        files_of_pg = pg.execute("select distinct source_file from load_table_results "
                                 "where status = 'loaded' and table_name = 'accounts'").fetchall()
        # every row of every warehouse table is accounted for, as a file's lines are
        accounts = pg.execute(
            "select table_name, lines, filtered_rows + refused_rows + loaded_rows "
            "from load_file_lines where kind = 'warehouse' order by all").fetchall()
        loaded = dict(pg.execute("select table_name, source_rows from load_table_results "
                                 "where status in ('loaded', 'empty')").fetchall())
    assert source.startswith("postgresql warehouse postgresql://") and "company" in source
    assert files_of_pg == [("crm.accounts",)]
    assert accounts and all(lines == terms for _, lines, terms in accounts)
    assert {table for table, _, _ in accounts} == set(loaded)


def test_a_bad_row_in_the_warehouse_is_refused_naming_the_table_row_and_column(
        company, warehouse_env, tmp_path, capsys):
    run_sql(company, "create table crm.accounts_bad as select * from crm.accounts; "
                     "update crm.accounts_bad set account_name = null where account_id = "
                     "(select min(account_id) from crm.accounts)")
    mapping = tmp_path / "bad.toml"
    mapping.write_text(company["mapping"].read_text().replace('"crm.accounts"',
                                                              '"crm.accounts_bad"'))
    db = tmp_path / "db.duckdb"
    assert main(["--mapping", str(mapping), "--db", str(db)]) == 0, capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        rejects = con.execute("select source_file, line, column_name, rule from load_rejects "
                              "where table_name = 'accounts'").fetchall()
    assert len(rejects) == 1
    (source_file, line, column, rule), = rejects
    assert (source_file, column, rule) == ("crm.accounts_bad", "account_name", "missing_value")
    assert line >= 1


@pytest.mark.parametrize(("change", "message"), [
    (('"crm.accounts"', '"crm.no_such_table"'),
     ['[accounts] table crm.no_such_table cannot be read from the postgresql warehouse',
      'relation "crm.no_such_table" does not exist']),
    (('table = "crm.support_tickets"', 'query = "select ticket_id, from crm.support_tickets"'),
     ["[support_tickets] query 'select ticket_id, from crm.support_tickets' cannot be read "
      "from the postgresql warehouse", "syntax error"]),
    (('[accounts]\n', '[accounts]\ncolumns = { segment = "tier" }\n'),
     ["[accounts] column segment: expression 'tier' names a column the source file does not "
      "have", "crm.accounts was read with the columns account_id"]),
])
def test_a_missing_table_or_bad_query_is_a_message(company, warehouse_env, tmp_path, capsys,
                                                   change, message):
    mapping = tmp_path / "mapping.toml"
    text = company["mapping"].read_text()
    assert change[0] in text
    mapping.write_text(text.replace(change[0], change[1], 1))
    db = tmp_path / "db.duckdb"
    assert main(["--mapping", str(mapping), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    for part in message:
        assert part in err, err
    assert "Traceback" not in err and not db.exists()


def test_without_the_connection_string_the_message_names_the_variable(company, monkeypatch,
                                                                      tmp_path, capsys):
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(tmp_path / "absent.toml"))
    assert main(["--mapping", str(company["mapping"]), "--db", str(tmp_path / "db.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "the environment variable NORTHSTAR_WAREHOUSE_URL is not set" in err, err
    assert "Traceback" not in err


def test_the_connection_string_may_come_from_the_secrets_file(company, monkeypatch, tmp_path,
                                                              capsys):
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'{URL_VARIABLE} = "{company["url"]}"\n')
    monkeypatch.setenv("NORTHSTAR_SECRETS", str(secrets))
    assert main(["--mapping", str(company["mapping"]), "--db", str(tmp_path / "db.duckdb"),
                 "--dry-run"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("load_section", [
    'database = "postgresql://northstar:hunter2secret@db.example/company"',
    'database = "postgresql"\nurl = "postgresql://northstar:hunter2secret@db.example/company"',
    'database = "postgresql"\npassword = "hunter2secret"',
])
def test_a_password_in_the_mapping_is_refused_and_never_printed(company, warehouse_env,
                                                                 tmp_path, capsys, load_section):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(company["mapping"].read_text().replace(
        '[load]\ndatabase = "postgresql"', f"[load]\n{load_section}"))
    assert main(["--mapping", str(mapping), "--db", str(tmp_path / "db.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "a mapping never holds credentials or connection strings" in err, err
    assert "NORTHSTAR_WAREHOUSE_URL" in err and "hunter2secret" not in err


def test_if_changed_reloads_files_only_when_one_changed(company, tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    for path in company["export"].glob("*.csv"):
        (source / path.name).write_bytes(path.read_bytes())
    db = tmp_path / "northstar.duckdb"
    args = [str(source), "--mapping", str(FILE_MAPPING), "--db", str(db), "--if-changed"]
    assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    before, inode = fingerprint(db), db.stat().st_ino
    (source / "kudos.csv").touch()  # a newer time, the same content: not a change
    assert main(args) == 0
    err = capsys.readouterr().err
    assert re.search(r"No source has changed since the load of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
                     r"UTC; nothing reloaded\.", err), err
    assert fingerprint(db) == before and db.stat().st_ino == inode
    tickets = source / "support_tickets.csv"
    lines = tickets.read_text().splitlines(keepends=True)
    tickets.write_text("".join(lines[:-1]))  # the last ticket is gone
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "Changed since the load of" in err and ": support_tickets; reloading." in err, err
    assert db.stat().st_ino != inode
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select loaded_rows from load_table_results where table_name = "
                           "'support_tickets'").fetchone()[0] == len(lines) - 2


def test_if_changed_reloads_the_warehouse_only_when_a_table_changed(company, warehouse_env,
                                                                    tmp_path, capsys):
    run_sql(company, "create table crm.kudos_copy as select * from crm.kudos")
    mapping = tmp_path / "warehouse.toml"
    mapping.write_text(company["mapping"].read_text().replace('"crm.kudos"',
                                                              '"crm.kudos_copy"'))
    db = tmp_path / "northstar.duckdb"
    args = ["--mapping", str(mapping), "--db", str(db), "--if-changed"]
    assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    before, inode = fingerprint(db), db.stat().st_ino
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "No source has changed since the load of" in err and "nothing reloaded" in err, err
    assert fingerprint(db) == before and db.stat().st_ino == inode
    run_sql(company, "update crm.kudos_copy set comment = coalesce(comment, '') || '!' where kudos_id = "
                     "(select min(kudos_id) from crm.kudos_copy)")
    assert main(args) == 0
    err = capsys.readouterr().err
    assert ": kudos; reloading." in err, err
    assert db.stat().st_ino != inode


def test_if_changed_with_an_updated_column_asks_the_warehouse_for_count_and_latest(
        company, warehouse_env, tmp_path, capsys):
    run_sql(company, "create table crm.tickets_copy as select * from crm.support_tickets")
    mapping = tmp_path / "warehouse.toml"
    mapping.write_text(company["mapping"].read_text().replace(
        'table = "crm.support_tickets"',
        'table = "crm.tickets_copy"\nupdated_column = "opened_at"'))
    db = tmp_path / "northstar.duckdb"
    args = ["--mapping", str(mapping), "--db", str(db), "--if-changed"]
    assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    inode = db.stat().st_ino
    assert main(args) == 0
    assert "nothing reloaded" in capsys.readouterr().err and db.stat().st_ino == inode
    run_sql(company, "delete from crm.tickets_copy where ticket_id = "
                     "(select min(ticket_id) from crm.tickets_copy)")
    assert main(args) == 0
    assert ": support_tickets; reloading." in capsys.readouterr().err
    assert db.stat().st_ino != inode


def test_if_changed_on_a_database_no_load_built_loads(company, tmp_path, capsys):
    db = tmp_path / "northstar.duckdb"
    build_demo(db, accounts=50, seed=3)
    assert main([str(company["export"]), "--mapping", str(FILE_MAPPING), "--db", str(db),
                 "--if-changed"]) == 0
    err = capsys.readouterr().err
    assert "holds no record of an earlier load's sources: loading." in err, err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from load_runs").fetchone()[0] == 1


def test_an_unreachable_warehouse_is_a_message_without_the_password(company, monkeypatch,
                                                                    tmp_path, capsys):
    monkeypatch.setenv(URL_VARIABLE, f"postgresql://northstar:pw-not-shown@/company?host="
                                     f"{tmp_path / 'no-server'}")
    db = tmp_path / "db.duckdb"
    assert main(["--mapping", str(company["mapping"]), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert ("cannot connect to the postgresql warehouse postgresql:///company "
            "(NORTHSTAR_WAREHOUSE_URL): Failed to connect") in err, err
    assert "pw-not-shown" not in err and "Traceback" not in err and not db.exists()
