"""Tables from several files: rows from a list or pattern of files, columns joined from a second
file on a key, subscriptions turned into monthly revenue, product usage aggregated per month.

Every source here is a few hand-written lines whose answers are worked out by hand in the
comments; each bad input asserts the message a user sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.data.importer.mapping import MappingError, read_mapping
from northstar.data.importer.pipeline import LoadError, run_load
from northstar.data.importer.run import main
from northstar.ui.page_queries import execute
from tests.unit import retention_fixture

D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}

# -- the retention fixture's accounts and revenue, as a CRM and a billing system export them --

CUSTOMERS = (
    "CustomerID,Name,Segment,Started\n"
    "R1,R1 Inc,SMB,2024-05-01\n"
    "R2,R2 Inc,Enterprise,2023-01-01\n"
    "R3,R3 Inc,SMB,2026-02-01\n"
    "R4,R4 Inc,Mid-Market,2022-07-01\n"
    "R5,R5 Inc,SMB,2026-01-01\n"
)
CANCELLATIONS = (
    "customer_id,cancelled_at,reason,competitor\n"
    "R2,2026-02-28,Budget cuts,\n"      # line 2
    "R9,2026-03-31,Price,Orbitly\n"     # line 3: no such customer, a warning
    "R5,2026-02-28,Price,Orbitly\n"     # line 4
)
# R1: Dec-Jan, then again from April (open); R2: 200 Dec-Feb plus a 100 add-on in Feb (300);
# R3 from Feb (open); R4 flat 400 (open); R5 80 in Jan and Feb. As of June 2026.
SUBSCRIPTIONS = (
    "sub_id,customer,plan_start,plan_end,monthly_price\n"
    "1,R1,2025-12-01,2026-01-31,100\n"
    "2,R1,2026-04-01,,100\n"
    "3,R2,2025-12-01,2026-02-28,200\n"
    "4,R2,2026-02-01,2026-02-15,100\n"
    "5,R3,2026-02-01,,50\n"
    "6,R4,2025-12-01,,400\n"
    "7,R5,2026-01-01,2026-02-28,80\n"
)
CRM_MAPPING = """
[load]
as_of = "2026-06-30"

[accounts]
file = "customers.csv"

[accounts.columns]
account_id = "CustomerID"
account_name = "Name"
segment = "Segment"
industry = "'Retail'"
region = "'EMEA'"
plan = "'Starter'"
start_date = "Started"
churn_date = "cancellations.cancelled_at"
churn_reason = "cancellations.reason"
lost_to_competitor = "cancellations.competitor"

[accounts.joins.cancellations]
file = "cancellations.csv"
key = "customer_id"
on = "CustomerID"

[account_mrr_monthly]
file = "subscriptions.csv"
subscription_start = "plan_start"
subscription_end = "plan_end"

[account_mrr_monthly.columns]
account_id = "customer"
mrr_usd = "monthly_price"
"""
TODAY = D(2026, 7, 15)


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def load(tmp_path: Path, files: dict[str, str], mapping: str, **options):
    source = write(tmp_path / "source", files)
    (tmp_path / "mapping.toml").write_text(mapping)
    return run_load(source, read_mapping(tmp_path / "mapping.toml", source),
                    tmp_path / "northstar.duckdb", today=options.pop("today", TODAY), **options)


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


CRM = {"customers.csv": CUSTOMERS, "cancellations.csv": CANCELLATIONS,
       "subscriptions.csv": SUBSCRIPTIONS}


def test_cancellations_reach_accounts_and_retention_matches_pandas(tmp_path):
    result = load(tmp_path, CRM, CRM_MAPPING)
    db = result.db_path
    accounts = query(db, "select account_id, churn_date, churn_reason, lost_to_competitor "
                         "from accounts order by 1")
    assert accounts == [
        ("R1", None, None, None),
        ("R2", D(2026, 2, 28), "Budget cuts", None),
        ("R3", None, None, None),
        ("R4", None, None, None),
        ("R5", D(2026, 2, 28), "Price", "Orbitly"),
    ]
    # the revenue is the retention fixture's, worked out by hand there
    revenue = query(db, "select account_id, month, mrr_usd from account_mrr_monthly")
    assert {(a, m, float(v)) for a, m, v in revenue} == {
        (account, month, float(mrr)) for account, months in retention_fixture.MRR.items()
        for month, mrr in months.items()}
    # the unmatched cancellation (R9, line 3) is a warning with a count, naming the file
    assert query(db, "select table_name, source_file, line, column_name, value, rule "
                     "from load_warnings") == [
        ("accounts", "cancellations.csv", 3, "customer_id", "R9", "join_unmatched")]
    assert ("accounts", "join_unmatched", 1) in result.warning_counts
    assert next(t for t in result.tables if t.table == "accounts").warnings == 1

    # churn by reason, Jan-Mar 2026, from the files with pandas: accounts billed in Dec 2025
    # and not in Mar 2026 lose their December ARR; the reason comes from the cancellations
    subs = pd.read_csv(tmp_path / "source" / "subscriptions.csv")
    cancellations = pd.read_csv(tmp_path / "source" / "cancellations.csv")
    monthly = pd.DataFrame(
        [(row.customer, month, row.monthly_price) for row in subs.itertuples()
         for month in pd.period_range(row.plan_start, row.plan_end if isinstance(row.plan_end, str)
                                      else "2026-06", freq="M")],
        columns=["account", "month", "mrr"]).groupby(["account", "month"])["mrr"].sum()
    december = monthly.xs(pd.Period("2025-12", "M"), level="month")
    march = monthly.xs(pd.Period("2026-03", "M"), level="month")
    churned = december[~december.index.isin(march.index)] * 12
    reasons = cancellations.set_index("customer_id")["reason"]
    expected = churned.groupby(reasons.reindex(churned.index).fillna("Not recorded")).sum()
    params = {**ALL, "end_months": [D(2026, 3, 1)], "window_months": 3}
    figures = execute("churn_reasons", params, db).set_index("churn_reason")["churned_arr_usd"]
    assert figures.to_dict() == pytest.approx(expected.to_dict())
    assert expected.to_dict() == {"Budget cuts": 2400, "Not recorded": 1200}  # by hand
    monthly_reasons = execute("churn_reasons", {**params, "window_months": 1}, db)
    assert monthly_reasons.set_index("churn_reason")["lost_to_competitor"]["Price"] == "Orbitly"


def test_a_customer_who_cancelled_twice_is_refused_naming_the_key_and_lines(tmp_path):
    twice = CANCELLATIONS + "R5,2026-01-31,Budget cuts,\n"  # line 5: R5 cancelled in January too
    with pytest.raises(LoadError) as refused:
        load(tmp_path, {**CRM, "cancellations.csv": twice}, CRM_MAPPING)
    assert str(refused.value) == (
        "accounts: cancellations.csv has several rows for one customer_id, and each accounts "
        "row takes at most one ([accounts.joins.cancellations]): 'R5' on lines 4, 5. Keep one "
        "row per customer_id in the file, or set latest = \"<column>\" in "
        "[accounts.joins.cancellations] to take the row whose column is the latest (e.g. the "
        "latest date).")
    assert not (tmp_path / "northstar.duckdb").exists()


def test_latest_takes_the_last_cancellation_of_a_customer_who_came_back(tmp_path):
    # R5 cancelled in January (line 5, written after), came back, and cancelled in February
    twice = CANCELLATIONS + "R5,2026-01-31,Budget cuts,\n"
    mapping = CRM_MAPPING.replace('on = "CustomerID"', 'on = "CustomerID"\nlatest = "cancelled_at"')
    db = load(tmp_path, {**CRM, "cancellations.csv": twice}, mapping).db_path
    assert query(db, "select churn_date, churn_reason from accounts where account_id = 'R5'") == [
        (D(2026, 2, 28), "Price")]
    assert query(db, "select count(*) from accounts") == [(5,)]


@pytest.mark.parametrize(("change", "message"), [
    ({"cancellations.csv": None},
     "[accounts.joins.cancellations] cancellations.csv: no such file in"),
    ({"cancellations.csv": CANCELLATIONS.replace("customer_id,", "client,")},
     "[accounts.joins.cancellations]: key 'customer_id' is not a column of cancellations.csv; "
     "its columns: client, cancelled_at, reason, competitor"),
    ({"cancellations.csv": CANCELLATIONS.replace(",reason,", ",why,")},
     "[accounts.joins.cancellations]: cancellations.reason is used in [accounts] but "
     "cancellations.csv has no column 'reason'; its columns: customer_id, cancelled_at, why, "
     "competitor"),
])
def test_a_missing_joined_file_or_column_is_a_message_naming_it(tmp_path, capsys, change,
                                                                  message):
    files = {name: text for name, text in {**CRM, **change}.items() if text is not None}
    source = write(tmp_path / "source", files)
    (tmp_path / "mapping.toml").write_text(CRM_MAPPING)
    code = main([str(source), "--db", str(tmp_path / "n.duckdb"), "--mapping",
                 str(tmp_path / "mapping.toml")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err and not (tmp_path / "n.duckdb").exists()


def test_a_join_without_its_key_setting_is_a_message(tmp_path):
    source = write(tmp_path / "source", CRM)
    (tmp_path / "m.toml").write_text(CRM_MAPPING.replace('key = "customer_id"\n', ""))
    with pytest.raises(MappingError, match=r"\[accounts.joins.cancellations\]: needs key = "
                                           r"\"...\": the joined file's column holding the key"):
        read_mapping(tmp_path / "m.toml", source)


# -- a table's rows from several files --

ACCOUNTS = (
    "account_id,account_name,segment,industry,region,plan,start_date\n"
    "A1,Acme,SMB,Retail,EMEA,Starter,2025-01-01\n"
    "A2,Beta,Enterprise,Software,APAC,Enterprise,2025-02-01\n"
)
MRR = "account_id,month,mrr_usd\nA1,2026-01-01,100\nA2,2026-01-01,200\n"
TICKETS = "ticket_id,account_id,opened_at,status,priority,category,channel\n"
TICKETS_2025 = TICKETS + (
    "T1,A1,2025-11-03 09:00:00,open,high,defect,email\n"
    "T2,A2,2025-12-01 10:00:00,open,low,question,chat\n"
)
TICKETS_2026 = TICKETS + (
    "T3,A1,2026-01-05 09:00:00,open,high,defect,email\n"
    "T2,A2,2026-01-06 10:00:00,open,low,question,chat\n"   # line 3: T2 again
    "T4,A9,2026-01-07 11:00:00,open,low,question,chat\n"   # line 4: no such account
)
BASE = {"accounts.csv": ACCOUNTS, "account_mrr_monthly.csv": MRR}
TABLES = ('[accounts]\nfile = "accounts.csv"\n'
          '[account_mrr_monthly]\nfile = "account_mrr_monthly.csv"\n')


@pytest.mark.parametrize("file", ['["tickets_2025.csv", "tickets_2026.csv"]', '"tickets_*.csv"'])
def test_tickets_split_over_two_files_load_as_one_table(tmp_path, file):
    files = {**BASE, "tickets_2025.csv": TICKETS_2025, "tickets_2026.csv": TICKETS_2026}
    result = load(tmp_path, files, TABLES + f"[support_tickets]\nfile = {file}\n",
                  max_reject_pct=100)
    db = result.db_path
    # T1, T2 (2025), T3 (2026); the second T2 and T4 are refused, naming their file and line
    assert query(db, "select ticket_id, opened_at::date from support_tickets order by 1") == [
        ("T1", D(2025, 11, 3)), ("T2", D(2025, 12, 1)), ("T3", D(2026, 1, 5))]
    assert query(db, "select source_file, line, column_name, rule, message from load_rejects "
                     "order by line") == [
        ("tickets_2026.csv", 3, "ticket_id", "duplicate_key",
         "duplicate of the row on line 3 of tickets_2025.csv"),
        ("tickets_2026.csv", 4, "account_id", "unknown_account", "not in accounts")]
    tickets = next(table for table in result.tables if table.table == "support_tickets")
    assert (tickets.source_file, tickets.source_rows, tickets.loaded_rows,
            tickets.rejected_rows) == ("tickets_2025.csv, tickets_2026.csv", 5, 3, 2)


def test_files_with_different_columns_are_a_message_naming_both(tmp_path, capsys):
    other = TICKETS_2026.replace("channel\n", "source\n", 1)
    source = write(tmp_path / "source", {**BASE, "tickets_2025.csv": TICKETS_2025,
                                         "tickets_2026.csv": other})
    (tmp_path / "m.toml").write_text(TABLES + '[support_tickets]\nfile = "tickets_*.csv"\n')
    code = main([str(source), "--db", str(tmp_path / "n.duckdb"), "--mapping",
                 str(tmp_path / "m.toml")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert ("[support_tickets] tickets_2026.csv does not have the same columns as "
            "tickets_2025.csv: it lacks channel; it has source that tickets_2025.csv has not. "
            "The files of one table must have the same columns (by name): re-save them with "
            "one header") in err, err


def test_a_pattern_that_matches_nothing_is_a_message(tmp_path):
    source = write(tmp_path / "source", BASE)
    (tmp_path / "m.toml").write_text(TABLES + '[support_tickets]\nfile = "tickets_*.csv"\n')
    with pytest.raises(MappingError, match=r"\[support_tickets\]: file pattern 'tickets_\*.csv' "
                                           r"matches no file in the source folder"):
        read_mapping(tmp_path / "m.toml", source)


# -- subscriptions to monthly revenue --

SUBSCRIPTION_ROWS = (
    "account,start,end,price\n"
    "S1,2025-01-15,2025-03-10,100\n"   # Jan-Mar 2025 at 100
    "S1,2025-02-01,2025-02-28,50\n"    # an add-on overlapping February: Feb is 150
    "S2,2025-01-01,2025-01-31,0\n"     # a free trial: January at $0
    "S2,2025-02-01,,200\n"             # open: February through the as-of month (April)
    "S3,2024-11-01,2025-01-31,30\n"    # ended: Nov, Dec, Jan
)
SUB_ACCOUNTS = (
    "account_id,account_name,segment,industry,region,plan,start_date\n"
    "S1,One,SMB,Retail,EMEA,Starter,2024-01-01\n"
    "S2,Two,SMB,Retail,EMEA,Starter,2024-01-01\n"
    "S3,Three,SMB,Retail,EMEA,Starter,2024-01-01\n"
)
SUB_MAPPING = """
[accounts]
file = "accounts.csv"

[account_mrr_monthly]
file = "subscriptions.csv"
subscription_start = "start"
subscription_end = "\\"end\\""

[account_mrr_monthly.columns]
account_id = "account"
mrr_usd = "price"
"""
BY_HAND = {
    ("S1", D(2025, 1, 1)): 100, ("S1", D(2025, 2, 1)): 150, ("S1", D(2025, 3, 1)): 100,
    ("S2", D(2025, 1, 1)): 0, ("S2", D(2025, 2, 1)): 200, ("S2", D(2025, 3, 1)): 200,
    ("S2", D(2025, 4, 1)): 200,
    ("S3", D(2024, 11, 1)): 30, ("S3", D(2024, 12, 1)): 30, ("S3", D(2025, 1, 1)): 30,
}


def revenue(db: Path) -> dict[tuple[str, dt.date], float]:
    return {(account, month): float(mrr) for account, month, mrr in query(
        db, "select account_id, month, mrr_usd from account_mrr_monthly")}


def test_subscriptions_become_the_hand_computed_monthly_revenue(tmp_path):
    files = {"accounts.csv": SUB_ACCOUNTS, "subscriptions.csv": SUBSCRIPTION_ROWS}
    result = load(tmp_path, files, SUB_MAPPING, as_of=D(2025, 4, 30))
    assert revenue(result.db_path) == BY_HAND
    assert result.as_of == D(2025, 4, 30)
    assert query(result.db_path, "select count(*) from load_rejects") == [(0,)]


def test_without_an_as_of_date_open_subscriptions_run_to_the_last_month_in_the_file(tmp_path):
    # the latest start or end is S1's end, March 2025: S2's open subscription stops there
    files = {"accounts.csv": SUB_ACCOUNTS, "subscriptions.csv": SUBSCRIPTION_ROWS}
    result = load(tmp_path, files, SUB_MAPPING)
    assert revenue(result.db_path) == {key: value for key, value in BY_HAND.items()
                                       if key[1] <= D(2025, 3, 1)}
    assert result.as_of == D(2025, 3, 31)


def test_subscriptions_that_cannot_be_read_are_refused_naming_line_and_column(tmp_path):
    bad = SUBSCRIPTION_ROWS + (
        "S1,2025-03-01,2025-02-01,10\n"   # line 7: ends before it starts
        "S2,soon,,10\n"                   # line 8: no date
        "S3,2025-06-01,,10\n"             # line 9: starts after April: a warning, no revenue
    )
    files = {"accounts.csv": SUB_ACCOUNTS, "subscriptions.csv": bad}
    result = load(tmp_path, files, SUB_MAPPING, as_of=D(2025, 4, 30), max_reject_pct=100)
    assert revenue(result.db_path) == BY_HAND
    assert query(result.db_path, "select line, column_name, value, rule from load_rejects "
                                 "order by line") == [
        (7, "subscription_end", "2025-02-01", "date_order"),
        (8, "subscription_start", "soon", "invalid_type")]
    assert query(result.db_path, "select line, rule, message from load_warnings") == [
        (9, "subscription_after_as_of",
         "starts after April 2025, the last month of the data: no revenue from it yet")]
    # the summary: 8 subscriptions in the file; to load, the 10 account-months of the table
    # above and the 2 refused subscriptions (the overlap in S1's February is one row, not two)
    revenue_table = next(t for t in result.tables if t.table == "account_mrr_monthly")
    assert (revenue_table.file_rows, revenue_table.source_rows, revenue_table.loaded_rows,
            revenue_table.rejected_rows, revenue_table.warnings) == (8, 12, 10, 2, 1)


@pytest.mark.parametrize(("extra", "message"), [
    ('spread_months = "3"\nspread_last_month = "start"\n',
     "subscription_start/subscription_end cannot be combined with spread_months"),
    ("aggregate = true\n", "cannot be combined with aggregate"),
])
def test_subscriptions_do_not_combine_with_other_ways_of_making_months(tmp_path, extra, message):
    source = write(tmp_path / "source", {"accounts.csv": SUB_ACCOUNTS})
    mapping = SUB_MAPPING.replace('subscription_start', extra + 'subscription_start', 1)
    (tmp_path / "m.toml").write_text(mapping)
    with pytest.raises(MappingError, match=message):
        read_mapping(tmp_path / "m.toml", source)


def test_a_subscription_end_without_a_start_is_a_message(tmp_path):
    source = write(tmp_path / "source", {"accounts.csv": SUB_ACCOUNTS})
    (tmp_path / "m.toml").write_text(SUB_MAPPING.replace('subscription_start = "start"\n', ""))
    with pytest.raises(MappingError, match="subscription_start and subscription_end go together"):
        read_mapping(tmp_path / "m.toml", source)


# -- product usage from a daily export --

USAGE_DAILY = (
    "customer_id,day,daily_active_users,licences,licences_assigned,reports_run\n"
    "A1,2026-01-02,9,20,15,4\n"
    "A1,2026-01-03,12,20,16,10\n"
    "A1,2026-01-20,7,25,16,1\n"
    "A1,2026-02-01,3,25,10,0\n"
    "A2,2026-01-05,40,50,45,100\n"
)
USAGE_MAPPING = TABLES + """
[product_usage]
file = "usage_daily.csv"
aggregate = true

[product_usage.columns]
account_id = "customer_id"
month = "date_trunc('month', day::date)"
active_users = "max(try_cast(daily_active_users as integer))"
seats_paid = "max(try_cast(licences as integer))"
seats_used = "max(try_cast(licences_assigned as integer))"
key_feature_events = "sum(try_cast(reports_run as integer))"
"""


def test_a_daily_usage_export_is_aggregated_per_month(tmp_path):
    db = load(tmp_path, {**BASE, "usage_daily.csv": USAGE_DAILY}, USAGE_MAPPING).db_path
    # A1 in January: most active users on a day 12, seats paid 25, used 16, 4 + 10 + 1 reports
    assert query(db, "select account_id, month, active_users, seats_paid, seats_used, "
                     "key_feature_events from product_usage order by 1, 2") == [
        ("A1", D(2026, 1, 1), 12, 25, 16, 15),
        ("A1", D(2026, 2, 1), 3, 25, 10, 0),
        ("A2", D(2026, 1, 1), 40, 50, 45, 100),
    ]


def test_max_of_numbers_written_as_text_is_refused_with_the_fix(tmp_path, capsys):
    # max over text takes '9' over '12': the aggregate must read the numbers as numbers
    mapping = USAGE_MAPPING.replace("max(try_cast(daily_active_users as integer))",
                                    "max(daily_active_users)")
    source = write(tmp_path / "source", {**BASE, "usage_daily.csv": USAGE_DAILY})
    (tmp_path / "m.toml").write_text(mapping)
    code = main([str(source), "--db", str(tmp_path / "n.duckdb"), "--mapping",
                 str(tmp_path / "m.toml")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert ("[product_usage] column active_users: expression 'max(daily_active_users)' takes "
            "the max of the text, not of the numbers: '9' comes after '12' as text. Read the "
            "numbers inside the aggregate: max(try_cast(daily_active_users as integer))") in err


def test_an_events_export_counts_users_and_events_per_month(tmp_path):
    events = ("account,user_id,occurred_at,event\n"
              "A1,u1,2026-01-02 10:00:00,report_run\n"
              "A1,u2,2026-01-02 11:00:00,login\n"
              "A1,u1,2026-01-09 10:00:00,report_run\n"
              "A2,u7,2026-02-01 08:00:00,login\n")
    mapping = TABLES + """
[product_usage]
file = "events.csv"
aggregate = true

[product_usage.columns]
account_id = "account"
month = "date_trunc('month', occurred_at::timestamp)"
active_users = "count(distinct user_id)"
key_feature_events = "count(*) filter (where event = 'report_run')"
"""
    db = load(tmp_path, {**BASE, "events.csv": events}, mapping).db_path
    assert query(db, "select account_id, month, active_users, key_feature_events "
                     "from product_usage order by 1, 2") == [
        ("A1", D(2026, 1, 1), 2, 2), ("A2", D(2026, 2, 1), 1, 0)]


def test_many_subscriptions_load_within_a_small_memory_limit(tmp_path):
    # two subscriptions per account: an old one ending Dec 2024, a newer open one
    rows = ["account,start,end,price"]
    accounts = ["account_id,account_name,segment,industry,region,plan,start_date"]
    for index in range(10_000):
        accounts.append(f"C{index},Company {index},SMB,Retail,EMEA,Starter,2023-01-01")
        rows.append(f"C{index},2024-0{1 + index % 9}-15,,{index % 500}")
        rows.append(f"C{index},2023-0{1 + index % 9}-01,2024-12-31,{index % 7}")
    files = {"accounts.csv": "\n".join(accounts) + "\n",
             "subscriptions.csv": "\n".join(rows) + "\n"}
    result = load(tmp_path, files, SUB_MAPPING, as_of=D(2025, 6, 30), memory_limit="200MB",
                  rollups=False)
    revenue_rows = next(t for t in result.tables if t.table == "account_mrr_monthly")
    assert revenue_rows.file_rows == 20_000
    # each account bills every month from its first start, month m of 2023 (m = 1 + index
    # % 9), through June 2025: 31 - m months; the overlapping months are summed
    assert revenue_rows.loaded_rows == sum(30 - index % 9 for index in range(10_000))
    assert query(result.db_path, "select sum(mrr_usd) from account_mrr_monthly where "
                                 "account_id = 'C10' and month = '2024-05-01'") == [(10 + 3,)]
    assert not list(tmp_path.glob("*.spill"))
