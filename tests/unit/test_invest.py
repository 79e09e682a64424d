"""Where to invest: the estimators against hand-computed numbers, a confounded fixture, ROI,
the quadrant rule, cost to serve on a fixture, and the truth check on the demo data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest

from northstar.analytics import display, invest, significance
from northstar.data import settings
from northstar.data.months import add_months
from northstar.ui.page_queries import execute

D = dt.date
T = dt.datetime


def test_crude_risk_ratio_with_katz_interval():
    # 20/100 exposed vs 10/100 unexposed churned: RR 2; Var(ln RR) = 1/20 - 1/100 + 1/10 - 1/100
    # = 0.13; CI = 2 x exp(+-1.96 x sqrt(0.13)) = 0.9865 .. 4.0546
    estimate = invest.risk_ratio(20, 100, 10, 100)
    assert estimate.value == pytest.approx(2.0)
    assert estimate.low == pytest.approx(0.98654, rel=1e-4)
    assert estimate.high == pytest.approx(4.05457, rel=1e-4)
    # a design effect of 4 doubles the standard error
    wide = invest.risk_ratio(20, 100, 10, 100, design_effect=4)
    assert wide.high == pytest.approx(2 * math.exp(2 * 1.959964 * math.sqrt(0.13)), rel=1e-6)
    assert math.isnan(invest.risk_ratio(0, 100, 10, 100).value)


def model_rows(driver_id: str, hr: tuple[float, float, float], at_risk: dict[str, float],
               note: str = "") -> list[dict]:
    """invest_model_drivers rows for one driver: per segment, ARR at risk now (low = 0.5 ×,
    high = 2 ×), a year ago half of it, and accounts at risk one per $1,000."""
    hazard, low, high = hr
    return [{
        "driver_id": driver_id, "hazard_ratio": hazard, "hr_low_95": low, "hr_high_95": high,
        "hr_low_99": low * 0.9, "hr_high_99": high * 1.1, "fit_exposed_accounts": 100,
        "fit_exposed_events": 20, "note": note, "segment": segment,
        "now_exposed_accounts": 10, "now_exposed_arr_usd": 10 * amount,
        "now_at_risk_arr_usd": amount, "now_at_risk_arr_low_usd": amount / 2,
        "now_at_risk_arr_high_usd": amount * 2, "now_at_risk_accounts": amount / 1000,
        "opening_exposed_accounts": 8, "opening_at_risk_arr_usd": amount / 2,
        "opening_at_risk_accounts": amount / 2000,
    } for segment, amount in at_risk.items()]


COUNT_COLUMNS = ["cohort", "driver_id", "segment", "exposed", "landmarks", "accounts",
                 "churned", "arr_usd", "nps_answers", "nps_promoters", "nps_detractors"]


@pytest.fixture()
def model_results():
    model = pd.DataFrame(
        model_rows("slow_support", (1.8, 1.5, 2.2), {"SMB": 30_000.0, "Enterprise": 50_000.0})
        + model_rows("poor_services", (1.3, 0.7, 2.4), {"SMB": 90_000.0})
        + model_rows("revenue_decline", (0.8, 0.7, 0.9), {"SMB": 0.0})
        + model_rows("no_executive_meeting", (1.4, 1.2, 1.6), {"SMB": 20_000.0}))
    counts = pd.DataFrame([
        # crude: 20 of 100 exposed, 10 of 100 not, 2 landmarks per account
        ("history", "slow_support", "SMB", True, 100, 50, 20, 0.0, 0, 0, 0),
        ("history", "slow_support", "SMB", False, 100, 50, 10, 0.0, 0, 0, 0),
    ], columns=COUNT_COLUMNS)
    return invest.driver_results(model, counts)


def test_driver_results_come_from_the_model(model_results):
    by_id = {result.driver_id: result for result in model_results}
    slow = by_id["slow_support"]
    assert (slow.hazard_ratio.value, slow.hazard_ratio.low, slow.hazard_ratio.high) == (
        1.8, 1.5, 2.2)
    assert slow.raises_risk and slow.reading == "raises churn"
    assert slow.at_risk_arr_usd == invest.Estimate(80_000.0, 40_000.0, 160_000.0)
    assert slow.exposed_arr_usd == 800_000.0
    # the crude comparison beside it: RR 2 with the Katz interval widened by 2 months/account
    assert slow.crude.value == pytest.approx(2.0)
    assert slow.crude.high == pytest.approx(2 * math.exp(1.959964 * math.sqrt(2 * 0.13)))
    assert slow.risk_exposed_pct == pytest.approx(20.0)
    # an interval including 1 cannot be told from chance: never ranked, whatever its ARR
    services = by_id["poor_services"]
    assert not services.raises_risk and services.reading == "can't tell from chance"
    assert by_id["revenue_decline"].reading == "lowers churn"
    assert [r.driver_id for r in invest.ranked(model_results)] == [
        "slow_support", "no_executive_meeting"]
    # drivers that raise churn come first, by ARR at risk
    assert [r.driver_id for r in model_results][:2] == ["slow_support", "no_executive_meeting"]
    table = invest.driver_table(model_results).set_index("Driver")
    assert table.loc["Poor professional-services survey", "Reading"] == "can't tell from chance"
    assert math.isnan(table.loc["Poor professional-services survey",
                                "ARR at risk from the driver"])  # shown "—"
    assert display.format_number(
        table.loc["Slow ticket resolution", "ARR at risk from the driver"], "usd") == "$80.0K"
    assert table.loc["Slow ticket resolution", "Hazard ratio (95% interval)"] == (
        "1.80 (1.50–2.20)")
    assert table.loc["Slow ticket resolution", "ARR at risk, 95% range"] == "$40.0K–$160K"


def test_a_driver_whose_arr_at_risk_is_too_wide_to_repeat_ranks_after_the_sized_ones():
    model = pd.DataFrame(
        model_rows("slow_support", (1.8, 1.5, 2.2), {"SMB": 10_000.0})
        + model_rows("not_cab_member", (1.9, 1.03, 3.5), {"SMB": 100_000.0}))
    model.loc[model["driver_id"] == "not_cab_member", "now_at_risk_arr_low_usd"] = 3_000.0
    results = invest.driver_results(model, pd.DataFrame(columns=COUNT_COLUMNS))
    # $3.00K–$200K spans 67×: the larger ARR at risk is not repeated as a size
    assert [r.driver_id for r in invest.ranked(results)] == ["slow_support", "not_cab_member"]
    assert [r.sized for r in results] == [True, False]
    table = invest.driver_table(results).set_index("Driver")
    assert math.isnan(table.loc["Not on the advisory board", "ARR at risk from the driver"])
    assert table.loc["Not on the advisory board", "ARR at risk, 95% range"] == (
        "can't size yet (range $3.00K–$200K)")


def test_a_driver_the_model_could_not_estimate_still_counts_its_exposed_accounts():
    nan = float("nan")
    model = pd.DataFrame(model_rows("not_cab_member", (nan, nan, nan), {"SMB": 0.0}))
    model["now_exposed_accounts"] = 0  # the model attributes nothing to it
    model["now_exposed_arr_usd"] = 0.0
    counts = pd.DataFrame([
        ("now", "not_cab_member", "SMB", True, 30, 30, 0, 300_000.0, 0, 0, 0),
        ("now", "not_cab_member", "Enterprise", True, 12, 12, 0, 900_000.0, 0, 0, 0),
        ("now", "not_cab_member", "SMB", False, 3, 3, 0, 50_000.0, 0, 0, 0),
    ], columns=COUNT_COLUMNS)
    [result] = invest.driver_results(model, counts)
    assert result.reading == "not estimated"
    assert (result.exposed_accounts, result.exposed_arr_usd) == (42, 1_200_000.0)


def test_initiatives_rank_only_drivers_beyond_noise(model_results):
    initiatives = pd.DataFrame([
        ("I1", "Support staffing", "Customer Service", "running", "slow_support", 40_000.0,
         D(2026, 1, 1), 50.0),
        ("I2", "Services quality", "Professional Services", "proposed", "poor_services",
         10_000.0, D(2026, 1, 1), 50.0),
        ("I3", "Exec sponsors", "Sales", "proposed", "no_executive_meeting", 5_000.0,
         D(2026, 1, 1), 50.0),
    ], columns=["initiative_id", "initiative_name", "department_name", "status",
                "target_driver", "cost_usd", "started_on", "expected_churn_reduction_pct"])
    ranked = invest.initiatives_ranked(initiatives, model_results)
    # protected: I1 80,000 × 50% = 40,000 for 40,000 ($1.00 per dollar); I3 20,000 × 50% =
    # 10,000 for 5,000 ($2.00); I2's driver cannot be told from chance: unranked, last
    assert list(ranked["initiative_id"]) == ["I3", "I1", "I2"]
    assert list(ranked["rank"].iloc[:2]) == [1, 2] and math.isnan(ranked["rank"].iloc[2])
    assert list(ranked["protected_arr_usd"]) == [10_000.0, 40_000.0, 0.0]
    assert ranked["reading"].iloc[2] == "can't tell from chance"
    assert ranked["protected_low_usd"].iloc[1] == 20_000.0
    # nothing measured yet: each is judged by its plan
    assert set(ranked["basis"]) == {"planned"}
    # the driver's range (0.5× to 2× its ARR at risk) spans 4×: sized
    assert list(ranked["sized"]) == [True, True, False]
    assert ranked["return_multiple"].iloc[0] == 2.0
    assert (ranked["return_low"].iloc[0], ranked["return_high"].iloc[0]) == (1.0, 4.0)
    assert ranked["payback_months"].iloc[0] == 6.0
    assert (ranked["payback_low_months"].iloc[0], ranked["payback_high_months"].iloc[0]) == (
        3.0, 12.0)


PROGRESS = ["exposed_churned_before", "exposed_months_before", "exposed_churned_since",
            "exposed_months_since", "control_churned_before", "control_months_before",
            "control_churned_since", "control_months_since"]


def test_measured_reduction_by_hand():
    # exposed churn halves (2% -> 1% a month) while everyone else's stays at 1%: a ratio of
    # 0.5, a 50% reduction; log-scale standard error √(1/20 + 1/10 + 1/50 + 1/50) = √0.19
    estimate, verdict = invest.measured_reduction(20, 1000, 10, 1000, 50, 5000, 50, 5000)
    spread = 1.959964 * math.sqrt(0.19)
    assert estimate.value == pytest.approx(50.0)
    assert estimate.low == pytest.approx(100 * (1 - 0.5 * math.exp(spread)), rel=1e-5)
    assert estimate.high == pytest.approx(100 * (1 - 0.5 * math.exp(-spread)), rel=1e-5)
    assert estimate.low < 0 and verdict.status.value == "within noise"
    # ten times the accounts: the same 50%, now beyond noise (√0.019)
    estimate, verdict = invest.measured_reduction(200, 10_000, 100, 10_000, 500, 50_000,
                                                  500, 50_000)
    assert estimate.low == pytest.approx(100 * (1 - 0.5 * math.exp(1.959964 * math.sqrt(0.019))),
                                         rel=1e-5)
    assert verdict.is_real
    # fewer than 5 churned accounts in any group: too few to tell
    estimate, verdict = invest.measured_reduction(20, 1000, 4, 1000, 50, 5000, 50, 5000)
    assert math.isnan(estimate.value) and verdict.status.value == "too few to tell"


def test_initiatives_are_judged_by_what_they_measurably_achieved(model_results):
    """A completed initiative is sized by its measured reduction, never its plan; one measured
    within noise protects nothing and is not ranked; a running one keeps its plan until the
    measurement tells (beyond noise, or its range leaves out the plan)."""
    columns = ["initiative_id", "initiative_name", "department_name", "status",
               "target_driver", "cost_usd", "started_on", "expected_churn_reduction_pct",
               *PROGRESS]
    strong = (200, 10_000, 100, 10_000, 500, 50_000, 500, 50_000)  # 50%, beyond noise
    weak = (20, 1000, 10, 1000, 50, 5000, 50, 5000)  # 50% (−17% to 79%), within noise
    early = (20, 1000, 3, 200, 50, 5000, 10, 1000)  # 3 churned since: too few to tell
    initiatives = pd.DataFrame([
        ("I1", "Staffing", "CS", "completed", "slow_support", 40_000.0, D(2025, 1, 1), 20.0,
         *strong),
        ("I2", "Sponsors", "Sales", "completed", "no_executive_meeting", 5_000.0,
         D(2025, 1, 1), 40.0, *weak),
        ("I3", "Call-backs", "CS", "running", "no_executive_meeting", 5_000.0, D(2026, 8, 1),
         40.0, *early),
        ("I4", "Sponsors 2", "Sales", "running", "no_executive_meeting", 5_000.0,
         D(2026, 1, 1), 40.0, *weak),
        ("I5", "Sponsors 3", "Sales", "running", "no_executive_meeting", 5_000.0,
         D(2026, 1, 1), 90.0, *weak),
    ], columns=columns)
    ranked = invest.initiatives_ranked(initiatives, model_results).set_index("initiative_id")
    # I1: 80,000 at risk × the measured 50% (not the planned 20%) = 40,000
    assert ranked.loc["I1", "basis"] == "measured"
    assert ranked.loc["I1", "protected_arr_usd"] == pytest.approx(40_000)
    # I2 completed, measured within noise: no size, not ranked, and says why
    assert ranked.loc["I2", "basis"] == "measured" and not ranked.loc["I2", "rankable"]
    assert ranked.loc["I2", "protected_arr_usd"] == 0.0
    assert ranked.loc["I2", "reading"].startswith("no effect beyond noise: measured 50.0% (−")
    # I3 running with too few churned accounts yet: its plan, 20,000 × 40% = 8,000
    assert ranked.loc["I3", "basis"] == "planned" and ranked.loc["I3", "rankable"]
    assert ranked.loc["I3", "protected_arr_usd"] == pytest.approx(8_000)
    # I4 running, within noise, its plan (40%) inside the measured range: still its plan
    assert ranked.loc["I4", "basis"] == "planned"
    # I5 running, its plan (90%) outside the measured range (−17% to 79%): the measurement
    assert ranked.loc["I5", "basis"] == "measured" and not ranked.loc["I5", "rankable"]
    assert ranked.loc["I5", "reading"].startswith("no effect beyond noise so far: measured")
    # I1's range (its driver's 4× and the measured 34%–61%) spans about 7×: it can't be sized
    # yet and ranks after I3 and I4 (1.6× their cost, 0.8×–3.2×)
    assert not ranked.loc["I1", "sized"] and ranked.loc["I3", "sized"]
    assert list(ranked.index[ranked["rankable"]]) == ["I3", "I4", "I1"]


def test_an_initiative_whose_range_is_too_wide_is_ranked_after_the_sized_ones():
    model = pd.DataFrame(
        model_rows("slow_support", (1.8, 1.5, 2.2), {"SMB": 10_000.0})
        + model_rows("not_cab_member", (1.9, 1.03, 3.5), {"SMB": 100_000.0}))
    wide = model["driver_id"] == "not_cab_member"
    model.loc[wide, "now_at_risk_arr_low_usd"] = 3_000.0  # $3K to $200K: 67× wide
    results = invest.driver_results(model, pd.DataFrame(columns=COUNT_COLUMNS))
    initiatives = pd.DataFrame([
        ("I1", "Board", "Marketing", "proposed", "not_cab_member", 1_000.0, D(2026, 1, 1), 20.0),
        ("I2", "Staffing", "CS", "proposed", "slow_support", 10_000.0, D(2026, 1, 1), 50.0),
    ], columns=["initiative_id", "initiative_name", "department_name", "status",
                "target_driver", "cost_usd", "started_on", "expected_churn_reduction_pct"])
    ranked = invest.initiatives_ranked(initiatives, results)
    # the board returns 20× its cost on paper against 0.5×, but its range is 600 to 40,000:
    # it can't be sized yet and ranks second
    assert list(ranked["initiative_id"]) == ["I2", "I1"]
    assert list(ranked["sized"]) == [True, False]
    # together: the sized one only (10,000 × 50%); the board adds no figure
    assert invest.protected_together(ranked) == pytest.approx(5_000)
    table = invest.initiatives_table(ranked)
    assert table["95% range"].iloc[1] == "can't size yet (range $600–$40.0K)"
    assert pd.isna(table["Return on cost"].iloc[1]) and pd.isna(table["ARR protected a year"].iloc[1])


def test_initiatives_on_one_driver_protect_together_less_than_their_sum(model_results):
    initiatives = pd.DataFrame([
        ("I1", "Follow the sun", "Customer Service", "running", "slow_support", 40_000.0,
         D(2026, 1, 1), 35.0),
        ("I2", "Knowledge base", "Customer Service", "proposed", "slow_support", 10_000.0,
         D(2026, 1, 1), 15.0),
        ("I3", "Exec sponsors", "Sales", "proposed", "no_executive_meeting", 5_000.0,
         D(2026, 1, 1), 50.0),
        ("I4", "Services quality", "Professional Services", "proposed", "poor_services",
         10_000.0, D(2026, 1, 1), 50.0),
    ], columns=["initiative_id", "initiative_name", "department_name", "status",
                "target_driver", "cost_usd", "started_on", "expected_churn_reduction_pct"])
    ranked = invest.initiatives_ranked(initiatives, model_results)
    # slow support: 80,000 at risk; 35% then 15% of what is left = 1 − 0.65 × 0.85 = 44.75%
    # = 35,800 (the sum of the rows says 28,000 + 12,000 = 40,000); exec meetings: 20,000 ×
    # 50% = 10,000; poor services cannot be told from chance and protects nothing
    assert ranked["protected_arr_usd"].sum() == pytest.approx(50_000)
    assert invest.protected_together(ranked) == pytest.approx(35_800 + 10_000)
    assert invest.protected_together(ranked.iloc[0:0]) == 0.0


def test_what_if_by_hand(model_results):
    slow = next(r for r in model_results if r.driver_id == "slow_support")
    kpis = pd.Series({"starting_arr_usd": 1_000_000.0, "opening_accounts": 200.0,
                      "nrr_pct": 95.0, "logo_churn_pct": 10.0})
    everywhere = invest.what_if(slow, 50.0, [], kpis)
    # 50% of the 80,000 at risk now; a year ago 40,000 at risk and 40 accounts
    assert everywhere.protected_arr_usd == pytest.approx(40_000)
    assert everywhere.avoided_churned_arr_usd == pytest.approx(20_000)
    assert everywhere.nrr_scenario_pct == pytest.approx(95.0 + 100 * 20_000 / 1_000_000)
    assert everywhere.logo_retention_scenario_pct == pytest.approx(90.0 + 100 * 20 / 200)
    smb = invest.what_if(slow, 50.0, ["SMB"], kpis)
    assert smb.protected_arr_usd == pytest.approx(15_000)
    # its range scales the driver's ($40.0K–$160K) by the share of it chosen: 15,000 of 80,000
    assert (smb.protected_low_usd, smb.protected_high_usd) == pytest.approx((7_500, 30_000))
    # 10 accounts exposed per segment: half of SMB's is 5 accounts moved out of exposure
    assert smb.moved_accounts == pytest.approx(5)
    assert everywhere.moved_accounts == pytest.approx(10)


def test_what_if_starts_at_a_reduction_the_program_could_run(model_results):
    slow = next(r for r in model_results if r.driver_id == "slow_support")
    # nobody reached by the program today: the smallest step, 1%
    assert slow.unexposed_accounts == 0 and invest.what_if_default_pct(slow) == 1
    small_board = dataclasses.replace(slow, exposed_accounts=12_486, unexposed_accounts=131)
    # 131 members against 12,486 not on the board: 1% (about 125 new members), never 50%
    assert invest.what_if_default_pct(small_board) == 1
    tiny = dataclasses.replace(slow, exposed_accounts=12_486, unexposed_accounts=20)
    assert invest.what_if_default_pct(tiny) == 1
    common = dataclasses.replace(slow, exposed_accounts=2_918, unexposed_accounts=9_699)
    assert invest.what_if_default_pct(common) == 50
    wide = dataclasses.replace(slow, exposed_accounts=1_000, unexposed_accounts=300)
    assert invest.what_if_default_pct(wide) == 30


def test_truth_check_by_hand(model_results):
    planted = pd.DataFrame({"driver_id": ["slow_support", "no_executive_meeting"],
                            "hazard_ratio": [1.7, 1.7]})
    check = invest.truth_check(model_results, planted).set_index("driver_id")
    assert bool(check.loc["slow_support", "Inside 95%"])
    assert not bool(check.loc["no_executive_meeting", "Inside 95%"])
    assert bool(check.loc["no_executive_meeting", "Inside 99%"])  # 99%: 1.08–1.76
    # drivers the demo did not plant have a true ratio of 1
    assert check.loc["poor_services", "Planted hazard ratio"] == 1.0
    assert bool(check.loc["poor_services", "Inside 95%"])


def test_initiative_roi_and_payback():
    roi = invest.initiative_roi(300_000, 100_000)
    assert roi == {"return_multiple": 3.0, "payback_months": 4.0}
    assert invest.initiative_roi(0, 100_000)["payback_months"] == math.inf


def test_quadrant_rule():
    assert invest.quadrant(20_000, 40, 10_000, 50) == "Invest"
    assert invest.quadrant(20_000, 70, 10_000, 50) == "Protect"
    assert invest.quadrant(10_000, 50, 10_000, 50) == "Protect"  # thresholds are inclusive
    assert invest.quadrant(5_000, 80, 10_000, 50) == "Maintain"
    assert invest.quadrant(5_000, 20, 10_000, 50) == "Monitor"


def test_cost_to_serve_by_hand(empty_db):
    from northstar.data.db.rollups import build_rollups

    con, path = empty_db
    con.execute("insert into departments values ('customer_service', 'Customer Service', null)")
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
                   start_date) values ('X1', 'Xeno', 'Enterprise', 'Retail', 'EMEA', 'Pro',
                   date '2025-01-01')""")
    con.executemany("insert into account_mrr_monthly values ('X1', ?, 1000)",
                    [(add_months(D(2025, 1, 1), k),) for k in range(22)])
    con.executemany(
        "insert into support_tickets (ticket_id, account_id, department_id, opened_at, resolved_at,"
        " status, priority, category, channel) values (?, 'X1', 'customer_service', ?, ?, "
        "'closed', ?, 'defect', 'email')",
        [("K1", T(2026, 3, 1), T(2026, 3, 2), "high"), ("K2", T(2026, 9, 1), T(2026, 9, 2), "normal"),
         ("K0", T(2025, 9, 1), T(2025, 9, 2), "urgent")],  # before the 12 months: not counted
    )
    con.execute("""insert into engagements (engagement_id, account_id, engagement_type,
                   department_id, started_on, attended, hours) values
                   ('E1', 'X1', 'professional_services', 'customer_service', date '2026-02-01', true, 10),
                   ('E2', 'X1', 'executive_meeting', 'customer_service', date '2026-05-01', true, 2),
                   ('E3', 'X1', 'qbr', 'customer_service', date '2026-06-01', false, 3)""")
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-10-31')")
    build_rollups(con)
    con.close()
    config = invest.CostConfig(
        {"low": 25, "normal": 45, "high": 90, "urgent": 180},
        {key: 0.0 for key in invest.ENGAGEMENT_TYPES}
        | {"professional_services": 150, "executive_meeting": 400, "qbr": 120},
    )
    params = {"segments": [], "regions": [], "plans": [], "as_of_month": D(2026, 10, 1),
              "grain": "account", "limit": 10, **config.query_params(),
              **settings.load_config().query_params()}
    row = execute("invest_customers", params, path).iloc[0]
    # tickets 90 + 45; hours 10 x 150 + 2 x 400; the qbr was not attended
    assert row["support_cost_usd"] == 135
    assert row["services_cost_usd"] == 1500
    assert row["executive_cost_usd"] == 800
    assert row["cost_to_serve_usd"] == 2435
    assert row["revenue_12m_usd"] == 12_000
    assert row["margin_usd"] == 12_000 - 2435
    assert invest.cost_to_serve({"high": 1, "normal": 1},
                                {"professional_services": 10, "executive_meeting": 2},
                                config) == 2435


def test_cost_config_file_is_complete():
    config = invest.load_cost_config()
    assert set(config.ticket_usd) == set(invest.TICKET_PRIORITIES)
    assert set(config.hour_usd) == set(invest.ENGAGEMENT_TYPES)


@pytest.fixture(scope="module")
def demo_results(demo_db):
    scope = {"segments": [], "regions": [], "plans": []}
    counts = execute("invest_driver_counts", {**scope, "as_of_month": D(2026, 10, 1),
                                              "opening_month": D(2025, 10, 1)}, demo_db)
    model = execute("invest_model_drivers", scope, demo_db)
    return model, invest.driver_results(model, counts)


def test_the_model_adjusts_what_the_crude_comparison_confounds(demo_results):
    _, results = demo_results
    by_id = {result.driver_id: result for result in results}
    # executive coverage follows segment (SMB accounts rarely meet an executive and churn
    # most): the crude comparison overstates the effect the model finds
    meeting = by_id["no_executive_meeting"]
    assert meeting.crude.value > meeting.hazard_ratio.value * 1.2
    assert meeting.hazard_ratio.low > 1
    # revenue decline travels with the planted traits but was planted with no effect
    assert by_id["revenue_decline"].reading in ("can't tell from chance", "lowers churn")


def test_driver_arr_at_risk_adds_up_over_segments(demo_db, demo_results):
    model, results = demo_results
    smb = execute("invest_model_drivers", {"segments": ["SMB"], "regions": [], "plans": []},
                  demo_db)
    assert set(smb["segment"].dropna()) == {"SMB"}
    for driver_id, group in smb.groupby("driver_id"):
        everywhere = model.loc[(model["driver_id"] == driver_id) & (model["segment"] == "SMB")]
        assert group["now_at_risk_arr_usd"].sum() == pytest.approx(
            everywhere["now_at_risk_arr_usd"].sum())
    slow = next(r for r in results if r.driver_id == "slow_support")
    assert slow.at_risk_arr_usd.low < slow.at_risk_arr_usd.value < slow.at_risk_arr_usd.high
    assert slow.at_risk_arr_usd.value < slow.exposed_arr_usd


def test_customer_motion_in_sql_follows_the_quadrant_rule(demo_db):
    params = {"segments": [], "regions": [], "plans": [], "as_of_month": D(2026, 10, 1),
              "grain": "account", "limit": 50, **invest.load_cost_config().query_params(),
              **settings.load_config().query_params()}
    frame = execute("invest_customers", params, demo_db)
    scored = frame.loc[frame["motion"] != "Not scored"]
    assert set(scored["motion"]) == set(invest.MOTION_ORDER)
    for row in scored.itertuples():
        assert row.motion == invest.quadrant(
            row.arr_usd, row.health_score, row.arr_threshold_usd, row.health_threshold
        )


def test_follow_up_reads_the_same_in_the_model_and_the_closed_loop_tab(demo_db):
    contrast = execute("churn_model_contrasts", {}, demo_db).set_index("contrast").loc[
        "detractor_followed_up_vs_not"]
    assert contrast["hr_high_95"] < 1  # followed-up detractors leave slower, beyond noise
    loop = execute("closed_loop_retention", {
        "segments": [], "regions": [], "plans": [], "target_days": 7,
        "as_of_date": D(2026, 10, 31), "horizon_days": 180}, demo_db).set_index("was_followed_up")
    verdict = significance.rates(loop.loc[True, "churned_within_horizon"],
                                 loop.loc[True, "detractor_answers"],
                                 loop.loc[False, "churned_within_horizon"],
                                 loop.loc[False, "detractor_answers"])
    assert loop.loc[True, "churn_pct"] < loop.loc[False, "churn_pct"]
    assert verdict.status is significance.Status.BEYOND_NOISE
    text = invest.follow_up_reading(invest.Estimate(
        contrast["hazard_ratio"], contrast["hr_low_95"], contrast["hr_high_95"]))
    assert text.startswith("Detractors followed up within 14 days leave slower")


def test_model_reading_says_what_where_to_invest_uses_and_why_a_comparison_can_differ():
    terms = pd.DataFrame([
        {"driver_id": "not_cab_member", "hazard_ratio": 1.9, "hr_low_95": 1.03,
         "hr_high_95": 3.52, "exposed_accounts": 12_486, "exposed_events": 900, "note": None},
        {"driver_id": "no_executive_meeting", "hazard_ratio": 1.1, "hr_low_95": 0.9,
         "hr_high_95": 1.3, "exposed_accounts": 9_000, "exposed_events": 700, "note": None},
        {"driver_id": "poor_services", "hazard_ratio": None, "hr_low_95": None,
         "hr_high_95": None, "exposed_accounts": 3, "exposed_events": 0,
         "note": "too few exposed churn events"},
    ])
    board = invest.model_reading("not_cab_member", terms)
    assert "\"not on the advisory board\" raises churn beyond noise: hazard ratio 1.90 " \
        "(1.03–3.52); Where to invest ranks and sizes it by this figure." in board
    assert "can differ" in board
    meetings = invest.model_reading("no_executive_meeting", terms)
    assert "can't tell from chance: hazard ratio 1.10 (0.90–1.30); Where to invest does not " \
        "rank it." in meetings
    assert invest.model_reading("poor_services", terms) == (
        "The churn model could not estimate \"poor professional-services survey\" (too few "
        "exposed churn events), so Where to invest neither ranks nor sizes it.")


def customers_frame() -> pd.DataFrame:
    # invest_customers at the segment grain: one row per segment and motion
    return pd.DataFrame({
        "segment": ["SMB", "SMB", "Enterprise"],
        "motion": ["Invest", "Monitor", "Invest"],
        "accounts": [2, 3, 1],
        "arr_usd": [100.0, 50.0, 1000.0],
        "revenue_12m_usd": [80.0, 20.0, 0.0],
        "cost_to_serve_usd": [30.0, 20.0, 40.0],
        "margin_usd": [50.0, 0.0, -40.0],
        "arr_threshold_usd": [None, 75.0, 75.0],
    })


def test_segment_table_sums_each_segment_and_divides_cost_and_margin():
    table = invest.segment_table(customers_frame()).set_index("Segment")
    assert table.loc["SMB", "Accounts"] == 5
    assert table.loc["SMB", "Cost to serve"] == 50.0
    assert table.loc["SMB", "Cost per account"] == 10.0
    assert table.loc["SMB", "Margin %"] == pytest.approx(50.0)  # 50 margin on 100 revenue
    # no revenue: no margin % rather than a division by zero
    assert math.isnan(table.loc["Enterprise", "Margin %"])


def test_arr_threshold_is_the_first_known_one():
    assert invest.arr_threshold(customers_frame()) == 75.0
    assert math.isnan(invest.arr_threshold(customers_frame().assign(arr_threshold_usd=None)))


def test_motion_totals_cover_every_motion_in_order():
    totals = invest.motion_totals(customers_frame())
    assert [total.motion for total in totals] == invest.MOTION_ORDER
    by_motion = {total.motion: total for total in totals}
    assert (by_motion["Invest"].accounts, by_motion["Invest"].arr_usd,
            by_motion["Invest"].margin_usd) == (3, 1100.0, 10.0)
    assert by_motion["Protect"].accounts == 0
    assert by_motion["Monitor"].caption() == "accounts · $50 ARR · margin $0"


def test_accounts_table_lists_one_motion_largest_arr_first():
    accounts = pd.DataFrame({
        "account_id": ["A1", "A2", "A3"], "account_name": ["Small", "Big", "Other"],
        "segment": ["SMB"] * 3, "motion": ["Invest", "Invest", "Protect"],
        "arr_usd": [10.0, 20.0, 30.0], "health_score": [71.6, 80.2, 50.0],
        "revenue_12m_usd": [1.0] * 3, "cost_to_serve_usd": [1.0] * 3,
        "support_cost_usd": [1.0] * 3, "services_cost_usd": [0.0] * 3,
        "executive_cost_usd": [0.0] * 3, "margin_usd": [0.0] * 3, "tickets_12m": [1] * 3,
        "staff_hours_12m": [0.0] * 3})
    table = invest.accounts_table(accounts, "Invest")
    assert list(table["ARR"]) == [20.0, 10.0]
    assert list(table["Health"]) == [80.0, 72.0]
    assert table["Account"].iloc[0].endswith("#Big")


def test_follow_up_contrast_reads_the_detractor_contrast_or_nothing():
    contrasts = pd.DataFrame({"contrast": ["other", "detractor_followed_up_vs_not"],
                              "hazard_ratio": [9.0, 0.6], "hr_low_95": [8.0, 0.4],
                              "hr_high_95": [10.0, 0.9]})
    assert invest.follow_up_contrast(contrasts) == invest.Estimate(0.6, 0.4, 0.9)
    assert math.isnan(invest.follow_up_contrast(contrasts.iloc[:1]).value)


def test_no_driver_reason_is_the_current_fits_note():
    fits = pd.DataFrame({"model": ["previous", "current"], "note": ["old", "too few churned"]})
    assert invest.no_driver_reason(fits) == "too few churned"
    assert invest.no_driver_reason(fits.assign(note="")) == (
        "the churn model has no driver it could estimate")


def test_initiative_cards_name_the_best_sized_return_and_the_total_cost():
    ranked = pd.DataFrame({
        "initiative_name": ["Unsized", "Best"], "rankable": [True, True],
        "sized": [False, True], "return_multiple": [9.0, 3.0], "return_low": [1.0, 2.0],
        "return_high": [90.0, 4.0], "cost_usd": [100.0, 250.0],
        "driver_id": ["d1", "d2"], "reduction_pct": [50.0, 10.0],
        "driver_at_risk_arr_usd": [1000.0, 2000.0]})
    cards = invest.initiative_cards(ranked)
    assert cards[0].value == display.format_number(3.0, "multiple")
    assert cards[0].help.startswith("Best: ")
    assert cards[1].value == "$200"  # only the sized initiative: 10% of 2,000
    assert cards[2].value == "$350"
    assert invest.initiative_cards(ranked.assign(sized=False))[0].value == "—"


def test_started_initiatives_and_scored_accounts():
    initiatives = pd.DataFrame({"initiative_id": ["i1", "i2"], "months_since_start": [None, 3]})
    assert list(invest.started(initiatives)["initiative_id"]) == ["i2"]
    accounts = pd.DataFrame({"account_id": ["a", "b"], "motion": ["Not scored", "Invest"]})
    assert list(invest.scored_accounts(accounts)["account_id"]) == ["b"]


def test_unclear_text_lists_the_drivers_that_cannot_be_told_from_chance(model_results):
    # poor_services' interval (0.7–2.4) includes 1; the others' do not
    label = next(result.driver.label for result in model_results
                 if result.driver.driver_id == "poor_services")
    assert invest.unclear_text(model_results) == (
        f"Can't tell from chance (interval includes 1, so not ranked or recommended): {label}.")
    assert invest.unclear_text([]) == ""
