"""The data plan of the data page (views/data.py)."""

from __future__ import annotations

from northstar.analytics import periods
from northstar.analytics.plans.core import Call, Context, app_calls

PROBLEM_ROWS = 500  # refused rows and warnings listed on the page, each


def calls(context: Context, state: periods.FilterState) -> list[Call]:
    return app_calls([
        Call("metadata", "dataset_metadata"),
        Call("table_rows", "data_table_rows"),
        Call("load_tables", "data_load_tables"),
        Call("load_files", "data_load_files"),
        Call("load_run", "data_load_run"),
        Call("rule_counts", "data_load_rule_counts"),
        Call("refused", "data_load_problems", {"kind": "refused", "row_limit": PROBLEM_ROWS}),
        Call("warnings", "data_load_problems", {"kind": "warning", "row_limit": PROBLEM_ROWS}),
    ])
