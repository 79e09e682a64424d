"""The data source Northstar reads, named by one setting (no Streamlit import).

The data source setting is the environment variable NORTHSTAR_DB. It takes one of:

- a DuckDB file: `data/northstar.duckdb` (the default), or any path ending in `.duckdb`;
- a MotherDuck database: `md:<name>`, with the token in `?motherduck_token=...` or in the
  environment (MOTHERDUCK_TOKEN);
- a folder of Parquet files, one `<table>.parquet` (or a `<table>/` folder of `*.parquet`
  files) per table, as `python -m northstar.data.export --format parquet` writes it: a local folder,
  or an s3://, gs://, az:// or https:// URL read through DuckDB's httpfs (azure) extension.

The same named queries run on all three: a Parquet folder is opened as an in-memory database
with one view per table plus the macros of northstar/data/db/macros_sql/rules.sql and
macros_sql/on_rollups.sql, which a DuckDB file or MotherDuck database holds itself.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode

import duckdb

from northstar.data import rules
from northstar.data.db import database_file, published
from northstar.data.db.paths import DATA_DIR, DEFAULT_DB_PATH
from northstar.data.db.rollups import ROLLUP_MACROS_SQL, RULE_MACROS_SQL, rollup_scripts
from northstar.data.importer.file_readers import quote_identifier
from northstar.data.model import churn_model, revenue_forecast

SETTING = "NORTHSTAR_DB"
TOKEN_VARIABLES = ("MOTHERDUCK_TOKEN", "motherduck_token")
# remote sources carry no file identity: their data version changes every this many seconds,
# so a republished folder or MotherDuck database shows within ten minutes
REMOTE_REFRESH_SECONDS = 600
PUBLISHED = "published:"  # a data version naming a published version's file

# URL scheme -> the DuckDB extension that reads it
REMOTE_SCHEMES = {
    "s3": "httpfs", "r2": "httpfs", "gs": "httpfs", "gcs": "httpfs",
    "http": "httpfs", "https": "httpfs",
    "az": "azure", "azure": "azure", "abfss": "azure",
}
GLOB_SCHEMES = frozenset(REMOTE_SCHEMES) - {"http", "https"}  # object stores can list files
MACROS_SQL = (RULE_MACROS_SQL, ROLLUP_MACROS_SQL)
_MOTHERDUCK_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_CREATED_TABLE = re.compile(r"^create\s+(?:or\s+replace\s+)?table\s+([a-z_][a-z0-9_]*)",
                            re.IGNORECASE | re.MULTILINE)

Kind = Literal["duckdb", "motherduck", "parquet"]


class SourceUnavailable(RuntimeError):
    """The data source is missing, misconfigured or cannot be reached; the message says why
    and what to do."""


@dataclass(frozen=True)
class DataSource:
    kind: Kind
    location: str  # DuckDB file path, `md:<name>[?options]` (never the token), folder or URL
    token: str | None = field(default=None, repr=False)  # MotherDuck token from the setting

    @property
    def is_remote(self) -> bool:
        return self.kind == "motherduck" or "://" in self.location

    @property
    def scheme(self) -> str | None:
        return self.location.split("://", 1)[0].lower() if "://" in self.location else None


def setting_text() -> str:
    """The data source setting as given: $NORTHSTAR_DB, else data/northstar.duckdb."""
    return os.environ.get(SETTING, str(DEFAULT_DB_PATH))


def parse_source(text: str) -> DataSource:
    """Read the data source setting; ValueError says what is wrong with a bad value."""
    text = text.strip()
    if not text:
        raise ValueError(
            f"The data source setting ({SETTING}) is empty: give a .duckdb file, a folder of "
            "Parquet files, md:<database> or an s3://, gs://, az:// or https:// URL."
        )
    if text.lower().startswith(("md:", "motherduck:")):
        return _parse_motherduck(text.split(":", 1)[1])
    if "://" in text:
        return _parse_url(text)
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        return DataSource("parquet", str(path))
    if path.suffix == ".duckdb" or (path.is_file() and database_file.is_duckdb_file(path)):
        return DataSource("duckdb", str(path))
    if path.is_file() and database_file.other_kind(path):
        raise ValueError(f"{database_file.what_it_is(path)} (nor a folder of Parquet files).")
    if path.exists():
        raise ValueError(f"{path} is neither a DuckDB database file nor a folder of Parquet "
                         "files.")
    raise ValueError(
        f"No folder or DuckDB file at {path}. The data source setting ({SETTING}) takes a "
        "file ending in .duckdb, an existing folder of Parquet files, md:<database> or an "
        "s3://, gs://, az:// or https:// URL."
    )


def _parse_motherduck(rest: str) -> DataSource:
    name, _, query = rest.partition("?")
    if not name:
        raise ValueError("md: needs a database name: md:<name> (for example md:northstar).")
    if not _MOTHERDUCK_NAME.fullmatch(name):
        raise ValueError(f"md:{name} is not a MotherDuck database name: use letters, digits, "
                         "'_', '-' and '.'.")
    options = parse_qsl(query, keep_blank_values=True)
    tokens = [value for key, value in options if key == "motherduck_token"]
    if tokens and not tokens[-1]:
        raise ValueError(f"md:{name}: motherduck_token is empty.")
    others = [(key, value) for key, value in options if key != "motherduck_token"]
    location = f"md:{name}" + (f"?{urlencode(others)}" if others else "")
    return DataSource("motherduck", location, tokens[-1] if tokens else None)


def _parse_url(text: str) -> DataSource:
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in REMOTE_SCHEMES:
        raise ValueError(
            f"{scheme}:// is not a supported location: a Parquet folder is read from "
            "s3://, r2://, gs://, az://, abfss:// or https:// URLs."
        )
    rest = rest.rstrip("/")
    if not rest:
        raise ValueError(f"{scheme}:// needs a bucket or host, e.g. {scheme}://bucket/northstar.")
    if rest.lower().endswith(".duckdb"):
        raise ValueError(
            f"{scheme}://{rest} is a DuckDB file: a remote source is a folder of Parquet files "
            "(write one with `python -m northstar.data.export --format parquet`)."
        )
    return DataSource("parquet", f"{scheme.lower()}://{rest}")


def current_source() -> DataSource:
    """The source the data source setting names; SourceUnavailable when the setting is bad."""
    try:
        return parse_source(setting_text())
    except ValueError as error:
        raise SourceUnavailable(f"The data source setting is not usable: {error}") from error


# --- the tables a Parquet source must provide ---------------------------------------------

@cache
def expected_tables() -> tuple[str, ...]:
    """Every table a Northstar database holds: data/schema.sql's, the rollups' and the churn
    model's and the revenue forecast's."""
    names: dict[str, None] = {}
    for script in (DATA_DIR / "schema.sql", *rollup_scripts()):
        names.update(dict.fromkeys(_CREATED_TABLE.findall(script.read_text())))
    names.update(dict.fromkeys(churn_model.TABLES))
    names.update(dict.fromkeys(revenue_forecast.TABLES))
    return tuple(names)


def sql_string(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _local_files(folder: Path, table: str) -> list[Path]:
    single = folder / f"{table}.parquet"
    if single.is_file():
        return [single]
    return sorted((folder / table).glob("*.parquet"))


def _local_pattern(folder: Path, table: str) -> str | None:
    if (folder / f"{table}.parquet").is_file():
        return str(folder / f"{table}.parquet")
    if any((folder / table).glob("*.parquet")):
        return str(folder / table / "*.parquet")
    return None


def view_sql(table: str, pattern: str) -> str:
    """The view that shows a Parquet file (or glob pattern) as a table."""
    return (f"create or replace view {quote_identifier(table)} as "
            f"select * from read_parquet({sql_string(pattern)})")


# --- data version ---------------------------------------------------------------------------

def source_version(source: DataSource) -> str:
    """Identity of the source's contents: changes whenever the data may have changed.

    A DuckDB file: its newest published version's name (`published:<name>`, see
    northstar.data.db.published), or, when nothing is published, the file's identity. A local
    Parquet folder: the count, total size and latest change of its table files. A remote
    source: a time bucket of REMOTE_REFRESH_SECONDS.
    """
    if source.is_remote:
        return f"remote-{int(time.time() // REMOTE_REFRESH_SECONDS)}"
    if source.kind == "duckdb":
        version = published.current(Path(source.location))
        if version is not None:
            return PUBLISHED + version.name
        try:
            stat = Path(source.location).stat()
        except FileNotFoundError as error:
            raise SourceUnavailable(_missing_database(source.location)) from error
        return f"{stat.st_ino}-{stat.st_size}-{stat.st_mtime_ns}"
    folder = Path(source.location)
    if not folder.is_dir():
        raise SourceUnavailable(f"No Parquet folder at {folder}.")
    stats = [path.stat() for table in expected_tables() for path in _local_files(folder, table)]
    return (f"{len(stats)}-{sum(stat.st_size for stat in stats)}-"
            f"{max((stat.st_mtime_ns for stat in stats), default=0)}")


def _missing_database(path: str) -> str:
    return (f"No database at {path}. Build the demo with `make run` (or `make demo`), "
            "or load your data with `python -m northstar.load`.")


# --- opening ---------------------------------------------------------------------------------

# A join whose smaller side has at most this many distinct keys passes them to the larger side's
# scan as an IN filter, which reads a table with a key index (accounts, employees) through the
# index: a list's 200 names come from 200 index lookups instead of a scan of every account
# (kudos, low scores, followups at 1,000,000 accounts: 5-20% less per page). DuckDB's default
# is 50; 1,000 made 1,000 lookups slower than a scan of 100,000 accounts.
DYNAMIC_OR_FILTER_THRESHOLD = 256


def version_file(source: DataSource, version: str | None) -> Path | None:
    """The published version's own file a data version (source_version) names, else None."""
    if source.kind != "duckdb" or not version or not version.startswith(PUBLISHED):
        return None
    return published.versions_folder(Path(source.location)) / version[len(PUBLISHED):]


def open_source(source: DataSource, version: str | None = None) -> duckdb.DuckDBPyConnection:
    """A connection on which the named queries run, for any kind of source; for a DuckDB file
    with published versions, on the version `version` names (source_version)."""
    if source.kind == "duckdb":
        con = _open_duckdb_file(version_file(source, version) or Path(source.location))
    elif source.kind == "motherduck":
        con = _open_motherduck(source)
    else:
        con = _open_parquet(source)
    # global: the cursors sessions take from this connection share it
    con.execute("set global dynamic_or_filter_threshold = $threshold",
                {"threshold": DYNAMIC_OR_FILTER_THRESHOLD})
    return con


def _open_duckdb_file(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a local Northstar database; SourceUnavailable saying in words
    what is wrong with a file that is missing, damaged or not a Northstar database. Nothing is
    ever downloaded or loaded to read it (extension autoloading is off)."""
    if not path.exists():
        raise SourceUnavailable(_missing_database(str(path)))
    try:
        problem = database_file.problem_opening(path)
    except OSError as error:
        raise SourceUnavailable(f"Cannot read {path}: {error.strerror}") from error
    if problem:
        raise SourceUnavailable(problem)
    try:
        # the file is a DuckDB database (checked above), so nothing needs an extension to open
        # it; the settings are the instance's, shared with any other connection to the file
        con = duckdb.connect(str(path), read_only=True)
        for name in database_file.EXTENSIONS_OFF:
            con.execute(f"set global {name} = false")
    except duckdb.Error as error:
        raise SourceUnavailable(f"Cannot open the DuckDB file {path}: {error}") from error
    return con


def motherduck_token(source: DataSource) -> str | None:
    """The token from the setting, else from the environment."""
    return source.token or next(
        (os.environ[name] for name in TOKEN_VARIABLES if os.environ.get(name)), None)


def _open_motherduck(source: DataSource) -> duckdb.DuckDBPyConnection:
    token = motherduck_token(source)
    if not token:
        # without a token MotherDuck would wait for a sign-in in a browser
        raise SourceUnavailable(
            f"{source.location} needs a MotherDuck access token: set MOTHERDUCK_TOKEN, or add "
            "?motherduck_token=... to the data source setting."
        )
    try:
        return duckdb.connect(source.location, config={"motherduck_token": token})
    except duckdb.Error as error:
        raise SourceUnavailable(
            f"Cannot open the MotherDuck database {source.location}: {error}. It needs DuckDB's "
            "motherduck extension (installed on first use, so the server needs internet access "
            "and a DuckDB version MotherDuck supports) and a valid token."
        ) from error


def load_extension(con: duckdb.DuckDBPyConnection, location: str) -> None:
    """Load the extension that reads a remote location (installing it on first use)."""
    scheme = location.split("://", 1)[0].lower()
    extension = REMOTE_SCHEMES[scheme]
    try:
        con.load_extension(extension)
        return
    except duckdb.Error:
        pass
    try:
        con.install_extension(extension)
        con.load_extension(extension)
    except duckdb.Error as error:
        raise SourceUnavailable(
            f"Reading {scheme}:// needs DuckDB's {extension} extension, which could not be "
            f"loaded: {error}. Install it once on a machine with internet access (python -c "
            f"\"import duckdb; duckdb.connect().install_extension('{extension}')\"), or copy "
            "the Parquet folder to a local disk and point the data source setting at it."
        ) from error


def s3_secret_sql(location: str, environ: dict[str, str] | None = None) -> str | None:
    """A session secret for an S3 location from the AWS_* environment variables, if set.

    Without AWS_ACCESS_KEY_ID, DuckDB's own secrets (e.g. a persistent secret) apply.
    """
    environ = os.environ if environ is None else environ
    if not location.startswith("s3://") or not environ.get("AWS_ACCESS_KEY_ID"):
        return None
    options = {
        "KEY_ID": environ.get("AWS_ACCESS_KEY_ID"),
        "SECRET": environ.get("AWS_SECRET_ACCESS_KEY"),
        "SESSION_TOKEN": environ.get("AWS_SESSION_TOKEN"),
        "REGION": environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION"),
    }
    settings = "".join(f", {key} {sql_string(value)}" for key, value in options.items() if value)
    return f"create or replace secret northstar_s3 (type s3, scope {sql_string(location)}" \
           f"{settings})"


def _open_parquet(source: DataSource) -> duckdb.DuckDBPyConnection:
    # in memory: views over the files, and the macros; a local folder needs no extension
    con = duckdb.connect(config={} if source.is_remote else database_file.EXTENSIONS_OFF)
    try:
        if source.is_remote:
            load_extension(con, source.location)
            secret = s3_secret_sql(source.location)
            if secret:
                con.execute(secret)
            for table in expected_tables():
                _create_remote_view(con, source, table)
        else:
            folder = Path(source.location)
            patterns = {table: _local_pattern(folder, table) for table in expected_tables()}
            missing = [table for table, pattern in patterns.items() if pattern is None]
            if missing:
                raise SourceUnavailable(
                    f"The Parquet folder {folder} has no file for table(s) "
                    f"{', '.join(missing)}. Write a complete folder with `python -m "
                    "northstar.data.export --format parquet FOLDER`."
                )
            for table, pattern in patterns.items():
                con.execute(view_sql(table, pattern))
        for macros in MACROS_SQL:
            con.execute(rules.render_sql(macros.read_text()))
    except BaseException:
        con.close()
        raise
    return con


def _create_remote_view(
    con: duckdb.DuckDBPyConnection, source: DataSource, table: str
) -> None:
    patterns = [f"{source.location}/{table}.parquet"]
    if source.scheme in GLOB_SCHEMES:
        patterns.append(f"{source.location}/{table}/*.parquet")
    for pattern in patterns:
        try:
            con.execute(view_sql(table, pattern))
            return
        except duckdb.Error as error:
            failure = error
    raise SourceUnavailable(
        f"Cannot read table {table} from {' or '.join(patterns)}: {failure}"
    ) from failure


def database_path() -> Path:
    """The local DuckDB file the data source setting names: $NORTHSTAR_DB, else
    data/northstar.duckdb, for commands that write one (load).

    ValueError when the setting names another kind of source (a Parquet folder, MotherDuck,
    a URL) or is not valid; northstar.data.db.data_source reads every kind.
    """
    source = parse_source(os.environ.get(SETTING, str(DEFAULT_DB_PATH)))
    if source.kind != "duckdb":
        raise ValueError(f"{SETTING} names a {source.kind} source ({source.location}), not a "
                         "local DuckDB file: pass --db PATH.")
    return Path(source.location)
