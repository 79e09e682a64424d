"""Load your own data: `python -m northstar.load SOURCE [--mapping FILE] [--db PATH]`.

SOURCE is a folder of CSV, TSV, Parquet or XLSX exports. The mapping (TOML) says which file
feeds each canonical table and how each column is computed; without one, files named after
the tables are loaded as they are. A mapping with `[load] database` reads tables from a
warehouse (SOURCE may then be left out). With --if-changed nothing is reloaded when no source
has changed since the load that built the database. Refused rows go to a rejects CSV; the
database is replaced only when the whole load succeeds. Exit status: 0 loaded (or nothing to
reload), 1 refused (the previous database is unchanged), 2 unusable mapping, file or
arguments. See the README, "Loading your own data".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from northstar.data.db import job_progress, write_lock
from northstar.data.db.build_memory import add_memory_limit_argument
from northstar.data.db.data_source import database_path
from northstar.data.db.database_file import NotNorthstarDatabase, check_replaceable
from northstar.data.db.rollups import build_step_names
from northstar.data.importer.changes import current_fingerprint, last_load
from northstar.data.importer.datasets import DATASETS, DATASETS_BY_NAME
from northstar.data.importer.draft import draft_mapping, draft_summary
from northstar.data.importer.file_readers import SourceError
from northstar.data.importer.mapping import (
    Mapping,
    MappingError,
    default_mapping,
    read_mapping,
)
from northstar.data.importer.pipeline import LoadError, LoadResult, run_load
from northstar.data.messages import first_line


def summary(result: LoadResult) -> str:
    """The load's counts per table and per rule, as printed after every load."""
    lines = [f"{'table':<22} {'file':<28} {'in file':>9} {'to load':>9} {'refused':>8} "
             f"{'loaded':>9} {'warnings':>8}"]
    for table in result.tables:
        file = table.source_file or f"({table.status})"
        lines.append(f"{table.table:<22} {file[:28]:<28} {table.file_rows:>9,} "
                     f"{table.source_rows:>9,} {table.rejected_rows:>8,} "
                     f"{table.loaded_rows:>9,} {table.warnings:>8,}")
    lines.append("in file: data rows the file holds; to load: rows after the mapping's where, "
                 "aggregate or spread; refused + loaded = to load (less the rows a duplicate key "
                 "or an earlier table's refusal removed, counted as refused)")
    files = [file for table in result.tables for file in table.files]
    if files:
        lines.append("Every line of every file (Excel: sheet rows; Parquet and warehouse "
                     "tables: rows):")
        lines += [f"  {file.table:<22} {file.file}: {file.sentence()}" for file in files]
    for title, counts in (("Refused", result.reject_counts), ("Warnings", result.warning_counts)):
        if counts:
            lines.append(f"{title} by table and rule:")
            lines += [f"  {table:<22} {rule:<32} {count:>8,}" for table, rule, count in counts]
    if result.as_of_note:
        lines.append(result.as_of_note)
    lines += [note for table in result.tables for note in table.notes]
    missing = [t.table for t in result.tables if t.status in ("missing", "empty")]
    for name in missing:
        pages = "; ".join(DATASETS_BY_NAME[name].pages)
        lines.append(f"No data for {name}: affects {pages}")
    return "\n".join(lines)


def report_counts(result: LoadResult | None) -> None:
    """The summary and where the refused rows went, on stderr (nothing before any table ran)."""
    if result is None or not result.tables:
        return
    print(summary(result), file=sys.stderr)
    print(f"Refused rows written to {result.rejects_path}", file=sys.stderr)


def print_progress(message: str, done: float) -> None:
    """A load's progress line on stderr: percent complete and what just finished."""
    print(f"  [{100 * done:5.1f}%] {message}", file=sys.stderr, flush=True)


def load_steps() -> list[str]:
    """A load's steps in the order it reports them, as the app shows them while it runs."""
    return ([f"loading {dataset.name}" for dataset in DATASETS] + ["checking the load"]
            + [f"computing {job_progress.step_name(name)}" for name in build_step_names()]
            + ["saving the database"])


def _draft(args: argparse.Namespace) -> int:
    """--draft-mapping: the guessed mapping to --mapping PATH (never over an existing file) or
    to standard output."""
    text = draft_mapping(args.source)
    if args.mapping is None:
        print(text, end="")
        print(f"Draft mapping: {draft_summary(text)}", file=sys.stderr)
        return 0
    if args.mapping.exists():
        print(f"Draft not written: {args.mapping} exists; name a new file, or leave out "
              "--mapping to print the draft.", file=sys.stderr)
        return 2
    args.mapping.write_text(text, encoding="utf-8")
    print(f"Draft mapping written to {args.mapping}: {draft_summary(text)}. Check every line, "
          f"then load with --mapping {args.mapping} --dry-run", file=sys.stderr)
    return 0


def _origin(args: argparse.Namespace, mapping: Mapping) -> str:
    """Where a load reads from, for its first message: the folder, or the warehouse."""
    if args.source is not None:
        return str(args.source.resolve())
    return f"the {mapping.database} warehouse"


def _dry_run(args: argparse.Namespace, mapping: Mapping, db_path: Path) -> int:
    """The load's checks into a throwaway database: the summary and the exit status a load
    would give; `db_path` is not opened, locked or written."""
    rejects = args.rejects or db_path.with_name(db_path.stem + ".dry-run.rejects.csv")
    print(f"Dry run: checking {_origin(args, mapping)} with {mapping.label}; {db_path} is not "
          "touched",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="northstar-dry-run-") as folder:
        try:
            result = run_load(args.source, mapping, Path(folder) / "dry-run.duckdb", rejects,
                              args.max_reject_pct, args.as_of, progress=print_progress,
                              rollups=False, memory_limit=args.memory_limit)
        except LoadError as error:
            report_counts(getattr(error, "result", None))
            print(f"Dry run: the load would be refused: {error}\n{db_path} is unchanged.",
                  file=sys.stderr)
            return 1
    report_counts(result)
    print(f"Dry run: the load would succeed (data as of {result.as_of}); {db_path} is "
          "unchanged.", file=sys.stderr)
    return 0


def _what_changed(before: str, now: str) -> str:
    """The parts of two load fingerprints that differ, in words: 'the mapping, revenue'."""
    old, new = json.loads(before), json.loads(now)
    parts = [label for name, label in (("mapping", "the mapping"), ("as_of", "--as-of"),
                                       ("max_reject_pct", "--max-reject-pct"))
             if old.get(name) != new.get(name)]
    tables = sorted(set(old.get("tables", {})) | set(new.get("tables", {})))
    parts += [table for table in tables
              if old.get("tables", {}).get(table) != new.get("tables", {}).get(table)]
    return ", ".join(parts) or "the fingerprint's form"


def _unchanged(args: argparse.Namespace, mapping: Mapping, db_path: Path) -> bool:
    """--if-changed: whether every source is as the load that built the database read it,
    saying which way it is on stderr."""
    before, when = last_load(db_path)
    if before is None or when is None:
        print(f"{db_path} holds no record of an earlier load's sources: loading.",
              file=sys.stderr)
        return False
    try:
        now = current_fingerprint(mapping, args.as_of or mapping.as_of, args.max_reject_pct)
    except SourceError as error:
        raise MappingError(f"{mapping.label}: {error}") from error
    if now == before:
        print(f"No source has changed since the load of {when:%Y-%m-%d %H:%M:%S} UTC; nothing "
              f"reloaded. The database at {db_path} is unchanged.", file=sys.stderr)
        return True
    print(f"Changed since the load of {when:%Y-%m-%d %H:%M:%S} UTC: "
          f"{_what_changed(before, now)}; reloading.", file=sys.stderr)
    return False


def _after_load(after_load: Callable[[Path], list[str]] | None, db_path: Path) -> None:
    """Run what follows a load (the alert rules' check) and print its report; whatever goes
    wrong there is said and never fails or undoes the load."""
    if after_load is None:
        return
    try:
        lines = after_load(db_path)
    except Exception as problem:  # noqa: BLE001 - the load succeeded whatever happens here
        lines = [f"Alerts not checked: {first_line(problem)} (the load itself succeeded)"]
    for line in lines:
        print(line, file=sys.stderr)


def main(argv: list[str] | None = None,
         after_load: Callable[[Path], list[str]] | None = None) -> int:
    """The load command; `after_load` runs after a load that replaced the database (the
    alert rules' check), and its report is printed."""
    parser = argparse.ArgumentParser(prog="python -m northstar.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, nargs="?", default=None,
                        help="folder of CSV, TSV, Parquet or XLSX files (leave it out when the "
                             "mapping reads every table from a warehouse)")
    parser.add_argument("--mapping", type=Path, default=None,
                        help="mapping file (TOML); default: files named after the tables")
    parser.add_argument("--db", type=Path, default=None,
                        help="database to replace (default: $NORTHSTAR_DB or "
                             "data/northstar.duckdb)")
    parser.add_argument("--rejects", type=Path, default=None,
                        help="rejects CSV to write (default: <db>.rejects.csv next to the db)")
    parser.add_argument("--max-reject-pct", type=float, default=None,
                        help="refuse the load when a table's refused rows exceed this share "
                             "(default 10, or [load] max_reject_pct in the mapping)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="last day the data covers, YYYY-MM-DD (default: the end of the "
                             "last billed month)")
    parser.add_argument("--draft-mapping", action="store_true",
                        help="write a starting mapping guessed from the files' column names and "
                             "sample values (to --mapping PATH when it does not exist yet, else "
                             "to standard output) and stop")
    parser.add_argument("--dry-run", action="store_true",
                        help="read, map and check everything and print the summary, without "
                             "writing the database (refused rows go to <db>.dry-run.rejects.csv)")
    parser.add_argument("--if-changed", action="store_true",
                        help="reload only when a source file, warehouse table, the mapping or "
                             "an option changed since the load that built the database; else "
                             "say so and exit 0 without touching it (for cron or a timer)")
    add_memory_limit_argument(parser, "the database")
    parser.add_argument("--wait", action="store_true",
                        help="wait for a build or load already writing the database instead of "
                             "stopping with exit status 2")
    args = parser.parse_args(argv)
    try:
        db_path = (args.db or database_path()).resolve()
    except ValueError as error:
        parser.error(str(error))
    if args.source is None and (args.mapping is None or args.draft_mapping):
        print("Load failed: name the folder of exports to load (or a --mapping that reads "
              f"from a warehouse). The database at {db_path} is unchanged.", file=sys.stderr)
        return 2
    if args.source is not None and not args.source.is_dir():
        print(f"Load failed: {args.source} is not a folder. The database at {db_path} is "
              "unchanged.", file=sys.stderr)
        return 2
    if db_path.is_dir():
        print(f"Load failed: --db {db_path} is a folder; name the database file to write, for "
              "example data/northstar.duckdb.", file=sys.stderr)
        return 2
    if not os.access(db_path.parent if db_path.parent.exists() else Path.cwd(), os.W_OK):
        print(f"Load failed: cannot write in {db_path.parent}. The database is unchanged.",
              file=sys.stderr)
        return 2
    if args.draft_mapping:
        return _draft(args)
    try:
        mapping = (read_mapping(args.mapping, args.source) if args.mapping
                   else default_mapping(args.source))
        if args.dry_run:
            return _dry_run(args, mapping, db_path)
        check_replaceable(db_path)  # before anything is written beside it
        origin = _origin(args, mapping)
        with write_lock.exclusive(db_path, "load", wait=args.wait,
                                  waiting=lambda who: print(f"Waiting for {who} to finish",
                                                            file=sys.stderr, flush=True)):
            # checked under the lock: a load running meanwhile is waited for, then compared
            if args.if_changed and _unchanged(args, mapping, db_path):
                return 0
            print(f"Loading {origin} with {mapping.label} into {db_path}", file=sys.stderr)
            with job_progress.recording("load", db_path, f"from {origin} ({mapping.label})",
                                        load_steps()) as record:
                result = run_load(args.source, mapping, db_path, args.rejects,
                                  args.max_reject_pct, args.as_of,
                                  progress=record.tee(print_progress),
                                  memory_limit=args.memory_limit)
    except write_lock.DatabaseBusy as busy:
        print(f"Load not started: {busy}\nThe database at {db_path} is unchanged.",
              file=sys.stderr)
        return 2
    except NotNorthstarDatabase as refused:
        print(f"Load refused: {refused}", file=sys.stderr)
        return 2
    except MappingError as error:
        print(f"Load failed: {error}\nThe database at {db_path} is unchanged.",
              file=sys.stderr)
        return 2
    except (OSError, duckdb.Error) as error:
        # anything else the files or the database engine refuse: said, never a traceback
        print(f"Load failed: {first_line(error)}\nThe database at {db_path} is unchanged.",
              file=sys.stderr)
        return 2
    except LoadError as error:
        report_counts(getattr(error, "result", None))
        print(f"Load failed: {error}\nThe database at {db_path} is unchanged.",
              file=sys.stderr)
        return 1
    report_counts(result)
    print(f"Loaded {db_path} in {result.seconds:.1f} s; data as of {result.as_of}",
          file=sys.stderr)
    _after_load(after_load, db_path)
    return 0

