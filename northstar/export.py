"""Export every canonical table to CSV: `python -m northstar.export DIR [--db PATH]`.

One `<table>.csv` per table (header row, ISO dates, empty = null), the shape the default
mapping and data/mappings/northstar.toml load back.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from northstar.datasets import DATASETS
from northstar.importer.sources import quote_identifier
from northstar.load import print_progress
from northstar.paths import database_path


def export_csv(
    db_path: Path, out_dir: Path, progress: Callable[[str, float], None] | None = None
) -> dict[str, int]:
    """Write one CSV per canonical table into out_dir; return rows per table.

    `progress(message, fraction_done)`, when given, is called after every table.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    started = time.perf_counter()
    with duckdb.connect(str(db_path), read_only=True) as con:
        for number, dataset in enumerate(DATASETS, start=1):
            table = quote_identifier(dataset.name)
            # COPY answers with the number of rows it wrote
            rows[dataset.name] = con.execute(
                f"copy (select * from {table}) to $path (header, delimiter ',')",
                {"path": str(out_dir / f"{dataset.name}.csv")},
            ).fetchone()[0]
            if progress is not None:
                progress(f"{dataset.name}: {rows[dataset.name]:,} rows "
                         f"({time.perf_counter() - started:.1f} s)", number / len(DATASETS))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the CSV files to")
    parser.add_argument("--db", type=Path, default=None, help="database to export")
    args = parser.parse_args(argv)
    rows = export_csv((args.db or database_path()).resolve(), args.out_dir,
                      progress=print_progress)
    print(f"Exported {sum(rows.values()):,} rows in {len(rows)} files to {args.out_dir}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
