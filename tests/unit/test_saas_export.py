"""A multi-file SaaS export (customers, subscriptions, a cancellation log, feature usage events
and tickets, shaped as the public "SaaS subscription and churn" set) loaded as a new user would:
the drafted mapping, unedited. Every line of every file is accounted for, and the figures equal
pandas computed on the same files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.data.importer.run import main
from tests.unit.test_draft_mapping import saas_exports

TERMS = ("preamble_lines + blank_lines + quoted_lines + malformed_lines + filtered_rows "
         "+ refused_rows + unused_rows + loaded_rows")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame], Path]:
    folder = tmp_path_factory.mktemp("saas")
    frames = saas_exports(folder, accounts=80)
    mapping = folder.parent / f"{folder.name}-mapping.toml"
    assert main([str(folder), "--draft-mapping", "--mapping", str(mapping)]) == 0
    db = folder.parent / f"{folder.name}.duckdb"
    assert main([str(folder), "--mapping", str(mapping), "--db", str(db)]) == 0
    return folder, frames, db


def test_every_line_of_every_file_is_accounted_for(loaded):
    folder, _, db = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        files = con.execute(f"select source_file, lines, {TERMS}, unused_rows "
                            "from load_file_lines").fetchall()
    # each file as the table it feeds, and again where it is joined into another table
    names = sorted(name for name, *_ in files)
    assert names == sorted([
        "accounts.csv", "churn_events.csv (joined as churn_events)", "feature_usage.csv",
        "subscriptions.csv", "subscriptions.csv (joined as subscriptions)",
        "support_tickets.csv"])
    for name, lines, terms, _ in files:
        physical = len((folder / name.split(" ")[0]).read_text().splitlines())
        assert (lines, terms) == (physical, physical), name
    joined = {name: unused for name, _, _, unused in files if "joined" in name}
    # every cancellation belongs to a customer; subscriptions no usage event names are unused
    assert joined["churn_events.csv (joined as churn_events)"] == 0


def test_monthly_revenue_is_the_subscriptions_spread_over_their_months(loaded):
    _, frames, db = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
        loaded_months = con.execute(
            "select month, count(*), sum(mrr_usd) from account_mrr_monthly group by month "
            "order by month").df()
    last_month = pd.Timestamp(as_of).to_period("M")
    rows = []
    for record in frames["subscriptions"].itertuples():
        start = pd.Timestamp(record.start_date).to_period("M")
        end = (pd.Timestamp(record.end_date).to_period("M") if record.end_date
               else last_month)
        for month in pd.period_range(start, min(end, last_month), freq="M"):
            rows.append((record.account_id, month.to_timestamp(), record.mrr_amount))
    expected = (pd.DataFrame(rows, columns=["account_id", "month", "mrr"])
                .groupby(["account_id", "month"], as_index=False)["mrr"].sum()
                .groupby("month").agg(accounts=("account_id", "size"), mrr=("mrr", "sum"))
                .reset_index())
    assert list(loaded_months.iloc[:, 0].astype("datetime64[ns]")) == list(expected["month"])
    assert list(loaded_months.iloc[:, 1]) == list(expected["accounts"])
    assert [round(float(value), 2) for value in loaded_months.iloc[:, 2]] == \
        [round(float(value), 2) for value in expected["mrr"]]


def test_cancellations_reach_the_accounts(loaded):
    _, frames, db = loaded
    with duckdb.connect(str(db), read_only=True) as con:
        churned = con.execute(
            "select account_id, churn_date, churn_reason from accounts "
            "where churn_date is not null order by account_id").fetchall()
    events = frames["churn_events"].sort_values("account_id")
    assert [(account, date.isoformat(), reason) for account, date, reason in churned] == [
        (row.account_id, row.churn_date, row.reason_code) for row in events.itertuples()]


def test_usage_events_are_counted_per_account_and_month(loaded):
    _, frames, db = loaded
    usage = frames["feature_usage"].merge(
        frames["subscriptions"][["subscription_id", "account_id"]], on="subscription_id")
    usage["month"] = pd.to_datetime(usage["usage_date"]).dt.to_period("M").dt.to_timestamp()
    expected = usage.groupby(["account_id", "month"])["usage_count"].sum()
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute("select account_id, month, key_feature_events from product_usage "
                            "order by all").df()
    found["month"] = found["month"].astype("datetime64[ns]")
    assert found.set_index(["account_id", "month"])["key_feature_events"].to_dict() == \
        expected.to_dict()
