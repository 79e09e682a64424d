"""Glossary and Data in pandas: what app.py reads on every page (the dataset's facts and the
filter options with their account counts), rows per canonical table, and the last load's
summary, rule counts, refused rows and warnings."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bench.pages import Context
from bench.pandas_pages.common import Expect, Page, elapsed, expect_list, expect_totals
from northstar.analytics.periods import FilterState

# the canonical tables data_table_rows counts, in its order, each with the one column loaded
# to count its rows
COUNTED: dict[str, tuple[str, ...]] = {
    "departments": ("department_id",),
    "customer_outcomes": ("outcome_id",),
    "employees": ("employee_id",),
    "accounts": ("account_id",),
    "account_mrr_monthly": ("month",),
    "support_tickets": ("opened_at",),
    "engagements": ("started_on",),
    "cab_memberships": ("joined_on",),
    "survey_responses": ("responded_on",),
    "department_kpis": ("kpi_id",),
    "kpi_outcomes": ("kpi_id",),
    "kpi_actuals": ("period_start",),
    "initiatives": ("initiative_id",),
    "kudos": ("given_on",),
    "employee_engagement": ("quarter_start",),
}
PROBLEM_COLUMNS = ("table_name", "source_file", "line", "column_name", "value", "rule", "message")
LOAD_TABLES = {
    "load_table_results": ("table_name", "source_file", "status", "source_rows", "loaded_rows",
                           "rejected_rows", "warnings"),
    "load_runs": ("source_path", "mapping_path", "started_at", "finished_at", "max_reject_pct",
                  "source_rows", "loaded_rows", "rejected_rows", "warnings"),
    "load_rejects": PROBLEM_COLUMNS,
    "load_warnings": PROBLEM_COLUMNS,
}
PROBLEM_ROW_LIMIT = 500  # bench/pages.py's row_limit for refused rows and warnings


def metadata(t) -> pd.DataFrame:
    return t["dataset_metadata"].sort_values("key", ignore_index=True)


def filter_options(t) -> pd.DataFrame:
    accounts = t["accounts"]
    counts = [accounts.groupby(column).size().rename("accounts").reset_index()
              .rename(columns={column: "value"}).assign(dimension=column)
              for column in ("segment", "region", "plan")]
    out = pd.concat(counts, ignore_index=True)[["dimension", "value", "accounts"]]
    return out.sort_values(["dimension", "value"], ignore_index=True)


def glossary_page(t, context: Context, state: FilterState) -> dict[str, object]:
    return {"app:metadata": metadata(t), "app:filters": filter_options(t)}


def data_page(t, context: Context, state: FilterState) -> dict[str, object]:
    rows = pd.DataFrame({"table_name": list(COUNTED),
                         "row_count": [len(t[name]) for name in COUNTED]})
    runs = t["load_runs"].assign(duration_seconds=lambda f: elapsed(
        f["started_at"], f["finished_at"], "ms") / 1000)
    problems = pd.concat([t["load_rejects"].assign(kind="refused"),
                          t["load_warnings"].assign(kind="warning")], ignore_index=True)
    rule_counts = (problems.groupby(["kind", "table_name", "rule"]).size().rename("problems")
                   .reset_index().sort_values(["kind", "problems", "table_name", "rule"],
                                              ascending=[True, False, True, True],
                                              ignore_index=True))

    def listed(kind: str) -> pd.DataFrame:
        rows_of_kind = problems.loc[problems["kind"] == kind, list(PROBLEM_COLUMNS)]
        return rows_of_kind.sort_values(["table_name", "line", "rule"]).head(PROBLEM_ROW_LIMIT)

    return {
        "metadata": metadata(t),
        "table_rows": rows,
        "load_tables": t["load_table_results"].sort_values("table_name", ignore_index=True),
        "load_run": runs.sort_values("finished_at", ascending=False, ignore_index=True),
        "rule_counts": rule_counts,
        "refused": listed("refused"),
        "warnings": listed("warning"),
    }


def check_glossary(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    for column in ("key", "value"):
        expect_list(expect, northstar, ours, "app:metadata", column)
    for column in ("dimension", "value", "accounts"):
        expect_list(expect, northstar, ours, "app:filters", column)


def check_data(expect: Expect, northstar, ours, end_month: dt.date) -> None:
    for column in ("key", "value"):
        expect_list(expect, northstar, ours, "metadata", column)
    for column in ("table_name", "row_count"):
        expect_list(expect, northstar, ours, "table_rows", column)
    expect_totals(expect, northstar, ours, "load_tables", "source_rows", "loaded_rows",
                  "rejected_rows", "warnings")
    expect_totals(expect, northstar, ours, "load_run", "duration_seconds", "loaded_rows")
    expect_totals(expect, northstar, ours, "rule_counts", "problems")
    for key in ("refused", "warnings"):
        expect_totals(expect, northstar, ours, key, "line")


PAGES = (
    Page("data", {"dataset_metadata": ("key", "value"), **COUNTED, **LOAD_TABLES}, data_page,
         ("metadata", "table_rows", "load_tables", "load_run", "rule_counts", "refused",
          "warnings"), check_data),
    Page("glossary", {"dataset_metadata": ("key", "value"),
                      "accounts": ("segment", "region", "plan")},
         glossary_page, ("app:metadata", "app:filters"), check_glossary),
)
