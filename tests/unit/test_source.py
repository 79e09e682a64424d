"""The data source setting: a DuckDB file, MotherDuck or a folder of Parquet files, read by the
same named queries."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.pages import FILTER_SETS, PAGES, page_calls
from bench.worker import context_for
from northstar.data.db import data_source, query_runner
from northstar.data.db.data_source import (
    DataSource,
    SourceUnavailable,
    parse_source,
    source_version,
)
from northstar.data.export import export_parquet
from northstar.data.export import main as export_main
from northstar.ui import page_queries

# queries whose order leaves ties, so two sources may list tied rows in another order:
# survey_comments orders by (responded_on desc, account_id), and an account can answer two
# surveys on one day
TIED_ORDER = {"survey_comments"}


@pytest.fixture(scope="module")
def demo_parquet(demo_db, tmp_path_factory) -> Path:
    """The demo database exported as a Parquet folder."""
    folder = tmp_path_factory.mktemp("parquet") / "northstar"
    export_parquet(demo_db, folder)
    return folder


# --- the setting -------------------------------------------------------------------------------

def test_a_duckdb_file(tmp_path):
    assert parse_source(str(tmp_path / "x.duckdb")) == DataSource(
        "duckdb", str(tmp_path / "x.duckdb"))
    # an existing DuckDB file is one whatever its name
    other = tmp_path / "northstar.db"
    duckdb.connect(str(other)).close()
    assert parse_source(str(other)).kind == "duckdb"


def test_a_local_folder(tmp_path):
    assert parse_source(f"{tmp_path}/") == DataSource("parquet", str(tmp_path))
    assert not parse_source(str(tmp_path)).is_remote


@pytest.mark.parametrize(("text", "location"), [
    ("s3://bucket/prefix", "s3://bucket/prefix"),
    ("s3://bucket/prefix/", "s3://bucket/prefix"),
    ("S3://bucket/northstar", "s3://bucket/northstar"),
    ("gs://bucket/northstar", "gs://bucket/northstar"),
    ("az://container/northstar", "az://container/northstar"),
    ("https://data.example.com/northstar", "https://data.example.com/northstar"),
])
def test_object_storage_and_https_urls(text, location):
    parsed = parse_source(text)
    assert parsed == DataSource("parquet", location)
    assert parsed.is_remote


def test_motherduck():
    assert parse_source("md:northstar") == DataSource("motherduck", "md:northstar")
    with_token = parse_source("md:northstar?motherduck_token=secret-token")
    assert with_token.location == "md:northstar"
    assert with_token.token == "secret-token"
    assert "secret-token" not in repr(with_token)
    # other connection options stay in the connection string
    options = parse_source("md:northstar?saas_mode=true&motherduck_token=t")
    assert (options.location, options.token) == ("md:northstar?saas_mode=true", "t")


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("   ", "is empty"),
    ("md:", "needs a database name"),
    ("md:?motherduck_token=abc", "needs a database name"),
    ("md:north star", "not a MotherDuck database name"),
    ("md:northstar?motherduck_token=", "motherduck_token is empty"),
    ("ftp://host/folder", "ftp:// is not a supported location"),
    ("s3://", "needs a bucket"),
    ("https://example.com/northstar.duckdb", "is a DuckDB file"),
])
def test_bad_settings_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_source(text)


def test_a_path_that_is_neither_a_duckdb_file_nor_a_folder(tmp_path):
    with pytest.raises(ValueError, match="No folder or DuckDB file"):
        parse_source(str(tmp_path / "missing-folder"))
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database")
    with pytest.raises(ValueError, match="neither a DuckDB database file nor a folder"):
        parse_source(str(text_file))


def test_a_bad_setting_is_shown_as_an_unusable_source(monkeypatch):
    monkeypatch.setenv("NORTHSTAR_DB", "md:")
    with pytest.raises(page_queries.DatabaseMissingError, match="setting is not usable.*database name"):
        page_queries.dataset_metadata()


def test_database_path_is_for_a_local_duckdb_file(monkeypatch, tmp_path):
    from northstar.data.db.data_source import database_path

    monkeypatch.setenv("NORTHSTAR_DB", str(tmp_path / "a.duckdb"))
    assert database_path() == tmp_path / "a.duckdb"
    monkeypatch.setenv("NORTHSTAR_DB", str(tmp_path))
    with pytest.raises(ValueError, match="parquet source.*pass --db PATH"):
        database_path()


def test_a_load_into_a_parquet_setting_asks_for_a_file(monkeypatch, tmp_path, capsys):
    from northstar.data.importer.run import main as load_main

    monkeypatch.setenv("NORTHSTAR_DB", "s3://bucket/northstar")
    with pytest.raises(SystemExit) as exited:
        load_main([str(tmp_path)])
    assert exited.value.code == 2
    assert "pass --db PATH" in capsys.readouterr().err


# --- reading a Parquet folder ----------------------------------------------------------------

def same_result(query: str, duck: pd.DataFrame, parquet: pd.DataFrame) -> None:
    if query in TIED_ORDER:
        assert duck.dtypes.equals(parquet.dtypes)
        # sort by every column that holds scalars (not lists)
        keys = [column for column in duck.columns
                if not duck[column].map(lambda value: hasattr(value, "__len__")
                                        and not isinstance(value, str)).any()]
        duck, parquet = (frame.sort_values(keys).reset_index(drop=True)
                         for frame in (duck, parquet))
    pd.testing.assert_frame_equal(duck, parquet)


def test_every_page_query_gives_the_same_result_from_parquet(demo_db, demo_parquet):
    # every call of every page (bench/pages.py) with the default filters: kpi_windows,
    # health_summary, invest_driver_counts, dataset_metadata, ...
    context = context_for(demo_db)
    queries = set()
    read: dict[str, dict[str, pd.DataFrame]] = {}
    for page in PAGES:
        from_duckdb: dict[str, pd.DataFrame] = {}
        from_parquet = read[page] = {}
        for call in page_calls(page, context, FILTER_SETS[0]):
            from_duckdb[call.key] = query_runner.execute(call.query, call.resolve(from_duckdb), demo_db)
            from_parquet[call.key] = query_runner.execute(call.query, call.resolve(from_parquet),
                                                demo_parquet)
            same_result(call.query, from_duckdb[call.key], from_parquet[call.key])
            queries.add(call.query)
    assert {"kpi_windows", "health_summary", "invest_driver_counts",
            "dataset_metadata"} <= queries
    assert not read["invest"]["app:metadata"].empty and not read["invest"]["kpis"].empty


def test_run_query_reads_the_parquet_folder_the_setting_names(demo_parquet, use_db):
    use_db(demo_parquet)
    metadata = page_queries.dataset_metadata()
    assert metadata.source == "demo"
    assert page_queries.filter_options()["segment"] == ["Enterprise", "Mid-Market", "SMB"]


def test_a_table_may_be_a_folder_of_files(demo_db, demo_parquet, tmp_path):
    folder = tmp_path / "split"
    shutil.copytree(demo_parquet, folder)
    (folder / "accounts.parquet").unlink()
    (folder / "accounts").mkdir()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        for part, segment in enumerate(("SMB", "Mid-Market", "Enterprise")):
            con.execute("copy (select * from accounts where segment = $segment) to $path "
                        "(format parquet)",
                        {"segment": segment, "path": str(folder / "accounts" / f"{part}.parquet")})
    options = query_runner.execute("filter_options", {}, folder)
    pd.testing.assert_frame_equal(options, query_runner.execute("filter_options", {}, demo_db))


def test_folder_names_are_quoted(demo_parquet, tmp_path):
    folder = tmp_path / "it's \"quoted\""
    shutil.copytree(demo_parquet, folder)
    assert query_runner.execute("dataset_metadata", {}, folder).equals(
        query_runner.execute("dataset_metadata", {}, demo_parquet))


def test_a_missing_table_file_is_named(demo_parquet, tmp_path):
    folder = tmp_path / "incomplete"
    shutil.copytree(demo_parquet, folder)
    (folder / "survey_responses.parquet").unlink()
    with pytest.raises(SourceUnavailable, match="no file for table.*survey_responses"):
        query_runner.execute("dataset_metadata", {}, folder)


def test_rewriting_the_folder_changes_the_data_version(demo_db, tmp_path, use_db):
    folder = tmp_path / "published"
    export_parquet(demo_db, folder)
    use_db(folder)
    before = source_version(query_runner.as_source())
    assert page_queries.dataset_metadata().source == "demo"
    with duckdb.connect() as con:
        con.execute("copy (select key, case when key = 'source' then 'republished' else value "
                    "end as value from read_parquet($old)) to $new (format parquet)",
                    {"old": str(folder / "dataset_metadata.parquet"),
                     "new": str(tmp_path / "metadata.parquet")})
    os.replace(tmp_path / "metadata.parquet", folder / "dataset_metadata.parquet")
    assert source_version(query_runner.as_source()) != before
    assert page_queries.dataset_metadata().source == "republished"


def test_remote_sources_refresh_on_a_time_bucket(monkeypatch):
    remote = parse_source("s3://bucket/northstar")
    monkeypatch.setattr(data_source.time, "time", lambda: 10 * data_source.REMOTE_REFRESH_SECONDS + 1)
    first = data_source.source_version(remote)
    assert data_source.source_version(parse_source("md:northstar")) == first
    monkeypatch.setattr(data_source.time, "time", lambda: 11 * data_source.REMOTE_REFRESH_SECONDS + 1)
    assert data_source.source_version(remote) != first


def test_remote_views_read_each_table_from_the_url():
    # what a remote folder's views read (not run here: there is no object storage to reach)
    assert data_source.view_sql("accounts", "s3://bucket/it's/accounts.parquet") == (
        "create or replace view \"accounts\" as select * from "
        "read_parquet('s3://bucket/it''s/accounts.parquet')")


def test_s3_credentials_from_the_environment():
    assert data_source.s3_secret_sql("s3://bucket/x", {}) is None
    assert data_source.s3_secret_sql("gs://bucket/x", {"AWS_ACCESS_KEY_ID": "k"}) is None
    sql = data_source.s3_secret_sql("s3://bucket/x", {
        "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "se'cret", "AWS_REGION": "eu-west-1"})
    assert sql == ("create or replace secret northstar_s3 (type s3, scope 's3://bucket/x', "
                   "KEY_ID 'AKIA', SECRET 'se''cret', REGION 'eu-west-1')")


class NoExtensions:
    """A connection on which no extension can be loaded or installed (as offline)."""

    def load_extension(self, name: str) -> None:
        raise duckdb.IOException(f'Extension "{name}" not found.')

    def install_extension(self, name: str) -> None:
        raise duckdb.IOException(f'Failed to download extension "{name}"')


@pytest.mark.parametrize(("url", "extension"), [
    ("s3://bucket/northstar", "httpfs"), ("https://host/northstar", "httpfs"),
    ("az://container/northstar", "azure"),
])
def test_a_missing_extension_is_a_clear_error(url, extension):
    with pytest.raises(SourceUnavailable, match=f"needs DuckDB's {extension} extension"):
        data_source.load_extension(NoExtensions(), url)  # type: ignore[arg-type]


def test_motherduck_needs_a_token(monkeypatch):
    for name in data_source.TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SourceUnavailable, match="needs a MotherDuck access token"):
        data_source.open_source(parse_source("md:northstar"))


def test_motherduck_connects_with_the_token(monkeypatch):
    # MotherDuck cannot be reached from the tests: check what is asked of DuckDB, and that a
    # failure to connect is explained
    calls = []

    def connect(location, config):
        calls.append((location, config))
        raise duckdb.IOException('Extension "motherduck" not found')

    monkeypatch.setattr(data_source.duckdb, "connect", connect)
    monkeypatch.setenv("MOTHERDUCK_TOKEN", "from-env")
    with pytest.raises(SourceUnavailable, match="motherduck extension") as raised:
        data_source.open_source(parse_source("md:northstar"))
    assert "from-env" not in str(raised.value)
    with pytest.raises(SourceUnavailable):
        data_source.open_source(parse_source("md:northstar?motherduck_token=in-setting"))
    assert calls == [("md:northstar", {"motherduck_token": "from-env"}),
                     ("md:northstar", {"motherduck_token": "in-setting"})]


# --- writing a Parquet folder ----------------------------------------------------------------

def test_export_writes_every_table(demo_db, tmp_path, capsys):
    out = tmp_path / "out"
    assert export_main([str(out), "--format", "parquet", "--db", str(demo_db)]) == 0
    with duckdb.connect(str(demo_db), read_only=True) as con:
        tables = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
        rows = con.execute("select count(*) from account_health_monthly").fetchone()[0]
    assert {path.stem for path in out.glob("*.parquet")} == tables
    assert set(data_source.expected_tables()) <= tables
    with duckdb.connect() as con:
        assert con.execute("select count(*) from read_parquet($path)",
                           {"path": str(out / "account_health_monthly.parquet")}
                           ).fetchone()[0] == rows
    assert "Exported" in capsys.readouterr().err


def test_export_refuses_csv_to_a_url_and_a_bad_source(tmp_path, capsys):
    with pytest.raises(SystemExit):
        export_main(["s3://bucket/out"])
    assert export_main([str(tmp_path / "out"), "--db", "md:"]) == 2
    assert "database name" in capsys.readouterr().err
