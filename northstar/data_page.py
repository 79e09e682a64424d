"""Logic behind the Data page: what each canonical table holds and what the last load did."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from northstar.datasets import DATASETS

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
        rows.append({
            "Table": dataset.label,
            "Required": dataset.required,
            "Rows": int(counts.get(dataset.name, 0)),
            "Status": STATUS_LABELS[load["status"] if load is not None else "demo"],
            "Source file": load["source_file"] if load is not None
            and not pd.isna(load["source_file"]) else "—",
            "Rows read": int(load["source_rows"]) if load is not None else None,
            "Refused": int(load["rejected_rows"]) if load is not None else None,
            "Warnings": int(load["warnings"]) if load is not None else None,
            "Feeds": "; ".join(dataset.pages),
        })
    table = pd.DataFrame(rows)
    for column in ("Rows read", "Refused", "Warnings"):
        # nullable integers: a table no load touched shows blank, not "None"
        table[column] = pd.array(table[column], dtype="Int64")
    return table


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
