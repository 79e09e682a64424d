"""The Data page: demo data (no load yet), a load with refused rows, and missing tables."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from northstar.data.importer.run import main
from tests.conftest import REPO_ROOT
from tests.unit.test_load_cases import ACCOUNTS, MRR

APP = str(REPO_ROOT / "app.py")


def open_data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/data.py").run()
    assert not at.exception
    return at


def test_demo_database_says_no_load_has_run(demo_db, use_db):
    use_db(demo_db)
    at = open_data_page()
    assert at.title[0].value == "Data"
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Data as of"] == "31 Oct 2026"
    assert metrics["Last load"] == "Not yet"
    assert "No load has run" in at.info[0].value
    # the demo has every table but product usage, listed with the pages it would feed
    missing = at.dataframe[0].value
    assert list(missing["Table"]) == ["Product usage"]
    assert "Where to invest: the usage drivers" in missing["Affects"].iloc[0]
    # one table, told in the singular
    assert at.warning[0].value == ("1 table has no rows; the parts of the app it feeds show "
                                   "nothing until a load provides them.")
    tables = at.dataframe[1].value
    assert list(tables.columns)[:3] == ["Table", "Required", "Rows"]
    assert tables.set_index("Table").loc["Accounts", "Rows"] == 5000


def test_load_with_refused_rows_shows_counts_and_rows(tmp_path, use_db):
    source = tmp_path / "source"
    source.mkdir()
    (source / "accounts.csv").write_text(ACCOUNTS)
    (source / "account_mrr_monthly.csv").write_text(MRR + "A9,2026-01-01,5\nA1,2026-02-01,-1\n")
    db = tmp_path / "loaded.duckdb"
    assert main([str(source), "--db", str(db), "--max-reject-pct", "50"]) == 0
    use_db(db)
    at = open_data_page()
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Rows refused"] == "2" and metrics["Source"] == "Your exports"
    # every line of each file: the revenue file's 6 lines are its header, 2 refused, 3 loaded
    files = at.dataframe[2].value.set_index("File")
    revenue = files.loc["account_mrr_monthly.csv"]
    assert (revenue["Lines"], revenue["Header and preamble"], revenue["Refused by a rule"],
            revenue["Loaded"], revenue["Table rows"]) == (6, 1, 2, 3, 3)
    assert revenue["Account"] == ("6 lines = 1 header and preamble + 2 refused by a rule + "
                                  "3 loaded")
    assert files.loc["accounts.csv", "Account"] == "4 lines = 1 header and preamble + 3 loaded"
    counts = at.dataframe[3].value
    assert set(zip(counts["table_name"], counts["rule"], counts["problems"], strict=True)) == {
        ("Monthly recurring revenue", "Unknown account", 1),
        ("Monthly recurring revenue", "Out of range", 1),
    }
    refused = at.dataframe[4].value
    assert list(refused["line"]) == [5, 6]
    assert list(refused["value"]) == ["A9", "-1"]
    # optional tables the source lacks are listed with the pages they affect
    missing = at.dataframe[0].value.set_index("Table")
    assert missing.loc["Survey responses", "Affects"].startswith("Briefing: NPS, CSAT, CES; ")
    assert "; Satisfaction: every tab; " in missing.loc["Survey responses", "Affects"]
    assert "Accounts" not in missing.index
    assert "have no rows" in at.warning[0].value
