"""The kpi_windows query against a tiny dataset whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.ui.page_queries import execute
from tests.unit import fixtures

MARCH = dt.date(2026, 3, 1)
ALL = {"segments": [], "regions": [], "plans": []}


@pytest.fixture()
def fixture_path(empty_db):
    con, path = empty_db
    fixtures.load(con)
    con.close()
    return path


def window(path, end=MARCH, months=3, **filters):
    params = {**ALL, **filters, "end_months": [end], "window_months": months}
    frame = execute("kpi_windows", params, path)
    assert len(frame) == 1
    return frame.iloc[0]


def test_revenue_retention_by_hand(fixture_path):
    row = window(fixture_path)
    # opening month Dec 2025: A1 100, A2 1000, A3 50, A5 300 -> 1,450 MRR
    assert row["starting_arr_usd"] == pytest.approx(12 * 1450)
    # March: A1 150, A2 800, A4 200 (new), A5 300 -> 1,450 MRR
    assert row["arr_usd"] == pytest.approx(12 * 1450)
    assert row["new_arr_usd"] == pytest.approx(12 * 200)
    assert row["expansion_arr_usd"] == pytest.approx(12 * 50)
    assert row["contraction_arr_usd"] == pytest.approx(12 * 200)
    assert row["churned_arr_usd"] == pytest.approx(12 * 50)
    # NRR: (150 + 800 + 0 + 300) / 1450
    assert row["nrr_pct"] == pytest.approx(100 * 1250 / 1450)
    # GRR: (min(100,150) + 800 + 0 + 300) / 1450
    assert row["grr_pct"] == pytest.approx(100 * 1200 / 1450)
    # one of four opening accounts churned
    assert row["opening_accounts"] == 4
    assert row["churned_accounts"] == 1
    assert row["logo_churn_pct"] == pytest.approx(25.0)


def test_bridge_reconciles(fixture_path):
    row = window(fixture_path)
    bridged = (row["starting_arr_usd"] + row["new_arr_usd"] + row["expansion_arr_usd"]
               - row["contraction_arr_usd"] - row["churned_arr_usd"])
    assert bridged == pytest.approx(row["arr_usd"])


def test_survey_metrics_by_hand(fixture_path):
    row = window(fixture_path)
    # NPS in window: 10, 9, 9, 8, 6, 0 -> 3 promoters, 2 detractors of 6
    assert row["nps_responses"] == 6
    assert row["nps"] == pytest.approx(100 * (3 - 2) / 6)
    # CSAT: 5, 4, 3, 1 -> 2 of 4 satisfied
    assert row["csat_responses"] == 4
    assert row["csat_pct"] == pytest.approx(50.0)
    # CES: 7, 5, 3 -> mean 5
    assert row["ces_responses"] == 3
    assert row["ces_mean"] == pytest.approx(5.0)


def test_open_escalations_at_window_end(fixture_path):
    # T1 (never resolved) and T3 (resolved in April) were open at the end of 31 March
    assert window(fixture_path)["open_escalations"] == 2
    # at the end of February only T2 was escalated, and it was unresolved until March
    assert window(fixture_path, end=dt.date(2026, 2, 1), months=1)["open_escalations"] == 1


def test_segment_filter(fixture_path):
    row = window(fixture_path, segments=["SMB"])
    # A1 (100 -> 150) and A3 (50 -> churned)
    assert row["starting_arr_usd"] == pytest.approx(12 * 150)
    assert row["nrr_pct"] == pytest.approx(100.0)
    assert row["grr_pct"] == pytest.approx(100 * 100 / 150)
    assert row["logo_churn_pct"] == pytest.approx(50.0)
    # NPS answers of SMB accounts: A1 10, A3 6
    assert row["nps_responses"] == 2
    assert row["nps"] == pytest.approx(0.0)


def test_region_and_plan_filters_combine(fixture_path):
    row = window(fixture_path, regions=["EMEA"], plans=["Professional"])
    # only A5: flat 300
    assert row["starting_arr_usd"] == pytest.approx(12 * 300)
    assert row["nrr_pct"] == pytest.approx(100.0)
    assert row["open_escalations"] == 1  # T3


def test_one_month_window(fixture_path):
    row = window(fixture_path, months=1)
    # opening Feb: A1 120, A2 900, A4 200, A5 300 = 1520; March: 150 + 800 + 200 + 300 = 1450
    assert row["starting_arr_usd"] == pytest.approx(12 * 1520)
    assert row["nrr_pct"] == pytest.approx(100 * 1450 / 1520)
    assert row["expansion_arr_usd"] == pytest.approx(12 * 30)
    assert row["contraction_arr_usd"] == pytest.approx(12 * 100)
    assert row["logo_churn_pct"] == pytest.approx(0.0)


def test_no_opening_accounts_gives_no_ratio(fixture_path):
    row = window(fixture_path, end=dt.date(2025, 12, 1), months=1)
    assert row["starting_arr_usd"] == 0
    assert row["nrr_pct"] != row["nrr_pct"]  # NaN: undefined, not 0
    assert row["nps_responses"] == 1


def test_many_windows_in_one_call(fixture_path):
    params = {**ALL, "end_months": [dt.date(2026, 1, 1), MARCH, MARCH], "window_months": 3}
    frame = execute("kpi_windows", params, fixture_path)
    assert list(frame["window_end_month"].dt.date) == [dt.date(2026, 1, 1), MARCH]


# --- the rollup tallies (revenue_window_tallies, kpi_month_tallies) against live pairing -----

# an account with a zero-MRR revenue row in an opening month and a month without revenue (a
# gap, then a reactivation), on top of the hand-worked fixture
EXTRA_ACCOUNT = ("A6", "SMB", "APAC", "Starter", dt.date(2025, 6, 1), None)
EXTRA_MRR = {dt.date(2025, 11, 1): 30, dt.date(2025, 12, 1): 0, dt.date(2026, 1, 1): 40,
             dt.date(2026, 3, 1): 60}
FILTER_CASES = [ALL, {**ALL, "segments": ["SMB"]}, {**ALL, "regions": ["EMEA", "APAC"]},
                {**ALL, "segments": ["Mid-Market"], "plans": ["Professional"]}]


@pytest.fixture()
def gapped_fixture_path(empty_db):
    con, path = empty_db
    fixtures.load(con)
    account_id, segment, region, plan, start, _ = EXTRA_ACCOUNT
    con.execute(
        "insert into accounts (account_id, account_name, segment, industry, region, plan, "
        "start_date) values ($1, 'A6 Ltd', $2, 'Software', $3, $4, $5)",
        [account_id, segment, region, plan, start],
    )
    con.executemany("insert into account_mrr_monthly values ('A6', $1, $2)",
                    list(EXTRA_MRR.items()))
    # A7 billed 80 a month, then a zero-MRR revenue row in March: churned in March
    con.execute(
        "insert into accounts (account_id, account_name, segment, industry, region, plan, "
        "start_date, churn_date, churn_reason) values ('A7', 'A7 Ltd', 'Enterprise', 'Software', "
        "'North America', 'Enterprise', '2025-01-01', '2026-03-01', 'Budget')")
    con.executemany("insert into account_mrr_monthly values ('A7', $1, $2)",
                    [(dt.date(2025, 11, 1), 80), (dt.date(2025, 12, 1), 80),
                     (dt.date(2026, 1, 1), 80), (dt.date(2026, 2, 1), 80),
                     (dt.date(2026, 3, 1), 0)])
    from northstar.data.db.rollups import build_rollups

    build_rollups(con)
    con.close()
    return path


def all_windows(path, months, filters):
    ends = [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1),
            dt.date(2026, 2, 1), MARCH]
    return execute("kpi_windows", {**filters, "end_months": ends, "window_months": months}, path)


def test_tallies_hold_the_offered_window_lengths(gapped_fixture_path):
    import duckdb

    with duckdb.connect(str(gapped_fixture_path), read_only=True) as con:
        lengths = con.execute(
            "select distinct window_months from revenue_window_tallies order by 1").fetchall()
        # as of March: 1, 3, 6 and 12 months; year to date (3 months) is the 3-month window
        assert [row[0] for row in lengths] == [1, 3, 6, 12]
        # Mar 2026, 1-month window, SMB/APAC/Starter is A6 alone: no revenue row in Feb, 60 in
        # March -> new 60, nothing at opening
        row = con.execute(
            "select opening_mrr_usd, closing_mrr_usd, new_mrr_usd, opening_accounts, "
            "churned_accounts, active_accounts from revenue_window_tallies "
            "where window_months = 1 and window_end_month = '2026-03-01' and region = 'APAC' "
            "and segment = 'SMB'").fetchone()
        assert row == (0, 60, 60, 0, 0, 1)
        # Jan 2026, 1-month window: a zero-MRR row at opening (Dec) is no revenue, as it is at
        # a window's end: 0 -> 40 is new revenue, not expansion of an opening account
        row = con.execute(
            "select opening_mrr_usd, new_mrr_usd, expansion_mrr_usd, opening_accounts "
            "from revenue_window_tallies where window_months = 1 "
            "and window_end_month = '2026-01-01' and region = 'APAC'").fetchone()
        assert row == (0, 40, 0, 0)


def paired(path, opening: dt.date, closing: dt.date, filters) -> dict[str, float]:
    """A window's revenue movement by pairing the revenue rows of its two months (the rule the
    tallies implement), in pandas."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(DIRECT_MOVEMENTS, {"o": opening, "c": closing}).df()
    for column, key in (("segment", "segments"), ("region", "regions"), ("plan", "plans")):
        if filters[key]:
            rows = rows.loc[rows[column].isin(filters[key])]
    was = rows["was_active_at_opening"]
    kept = was & (rows["closing_mrr_usd"] > 0)
    lost = was & (rows["closing_mrr_usd"] == 0)
    change = rows["closing_mrr_usd"] - rows["opening_mrr_usd"]
    return {
        "arr_usd": 12 * rows["closing_mrr_usd"].sum(),
        "starting_arr_usd": 12 * rows["opening_mrr_usd"].sum(),
        "new_arr_usd": 12 * rows.loc[~was, "closing_mrr_usd"].sum(),
        "expansion_arr_usd": 12 * change.clip(lower=0)[kept].sum(),
        "contraction_arr_usd": 12 * (-change).clip(lower=0)[kept].sum(),
        "churned_arr_usd": 12 * rows.loc[lost, "opening_mrr_usd"].sum(),
        "opening_accounts": int(was.sum()),
        "churned_accounts": int(lost.sum()),
        "active_accounts": int((rows["closing_mrr_usd"] > 0).sum()),
    }


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_tallied_windows_equal_pairing_the_revenue_rows(gapped_fixture_path, months):
    for filters in FILTER_CASES:
        tallied = all_windows(gapped_fixture_path, months, filters)
        assert len(tallied) == 5
        for row in tallied.itertuples():
            end = pd.Timestamp(row.window_end_month)
            opening = (end - pd.DateOffset(months=months)).date()
            expected = paired(gapped_fixture_path, opening, end.date(), filters)
            for column, value in expected.items():
                assert getattr(row, column) == pytest.approx(value), (months, filters, column)


@pytest.mark.parametrize("months", [1, 3])
def test_churn_reasons_count_the_kpi_walls_churned_accounts(gapped_fixture_path, months):
    # a zero-MRR revenue row in the last month is churn in both (A7)
    params = {**ALL, "end_months": [MARCH], "window_months": months}
    reasons = execute("churn_reasons", params, gapped_fixture_path)
    wall = execute("kpi_windows", params, gapped_fixture_path).iloc[0]
    assert reasons["churned_accounts"].sum() == wall["churned_accounts"]
    assert reasons["churned_arr_usd"].sum() == pytest.approx(wall["churned_arr_usd"])
    budget = reasons.loc[reasons["churn_reason"] == "Budget"]
    assert list(budget["churned_accounts"]) == [1]  # A7
    assert budget["churned_arr_usd"].iloc[0] == pytest.approx(12 * 80)


# the pairing of two months every period page reads (window_movements), from the month-ordered
# snapshots, against the revenue rows themselves; a $0 row is no revenue at either end
DIRECT_MOVEMENTS = """
with opening as (
    select account_id, mrr_usd::double as mrr_usd from account_mrr_monthly
    where month = $o and mrr_usd > 0
),
closing as (
    select account_id, mrr_usd::double as mrr_usd from account_mrr_monthly
    where month = $c and mrr_usd > 0
)
select coalesce(o.account_id, c.account_id) as account_id,
    a.segment, a.region, a.plan,
    coalesce(o.mrr_usd, 0) as opening_mrr_usd, coalesce(c.mrr_usd, 0) as closing_mrr_usd,
    o.account_id is not null as was_active_at_opening,
    case when o.account_id is null then 'new'
         when c.account_id is null or c.mrr_usd = 0 then 'churn'
         when c.mrr_usd > o.mrr_usd then 'expansion'
         when c.mrr_usd < o.mrr_usd then 'contraction'
         else 'flat' end as movement
from opening o
full outer join closing c on c.account_id = o.account_id
join accounts a on a.account_id = coalesce(o.account_id, c.account_id)
order by account_id
"""


def test_window_movements_pair_the_revenue_rows(gapped_fixture_path):
    import duckdb

    months = [dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1),
              dt.date(2026, 1, 1), dt.date(2026, 2, 1), MARCH]
    with duckdb.connect(str(gapped_fixture_path), read_only=True) as con:
        pairs = 0
        for index, opening in enumerate(months):
            for closing in months[index + 1:]:
                direct = con.execute(DIRECT_MOVEMENTS, {"o": opening, "c": closing}).df()
                macro = con.execute(
                    "select account_id, segment, region, plan, opening_mrr_usd, closing_mrr_usd, "
                    "was_active_at_opening, movement from window_movements($o, $c) "
                    "order by account_id", {"o": opening, "c": closing}).df()
                pd.testing.assert_frame_equal(macro, direct, check_dtype=False)
                pairs += len(direct) > 0
        assert pairs == 15
        # A6 by hand: zero-MRR row in Dec (no revenue), nothing in Feb, 60 in March
        row = con.execute("select opening_mrr_usd, closing_mrr_usd, was_active_at_opening, "
                          "movement from window_movements('2025-12-01', '2026-03-01') "
                          "where account_id = 'A6'").fetchone()
        assert row == (0, 60, False, "new")
        row = con.execute("select movement from window_movements('2026-01-01', '2026-02-01') "
                          "where account_id = 'A6'").fetchone()
        assert row == ("churn",)


def test_billed_months_and_scope_counts(gapped_fixture_path):
    import duckdb

    with duckdb.connect(str(gapped_fixture_path), read_only=True) as con:
        assert con.execute("select month, billed_accounts, mrr_usd from billed_months "
                           "order by month").fetchall() == con.execute(
            "select month, count(*), sum(mrr_usd) from account_mrr_monthly "
            "group by month order by month").fetchall()
        assert con.execute("select sum(accounts) from account_scope_counts").fetchone()[0] == \
            con.execute("select count(*) from accounts").fetchone()[0]
    months = execute("revenue_months", {}, gapped_fixture_path)["month"]
    assert list(months.dt.date)[-1] == MARCH
    options = execute("filter_options", {}, gapped_fixture_path)
    smb = options.query("dimension == 'segment' and value == 'SMB'")["accounts"].iloc[0]
    with duckdb.connect(str(gapped_fixture_path), read_only=True) as con:
        assert smb == con.execute(
            "select count(*) from accounts where segment = 'SMB'").fetchone()[0]
