"""Export a Northstar database to CSV or Parquet files: `python -m northstar.data.export OUT`.

`[--format csv|parquet] [--db SOURCE]`; SOURCE is anything the data source setting takes.

CSV (the default): one `<table>.csv` per canonical table (header row, ISO dates, empty = null),
the shape the default mapping and data/mappings/northstar.toml load back.

Parquet: one `<table>.parquet` per table of the database (canonical tables, rollups, metadata
and load history), a folder the data source setting can name directly. OUT may be a local
folder or an s3://, gs://, az:// URL (written through DuckDB's httpfs or azure extension), so
the demo can be published to a bucket.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from northstar.data.db import job_progress
from northstar.data.db.data_source import (
    DataSource,
    SourceUnavailable,
    current_source,
    load_extension,
    open_source,
    parse_source,
    s3_secret_sql,
)
from northstar.data.importer.datasets import DATASETS
from northstar.data.importer.file_readers import quote_identifier
from northstar.data.importer.run import print_progress
from northstar.data.messages import first_line

Progress = Callable[[str, float], None]


def _as_source(where: DataSource | Path | str) -> DataSource:
    return where if isinstance(where, DataSource) else parse_source(str(where))


def _copy_tables(
    con: duckdb.DuckDBPyConnection,
    tables: list[str],
    target: Callable[[str], str],
    options: str,
    progress: Progress | None,
) -> dict[str, int]:
    rows = {}
    started = time.perf_counter()
    for number, table in enumerate(tables, start=1):
        # COPY answers with the number of rows it wrote
        rows[table] = con.execute(
            f"copy (select * from {quote_identifier(table)}) to $path ({options})",
            {"path": target(table)},
        ).fetchone()[0]
        if progress is not None:
            progress(f"{table}: {rows[table]:,} rows ({time.perf_counter() - started:.1f} s)",
                     number / len(tables))
    return rows


def export_csv(
    db: DataSource | Path | str, out_dir: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Write one CSV per canonical table into out_dir; return rows per table.

    `progress(message, fraction_done)`, when given, is called after every table.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with open_source(_as_source(db)) as con:
        return _copy_tables(con, [dataset.name for dataset in DATASETS],
                            lambda table: str(out_dir / f"{table}.csv"),
                            "header, delimiter ','", progress)


def database_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table (or view, in a Parquet source) of the connection's database."""
    return [name for (name,) in con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' "
        "order by table_name"
    ).fetchall()]


def export_parquet(
    db: DataSource | Path | str, out: str | Path, progress: Progress | None = None
) -> dict[str, int]:
    """Write every table of the database as `<out>/<table>.parquet`; return rows per table.

    `out` is a local folder or an object storage URL (s3://bucket/prefix, ...).
    """
    out = str(out).rstrip("/")
    remote = "://" in out
    if not remote:
        Path(out).mkdir(parents=True, exist_ok=True)
    with open_source(_as_source(db)) as con:
        if remote:
            load_extension(con, out)
            secret = s3_secret_sql(out)
            if secret:
                con.execute(secret)
        return _copy_tables(con, database_tables(con), lambda table: f"{out}/{table}.parquet",
                            "format parquet, compression zstd", progress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder (or, for Parquet, s3://... URL) to write to")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv",
                        help="csv: the canonical tables, as a load reads them (default); "
                             "parquet: every table, a folder Northstar can read directly")
    parser.add_argument("--db", default=None,
                        help="data source to export (default: the data source setting, "
                             "$NORTHSTAR_DB, else data/northstar.duckdb)")
    args = parser.parse_args(argv)
    if args.format == "csv" and "://" in args.out:
        parser.error("CSV is written to a local folder; use --format parquet for a URL")
    try:
        source = parse_source(args.db) if args.db else current_source()
        # the app shows the progress of an export from a local database file
        with job_progress.recording(
            "export", Path(source.location) if source.kind == "duckdb" else None,
            f"{args.format} files to {args.out}",
            [f"exporting {dataset.name}" for dataset in DATASETS] if args.format == "csv" else (),
        ) as record:
            if args.format == "parquet":
                rows = export_parquet(source, args.out, progress=record.tee(print_progress))
            else:
                rows = export_csv(source, Path(args.out), progress=record.tee(print_progress))
    except (ValueError, SourceUnavailable, OSError, duckdb.Error) as error:
        print(f"Export failed: {first_line(error)}", file=sys.stderr)
        return 2
    print(f"Exported {sum(rows.values()):,} rows in {len(rows)} files to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
