"""The importer on a corpus of bad or awkward inputs: each named case asserts its exact outcome.

Every case starts from a small valid source (three accounts, their revenue) and changes or adds
files; it asserts the exit status, a message, the refused rows (table, line, column, rule) and
the warnings (table, line, rule). A failed case must leave the previous database unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from northstar.data.importer.run import main

ACCOUNTS = (
    "account_id,account_name,segment,industry,region,plan,start_date,csm_employee_id\n"
    "A1,Acme,SMB,Retail,EMEA,Starter,2025-01-01,\n"
    "A2,Beta,Enterprise,Software,APAC,Enterprise,2025-02-01,\n"
    "A3,Gamma,Mid-Market,Retail,EMEA,Professional,2025-03-01,\n"
)
MRR = "account_id,month,mrr_usd\nA1,2026-01-01,100\nA2,2026-01-01,200\nA3,2026-01-01,300\n"
TICKET_HEADER = "ticket_id,account_id,opened_at,first_response_at,resolved_at,status,priority,category,channel,reopen_count,subject\n"
TICKET = "T{n},A1,2026-01-05 09:00:00,2026-01-05 10:00:00,2026-01-06 09:00:00,solved,high,defect,email,0,Broken\n"
SURVEY_HEADER = "response_id,account_id,survey_type,program,responded_on,score\n"


def tickets(*rows: str) -> str:
    return TICKET_HEADER + "".join(rows)


def surveys(*rows: str) -> str:
    return SURVEY_HEADER + "".join(rows)


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # None removes a file
    mapping: str | None = None
    args: tuple[str, ...] = ("--max-reject-pct", "100")
    exit_code: int = 0
    message: str = ""
    rejects: tuple[tuple[str, int | None, str | None, str], ...] = ()
    warnings: tuple[tuple[str, int, str], ...] = ()
    rows: dict[str, int] = field(default_factory=dict)
    value: tuple[str, object] | None = None  # (SQL returning one value, expected)


CASES = [
    Case("clean_minimal", rows={"accounts": 3, "account_mrr_monthly": 3, "departments": 6}),
    Case("utf8_byte_order_mark", {"accounts.csv": "\ufeff" + ACCOUNTS},
         rows={"accounts": 3}, value=("select min(account_id) from accounts", "A1")),
    Case("semicolon_delimiter", {"accounts.csv": ACCOUNTS.replace(",", ";")}, rows={"accounts": 3}),
    Case("windows_line_endings", {"accounts.csv": ACCOUNTS.replace("\n", "\r\n")},
         rows={"accounts": 3}, value=("select max(length(plan)) from accounts", 12)),
    Case("tab_separated_file", {"accounts.csv": None, "accounts.tsv": ACCOUNTS.replace(",", "\t")},
         rows={"accounts": 3}),
    Case("preamble_before_header",
         {"account_mrr_monthly.csv": "Revenue report\nGenerated 2026-02-01\n\n" + MRR + "A1,2026-02-01,oops\n"},
         rejects=(("account_mrr_monthly", 8, "mrr_usd", "invalid_type"),), rows={"account_mrr_monthly": 3}),
    Case("day_first_dates_with_format",
         {"accounts.csv": ACCOUNTS.replace("2025-01-01", "13/01/2025").replace("2025-02-01", "01/02/2025")
          .replace("2025-03-01", "28/02/2025")},
         mapping='[accounts]\nfile = "accounts.csv"\ndate_format = "%d/%m/%Y"\n'
                 '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
         value=("select string_agg(start_date::varchar, ' ' order by account_id) from accounts",
                "2025-01-13 2025-02-01 2025-02-28")),
    Case("day_first_dates_without_format",
         {"accounts.csv": ACCOUNTS.replace("2025-01-01", "13/01/2025")},
         rejects=(("accounts", 2, "start_date", "invalid_type"), ("account_mrr_monthly", 2, "account_id", "unknown_account"))),
    Case("wrong_type_in_money", {"account_mrr_monthly.csv": MRR.replace("200", "two hundred")},
         rejects=(("account_mrr_monthly", 3, "mrr_usd", "invalid_type"),)),
    Case("blank_string_in_required_numeric", {"account_mrr_monthly.csv": MRR.replace(",100", ",  ")},
         rejects=(("account_mrr_monthly", 2, "mrr_usd", "missing_value"),)),
    Case("blank_optional_numeric_takes_default",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace(",0,", ",,"))},
         rows={"support_tickets": 1}, value=("select reopen_count from support_tickets", 0)),
    Case("thousands_separator_option",
         {"account_mrr_monthly.csv": MRR.replace(",300", ',"1,200.50"')},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 'thousands_separator = ","\n',
         value=("select max(mrr_usd)::double from account_mrr_monthly", 1200.5)),
    Case("thousands_separator_in_expression",
         {"account_mrr_monthly.csv": MRR.replace(",300", ',"1,200.50"')},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 "[account_mrr_monthly.columns]\nmrr_usd = \"try_cast(replace(mrr_usd, ',', '') as double)\"\n",
         value=("select max(mrr_usd)::double from account_mrr_monthly", 1200.5)),
    Case("missing_required_column",
         {"accounts.csv": "\n".join(",".join(cells[:1] + cells[2:]) for cells in
                                    (line.split(",") for line in ACCOUNTS.splitlines())) + "\n"},
         exit_code=2, message="[accounts] column account_name: required column is not mapped"),
    Case("segment_not_in_the_file_is_not_recorded",
         {"accounts.csv": "\n".join(",".join(cells[:2] + cells[3:]) for cells in
                                    (line.split(",") for line in ACCOUNTS.splitlines())) + "\n"},
         rows={"accounts": 3}, value=("select string_agg(distinct segment) from accounts", "Not recorded")),
    Case("empty_required_file", {"accounts.csv": ""}, exit_code=1,
         message="required table accounts is unusable: accounts.csv has no data rows"),
    Case("header_only_required_file", {"accounts.csv": ACCOUNTS.splitlines()[0] + "\n"}, exit_code=1,
         message="required table accounts is unusable"),
    Case("header_only_optional_file", {"support_tickets.csv": TICKET_HEADER}, rows={"support_tickets": 0}),
    Case("required_table_missing", {"accounts.csv": None, "account_mrr_monthly.csv": None}, exit_code=1,
         message="required table accounts is unusable: the source has no file for it"),
    Case("date_that_does_not_parse_names_the_formats_tried",
         {"accounts.csv": ACCOUNTS.replace("2025-01-01", "13/01/2025").replace("2025-02-01", "13/02/2025")
          .replace("2025-03-01", "13/03/2025")}, exit_code=1,
         message="(most often start_date: not a valid date: tried ISO (2025-01-31) and date_format "
                 "%Y-%m-%d; set date_format to how the file writes dates, e.g. %d/%m/%Y or %Y%m%d "
                 "(3 rows, e.g. line 2: '13/01/2025'))"),
    Case("wrong_delimiter_names_the_columns_read",
         {"accounts.csv": "\ufeff" + ACCOUNTS.replace(",", ";")},
         mapping='[accounts]\nfile = "accounts.csv"\ndelimiter = ","\n[accounts.columns]\nplan = "plan"\n',
         exit_code=2, message="was read as a single column whose name holds a semicolon: set the "
                              "mapping's delimiter to the one the file uses"),
    Case("accounts_alone_load", {"account_mrr_monthly.csv": None},
         rows={"accounts": 3, "account_mrr_monthly": 0}),
    Case("tickets_without_revenue",
         {"account_mrr_monthly.csv": None, "support_tickets.csv": tickets(TICKET.format(n=1))},
         rows={"support_tickets": 1},
         value=("select value from dataset_metadata where key = 'as_of_date'", "2026-01-06")),
    Case("churn_in_the_last_billed_month_is_warned",
         {"accounts.csv": ACCOUNTS.replace("start_date,csm_employee_id", "start_date,csm_employee_id,churn_date")
          .replace("2025-01-01,", "2025-01-01,,2026-01-20").replace("2025-02-01,", "2025-02-01,,")
          .replace("2025-03-01,", "2025-03-01,,")},
         warnings=(("account_mrr_monthly", 2, "churn_not_counted"),), rows={"account_mrr_monthly": 3}),
    Case("duplicate_ids", {"accounts.csv": ACCOUNTS + "A1,Acme again,SMB,Retail,EMEA,Starter,2025-01-01,\n"},
         rejects=(("accounts", 5, "account_id", "duplicate_key"),), rows={"accounts": 3}),
    Case("duplicate_composite_key", {"account_mrr_monthly.csv": MRR + "A1,2026-01-01,150\n"},
         rejects=(("account_mrr_monthly", 5, "account_id, month", "duplicate_key"),)),
    Case("orphan_revenue_row", {"account_mrr_monthly.csv": MRR + "A9,2026-01-01,150\n"},
         rejects=(("account_mrr_monthly", 5, "account_id", "unknown_account"),)),
    Case("orphan_ticket", {"support_tickets.csv": tickets(TICKET.format(n=1), TICKET.format(n=2).replace("A1", "ZZ"))},
         rejects=(("support_tickets", 3, "account_id", "unknown_account"),), rows={"support_tickets": 1}),
    Case("nps_out_of_range", {"survey_responses.csv": surveys("R1,A1,NPS,relationship,2026-01-02,11\n",
                                                             "R2,A1,NPS,relationship,2026-01-02,0\n")},
         rejects=(("survey_responses", 2, "score", "out_of_range"),), rows={"survey_responses": 1}),
    Case("csat_out_of_range", {"survey_responses.csv": surveys("R1,A1,CSAT,support,2026-01-02,0\n")},
         rejects=(("survey_responses", 2, "score", "out_of_range"),)),
    Case("ces_out_of_range", {"survey_responses.csv": surveys("R1,A1,CES,support,2026-01-02,8\n",
                                                             "R2,A2,CES,support,2026-01-02,7\n")},
         rejects=(("survey_responses", 2, "score", "out_of_range"),)),
    Case("negative_money", {"account_mrr_monthly.csv": MRR.replace(",200", ",-5")},
         rejects=(("account_mrr_monthly", 3, "mrr_usd", "out_of_range"),)),
    Case("month_not_first_day", {"account_mrr_monthly.csv": MRR.replace("A3,2026-01-01", "A3,2026-01-15")},
         rejects=(("account_mrr_monthly", 4, "month", "out_of_range"),)),
    Case("own_segment_is_kept", {"accounts.csv": ACCOUNTS.replace(",SMB,", ",Consumer,")},
         rows={"accounts": 3}, value=("select segment from accounts where account_id = 'A1'", "Consumer")),
    Case("own_channel_and_priority_are_kept",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace(",high,", ",P1,").replace(",email,", ",Social media,"))},
         rows={"support_tickets": 1},
         value=("select priority || ' / ' || channel from support_tickets", "P1 / Social media")),
    Case("status_spelled_like_a_role_plays_it",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace(",solved,", ",Solved,"))},
         rows={"support_tickets": 1}, value=("select status from support_tickets", "solved")),
    Case("roles_map_source_values",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace(",solved,", ",Resolved,"),
                                         TICKET.format(n=2).replace(",solved,", ",Done,"))},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 '[support_tickets]\nfile = "support_tickets.csv"\n'
                 '[support_tickets.roles.status]\nsolved = "resolved"\nclosed = ["DONE"]\n',
         rows={"support_tickets": 2},
         value=("select string_agg(status, ',' order by ticket_id) from support_tickets", "solved,closed")),
    Case("resolved_status_needs_a_resolved_time",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace("2026-01-06 09:00:00", ""))},
         rejects=(("support_tickets", 2, "status", "inconsistent"),)),
    Case("role_that_does_not_exist",
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 '[support_tickets]\nfile = "support_tickets.csv"\n'
                 '[support_tickets.roles.status]\nfinished = "Done"\n',
         files={"support_tickets.csv": tickets(TICKET.format(n=1))}, exit_code=2,
         message="'finished' is not a role Northstar knows; roles: open, pending, solved, closed"),
    Case("ticket_resolved_before_opened",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace("2026-01-06 09:00:00", "2026-01-04 09:00:00"))},
         rejects=(("support_tickets", 2, "resolved_at", "date_order"),)),
    Case("resolved_before_first_response_is_a_warning",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace("2026-01-05 10:00:00", "2026-01-07 10:00:00"))},
         warnings=(("support_tickets", 2, "resolved_before_first_response"),), rows={"support_tickets": 1}),
    Case("churn_reason_without_churn_date",
         {"accounts.csv": ACCOUNTS.replace("start_date,csm_employee_id", "start_date,csm_employee_id,churn_reason")
          .replace("2025-01-01,", "2025-01-01,,Price").replace("2025-02-01,", "2025-02-01,,")
          .replace("2025-03-01,", "2025-03-01,,")},
         rejects=(("accounts", 2, "churn_date", "inconsistent"), ("account_mrr_monthly", 2, "account_id", "unknown_account"))),
    Case("unknown_optional_reference_is_cleared",
         {"accounts.csv": ACCOUNTS.replace("2025-01-01,", "2025-01-01,E9")},
         warnings=(("accounts", 2, "unknown_reference"),), rows={"accounts": 3},
         value=("select count(csm_employee_id) from accounts", 0)),
    Case("quoted_multiline_text_keeps_line_numbers",
         {"support_tickets.csv": tickets(TICKET.format(n=1).replace("Broken", '"Broken\nafter\nupgrade"'),
                                         TICKET.format(n=2).replace("2026-01-05 09:00:00", "not a time"))},
         rejects=(("support_tickets", 5, "opened_at", "invalid_type"),),
         value=("select subject from support_tickets", "Broken\nafter\nupgrade")),
    Case("huge_text_field", {"support_tickets.csv": tickets(TICKET.format(n=1).replace("Broken", "x" * 300_000))},
         rows={"support_tickets": 1}, value=("select length(subject) from support_tickets", 300_000)),
    Case("malformed_row_too_many_columns",
         {"account_mrr_monthly.csv": MRR.replace("A2,2026-01-01,200", "A2,2026-01-01,200,extra,cells")},
         rejects=(("account_mrr_monthly", 3, None, "malformed_row"),), rows={"account_mrr_monthly": 2}),
    Case("expression_does_not_parse",
         mapping='[accounts]\nfile = "accounts.csv"\n[accounts.columns]\nsegment = "case when then"\n'
                 '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
         exit_code=2, message="mapping.toml: [accounts] column segment: expression 'case when then' does not parse"),
    Case("expression_names_missing_column",
         mapping='[accounts]\nfile = "accounts.csv"\n[accounts.columns]\nplan = "\\"Plan Name\\""\n'
                 '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
         exit_code=2, message="[accounts] column plan: expression '\"Plan Name\"' names a column the source file does not have"),
    Case("expression_with_second_statement",
         mapping='[accounts]\nfile = "accounts.csv"\n[accounts.columns]\nplan = "1; drop table accounts"\n'
                 '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
         exit_code=2, message="[accounts] column plan:"),
    Case("mapping_names_unknown_table", mapping='[customers]\nfile = "accounts.csv"\n', exit_code=2,
         message="[customers]: no canonical table 'customers'"),
    Case("mapping_names_missing_file",
         mapping='[accounts]\nfile = "crm.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
         exit_code=2, message="[accounts] crm.csv: no such file"),
    Case("mapping_is_not_toml", mapping="[accounts\nfile = ", exit_code=2, message="not valid TOML"),
    Case("rejects_over_threshold", {"account_mrr_monthly.csv": MRR.replace(",200", ",-5")}, args=(),
         exit_code=1, message="account_mrr_monthly: 1 of 3 rows refused (33.3%), more than the 10% allowed"),
    Case("rejects_under_raised_threshold", {"account_mrr_monthly.csv": MRR.replace(",200", ",-5")},
         args=("--max-reject-pct", "50"), rejects=(("account_mrr_monthly", 3, "mrr_usd", "out_of_range"),)),
    Case("yes_no_booleans", {"engagements.csv": "engagement_id,account_id,engagement_type,department_id,started_on,attended\n"
                                                "G1,A1,qbr,customer_service,2026-01-10,No\nG2,A2,qbr,customer_service,2026-01-10,\n"},
         value=("select string_agg(attended::varchar, ' ' order by engagement_id) from engagements", "false true")),
    Case("unknown_department", {"support_tickets.csv": tickets(TICKET.format(n=1)).replace("reopen_count,", "reopen_count,department_id,")
                                .replace(",0,", ",0,legal,")},
         rejects=(("support_tickets", 2, "department_id", "unknown_reference"),)),
    Case("unterminated_quote_refuses_its_row",
         {"accounts.csv": ACCOUNTS.replace("A2,Beta,", 'A2,"Beta,')},
         rejects=(("accounts", 3, "account_name", "malformed_row"),
                  ("account_mrr_monthly", 3, "account_id", "unknown_account")),
         rows={"accounts": 2}),
    Case("value_over_a_million_characters_refuses_its_row",
         {"accounts.csv": ACCOUNTS.replace("A2,Beta,", "A2," + "x" * 2_000_000 + ",")},
         rejects=(("accounts", 3, "account_name", "value_too_long"),
                  ("account_mrr_monthly", 3, "account_id", "unknown_account")),
         value=("select len(value) from load_rejects where rule = 'value_too_long'", 200)),
    Case("line_too_long_to_read_names_its_line",
         {"accounts.csv": ACCOUNTS.replace("A2,Beta,", "A2," + "x" * 17_000_000 + ",")},
         exit_code=2, message="accounts.csv: cannot be read: line 3 is 17,000,"),
    Case("mostly_unreadable_file_is_refused_before_its_bad_lines_are_kept",
         {"accounts.csv": ACCOUNTS + 'x,"y\n1,2,3,"\n' * 200}, args=(),
         exit_code=1, message="of its 403 data lines cannot be read as comma-separated values"),
    Case("revenue_in_the_future_is_refused", {"account_mrr_monthly.csv": MRR + "A1,2099-01-01,100\n"},
         rejects=(("account_mrr_monthly", 5, "month", "future_date"),),
         value=("select value from dataset_metadata where key = 'as_of_date'", "2026-01-31")),
    Case("ticket_opened_in_the_future_is_refused",
         {"support_tickets.csv": tickets(TICKET.format(n=1), "T2,A1,2099-01-05 09:00:00,,,open,high,defect,email,0,Later\n")},
         rejects=(("support_tickets", 3, "opened_at", "future_date"),), rows={"support_tickets": 1}),
    Case("start_date_in_the_future_is_a_warning",
         {"accounts.csv": ACCOUNTS.replace("Professional,2025-03-01", "Professional,2099-03-01")},
         warnings=(("accounts", 4, "future_date"), ("account_mrr_monthly", 4, "billed_before_start")),
         rows={"accounts": 3}),
    Case("renewal_far_in_the_future_is_a_warning",
         {"accounts.csv": ACCOUNTS.replace("csm_employee_id\n", "csm_employee_id,renewal_date\n")
          .replace("2025-01-01,\n", "2025-01-01,,2199-01-01\n").replace("2025-02-01,\n", "2025-02-01,,\n")
          .replace("2025-03-01,\n", "2025-03-01,,\n")},
         warnings=(("accounts", 2, "far_future_date"),), rows={"accounts": 3}),
    Case("as_of_before_the_data_is_refused", args=("--as-of", "2020-01-31"), exit_code=2,
         message="is before the first billed month, January 2026"),
    Case("as_of_after_today_is_refused", args=("--as-of", "2099-01-31"), exit_code=2,
         message="is after today"),
    Case("revenue_after_a_given_as_of_is_refused",
         {"account_mrr_monthly.csv": MRR + "A1,2026-02-01,100\n"},
         args=("--as-of", "2026-01-31", "--max-reject-pct", "100"),
         rejects=(("account_mrr_monthly", 5, "month", "after_as_of"),),
         value=("select value from dataset_metadata where key = 'as_of_date'", "2026-01-31")),
    Case("answer_after_the_as_of_date_is_kept_with_a_warning",
         {"survey_responses.csv": surveys("R1,A1,NPS,relationship,2026-01-02,9\n",
                                          "R2,A1,NPS,relationship,2026-02-10,3\n")},
         args=("--as-of", "2026-01-31", "--max-reject-pct", "100"),
         warnings=(("survey_responses", 3, "after_as_of"),), rows={"survey_responses": 2}),
    Case("encoding_that_changes_part_way_names_the_cause",
         {"accounts.csv": (ACCOUNTS + "".join(f"B{n},Beta {n},SMB,Retail,EMEA,Starter,2025-01-01,\n"
                                              for n in range(40))).encode()
          + "Z1,Café Zoë,SMB,Retail,EMEA,Starter,2025-01-01,\n".encode("latin-1")},
         rejects=(("accounts", 45, None, "malformed_row"),), rows={"accounts": 43},
         value=("select message from load_rejects",
                "The line is not valid utf-8 text, although the lines before it are: the file's "
                "encoding changes part-way through. Re-save the file in one encoding, or set the "
                'mapping option encoding (e.g. encoding = "latin-1") to the one most of the file '
                "uses.")),
    Case("rows_in_another_delimiter_are_not_skipped_as_a_preamble",
         {"account_mrr_monthly.csv": "\ufeffaccount_id;month;mrr_usd\nA1;2026-01-01;100\n"
                                     "A2,2026-01-01,200\nA3,2026-01-01,300\n"},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 '[account_mrr_monthly.columns]\naccount_id = "column0"\nmonth = "column1"\nmrr_usd = "column2"\n',
         exit_code=2,
         message="[account_mrr_monthly] account_mrr_monthly.csv: lines 1–2 were skipped as a preamble, "
                 "but they look like a header and rows written with semicolons ("
                 "lines 1–2 hold 3 semicolon-separated values, as many as the 3 columns read from "
                 "line 3 on, which use commas): loading would lose them. A file uses one delimiter: "
                 "re-save lines 1–2 with commas. If they are not data, set skip = 2 in "
                 "[account_mrr_monthly] to skip them on purpose."),
    Case("missing_column_after_a_preamble_says_where_the_names_came_from",
         {"account_mrr_monthly.csv": "Revenue report\nGenerated 2026-02-01\n\n" + MRR},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
                 '[account_mrr_monthly.columns]\nmrr_usd = "MRR"\n',
         exit_code=2,
         message="account_mrr_monthly.csv was read with the columns account_id, month, mrr_usd, "
                 "named on line 4 after 3 lines skipped as a preamble: if the column names are on "
                 "another line, set skip to the number of lines above them (and header = true)"),
    Case("aggregate_of_day_first_dates_takes_the_earliest_date_not_the_first_text",
         {"purchases.csv": "Customer,Date of Purchase\nA1,15/01/2025\nA1,02/03/2025\nA2,28/02/2025\n"
                           "A2,01/12/2024\n"},
         mapping='[accounts]\nfile = "purchases.csv"\naggregate = true\ndate_format = "%d/%m/%Y"\n'
                 '[accounts.columns]\naccount_id = "Customer"\naccount_name = "Customer"\n'
                 'start_date = \'min("Date of Purchase")\'\n',
         exit_code=2,
         message="[accounts] column start_date: expression 'min(\"Date of Purchase\")' takes the "
                 "min of the text, not of the dates: with date_format %d/%m/%Y the text order is not "
                 "the date order. Parse the date inside the aggregate: "
                 "min(strptime(\"Date of Purchase\", '%d/%m/%Y'))"),
    Case("aggregate_of_parsed_day_first_dates",
         {"purchases.csv": "Customer,Date of Purchase\nA1,15/01/2025\nA1,02/03/2025\nA2,28/02/2025\n"
                           "A2,01/12/2024\n"},
         mapping='[accounts]\nfile = "purchases.csv"\naggregate = true\ndate_format = "%d/%m/%Y"\n'
                 '[accounts.columns]\naccount_id = "Customer"\naccount_name = "Customer"\n'
                 'start_date = "min(strptime(\\"Date of Purchase\\", \'%d/%m/%Y\'))"\n',
         value=("select string_agg(start_date::varchar, ' ' order by account_id) from accounts",
                "2025-01-15 2024-12-01")),
    Case("aggregated_invoices",
         {"account_mrr_monthly.csv": None, "invoices.csv": "customer,date,amount\nA1,2026-01-03,60\nA1,2026-01-20,40\nA2,2026-01-09,200\n"},
         mapping='[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "invoices.csv"\naggregate = true\n'
                 "[account_mrr_monthly.columns]\naccount_id = \"customer\"\nmonth = \"date_trunc('month', date::date)\"\n"
                 'mrr_usd = "sum(amount::double)"\n',
         value=("select string_agg(mrr_usd::varchar, ' ' order by account_id) from account_mrr_monthly", "100.00 200.00")),
]


def write_source(folder: Path, case: Case) -> Path:
    files: dict[str, str | bytes | None] = {"accounts.csv": ACCOUNTS, "account_mrr_monthly.csv": MRR}
    files.update(case.files)
    folder.mkdir()
    for name, content in files.items():
        if content is None:
            continue
        data = content.encode() if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def previous_db(tmp_path_factory) -> Path:
    """A database from an earlier successful load: failed cases must leave it as it is."""
    root = tmp_path_factory.mktemp("previous")
    source = write_source(root / "source", Case("previous"))
    db = root / "previous.duckdb"
    assert main([str(source), "--db", str(db)]) == 0
    return db


def test_the_corpus_has_at_least_30_named_cases():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case, tmp_path, previous_db, capsys):
    source = write_source(tmp_path / "source", case)
    db = tmp_path / "northstar.duckdb"
    shutil.copy(previous_db, db)
    before = digest(db)
    args = [str(source), "--db", str(db), *case.args]
    if case.mapping is not None:
        (tmp_path / "mapping.toml").write_text(case.mapping)
        args += ["--mapping", str(tmp_path / "mapping.toml")]
    exit_code = main(args)
    err = capsys.readouterr().err
    assert exit_code == case.exit_code, err
    assert case.message in err
    assert not list(tmp_path.glob("*.loading*"))
    if exit_code != 0:
        assert "is unchanged" in err
        assert digest(db) == before
        return
    with duckdb.connect(str(db), read_only=True) as con:
        rejects = con.execute(
            "select table_name, line, column_name, rule from load_rejects order by all").fetchall()
        warnings = con.execute(
            "select table_name, line, rule from load_warnings order by all").fetchall()
        assert rejects == sorted(case.rejects, key=str)
        assert warnings == sorted(case.warnings)
        for table, count in case.rows.items():
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == count, table
        if case.value:
            assert con.execute(case.value[0]).fetchone()[0] == case.value[1]
        assert con.execute("select value from dataset_metadata where key = 'source'").fetchone()[0] == "load"
    rejects_csv = (tmp_path / "northstar.rejects.csv").read_text().splitlines()
    assert rejects_csv[0] == "table_name,source_file,line,column_name,value,rule,message"
    assert len(rejects_csv) == 1 + len(case.rejects)


def test_parquet_and_excel_sources(tmp_path):
    import pandas as pd

    source = tmp_path / "source"
    source.mkdir()
    with duckdb.connect() as con:
        con.execute("copy (select * from read_csv($p)) to $out (format parquet)",
                    {"p": str(write_source(tmp_path / "csv", Case("x")) / "accounts.csv"),
                     "out": str(source / "accounts.parquet")})
    frame = pd.read_csv(tmp_path / "csv" / "account_mrr_monthly.csv")
    with pd.ExcelWriter(source / "revenue.xlsx") as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="Cover", index=False)
        frame.assign(mrr_usd=[100, None, 300]).to_excel(writer, sheet_name="Revenue", index=False)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[accounts]\nfile = "accounts.parquet"\n'
                       '[account_mrr_monthly]\nfile = "revenue.xlsx"\nsheet = "Revenue"\n')
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--mapping", str(mapping), "--db", str(db), "--max-reject-pct", "50"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from accounts").fetchone()[0] == 3
        # the blank Excel cell on sheet row 3 is refused with its row number
        assert con.execute("select line, column_name, rule from load_rejects").fetchall() == [
            (3, "mrr_usd", "missing_value")]


def test_the_rejects_csv_never_runs_as_a_formula(tmp_path):
    import csv

    hostile = '=HYPERLINK("http://evil.invalid","Click")'
    source = write_source(tmp_path / "source", Case("formula", {
        "account_mrr_monthly.csv": MRR.replace(",200", f',"{hostile.replace(chr(34), chr(34) * 2)}"')
        .replace(",300", ",-7"),
    }))
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--db", str(db), "--max-reject-pct", "100"]) == 0
    with (tmp_path / "db.rejects.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    values = {row["rule"]: row["value"] for row in rows}
    assert values["invalid_type"] == "'" + hostile
    assert values["out_of_range"] == "'-7"  # the value as written, a text cell in this file
    with duckdb.connect(str(db), read_only=True) as con:  # the database keeps it as it was
        assert con.execute("select value from load_rejects where rule = 'invalid_type'"
                           ).fetchone()[0] == hostile


def test_a_few_stray_revenue_rows_do_not_move_the_as_of_date(tmp_path, capsys):
    accounts = "account_id,account_name,segment,industry,region,plan,start_date\n" + "".join(
        f"A{n},Account {n},SMB,Retail,EMEA,Starter,2025-01-01\n" for n in range(1, 41))
    revenue = "account_id,month,mrr_usd\n" + "".join(
        f"A{n},2026-{month:02d}-01,100\n" for month in range(1, 7) for n in range(1, 41))
    revenue += "A7,2026-09-01,100\n"  # one row three months after everything else
    source = write_source(tmp_path / "source", Case("stray", {
        "accounts.csv": accounts, "account_mrr_monthly.csv": revenue}))
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "Data as of 2026-06-30" in err and "1 revenue row(s) dated later (Sep 2026)" in err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select value from dataset_metadata where key = 'as_of_date'"
                           ).fetchone()[0] == "2026-06-30"
        assert con.execute("select line, column_name, rule from load_rejects").fetchall() == [
            (242, "month", "after_as_of")]


def test_fifty_megabytes_of_junk_are_refused_quickly_in_little_memory(tmp_path):
    import os
    import resource
    import subprocess
    import sys
    import time

    from tests.conftest import REPO_ROOT

    source = tmp_path / "junk"
    source.mkdir()
    alphabet = bytes(range(32, 127)) + b',,,;;""\t|'
    table = bytes(alphabet[byte % len(alphabet)] for byte in range(256))
    junk = bytearray(os.urandom(50_000_000).translate(table))
    junk[::120] = b"\n" * len(junk[::120])  # a line about every 120 bytes
    (source / "accounts.csv").write_bytes(
        b"account_id,account_name,segment,industry,region,plan,start_date\n" + bytes(junk))
    (source / "account_mrr_monthly.csv").write_text(MRR)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "northstar.load", str(source), "--db",
                          str(tmp_path / "db.duckdb")], cwd=REPO_ROOT, capture_output=True,
                         text=True)
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert run.returncode == 1, run.stderr
    assert "cannot be read as" in run.stderr and "First unreadable lines" in run.stderr
    assert peak_mb < 2048, peak_mb
    assert seconds < 60, seconds
    assert not (tmp_path / "db.duckdb").exists()


ESCAPES = [
    ('[accounts]\nfile = "../../../../../../etc/passwd"\n', "leads outside the source folder"),
    ('[accounts]\nfile = "/etc/hostname"\n', "is an absolute path"),
    ('[accounts]\nfile = "linked.csv"\n', "leads outside the source folder"),
    ('[accounts]\nfile = "accounts.csv"\n[accounts.columns]\n'
     "account_name = \"(select content from read_text('/etc/hostname'))\"\n"
     '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
     "tries to read a file or the network"),
    ('[accounts]\nfile = "accounts.csv"\n[accounts.columns]\n'
     "account_name = \"(select max(column0) from read_csv('/etc/passwd'))\"\n"
     '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n',
     "tries to read a file or the network"),
]


@pytest.mark.parametrize(("mapping", "message"), ESCAPES)
def test_a_mapping_reads_only_its_folder(tmp_path, capsys, mapping, message):
    source = write_source(tmp_path / "source", Case("escape"))
    outside = tmp_path / "secret.csv"
    outside.write_text(ACCOUNTS.replace("Acme", "Secret Corp"))
    (source / "linked.csv").symlink_to(outside)
    (tmp_path / "mapping.toml").write_text(mapping)
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--db", str(db), "--mapping", str(tmp_path / "mapping.toml")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert "Secret Corp" not in err and "root:" not in err
    assert not db.exists()


def test_a_default_mapping_does_not_follow_a_link_out_of_the_folder(tmp_path, capsys):
    source = write_source(tmp_path / "source", Case("escape", {"support_tickets.csv": None}))
    outside = tmp_path / "tickets.csv"
    outside.write_text(tickets(TICKET.format(n=1)))
    (source / "support_tickets.csv").symlink_to(outside)
    assert main([str(source), "--db", str(tmp_path / "db.duckdb")]) == 2
    assert "leads outside the source folder" in capsys.readouterr().err


TWO_TABLES = '[accounts]\nfile = "accounts.csv"\n[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n'
CLI_FAILURES = [
    ("mapping_not_utf8", b"\xff\xfe[accounts]\n", (), "not UTF-8 text"),
    ("mapping_is_a_folder", None, (), "is a folder; name the .toml file"),
    ("garbage_parquet", '[accounts]\nfile = "bad.parquet"\n[account_mrr_monthly]\n'
     'file = "account_mrr_monthly.csv"\n', (), "bad.parquet: cannot be read as Parquet"),
    ("unknown_date_format", TWO_TABLES.replace('"accounts.csv"\n', '"accounts.csv"\ndelimiter = ","\n'
                                               'date_format = "%Q-%d"\n'), (),
     "date_format: '%Q-%d' is not a strptime format"),
    ("unnest_with_aggregate", TWO_TABLES + 'aggregate = true\n[account_mrr_monthly.columns]\n'
     'month = "unnest(generate_series(month::date, month::date + interval 2 month, interval 1 month))"\n'
     'mrr_usd = "sum(mrr_usd::double)"\n', (), "unnest cannot be grouped"),
    ("type_error_in_expression", TWO_TABLES + '[account_mrr_monthly.columns]\n'
     'mrr_usd = "mrr_usd + interval 1 day"\n', (), "cannot be computed: Binder Error: No function matches"),
    ("db_is_a_folder", TWO_TABLES, ("--db-folder",), "is a folder; name the database file"),
    ("wrong_delimiter", TWO_TABLES.replace('"accounts.csv"\n', '"accounts.csv"\ndelimiter = "|"\n'),
     (), "read as a single column whose name holds a comma"),
]


@pytest.mark.parametrize(("name", "mapping", "extra", "message"), CLI_FAILURES,
                         ids=[case[0] for case in CLI_FAILURES])
def test_every_cli_failure_is_a_message(tmp_path, capsys, name, mapping, extra, message):
    source = write_source(tmp_path / "source", Case(name))
    (source / "bad.parquet").write_text("not parquet at all")
    mapping_path = tmp_path / "mapping.toml"
    if mapping is None:
        mapping_path.mkdir()
    else:
        mapping_path.write_bytes(mapping if isinstance(mapping, bytes) else mapping.encode())
    db = tmp_path / "db.duckdb"
    if "--db-folder" in extra:
        db.mkdir()
    assert main([str(source), "--db", str(db), "--mapping", str(mapping_path)]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err and max(len(line) for line in err.splitlines()) < 800


@pytest.mark.parametrize(("args", "message"), [
    (["--accounts", "0"], "--accounts must be at least 1"),
    (["--accounts", "10", "--db", "{folder}"], "is a folder"),
])
def test_every_demo_failure_is_a_message(tmp_path, capsys, args, message):
    from northstar.data.demo.generator import main as demo_main

    args = [arg.format(folder=tmp_path) for arg in args]
    if "--db" not in args:
        args += ["--db", str(tmp_path / "x.duckdb")]
    assert demo_main(args) == 2
    assert message in capsys.readouterr().err


EMPLOYEES = (
    "employee_id,employee_name,department_id,job_title,email\n"
    "E1,Ana,customer_service,CSM,ana@corp.example\n"
    'E2,Vic,customer_service,CSM,"victim@corp.example, attacker@evil.example"\n'
    'E3,Eve,sales,AE,"eve@corp.example\r\nBcc: attacker@evil.example"\n'
    "E4,Mo,sales,AE,Mo <mo@corp.example>\n"
    "E5,Bo,sales,AE,\n"
)


def test_an_employee_email_that_is_not_one_address_is_dropped_with_a_warning(tmp_path, capsys):
    source = write_source(tmp_path / "source", Case("emails", {"employees.csv": EMPLOYEES}))
    db = tmp_path / "northstar.duckdb"
    assert main([str(source), "--db", str(db)]) == 0, capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute("select employee_id, email from employees order by 1").fetchall()
        warnings = con.execute(
            "select source_file, line, column_name, value, rule, message from load_warnings "
            "where table_name = 'employees' order by line").fetchall()
    # every employee is kept; only the single plain address is
    assert kept == [("E1", "ana@corp.example"), ("E2", None), ("E3", None), ("E4", None),
                    ("E5", None)]
    assert [(file, line, column, rule) for file, line, column, _, rule, _ in warnings] == [
        ("employees.csv", 3, "email", "invalid_email"),
        ("employees.csv", 4, "email", "invalid_email"),
        ("employees.csv", 6, "email", "invalid_email"),
    ]
    assert warnings[0][3] == "victim@corp.example, attacker@evil.example"
    assert warnings[0][5] == ("not one plain e-mail address (one name@domain, no display name, "
                              "list or line break): the employee is kept without an address")


def test_a_company_without_a_departments_file_gets_no_demo_people(tmp_path):
    """The departments a load seeds when the source has none name no head: nobody from the demo
    appears in a company's scorecards."""
    accounts = "account_id,account_name,segment,industry,region,plan,start_date\n" + "".join(
        f"A{n},Account {n},SMB,Retail,EMEA,Starter,2025-01-01\n" for n in range(1, 41))
    revenue = "account_id,month,mrr_usd\n" + "".join(
        f"A{n},2026-{month:02d}-01,100\n" for month in range(1, 7) for n in range(1, 41))
    source = write_source(tmp_path / "source", Case("no departments", {
        "accounts.csv": accounts, "account_mrr_monthly.csv": revenue}))
    db = tmp_path / "db.duckdb"
    assert main([str(source), "--db", str(db)]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(head_name) from departments").fetchone() == (
            6, 0)
