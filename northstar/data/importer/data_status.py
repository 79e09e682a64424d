"""Logic behind the Data page: what each canonical table holds, what the last load did, and
the demo build, load or export running now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from northstar.data.db.job_progress import FAILED, JobStatus, format_duration
from northstar.data.importer.datasets import DATASETS
from northstar.data.importer.pipeline import LINE_TERMS, FileAccount

STATUS_LABELS = {
    "loaded": "Loaded", "empty": "Empty file", "missing": "Not in the source",
    "seeded": "Default rows", "demo": "Demo data",
}


@dataclass(frozen=True)
class MissingTable:
    label: str
    required: bool
    pages: tuple[str, ...]


def table_overview(row_counts: pd.DataFrame, load_tables: pd.DataFrame) -> pd.DataFrame:
    """One row per canonical table, in load order, with human column names.

    row_counts: table_name, row_count (queries/data_table_rows.sql);
    load_tables: the last load per table (queries/data_load_tables.sql), empty for demo data.
    """
    counts = dict(zip(row_counts["table_name"], row_counts["row_count"], strict=True))
    loads = load_tables.set_index("table_name") if not load_tables.empty else None
    rows = []
    for dataset in DATASETS:
        load = loads.loc[dataset.name] if loads is not None and dataset.name in loads.index \
            else None
        from_file = load is not None and load["status"] in ("loaded", "empty")
        rows.append({
            "Table": dataset.label,
            "Required": dataset.required,
            "Rows": int(counts.get(dataset.name, 0)),
            "Status": STATUS_LABELS[load["status"] if load is not None else "demo"],
            "Source file": load["source_file"] if load is not None
            and not pd.isna(load["source_file"]) else "—",
            # counts of a table the load read from a file; blank for one it did not
            "Rows in file": int(load["file_rows"]) if from_file else None,
            "Rows to load": int(load["source_rows"]) if from_file else None,
            "Refused": int(load["rejected_rows"]) if from_file else None,
            "Warnings": int(load["warnings"]) if from_file else None,
            "Feeds": "; ".join(dataset.pages),
        })
    table = pd.DataFrame(rows)
    for column in ("Rows in file", "Rows to load", "Refused", "Warnings"):
        # nullable integers: a table no load touched shows blank, not "None"
        table[column] = pd.array(table[column], dtype="Int64")
    return table


# load_file_lines' columns, in FileAccount's order after table, file and kind
_FILE_LINE_COLUMNS = ("lines", "preamble_lines", "blank_lines", "quoted_lines", "malformed_lines",
                      "filtered_rows", "refused_rows", "loaded_rows", "table_rows")


def file_lines_table(files: pd.DataFrame) -> pd.DataFrame:
    """One row per source file of the last load (queries/data_load_files.sql): what each of
    its physical lines became, each term in a column, and the account in words."""
    labels = {dataset.name: dataset.label for dataset in DATASETS}
    rows = []
    for record in files.itertuples(index=False):
        account = FileAccount(
            record.table_name, record.source_file, record.kind,
            *(int(getattr(record, column)) for column in _FILE_LINE_COLUMNS),
            None if pd.isna(record.reshaped) else record.reshaped, int(record.unused_rows))
        rows.append({
            "Table": labels.get(account.table, account.table),
            "File": account.file,
            "Lines": account.lines,
            **{label.capitalize(): getattr(account, name) for name, label in LINE_TERMS},
            "Table rows": account.table_rows,
            "Account": account.sentence(),
        })
    return pd.DataFrame(rows)


def missing_tables(row_counts: pd.DataFrame) -> list[MissingTable]:
    """Canonical tables with no rows, and what in the app they would feed."""
    counts = dict(zip(row_counts["table_name"], row_counts["row_count"], strict=True))
    return [
        MissingTable(dataset.label, dataset.required, dataset.pages)
        for dataset in DATASETS if counts.get(dataset.name, 0) == 0
    ]


def problems_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Refused rows or warnings with table labels instead of table names."""
    labels = {dataset.name: dataset.label for dataset in DATASETS}
    frame = frame.assign(table_name=frame["table_name"].map(labels).fillna(frame["table_name"]))
    if "kind" in frame:
        frame = frame.assign(kind=frame["kind"].map({"refused": "Refused", "warning": "Warning"}))
    return frame


def job_facts(status: JobStatus, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """What a running operation is doing, as label and value (values are plain text)."""
    facts = [
        ("Operation", f"{status.title}, {status.detail}" if status.detail else status.title),
        ("Step", status.step),
        ("Done", f"{status.percent}%"),
        ("Elapsed", format_duration(status.elapsed(now))),
    ]
    remaining = status.remaining(now)
    if remaining is not None:
        facts.append(("Time left", f"about {format_duration(remaining)} at the pace so far"))
    facts += [
        ("Started", f"{status.started:%-d %b %Y %H:%M} UTC"),
        ("Started by", status.started_by),
        ("Database", status.target),
    ]
    return facts


def job_outcome(status: JobStatus) -> str:
    """One sentence on an operation that failed or was interrupted (plain text)."""
    what = "failed" if status.state == FAILED else "was interrupted"
    sentence = (f"The {status.title.lower()} started {status.started:%-d %b %Y %H:%M} UTC by "
                f"{status.user} {what} at {status.percent}% ({status.step})")
    sentence += f": {status.message.rstrip('.')}." if status.message else "."
    if status.refresh:
        sentence += " The database was not replaced: the data shown is from before it."
    return sentence
