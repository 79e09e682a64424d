"""Retention queries on hand-worked edge cases: churn and return, expansion before churn,
one-account cohorts, survival, breakdowns and churn reasons."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from northstar.analytics import retention
from northstar.analytics.periods import resolve_period
from northstar.ui.page_queries import execute
from tests.unit import retention_fixture

D = dt.date
ALL = {"segments": [], "regions": [], "plans": []}


@pytest.fixture()
def path(empty_db):
    con, path = empty_db
    retention_fixture.load(con)
    con.close()
    return path


def kpis(path, end, months, **filters):
    frame = execute("kpi_windows", {**ALL, **filters, "end_months": [end], "window_months": months}, path)
    return frame.iloc[0]


def test_churn_and_return_inside_the_period_counts_as_retained(path):
    # Jan-Jun: opening Dec (R1 100, R2 200, R4 400 = 700); closing Jun: R1 100, R4 400, R3 50 new
    row = kpis(path, D(2026, 6, 1), 6)
    assert row["starting_arr_usd"] == pytest.approx(12 * 700)
    assert row["nrr_pct"] == pytest.approx(100 * 500 / 700)
    assert row["grr_pct"] == pytest.approx(100 * 500 / 700)
    assert (row["opening_accounts"], row["churned_accounts"]) == (3, 1)
    # R5 started and left inside the period: neither new at the end nor churned from the start
    assert row["new_arr_usd"] == pytest.approx(12 * 50)


def test_returned_account_is_churned_while_away(path):
    # Jan-Mar: R1 and R2 have no revenue in March
    row = kpis(path, D(2026, 3, 1), 3)
    assert row["nrr_pct"] == pytest.approx(100 * 400 / 700)
    assert row["logo_churn_pct"] == pytest.approx(100 * 2 / 3)
    # the month R1 returns it is new revenue against March
    april = kpis(path, D(2026, 4, 1), 1)
    assert april["new_arr_usd"] == pytest.approx(12 * 100)


def test_expansion_in_the_churn_month_is_not_counted(path):
    # Feb alone: R2 grows 200 -> 300 (expansion), then March alone: R2 churns 300
    february = kpis(path, D(2026, 2, 1), 1)
    assert february["expansion_arr_usd"] == pytest.approx(12 * 100)
    # Jan-Mar: R2's expansion and churn fall in one period: only its starting 200 is churned
    row = kpis(path, D(2026, 3, 1), 3)
    assert row["expansion_arr_usd"] == 0
    assert row["churned_arr_usd"] == pytest.approx(12 * (100 + 200))


def test_bridge_reconciles_for_every_window(path):
    frame = execute("kpi_windows", {**ALL, "end_months": retention_fixture.MONTHS[1:], "window_months": 1}, path)
    bridged = (frame["starting_arr_usd"] + frame["new_arr_usd"] + frame["expansion_arr_usd"]
               - frame["contraction_arr_usd"] - frame["churned_arr_usd"])
    assert list(bridged.round(6)) == list(frame["arr_usd"].round(6))


def test_monthly_cohorts_of_one_account(path):
    frame = execute("cohort_retention", {**ALL, "cohort_grain": "month"}, path)
    jan = frame.loc[frame["cohort_start"] == pd.Timestamp(2026, 1, 1)]
    assert list(jan["cohort_size"].unique()) == [1]
    # R5: billed Jan and Feb, gone from March; observed to age 5 (June)
    assert list(jan["age"]) == [0, 1, 2, 3, 4, 5]
    assert list(jan["logo_retention_pct"]) == [100, 100, 0, 0, 0, 0]
    assert list(jan["revenue_retention_pct"]) == [100, 100, 0, 0, 0, 0]
    feb = frame.loc[frame["cohort_start"] == pd.Timestamp(2026, 2, 1)]
    assert list(feb["age"]) == [0, 1, 2, 3, 4]
    assert set(feb["logo_retention_pct"]) == {100}
    # accounts that started before the data are not a cohort
    assert set(frame["cohort_start"]) == {pd.Timestamp(2026, 1, 1), pd.Timestamp(2026, 2, 1)}


def test_quarterly_cohort_uses_each_members_own_start(path):
    frame = execute("cohort_retention", {**ALL, "cohort_grain": "quarter"}, path)
    # Q1 2026: R5 (Jan, 80) and R3 (Feb, 50); R3's age 1 is May, R5's is April
    assert list(frame["age"]) == [0, 1]
    assert list(frame["cohort_size"]) == [2, 2]
    assert list(frame["logo_retention_pct"]) == [100, 50]
    assert frame["revenue_retention_pct"].iloc[1] == pytest.approx(100 * 50 / 130)


def test_survival_curve_by_hand(path):
    frame = execute("survival_by_segment", ALL, path)
    smb = frame.loc[frame["segment"] == "SMB"].set_index("age_months")["surviving_pct"]
    # R5 churns after 2 months (1 of 2 at risk); R3 is still active after 5 months (censored)
    assert smb[0] == 100
    assert smb[2] == pytest.approx(50)
    assert smb[5] == pytest.approx(50)


def test_breakdown_by_segment_and_tenure(path):
    params = {**ALL, "opening_month": D(2025, 12, 1), "closing_month": D(2026, 3, 1)}
    by_segment = execute("retention_breakdown", {**params, "dimension": "segment"}, path)
    rows = by_segment.set_index("dimension_value")
    assert rows.loc["Enterprise", "churned_arr_usd"] == pytest.approx(12 * 200)
    assert rows.loc["Enterprise", "logo_churn_pct"] == pytest.approx(100)
    assert rows.loc["Mid-Market", "nrr_pct"] == pytest.approx(100)
    # sorted by ARR lost: Enterprise (2,400) before SMB (R1: 1,200) before Mid-Market (0)
    assert list(by_segment["dimension_value"]) == ["Enterprise", "SMB", "Mid-Market"]
    by_tenure = execute("retention_breakdown", {**params, "dimension": "tenure_band"}, path)
    # at Dec 2025: R1 19 months, R2 35 months, R4 41 months
    assert set(by_tenure["dimension_value"]) == {"1–2 years", "2–3 years", "3+ years"}
    assert by_tenure["starting_arr_usd"].sum() == pytest.approx(12 * 700)


def test_churn_reasons_match_the_bridge(path):
    params = {**ALL, "end_months": [D(2026, 3, 1)], "window_months": 3}
    reasons = execute("churn_reasons", params, path)
    by_reason = reasons.set_index("churn_reason")["churned_arr_usd"]
    # R2 (Budget cuts, 200) and R1 (away in March, no reason recorded, 100); R5 was not active in Dec
    assert by_reason.to_dict() == pytest.approx({"Budget cuts": 12 * 200, "Not recorded": 12 * 100})
    assert reasons["churned_arr_usd"].sum() == pytest.approx(kpis(path, D(2026, 3, 1), 3)["churned_arr_usd"])
    monthly = execute("churn_reasons", {**ALL, "end_months": [D(2026, 3, 1)], "window_months": 1}, path)
    competitors = monthly.set_index("churn_reason")["lost_to_competitor"].to_dict()
    assert competitors["Price"] == "Orbitly"


def test_snapshots_mark_churn_inactivity_and_return(path):
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        movements = dict(con.execute(
            "select month, movement from account_month_snapshots where account_id = 'R1'"
        ).fetchall())
    assert movements[D(2026, 2, 1)] == "churn"
    assert movements[D(2026, 3, 1)] == "inactive"
    assert movements[D(2026, 4, 1)] == "reactivation"


def test_cohort_matrix_labels_rows_with_sizes():
    frame = pd.DataFrame({
        "cohort_start": [pd.Timestamp(2026, 1, 1)] * 2 + [pd.Timestamp(2026, 4, 1)],
        "cohort_size": [12, 12, 3], "age": [0, 1, 0], "logo_retention_pct": [100.0, 75.0, 100.0],
    })
    matrix = retention.cohort_matrix(frame, "logo_retention_pct", "quarter")
    assert list(matrix.index) == ["Q1 2026 (n=12)", "Q2 2026 (n=3)"]
    assert matrix.loc["Q1 2026 (n=12)", 1] == 75.0
    assert pd.isna(matrix.loc["Q2 2026 (n=3)", 1])


def test_quarter_ends_need_the_month_before():
    assert retention.quarter_ends(D(2026, 10, 1), D(2023, 11, 1))[0] == D(2024, 3, 1)
    assert retention.quarter_ends(D(2026, 10, 1), D(2023, 11, 1))[-1] == D(2026, 9, 1)
    assert retention.quarter_ends(D(2026, 2, 1), D(2026, 1, 1)) == []


def test_period_bounds():
    window = resolve_period(D(2026, 10, 1), "last_3_months")
    assert retention.period_bounds(window) == {
        "opening_month": D(2026, 7, 1), "closing_month": D(2026, 10, 1)}


def test_retention_trend_long_frame():
    monthly = pd.DataFrame({"window_end_month": [pd.Timestamp(2026, 1, 1)], "nrr_pct": [99.0],
                            "grr_pct": [95.0], "logo_churn_pct": [2.0]})
    trailing = pd.DataFrame({"window_end_month": [pd.Timestamp(2026, 1, 1)], "nrr_pct": [None],
                             "grr_pct": [90.0], "logo_churn_pct": [20.0]})
    logo = retention.retention_trend(monthly, trailing, "Logo retention")
    assert list(logo["value_pct"]) == [98.0, 80.0]
    nrr = retention.retention_trend(monthly, trailing, "NRR")
    assert list(nrr["series"]) == ["Monthly"]  # missing values dropped


@pytest.mark.parametrize("window_months, filters", [
    (1, {}), (3, {"segments": ["SMB"]}), (12, {}), (12, {"regions": ["EMEA"], "plans": ["Professional"]}),
])
def test_figures_reconcile_on_the_demo(demo_db, window_months, filters):
    params = {**ALL, **filters}
    months = [D(2025, 1, 1), D(2025, 10, 1), D(2026, 10, 1)]
    frame = execute("kpi_windows", {**params, "end_months": months, "window_months": window_months}, demo_db)
    bridged = (frame["starting_arr_usd"] + frame["new_arr_usd"] + frame["expansion_arr_usd"]
               - frame["contraction_arr_usd"] - frame["churned_arr_usd"])
    assert bridged.to_numpy() == pytest.approx(frame["arr_usd"].to_numpy(), rel=1e-12)
    last = frame.iloc[-1]
    closing = D(2026, 10, 1)
    opening = (pd.Timestamp(closing) - pd.DateOffset(months=window_months)).date()
    for dimension in retention.BREAKDOWN_DIMENSIONS:
        breakdown = execute("retention_breakdown", {**params, "opening_month": opening,
                                                    "closing_month": closing, "dimension": dimension}, demo_db)
        assert breakdown["starting_arr_usd"].sum() == pytest.approx(last["starting_arr_usd"])
        assert breakdown["churned_arr_usd"].sum() == pytest.approx(last["churned_arr_usd"])
        assert breakdown["opening_accounts"].sum() == last["opening_accounts"]
    reasons = execute("churn_reasons", {**params, "end_months": [closing], "window_months": window_months}, demo_db)
    assert reasons["churned_arr_usd"].sum() == pytest.approx(last["churned_arr_usd"])
    assert reasons["churned_accounts"].sum() == last["churned_accounts"]


def test_the_accounts_behind_each_step_of_the_bridge_by_hand(path):
    """Dec 2025 -> Mar 2026: R1 (100) and R2 (200) are gone in March, R5 started in January and
    is gone too (never at the opening: neither new nor churned at the close), R3 is new at 50,
    R4 flat at 400."""
    params = {**ALL, "opening_month": D(2025, 12, 1), "closing_month": D(2026, 3, 1),
              "limit": 10}
    churned = execute("retention_accounts", {**params, "movement": "churn"}, path)
    assert list(churned["account_id"]) == ["R2", "R1"]  # the larger loss first
    assert list(churned["arr_change_usd"]) == [-12 * 200, -12 * 100]
    assert set(churned["movement_accounts"]) == {2}
    assert set(churned["movement_arr_change_usd"]) == {-12 * 300}
    assert churned["churn_reason"].iloc[0] == "Budget cuts"
    # churned on the last day of the last billed month, the one churn definition: R2 in
    # February, R1 in January (it has no churn date on record, and used to be listed without one)
    assert list(pd.to_datetime(churned["churned_on"]).dt.date) == [D(2026, 2, 28), D(2026, 1, 31)]
    new = execute("retention_accounts", {**params, "movement": "new"}, path)
    assert list(new["account_id"]) == ["R3"] and list(new["arr_now_usd"]) == [12 * 50]
    assert execute("retention_accounts", {**params, "movement": "expansion"}, path).empty
    # the list is cut at the limit; the totals are of every account that moved
    one = execute("retention_accounts", {**params, "movement": "churn", "limit": 1}, path)
    assert list(one["account_id"]) == ["R2"] and set(one["movement_accounts"]) == {2}
    assert retention.movement_caption(one, "churn", limit=1) == (
        "2 accounts churned in the period: −$3.60K of ARR, the bridge's churn step and the "
        "churned accounts of logo churn; the 1 largest changes are listed. An account churned "
        "on the last day of its last billed month, so one gone from the period's first month "
        "shows the day before it.")


def test_the_quarterly_churn_says_how_it_differs_from_the_period():
    trend = pd.DataFrame({
        "window_end_month": [D(2026, 3, 1), D(2026, 6, 1), D(2026, 9, 1), D(2026, 9, 1)],
        "quarter": ["Q1 2026", "Q2 2026", "Q3 2026", "Q3 2026"],
        "churn_reason": ["Price", "Price", "Price", "Budget cuts"],
        "churned_arr_usd": [1_000.0, 2_000.0, 3_000.0, 500.0],
    })
    note = retention.quarters_note(trend, 5_200.0, 6)
    # the last two quarters of a 6-month period: 2,000 + 3,000 + 500
    assert "The last 2 quarters (Q2 2026–Q3 2026) add up to $5.50K against the period's " \
        "$5.20K" in note
    assert "joined and left within the period" in note


def test_the_period_row_and_its_captions():
    window = resolve_period(D(2026, 9, 1), "last_3_months", "previous_period")
    period = pd.DataFrame({"window_end_month": pd.to_datetime(["2026-06-01", "2026-09-01"]),
                           "opening_accounts": [10, 8], "churned_accounts": [1, 2],
                           "active_accounts": [9, 7]})
    row = retention.window_row(period, D(2026, 9, 1))
    assert row is not None and int(row["opening_accounts"]) == 8
    assert retention.logo_churn_caption(row, window) == (
        "2 of 8 accounts that were customers in Jun 2026 had churned by Sep 2026; 7 accounts "
        "are customers at its end.")
    # no account active at the start, or no row for the window: nothing to show
    assert retention.window_row(period.assign(opening_accounts=0), D(2026, 9, 1)) is None
    assert retention.window_row(period, D(2026, 8, 1)) is None


def test_churn_reasons_captions_and_hover():
    frame = pd.DataFrame({"churned_accounts": [2, 1], "churned_arr_usd": [1_500_000.0, 250.0],
                          "lost_to_competitor": ["Rival", "Other"]})
    assert retention.churned_arr(frame) == 1_500_250.0
    assert retention.churned_arr(frame, revenue=False) == 0.0
    assert retention.reasons_caption(frame, "last 3 months") == (
        "3 accounts churned in the period (last 3 months), taking $1.50M of ARR (their ARR just "
        "before the period, as in the bridge).")
    assert retention.reasons_caption(frame, "last 3 months", revenue=False) == (
        "3 accounts churned in the period (last 3 months).")
    assert retention.reasons_hover(frame) == ["$1.50M · 2 accounts", "$250 · 1 accounts"]
    assert retention.reasons_hover(frame, revenue=False) is None
    assert retention.competitors_caption(frame, revenue=False).startswith("3 accounts in all: ")
    assert retention.months_of(pd.DataFrame({"month": pd.to_datetime(["2026-01-01"])})) == [
        D(2026, 1, 1)]
