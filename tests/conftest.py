"""Shared fixtures: an empty canonical database and a small demo database."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from tests.mail_server import Inbox, mail_server

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_ACCOUNTS = 5000
DEMO_SEED = 42


@pytest.fixture()
def empty_db(tmp_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A database holding the canonical schema and no rows, open for writing."""
    from northstar.data.db.schema import create_schema

    path = tmp_path / "fixture.duckdb"
    con = duckdb.connect(str(path))
    create_schema(con)
    yield con, path
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default-size demo database, built once per test session."""
    path = tmp_path_factory.mktemp("demo") / "northstar.duckdb"
    subprocess.run(
        [sys.executable, "-m", "northstar.data.demo", "--accounts", str(DEMO_ACCOUNTS),
         "--seed", str(DEMO_SEED), "--db", str(path)],
        check=True, cwd=REPO_ROOT, capture_output=True,
    )
    return path


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int], Path]:
    """`built_demo(accounts, seed)`: the demo database of that size and seed, built once per test
    session (each in a folder of its own) and shared. Read it; never write to it - a test that
    writes takes a copy with `copy_demo`."""
    from northstar.data.demo.generator import build_demo

    root = tmp_path_factory.mktemp("built-demos")
    built: dict[tuple[int, int], Path] = {}

    def _built(accounts: int, seed: int) -> Path:
        if (accounts, seed) not in built:
            path = root / f"{accounts}-{seed}" / "northstar.duckdb"
            build_demo(path, accounts=accounts, seed=seed)
            built[accounts, seed] = path
        return built[accounts, seed]

    return _built


@pytest.fixture(scope="session")
def copy_demo(built_demo: Callable[[int, int], Path]) -> Callable[[Path, int, int], Path]:
    """`copy_demo(target, accounts, seed)`: put a copy of the session's demo of that size and seed
    at `target` and publish it there exactly as a build does (northstar.data.db.database_file
    .replace_database, the last step of build_demo), so `target` holds the same rows as
    `build_demo(target, accounts=accounts, seed=seed)` would write, at the cost of a file copy."""
    from northstar.data.db.database_file import replace_database

    def _copy(target: Path, accounts: int, seed: int) -> Path:
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f"{target.name}.copying")
        shutil.copyfile(built_demo(accounts, seed), staged)
        replace_database(staged, target)
        return target

    return _copy


@pytest.fixture(autouse=True)
def own_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test records actions in a workspace of its own (never beside a shared database)."""
    url = f"sqlite:///{tmp_path / 'test.workspace.sqlite'}"
    monkeypatch.setenv("NORTHSTAR_WORKSPACE", url)
    return url


@pytest.fixture()
def use_db(monkeypatch: pytest.MonkeyPatch):
    """Point the query runner at a database file for the duration of a test."""
    import streamlit as st

    def _use(path: Path) -> None:
        monkeypatch.setenv("NORTHSTAR_DB", str(path))
        st.cache_data.clear()

    return _use


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A throwaway local PostgreSQL (skips the test when the package is not installed)."""
    from tests.postgres_server import PostgresServer, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed; `make test` installs it when run as root")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fault_postgres() -> Iterator[object]:
    """A PostgreSQL of the module's own, for tests that stop or freeze it (the session's server
    stays up for everyone else)."""
    from tests.postgres_server import PostgresServer, binaries

    if binaries() is None:
        pytest.skip("PostgreSQL is not installed; `make test` installs it when run as root")
    server = PostgresServer()
    yield server
    with contextlib.suppress(OSError, ValueError):  # already stopped
        server.thaw()
    server.stop()


@pytest.fixture()
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nothing can be written in, even by root (made immutable when run as root; on a
    file system without that flag the probe below finds the folder writable and skips)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True)
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            pass
        else:
            pytest.skip("this system lets the tests write into a read-only folder")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False, capture_output=True)
        folder.chmod(0o755)


@pytest.fixture()
def smtp_server() -> Iterator[tuple[object, Inbox]]:
    """An SMTP server on loopback that accepts every message: (its controller, its inbox)."""
    inbox = Inbox()
    with mail_server(inbox) as controller:
        yield controller, inbox
