"""Where to invest: the estimators against hand-computed numbers, a confounded fixture, ROI,
the quadrant rule, cost to serve on a fixture, and the truth check on the demo data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from northstar.analytics import invest
from northstar.analytics.invest import Stratum
from northstar.data import settings
from northstar.data.months import add_months
from northstar.ui.queries import execute

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


def test_mantel_haenszel_with_greenland_robins_interval():
    strata = [Stratum(a=10, n1=50, c=5, n0=50), Stratum(a=30, n1=100, c=4, n0=20)]
    # R = 10x50/100 + 30x20/120 = 10; S = 5x50/100 + 4x100/120 = 5.8333; RR = 12/7
    # Var = [(50x50x15 - 10x5x100)/100^2 + (100x20x34 - 30x4x120)/120^2] / (R x S)
    #     = (3.25 + 3.72222) / 58.3333 = 0.119524
    estimate = invest.mantel_haenszel(strata)
    assert estimate.value == pytest.approx(12 / 7)
    se = math.sqrt(0.119524)
    assert estimate.low == pytest.approx(12 / 7 * math.exp(-1.959964 * se), rel=1e-4)
    assert estimate.high == pytest.approx(12 / 7 * math.exp(1.959964 * se), rel=1e-4)
    assert estimate.low == pytest.approx(0.8705, abs=1e-3)
    assert estimate.high == pytest.approx(3.376, abs=1e-3)


def test_stratification_removes_confounding_by_segment():
    # within each segment the exposed churn exactly as often as the unexposed (RR 1), but the
    # exposure sits mostly in the high-churn segment, so the crude comparison blames it
    smb, enterprise = Stratum(a=40, n1=100, c=8, n0=20), Stratum(a=1, n1=20, c=5, n0=100)
    crude = invest.risk_ratio(41, 120, 13, 120)
    assert crude.value == pytest.approx(41 / 13)
    assert crude.low > 1
    adjusted = invest.mantel_haenszel([smb, enterprise])
    assert adjusted.value == pytest.approx(1.0)
    assert adjusted.low < 1 < adjusted.high
    # a segment without an unexposed group carries no comparison and is ignored
    assert invest.mantel_haenszel([smb, enterprise, Stratum(5, 10, 0, 0)]).value == pytest.approx(1)


def test_attributable_arr_at_risk():
    # exposed ARR x risk of the exposed x (1 - 1/RR): 1000 x 0.4 x 0.5 + 5000 x 0.05 x 0.5
    assert invest.attributable(
        {"SMB": 1000, "Enterprise": 5000, "Mid-Market": 700},
        {"SMB": 0.4, "Enterprise": 0.05}, 2.0,
    ) == pytest.approx(325)
    # a protective or null driver puts nothing at risk
    assert invest.attributable({"SMB": 1000}, {"SMB": 0.4}, 0.8) == 0


def test_expected_risk_ratio_from_a_hazard_ratio():
    # unexposed 12-month risk 12% -> monthly hazard h = 1 - 0.88^(1/12); exposed risk
    # 1 - (1 - 2h)^12
    hazard = 1 - 0.88 ** (1 / 12)
    expected = (1 - (1 - 2 * hazard) ** 12) / 0.12
    assert invest.expected_risk_ratio(2.0, [Stratum(10, 50, 12, 100)]) == pytest.approx(expected)
    assert expected < 2


def test_driver_result_from_counts():
    rows = []
    for segment, (a, n1, c, n0) in {"SMB": (40, 100, 8, 20), "Enterprise": (1, 20, 5, 100)}.items():
        rows += [
            ("history", "slow_support", segment, True, n1, n1 / 2, a, 0.0, 0, 0, 0),
            ("history", "slow_support", segment, False, n0, n0 / 2, c, 0.0, 0, 0, 0),
        ]
    rows += [("now", "slow_support", "SMB", True, 1, 1, 0, 1000.0, 0, 0, 0)]
    counts = pd.DataFrame(rows, columns=["cohort", "driver_id", "segment", "exposed", "landmarks",
                                         "accounts", "churned", "arr_usd", "nps_answers",
                                         "nps_promoters", "nps_detractors"])
    result = next(result for result in invest.driver_results(counts)
                  if result.driver.driver_id == "slow_support")
    assert result.crude.value == pytest.approx(41 / 13)
    assert result.adjusted.value == pytest.approx(1.0)
    assert result.design_effect == pytest.approx(2.0)  # two landmarks per account
    assert result.exposed_arr_usd == 1000
    assert result.at_risk_arr_usd.value == pytest.approx(0.0)


def test_initiative_roi_and_payback():
    roi = invest.initiative_roi(300_000, 100_000)
    assert roi == {"roi_pct": 200.0, "payback_months": 4.0, "protected_per_dollar": 3.0}
    assert invest.initiative_roi(0, 100_000)["payback_months"] == math.inf


def test_quadrant_rule():
    assert invest.quadrant(20_000, 40, 10_000, 50) == "Invest"
    assert invest.quadrant(20_000, 70, 10_000, 50) == "Protect"
    assert invest.quadrant(10_000, 50, 10_000, 50) == "Protect"  # thresholds are inclusive
    assert invest.quadrant(5_000, 80, 10_000, 50) == "Maintain"
    assert invest.quadrant(5_000, 20, 10_000, 50) == "Monitor"


def test_cost_to_serve_by_hand(empty_db):
    from northstar.data.rollups import build_rollups

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
    params = {"segments": [], "regions": [], "plans": [], "as_of_month": D(2026, 10, 1),
              "opening_month": D(2025, 10, 1)}
    counts = execute("invest_driver_counts", params, demo_db)
    planted = execute("invest_planted_effects", {}, demo_db)
    return counts, invest.driver_results(counts), planted


# estimate within this factor of the relative risk the planted hazard ratio implies
TOLERANCE = 0.35


def test_truth_check_recovers_the_planted_effects(demo_results):
    _, results, planted = demo_results
    check = invest.truth_check(results, planted).set_index("driver_id")
    for driver_id in ("slow_support", "poor_onboarding", "no_executive_meeting",
                      "detractor_not_followed_up", "not_cab_member"):
        row = check.loc[driver_id]
        expected, estimate = row["Expected 12-month RR"], row["Estimated RR (adjusted)"]
        assert estimate > 1, driver_id  # the right direction
        assert 1 - TOLERANCE <= estimate / expected <= 1 + TOLERANCE, (driver_id, estimate)
        # and the interval overlaps the tolerance band around the truth
        assert row["CI low"] <= expected * (1 + TOLERANCE), driver_id
        assert row["CI high"] >= expected * (1 - TOLERANCE), driver_id


def test_segment_adjustment_matters_on_the_demo(demo_results):
    _, results, _ = demo_results
    by_id = {result.driver_id: result for result in results}
    # executive coverage follows segment: the crude comparison overstates the effect
    meeting = by_id["no_executive_meeting"]
    assert meeting.crude.value > meeting.adjusted.value * 1.2
    assert meeting.adjusted.low > 1


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
