"""Three export shapes loaded with the worked-example mappings of docs/loading-data.md, as a
data owner would: a consumer churn table (one row per customer), a helpdesk export with tickets
only, and a whitespace-separated purchase log. The figures the pages show equal pandas computed on the same
files."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.analytics import invest, risk
from northstar.data.importer.run import main
from northstar.ui.page_queries import execute
from tests.conftest import REPO_ROOT

ALL = {"segments": [], "regions": [], "plans": []}
OCTOBER = dt.date(2026, 10, 1)


def guide_mapping(name: str) -> str:
    """The TOML block of docs/loading-data.md's worked examples that starts with
    `# example: <name>`."""
    guide = (REPO_ROOT / "docs" / "loading-data.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", guide, re.DOTALL)
    found = [block for block in blocks if block.startswith(f"# example: {name}\n")]
    assert len(found) == 1, f"docs/loading-data.md has no worked example {name!r}"
    return found[0]


def load(folder: Path, mapping: str) -> Path:
    (folder / "mapping.toml").write_text(mapping)
    db = folder / "northstar.duckdb"
    code = main([str(folder), "--mapping", str(folder / "mapping.toml"), "--db", str(db)])
    assert code == 0
    return db


def kpis(db: Path, end: dt.date, months: int) -> pd.Series:
    frame = execute("kpi_windows", {**ALL, "end_months": [end], "window_months": months}, db)
    assert len(frame) == 1
    return frame.iloc[0]


# --- a consumer churn table -----------------------------------------------------------------

# the public table's contracts (share of customers) and the share of each that churned
CONTRACTS = {"Month-to-month": (0.55, 0.427), "One year": (0.21, 0.113), "Two year": (0.24, 0.028)}


def churn_table(rows: int = 400) -> pd.DataFrame:
    rng = random.Random(7)
    records = []
    for index in range(rows):
        tenure = rng.choice([0] * 2 + list(range(1, 73)))
        charge = round(rng.uniform(18.25, 118.75), 2)
        contract = rng.choices(list(CONTRACTS), [share for share, _ in CONTRACTS.values()])[0]
        records.append({
            "customerID": f"{rng.randint(1000, 9999)}-{index:05d}",
            "gender": rng.choice(["Female", "Male"]),
            "SeniorCitizen": rng.choice([0, 1]),
            "tenure": tenure,
            "Contract": contract,
            "InternetService": rng.choice(["DSL", "Fiber optic", "No"]),
            "MonthlyCharges": f"{charge:.2f}",
            # blank for new customers, as in the public data set
            "TotalCharges": " " if tenure == 0 else f"{charge * tenure:.2f}",
            "Churn": "Yes" if tenure and rng.random() < CONTRACTS[contract][1] else "No",
        })
    return pd.DataFrame(records)


def test_a_consumer_churn_table_loads_as_monthly_revenue(tmp_path):
    table = churn_table()
    table.to_csv(tmp_path / "customer_churn.csv", index=False)
    db = load(tmp_path, guide_mapping("subscription table"))
    billed = table[table["tenure"] > 0].assign(mrr=lambda f: f["MonthlyCharges"].astype(float))
    stayed, left = billed[billed["Churn"] == "No"], billed[billed["Churn"] == "Yes"]
    # September, the month before the snapshot: churners and customers older than one month
    opening = pd.concat([left, stayed[stayed["tenure"] >= 2]])
    shown = kpis(db, OCTOBER, 1)
    assert shown["arr_usd"] == pytest.approx(12 * stayed["mrr"].sum(), abs=0.01)
    assert shown["active_accounts"] == len(stayed)
    assert shown["opening_accounts"] == len(opening)
    assert shown["churned_accounts"] == len(left)
    assert shown["logo_churn_pct"] == pytest.approx(100 * len(left) / len(opening))
    assert shown["grr_pct"] == pytest.approx(
        100 * (opening["mrr"].sum() - left["mrr"].sum()) / opening["mrr"].sum())
    with duckdb.connect(str(db), read_only=True) as con:
        months = con.execute("select count(*) from account_mrr_monthly").fetchone()[0]
        segments = dict(con.execute("select segment, count(*) from accounts group by 1").fetchall())
    assert months == billed["tenure"].sum()
    assert segments == table["Contract"].value_counts().to_dict()


def test_where_to_invest_names_contract_type_on_a_consumer_churn_table(tmp_path):
    table = churn_table(2000)
    table.to_csv(tmp_path / "customer_churn.csv", index=False)
    # the copy is faithful to the public table: month-to-month churns most, two-year least
    rates = table.groupby("Contract")["Churn"].apply(lambda churn: (churn == "Yes").mean())
    assert rates["Month-to-month"] > 0.35 and rates["One year"] < 0.15
    assert rates["Two year"] < 0.05
    db = load(tmp_path, guide_mapping("subscription table"))
    with duckdb.connect(str(db), read_only=True) as con:
        kept = dict(con.execute("select attribute, count(*) from account_attributes "
                                "group by 1").fetchall())
    assert kept == {"Contract": len(table), "Senior citizen": len(table)}
    attributes = invest.attribute_results(execute("invest_model_attributes", {}, db))
    named = [attribute.text for attribute in invest.ranked_attributes(attributes)]
    contract = [text for text in named if text.startswith("Contract: ")]
    # both other contracts leave far more slowly than month-to-month, beyond noise
    assert {text.split(":")[1].strip() for text in contract} == {
        "One year vs Month-to-month", "Two year vs Month-to-month"}, named
    assert all(text.endswith(", lowers churn") for text in contract), named
    assert named[0].startswith("Contract: Two year vs Month-to-month: hazard ratio 0.0"), named


@pytest.fixture(scope="module")
def consumer_churn_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("consumer_churn")
    churn_table(7043).to_csv(folder / "customer_churn.csv", index=False)
    return load(folder, guide_mapping("subscription table"))


def model_checks(db: Path) -> tuple[bool, str]:
    frame = execute("churn_model_checks", {}, db)
    return bool(frame["passed"].fillna(False).all()), "".join(frame["reason"])


def test_a_churn_table_with_churn_in_one_month_shows_no_model_and_says_why(consumer_churn_db):
    db = consumer_churn_db
    passed, reason = model_checks(db)
    assert not passed
    assert reason == ("The churn model is not shown: only 1 month of the data has churn, so "
                      "there is nothing to check a model on.")
    params = {**ALL, "as_of_month": OCTOBER, "w_support": 0.3, "w_sentiment": 0.3,
              "w_engagement": 0.2, "w_revenue": 0.2, "w_usage": 0.2, "healthy_from": 75.0,
              "watch_from": 60.0, "at_risk_from": 40.0}
    # no chance and no ARR at risk anywhere
    with duckdb.connect(str(db), read_only=True) as con:
        chances = con.execute("select count(*), count(churn_probability_12m), "
                              "count(arr_at_risk_usd) from account_churn_risk").fetchone()
        attributed = con.execute("select count(*) from churn_driver_attribution").fetchone()[0]
    assert chances[0] > 4000 and chances[1:] == (0, 0) and attributed == 0
    assert execute("risk_portfolio", params, db)["accounts"].fillna(0).sum() == 0
    # the list of accounts is not empty: every billed account, lowest health score first
    listed = execute("health_accounts", {**params, "band_orders": [1, 2, 3, 4, 5],
                                         "limit": 200}, db)
    assert len(listed) == 200 and listed["churn_risk_pct"].isna().all()
    scores = listed["health_score"].dropna().tolist()
    assert scores == sorted(scores)
    # the churn observed instead, by contract, month-to-month the highest: of the customers
    # billed in Oct 2025 (a churner's last month is Sep 2026, a stayer's Oct 2026), those
    # that churned
    observed = risk.observed_churn(execute("retention_breakdown", {
        **ALL, "dimension": "segment", "opening_month": dt.date(2025, 10, 1),
        "closing_month": OCTOBER}, db))
    table = churn_table(7043)
    churned = table["Churn"] == "Yes"
    opening = table[(churned & (table["tenure"] >= 12)) | (~churned & (table["tenure"] >= 13))]
    monthly = opening[opening["Contract"] == "Month-to-month"]
    assert [row.name for row in observed] == [risk.ALL_ACCOUNTS, *CONTRACTS]
    assert (observed[1].opening_accounts, observed[1].churned_accounts) == (
        len(monthly), int((monthly["Churn"] == "Yes").sum()))
    assert observed[0].opening_accounts == len(opening)
    low, high = observed[1].interval_pct
    assert low < observed[1].pct < high and high - low < 5


def write_mixed_delimiters(table: pd.DataFrame, path: Path, semicolon_rows: int = 8) -> None:
    """The churn table as its published copy is: a byte-order mark, the header and the first
    rows separated by semicolons, the rest by commas."""
    text = table.to_csv(index=False, lineterminator="\n")
    lines = text.splitlines(keepends=True)
    head = [line.replace(",", ";") for line in lines[:1 + semicolon_rows]]
    path.write_text("\ufeff" + "".join(head + lines[1 + semicolon_rows:]), encoding="utf-8")


def mapping_with(options: str) -> str:
    """The guide's subscription-table mapping with reader options added to both tables."""
    return guide_mapping("subscription table").replace(
        'file = "customer_churn.csv"\n', f'file = "customer_churn.csv"\n{options}')


MIXED_DELIMITERS = (
    "customer_churn.csv: lines 1–9 were skipped as a preamble, but they look like a header and "
    "rows written with semicolons (lines 1–9 hold 9 semicolon-separated values, as many as the 9 "
    "columns read from line 10 on, which use commas): loading would lose them. A file uses one "
    "delimiter: re-save lines 1–9 with commas. If they are not data, set skip = 9 in [accounts] "
    "to skip them on purpose.")


@pytest.mark.parametrize(("options", "code", "message"), [
    ("", 2, MIXED_DELIMITERS),
    ("header = true\n", 2, MIXED_DELIMITERS),
    ('delimiter = ","\n', 2, MIXED_DELIMITERS),
    # told where the header is, the rows are unreadable: refused (exit 1) naming the header's
    ('delimiter = ","\nheader = true\nskip = 0\n', 1,
     "The header (line 1: 'customerID;gender;SeniorCitizen;tenure;Contract;InternetService;"
     "MonthlyCharges;TotalCharges;Churn') holds 1 comma-separated value where these lines hold 9: "
     "it uses another delimiter (semicolon) than the rows. Re-save the file with one delimiter, "
     "or set skip to the number of lines above the first comma-separated line (with header = "
     "false when that line is data)."),
], ids=["no_options", "header", "delimiter", "delimiter_header_skip"])
def test_a_churn_table_whose_first_lines_use_semicolons_loses_no_row_in_silence(
        tmp_path, capsys, options, code, message):
    table = churn_table(60)
    write_mixed_delimiters(table, tmp_path / "customer_churn.csv")
    (tmp_path / "mapping.toml").write_text(mapping_with(options))
    db = tmp_path / "northstar.duckdb"
    exit_code = main([str(tmp_path), "--mapping", str(tmp_path / "mapping.toml"), "--db", str(db)])
    err = capsys.readouterr().err
    assert exit_code == code, err
    assert message in err
    assert not db.exists()


def test_the_churn_table_saved_with_one_delimiter_loads_every_churner(tmp_path):
    table = churn_table(60)
    table.to_csv(tmp_path / "customer_churn.csv", index=False, encoding="utf-8-sig")
    db = load(tmp_path, guide_mapping("subscription table"))
    with duckdb.connect(str(db), read_only=True) as con:
        accounts, churned = con.execute(
            "select count(*), count(churn_date) from accounts").fetchone()
    assert (accounts, churned) == (len(table), int((table["Churn"] == "Yes").sum()))


def test_a_purchase_log_too_short_to_backtest_shows_no_chance(tmp_path):
    write_whitespace(purchase_log(6000, customers=400), tmp_path / "purchases.txt")
    db = load(tmp_path, guide_mapping("purchase log"))
    passed, reason = model_checks(db)
    assert not passed
    assert reason == ("The churn model is not shown: the data covers 22 months, and checking a "
                      "model needs 25: a year to fit on and a year to check its predictions "
                      "against.")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(churn_probability_12m) "
                           "from account_churn_risk").fetchone()[1] == 0


# --- a helpdesk export with tickets only -----------------------------------------------------

def helpdesk_tickets(rows: int = 300) -> pd.DataFrame:
    rng = random.Random(11)
    customers = [(f"Customer {n}", f"customer{n}@example.com") for n in range(60)]
    records = []
    for index in range(rows):
        name, email = rng.choice(customers)
        created = dt.datetime(2026, 6, 1, 8) + dt.timedelta(hours=rng.randint(0, 24 * 120))
        first = created + dt.timedelta(hours=rng.randint(1, 30))
        status = rng.choice(["Closed", "Closed", "Closed", "Open", "Pending Customer Response"])
        resolved = first + dt.timedelta(hours=rng.randint(1, 200)) if status == "Closed" else None
        rating = rng.randint(1, 5) if resolved and rng.random() < 0.6 else None
        records.append({
            "Ticket ID": index + 1,
            "Customer Name": name,
            "Customer Email": email,
            # some rows of the public export have no created time
            "Created At": "" if rng.random() < 0.04 else f"{created:%Y-%m-%d %H:%M:%S}",
            "Ticket Type": rng.choice(["Technical issue", "Billing inquiry", "Refund request"]),
            "Ticket Subject": rng.choice(["Login problem", "Wrong charge", "Setup help"]),
            "Ticket Description": "The app stops.\nIt happened again\nafter the update.",
            "Ticket Status": status,
            "Ticket Priority": rng.choice(["Low", "Medium", "High", "Critical"]),
            "Ticket Channel": rng.choice(["Email", "Phone", "Chat", "Social media"]),
            "First Response At": f"{first:%Y-%m-%d %H:%M:%S}",
            "Resolved At": f"{resolved:%Y-%m-%d %H:%M:%S}" if resolved else "",
            "Customer Satisfaction Rating": rating,
        })
    return pd.DataFrame(records).astype({"Customer Satisfaction Rating": "Int64"})


def test_a_helpdesk_export_alone_gives_ticket_csat_and_the_support_review(tmp_path):
    tickets = helpdesk_tickets()
    tickets.to_csv(tmp_path / "tickets.csv", index=False)
    db = load(tmp_path, guide_mapping("helpdesk tickets"))
    placed = tickets[tickets["Created At"] != ""]
    rated = placed.dropna(subset=["Customer Satisfaction Rating"])
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = con.execute("select count(*) from support_tickets").fetchone()[0]
        channels = dict(con.execute(
            "select channel, count(*) from support_tickets group by 1").fetchall())
        refused = con.execute("select rule, count(*) from load_rejects group by 1").fetchall()
        counts = dict(con.execute(
            "select table_name, [file_rows, source_rows, rejected_rows, loaded_rows] "
            "from load_table_results where status = 'loaded'").fetchall())
        as_of = dt.date.fromisoformat(con.execute(
            "select value from dataset_metadata where key = 'as_of_date'").fetchone()[0])
    assert loaded == len(placed)
    # counts a data owner can reconcile: rows in the file, after grouping, refused, loaded
    customers = tickets["Customer Email"].nunique()
    assert counts == {"accounts": [len(tickets), customers, 0, customers],
                      "support_tickets": [len(tickets), len(tickets), len(tickets) - len(placed),
                                          len(placed)]}
    assert refused == [("missing_value", len(tickets) - len(placed))]
    assert channels == placed["Ticket Channel"].value_counts().to_dict()  # "Social media" kept
    resolved_days = pd.to_datetime(placed["Resolved At"].replace("", None)).dt.date
    assert as_of == max(resolved_days.dropna().max(), pd.to_datetime(placed["Created At"]).max().date())
    shown = kpis(db, as_of.replace(day=1), 12)
    satisfied = (rated["Customer Satisfaction Rating"] >= 4).sum()
    assert shown["csat_responses"] == len(rated)
    assert shown["csat_pct"] == pytest.approx(100 * satisfied / len(rated))
    by_program = execute("survey_scores", {**ALL, "group_by": "program",
                                           "start_date": dt.date(2025, 11, 1), "end_date": as_of}, db)
    assert by_program["group_value"].tolist() == ["ticket_rating"]
    assert by_program["satisfied"].iloc[0] == satisfied
    # the customer-service scorecard's touchpoint CSAT is the ticket ratings
    touchpoints = execute("goal_touchpoint_scores", {
        **ALL, "department_id": "customer_service", "start_date": dt.date(2025, 11, 1),
        "end_date": as_of, "comparison_start_date": dt.date(2024, 11, 1),
        "comparison_end_date": dt.date(2025, 10, 31)}, db)
    assert touchpoints[["program", "survey_type", "answers", "satisfied"]].values.tolist() == [
        ["ticket_rating", "CSAT", len(rated), satisfied]]


# --- a whitespace-separated purchase log ------------------------------------------------------

def purchase_log(lines: int = 2500, customers: int = 50) -> pd.DataFrame:
    rng = random.Random(5)
    buyers = [(str(12000 + n), rng.choice(["UK", "France", "Germany", "Spain"]))
              for n in range(customers)]
    records = []
    for index in range(lines):
        customer, country = rng.choice(buyers)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 668))  # to 31 Oct 2026
        records.append({"InvoiceNo": f"5{index:05d}", "StockCode": f"{rng.randint(10000, 99999)}",
                        "Quantity": rng.randint(1, 12), "InvoiceDate": f"{day:%Y%m%d}",
                        "UnitPrice": f"{rng.choice([0.85, 1.25, 2.10, 4.95, 12.75]):.2f}",
                        "CustomerID": customer, "Country": country})
    # a purchase returned in the same month: that customer's month nets to $0
    records += [
        {"InvoiceNo": "C90001", "StockCode": "22423", "Quantity": 2, "InvoiceDate": "20250305",
         "UnitPrice": "12.75", "CustomerID": "99999", "Country": "UK"},
        {"InvoiceNo": "C90002", "StockCode": "22423", "Quantity": -2, "InvoiceDate": "20250312",
         "UnitPrice": "12.75", "CustomerID": "99999", "Country": "UK"},
    ]
    return pd.DataFrame(records)


def write_whitespace(frame: pd.DataFrame, path: Path) -> None:
    widths = {column: max(len(column), *(len(str(v)) for v in frame[column])) + 2
              for column in frame.columns}
    lines = ["".join(f"{column:<{widths[column]}}" for column in frame.columns)]
    lines += ["".join(f"{str(value):<{widths[column]}}" for column, value in row.items())
              for _, row in frame.iterrows()]
    path.write_text("\n".join(lines) + "\n")


def test_a_whitespace_purchase_log_becomes_monthly_revenue(tmp_path):
    log = purchase_log()
    write_whitespace(log, tmp_path / "purchases.txt")
    db = load(tmp_path, guide_mapping("purchase log"))
    log["month"] = pd.to_datetime(log["InvoiceDate"], format="%Y%m%d").dt.to_period("M")
    log["amount"] = log["Quantity"] * log["UnitPrice"].astype(float)
    monthly = log.groupby(["CustomerID", "month"])["amount"].sum()
    billed = monthly[monthly.round(2) > 0]
    closing = billed.xs(pd.Period("2026-10", "M"), level="month")
    opening = billed.xs(pd.Period("2025-10", "M"), level="month")
    shown = kpis(db, OCTOBER, 12)
    assert shown["arr_usd"] == pytest.approx(12 * closing.sum(), abs=0.01)
    assert shown["active_accounts"] == len(closing)
    assert shown["opening_accounts"] == len(opening)
    assert shown["churned_accounts"] == len(set(opening.index) - set(closing.index))
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select count(*) from account_mrr_monthly").fetchone()[0]
        zero = con.execute("select count(*) from account_mrr_monthly where mrr_usd = 0").fetchone()[0]
        as_of = con.execute("select value from dataset_metadata where key = 'as_of_date'").fetchone()[0]
        # no engagements in the data: the engagement component is left out, not scored 0
        engagement = con.execute("select count(*), count(engagement) from account_health_monthly"
                                 ).fetchone()
        # revenue is the only component a purchase log has: each account with a revenue trend
        # is scored, and its score is that trend in whole points
        scores = con.execute(
            "select revenue_trend, health_score(support_experience, survey_sentiment, engagement,"
            " revenue_trend, components_required, 0.3, 0.3, 0.2, 0.2) from account_health_latest"
        ).fetchall()
    assert engagement[0] > 0 and engagement[1] == 0
    trended = [(trend, score) for trend, score in scores if trend is not None]
    assert len(trended) > 20
    assert all(score == math.floor(trend + 0.5) for trend, score in trended)  # halves round up
    assert all(score is None for trend, score in scores if trend is None)
    assert rows == len(monthly) and zero == 1  # the $0 month is kept, and counts as no revenue
    assert as_of == "2026-10-31"
    # the $0 month is neither a start nor a churn: the customer appears in no window's counts
    march = kpis(db, dt.date(2025, 3, 1), 1)
    assert march["active_accounts"] == len(billed.xs(pd.Period("2025-03", "M"), level="month"))


def test_pages_without_their_data_name_the_export_that_fills_them(tmp_path, use_db):
    from streamlit.testing.v1 import AppTest

    helpdesk_tickets(60).to_csv(tmp_path / "tickets.csv", index=False)
    db = load(tmp_path, guide_mapping("helpdesk tickets"))
    use_db(db)
    for script, params, expected in (
        # accounts without revenue: logo figures, and one sentence for the dollar ones
        ("views/briefing.py", {}, "Revenue figures need a billing export."),
        ("views/programs.py", {"program": "Kudos"}, "This tab needs **Kudos**"),
        ("views/satisfaction.py", {"view": "Closed loop"}, "This tab needs **Survey responses**"),
    ):
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
        at.query_params.update(params)
        at.switch_page(script)
        at.run()
        assert not at.exception
        assert any(info.value.startswith(expected) for info in at.info), (script, params)
    # the support review has its data: no notice, its tables are drawn
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"program": "Support review"})
    at.switch_page("views/programs.py")
    at.run()
    assert not at.exception and not at.info and len(at.dataframe) > 0


# --- a draft mapping and a dry run ----------------------------------------------------------

def test_a_draft_mapping_for_a_purchase_log_loads_in_a_dry_run(tmp_path, capsys):
    write_whitespace(purchase_log(), tmp_path / "purchases.txt")
    draft = tmp_path / "draft.toml"
    assert main([str(tmp_path), "--draft-mapping", "--mapping", str(draft)]) == 0
    text = draft.read_text()
    assert 'delimiter = "whitespace"' in text
    assert "mrr_usd = 'sum(Quantity::double * UnitPrice::double)'  # quantity x unit price" in text
    assert all("#" in line for line in text.splitlines() if " = " in line and "file =" not in line
               and not line.startswith("[")), "every guess carries a comment"
    # never over an existing file
    assert main([str(tmp_path), "--draft-mapping", "--mapping", str(draft)]) == 2
    db = tmp_path / "northstar.duckdb"
    capsys.readouterr()
    assert main([str(tmp_path), "--mapping", str(draft), "--db", str(db), "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "Dry run: the load would succeed (data as of 2026-10-31)" in err
    assert not db.exists() and not db.with_name(db.name + ".loading").exists()
    # the dry run's figures are the load's
    assert main([str(tmp_path), "--mapping", str(draft), "--db", str(db)]) == 0
    log = purchase_log()
    october = log[log["InvoiceDate"].str.startswith("202610")]
    amount = (october["Quantity"] * october["UnitPrice"].astype(float)).sum()
    assert kpis(db, OCTOBER, 1)["arr_usd"] == pytest.approx(12 * amount, abs=0.01)


def test_a_draft_mapping_for_a_helpdesk_export_names_every_guess(tmp_path, capsys):
    helpdesk_tickets(40).to_csv(tmp_path / "tickets.csv", index=False)
    assert main([str(tmp_path), "--draft-mapping"]) == 0
    text = capsys.readouterr().out
    for line in ("account_id = '\"Customer Email\"'", "channel = '\"Ticket Channel\"'",
                 "satisfaction_score = '\"Customer Satisfaction Rating\"'",
                 "aggregate = true  # one account per customer"):
        assert line in text, line
    (tmp_path / "draft.toml").write_text(text)
    assert main([str(tmp_path), "--mapping", str(tmp_path / "draft.toml"), "--dry-run",
                 "--db", str(tmp_path / "n.duckdb")]) == 0


def test_a_dry_run_that_would_be_refused_leaves_the_database_alone(tmp_path, capsys):
    log = purchase_log()
    log["InvoiceDate"] = "20990105"  # every purchase dated after the day of the load
    write_whitespace(log, tmp_path / "purchases.txt")
    (tmp_path / "m.toml").write_text(guide_mapping("purchase log"))
    db = tmp_path / "northstar.duckdb"
    db.write_bytes(b"previous database")
    assert main([str(tmp_path), "--mapping", str(tmp_path / "m.toml"), "--db", str(db),
                 "--dry-run"]) == 1
    assert "Dry run: the load would be refused" in capsys.readouterr().err
    assert db.read_bytes() == b"previous database"
