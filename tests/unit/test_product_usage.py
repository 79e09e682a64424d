"""Product usage: the canonical table loaded from a small CSV (rows computed by hand), the two
usage drivers on a hand-made fixture (which account-months are exposed), a planted usage effect
found by the churn model, and a database without usage left as it was."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from northstar.analytics import invest
from northstar.data.db.rollups import build_rollups
from northstar.data.importer.run import main
from northstar.ui.page_queries import execute
from tests.unit.test_load_cases import ACCOUNTS, MRR

D = dt.date
USAGE_DRIVERS = ("usage_fell", "seats_underused")

# --- the load --------------------------------------------------------------------------------

# the load cases' three accounts and their January revenue (ACCOUNTS, MRR)
USAGE = (
    "account_id,month,active_users,seats_paid,seats_used,key_feature_events\n"
    "A1,2026-01-01,12,20,15,340\n"  # line 2: loaded as it is
    "A2,2026-01-01,,50,60,\n"  # line 3: blanks are null; more seats used than paid warns
    "A3,2026-01-01,-1,10,5,3\n"  # line 4: refused, negative users
    "A1,2026-01-15,5,5,5,5\n"  # line 5: refused, not the first of a month
    "A9,2026-01-01,1,1,1,1\n"  # line 6: refused, no such account
)


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content)
    return folder


def test_a_usage_csv_loads_with_its_checks(tmp_path, capsys):
    source = write(tmp_path / "source", {"accounts.csv": ACCOUNTS,
                                         "account_mrr_monthly.csv": MRR,
                                         "product_usage.csv": USAGE})
    db = tmp_path / "northstar.duckdb"
    assert main([str(source), "--db", str(db), "--max-reject-pct", "100"]) == 0
    err = capsys.readouterr().err
    assert "No data for product_usage" not in err
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select * from product_usage order by account_id").fetchall()
        rejects = con.execute("select line, column_name, rule from load_rejects "
                              "where table_name = 'product_usage' order by line").fetchall()
        warnings = con.execute("select line, column_name, rule, message from load_warnings "
                               "where table_name = 'product_usage'").fetchall()
    assert rows == [("A1", D(2026, 1, 1), 12, 20, 15, 340),
                    ("A2", D(2026, 1, 1), None, 50, 60, None)]
    assert rejects == [(4, "active_users", "out_of_range"), (5, "month", "out_of_range"),
                       (6, "account_id", "unknown_account")]
    assert warnings == [(3, "seats_used", "seats_used_above_paid",
                         "more seats used than paid for")]


def test_a_load_without_usage_names_the_pages_it_affects(tmp_path, capsys):
    source = write(tmp_path / "source", {"accounts.csv": ACCOUNTS,
                                         "account_mrr_monthly.csv": MRR})
    db = tmp_path / "northstar.duckdb"
    assert main([str(source), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert ("No data for product_usage: affects Health & risk: product usage; Account 360: "
            "health history; Where to invest: the usage drivers (usage fell, seats under-used)"
            ) in err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from product_usage").fetchone()[0] == 0


# --- the drivers on a hand-made fixture -------------------------------------------------------

MONTHS = [D(2026, month, 1) for month in range(1, 7)]  # Jan-Jun 2026, every account billed
# account -> month -> (active_users, seats_paid, seats_used)
FIXTURE_USAGE = {
    # 10, 10, 10 then 6 in April (40% below 10: fell), 6 in May (6 <= 0.7 x 8.67: fell),
    # no row in June (not exposed); 9 of 20 seats used in January: under-used
    "A1": {MONTHS[0]: (10, 20, 9), MONTHS[1]: (10, 20, 10), MONTHS[2]: (10, 20, 12),
           MONTHS[3]: (6, 20, 12), MONTHS[4]: (6, 20, 12)},
    # exactly 30% below in April (7 vs 10): fell; 10 of 20 seats (half) is not under-used
    "A2": {MONTHS[0]: (10, 20, 10), MONTHS[1]: (10, 20, 10), MONTHS[2]: (10, 20, 10),
           MONTHS[3]: (7, 20, 10)},
    # 20% below in April: not fell; no seats paid recorded: not under-used
    "A3": {MONTHS[0]: (10, None, 3), MONTHS[1]: (10, None, 3), MONTHS[2]: (10, None, 3),
           MONTHS[3]: (8, None, 3)},
    # only two months before April: the 3-month mean cannot be read, not fell; 0 seats paid
    "A4": {MONTHS[1]: (10, 0, 0), MONTHS[2]: (10, 0, 0), MONTHS[3]: (1, 0, 0)},
    # a month without active users breaks the look-back: May reads Feb-Apr, one of them null
    "A5": {MONTHS[0]: (10, 5, 1), MONTHS[1]: (10, 5, 5), MONTHS[2]: (None, 5, 5),
           MONTHS[3]: (10, 5, 5), MONTHS[4]: (2, 5, 5)},
}


def small_database(con: duckdb.DuckDBPyConnection, with_usage: bool) -> None:
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    for account in FIXTURE_USAGE:
        con.execute("insert into accounts (account_id, account_name, segment, start_date) "
                    "values ($1, $1, 'SMB', date '2025-01-01')", [account])
        for month in MONTHS:
            con.execute("insert into account_mrr_monthly values ($1, $2, 100)", [account, month])
        if with_usage:
            for month, (users, paid, used) in FIXTURE_USAGE[account].items():
                con.execute("insert into product_usage values ($1, $2, $3, $4, $5, null)",
                            [account, month, users, paid, used])
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-06-30')")
    build_rollups(con)


def test_usage_exposures_by_hand(empty_db):
    con, _ = empty_db
    small_database(con, with_usage=True)
    exposed = {driver: con.execute(
        f"select account_id, month from account_driver_exposures where {driver} "
        "order by account_id, month").fetchall() for driver in USAGE_DRIVERS}
    assert exposed["usage_fell"] == [("A1", MONTHS[3]), ("A1", MONTHS[4]), ("A2", MONTHS[3])]
    assert exposed["seats_underused"] == [("A1", MONTHS[0]), ("A5", MONTHS[0])]
    # with usage in the data, a month without the signal counts as not exposed (false)
    nulls = con.execute("select count(*) from account_driver_exposures "
                        "where usage_fell is null or seats_underused is null").fetchone()[0]
    assert nulls == 0


def test_without_usage_the_drivers_are_absent_not_unexposed(empty_db):
    con, _ = empty_db
    small_database(con, with_usage=False)
    assert con.execute("select count(*) filter (where usage_fell is not null or "
                       "seats_underused is not null), count(*) from account_driver_exposures"
                       ).fetchone() == (0, len(FIXTURE_USAGE) * len(MONTHS))
    for table in ("driver_month_tallies", "driver_landmark_accounts"):
        assert con.execute(f"select count(*) from {table} where driver_id in "
                           "('usage_fell', 'seats_underused')").fetchone()[0] == 0, table
    assert con.execute("select count(*) from churn_model_terms where level in "
                       "('usage_fell', 'seats_underused')").fetchone()[0] == 0


# --- a planted usage effect, found by the churn model ----------------------------------------

PLANTED_FELL_HR = 3.0  # usage fell: churns three times as fast that month
BASE_HAZARD = 0.01
PLANTED_ACCOUNTS = 2000
FIRST, LAST = D(2024, 1, 1), D(2025, 12, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = D(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def planted_database(con: duckdb.DuckDBPyConnection) -> None:
    """2,000 accounts billed from January 2024; 30% see their active users halve from a random
    month (so usage has fallen that month and the next), churning three times as fast then; 40%
    use under half their seats, with no effect on churn."""
    rng = random.Random(20261207)
    months = months_between(FIRST, LAST)
    accounts, revenue, usage = [], [], []
    for number in range(PLANTED_ACCOUNTS):
        account = f"U{number:05d}"
        falls_at = rng.randrange(4, len(months)) if rng.random() < 0.3 else None
        underused = rng.random() < 0.4
        churned_on = None
        for index, month in enumerate(months):
            users = 10 if falls_at is not None and index >= falls_at else 20
            revenue.append((account, month, 100))
            usage.append((account, month, users, 20, 8 if underused else 16, 100))
            fell = falls_at is not None and index in (falls_at, falls_at + 1)
            hazard = BASE_HAZARD * (PLANTED_FELL_HR if fell else 1.0)
            if index < len(months) - 1 and rng.random() < hazard:
                churned_on = months[index + 1] - dt.timedelta(days=1)
                break
        accounts.append((account, account, "SMB", FIRST, churned_on))
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    frames = {
        "accounts": pd.DataFrame(accounts, columns=["account_id", "account_name", "segment",
                                                    "start_date", "churn_date"]),
        "revenue": pd.DataFrame(revenue, columns=["account_id", "month", "mrr_usd"]),
        "usage": pd.DataFrame(usage, columns=["account_id", "month", "active_users",
                                              "seats_paid", "seats_used", "key_feature_events"]),
    }
    for name, frame in frames.items():
        con.register(f"planted_{name}", frame)
    con.execute("insert into accounts (account_id, account_name, segment, start_date, "
                "churn_date) select * from planted_accounts")
    con.execute("insert into account_mrr_monthly select * from planted_revenue")
    con.execute("insert into product_usage select * from planted_usage")
    con.execute("insert into dataset_metadata values ('as_of_date', '2025-12-31')")
    build_rollups(con)


def test_the_churn_model_finds_a_planted_usage_effect(empty_db):
    con, path = empty_db
    planted_database(con)
    terms = {row[0]: row[1:] for row in con.execute(
        "select level, hazard_ratio, hr_low_95, hr_high_95, hr_low_99, hr_high_99 "
        "from churn_model_terms where model = 'current' and kind = 'driver'").fetchall()}
    _, low, high, _, _ = terms["usage_fell"]
    assert low > 1 and low <= PLANTED_FELL_HR <= high, terms["usage_fell"]
    # under-used seats were planted with no effect: not called real at 99%
    _, _, _, low99, high99 = terms["seats_underused"]
    assert low99 <= 1 <= high99, terms["seats_underused"]
    con.close()
    # and Where to invest's Drivers tab lists both with the programs' drivers, usage fell as
    # raising churn beyond noise
    scope = {"segments": [], "regions": [], "plans": []}
    counts = execute("invest_driver_counts", {**scope, "as_of_month": LAST,
                                              "opening_month": D(2024, 12, 1)}, path)
    results = {result.driver.driver_id: result for result in invest.driver_results(
        execute("invest_model_drivers", scope, path), counts)}
    assert results["usage_fell"].raises_risk
    assert results["usage_fell"].driver.label == "Usage fell"
    assert not results["seats_underused"].raises_risk


@pytest.mark.parametrize("driver", USAGE_DRIVERS)
def test_the_usage_drivers_are_registered_with_their_rules(driver):
    from northstar.data import rules
    from northstar.data.model.drivers import DRIVERS

    assert driver in DRIVERS
    text = DRIVERS[driver].definition
    if driver == "usage_fell":
        assert f"{rules.USAGE_FALL_PCT}%" in text
        assert f"{rules.USAGE_FALL_LOOKBACK_MONTHS} months" in text
    else:
        assert f"{rules.SEATS_UNDERUSED_PCT}%" in text


# --- the health component --------------------------------------------------------------------

# account, month -> the product usage component by hand: the mean of seat utilisation (seats used
# ÷ paid × 100, at most 100; seats paid above 0) and the active-user trend (against the mean of
# the 3 months before, each with a figure: flat 50, +20% or more 100, −20% or worse 0)
HEALTH_BY_HAND = {
    ("A1", MONTHS[0]): 45.0,  # 9 of 20 seats; no look-back yet
    ("A1", MONTHS[3]): 30.0,  # 12 of 20 seats (60); 6 vs 10 users, −40% (0)
    ("A1", MONTHS[5]): None,  # no usage row in June
    ("A2", MONTHS[3]): 25.0,  # 10 of 20 seats (50); 7 vs 10 users, −30% (0)
    ("A3", MONTHS[2]): None,  # no seats paid recorded; only two months of look-back
    ("A3", MONTHS[3]): 0.0,  # 8 vs 10 users, −20% (0)
    ("A4", MONTHS[3]): None,  # 0 seats paid, two months of look-back: nothing to read
    ("A5", MONTHS[0]): 20.0,  # 1 of 5 seats
    ("A5", MONTHS[4]): 100.0,  # 5 of 5 seats (100); look-back has a month without users
}


def test_the_product_usage_component_by_hand(empty_db):
    con, _ = empty_db
    small_database(con, with_usage=True)
    found = dict(((account, month), value) for account, month, value in con.execute(
        "select account_id, month, product_usage from account_health_monthly").fetchall())
    assert {key: found[key] for key in HEALTH_BY_HAND} == HEALTH_BY_HAND
    # usage is a component the data has: weighted in with the others (weights from the config)
    assert con.execute("select health_score(null, null, null, 50, 2, 0.3, 0.3, 0.2, 0.2, "
                       "product_usage := 30, w_usage := 0.2)").fetchone()[0] == 40
    assert con.execute("select max(components_required) from account_health_monthly"
                       ).fetchone()[0] == 2


def test_without_usage_the_health_score_is_unchanged(empty_db):
    from northstar.data import settings

    con, _ = empty_db
    small_database(con, with_usage=False)
    assert con.execute("select count(product_usage) from account_health_monthly"
                       ).fetchone()[0] == 0
    # revenue trend is the only component: it is the score, as before product usage existed
    assert con.execute("select max(components_required) from account_health_monthly"
                       ).fetchone()[0] == 1
    config = settings.load_config()
    assert config.formula() == ("30% support experience + 30% survey sentiment + 20% engagement "
                                "+ 20% revenue trend")
    assert config.formula(with_usage=True) == (
        "25% support experience + 25% survey sentiment + 17% engagement + 17% revenue trend "
        "+ 17% product usage")


def test_pages_show_the_usage_component_only_when_the_data_has_it():
    from northstar.analytics import health

    frame = pd.DataFrame({
        "account_id": ["A1", "A2"], "account_name": ["Acme", "Beta"], "segment": ["SMB"] * 2,
        "arr_usd": [1200.0, 2400.0], "health_score": [40.0, 60.0], "band": ["At risk", "Watch"],
        "churn_risk_pct": [10.0, 5.0], "churn_risk_low_pct": [8.0, 4.0],
        "churn_risk_high_pct": [12.0, 6.0], "arr_at_risk_usd": [120.0, 120.0],
        "reasons": [["usage_fell"], []], "support_experience": [50.0, 70.0],
        "survey_sentiment": [None, None], "engagement": [None, None],
        "revenue_trend": [30.0, 50.0], "product_usage": [None, None],
        "renewal_date": [pd.NaT] * 2, "csm_name": [None] * 2,
        "last_executive_meeting_on": [pd.NaT] * 2,
    })
    assert "Product usage" not in health.at_risk_table(frame).columns
    with_usage = frame.assign(product_usage=[25.0, None])
    table = health.at_risk_table(with_usage)
    assert list(table["Product usage"].fillna(-1)) == [25.0, -1]
    assert table["Main reasons"].iloc[0] == "usage fell"
    assert health.weakest_components(with_usage.iloc[0]) == "Product usage 25 · Revenue trend 30"
    # the summary's sentence on components left out never names product usage when no account
    # has it: a data set without usage reads as before
    counts = {"support_experience_accounts": [2], "survey_sentiment_accounts": [2],
              "engagement_accounts": [2], "revenue_trend_accounts": [2],
              "components_required": [2]}
    assert health.components_used(pd.DataFrame({**counts, "product_usage_accounts": [0]})) == ""
    assert health.summary_components(pd.DataFrame({**counts, "product_usage_accounts": [1]}))[
        -1] == "product_usage"


def test_a_draft_mapping_guesses_a_usage_export(tmp_path):
    from northstar.data.importer.draft import draft_mapping

    write(tmp_path / "exports", {
        "customers.csv": "customer_id,name,start_date\nC1,Acme,2025-01-01\n",
        "usage.csv": "customer_id,month,active_users,licenses,licenses_used,feature_uses\n"
                     "C1,2026-01-01,5,10,6,40\n",
    })
    draft = draft_mapping(tmp_path / "exports")
    section = draft[draft.index("[product_usage]"):]
    assert section.startswith('[product_usage]\nfile = "usage.csv"')
    for line in ("account_id = 'customer_id'", "month = 'month'", "active_users = 'active_users'",
                 "seats_paid = 'licenses'", "seats_used = 'licenses_used'",
                 "key_feature_events = 'feature_uses'"):
        assert line in section, section
