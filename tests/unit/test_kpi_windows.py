"""The kpi_windows query against a tiny dataset whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from northstar.db import execute
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
