"""Goals: status rules, alignment score, the two-periods-running rule, and the computed KPI
actuals of the rollup against a hand-worked fixture."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from northstar.analytics import alignment, goals
from northstar.data.db.rollups import build_rollups
from northstar.ui.page_queries import execute

D = dt.date
H, L = "higher_is_better", "lower_is_better"


# --- status -----------------------------------------------------------------------------------

@pytest.mark.parametrize("actual, target, direction, unit, expected", [
    (80, 80, H, "pct", "on_track"),  # meeting the target is on track
    (85, 80, H, "pct", "on_track"),
    (76, 80, H, "pct", "at_risk"),  # misses by exactly 5% of 80 = 4: still at risk
    (75.99, 80, H, "pct", "off_track"),  # just beyond the tolerance
    (4.0, 4.0, L, "hours", "on_track"),  # lower is better
    (3.5, 4.0, L, "hours", "on_track"),
    (4.2, 4.0, L, "hours", "at_risk"),  # 4.2 - 4.0 = 0.2 = 5% of 4
    (4.21, 4.0, L, "hours", "off_track"),
    (0, 0, L, "count", "on_track"),  # target 0: absolute tolerance of 1 unit
    (1, 0, L, "count", "at_risk"),
    (1.5, 0, L, "count", "off_track"),
    (-500, 0, H, "usd", "at_risk"),  # $1,000 tolerance at a zero usd target
    (-1500, 0, H, "usd", "off_track"),
    (-20, -20, H, "score", "on_track"),  # negative targets: tolerance is 5% of |target|
    (-21, -20, H, "score", "at_risk"),
    (None, 80, H, "pct", "no_data"),  # missing actual
    (math.nan, 80, H, "pct", "no_data"),
    (80, None, H, "pct", "no_data"),  # missing target
    (80, math.nan, H, "pct", "no_data"),
])
def test_status_rules(actual, target, direction, unit, expected):
    assert goals.kpi_status(actual, target, direction, unit) == expected


def test_status_text_has_shape_and_words():
    assert goals.status_text("on_track") == "✓ On track"
    assert goals.status_text("at_risk") == "▲ At risk"
    assert goals.status_text("off_track") == "✕ Off track"
    assert goals.status_text("no_data") == "– No data"


# --- alignment score --------------------------------------------------------------------------

def catalogue(rows: list[tuple]) -> pd.DataFrame:
    """(kpi_id, department_id, target, direction, grain, outcome_ids) -> a goal_kpis frame."""
    return pd.DataFrame(
        [
            {"kpi_id": kpi_id, "department_id": department, "department_name": department.title(),
             "kpi_name": kpi_id, "unit": "pct", "direction": direction, "target_value": target,
             "period_grain": grain, "outcome_ids": outcomes}
            for kpi_id, department, target, direction, grain, outcomes in rows
        ]
    )


DEPARTMENTS = pd.DataFrame({"department_id": ["a", "b", "c"],
                            "department_name": ["A", "B", "C"]})


@pytest.fixture()
def scored():
    kpis = catalogue([
        ("a1", "a", 50.0, H, "month", ["retention"]),  # on track: 1
        ("a2", "a", 50.0, H, "month", ["satisfaction"]),  # at risk: 0.5
        ("a3", "a", 50.0, H, "month", []),  # on track but serves no outcome: 0
        ("a4", "a", None, H, "month", ["growth"]),  # no target: 0
        ("b1", "b", 10.0, L, "month", ["effort"]),  # no actual: 0
        ("b2", "b", 10.0, L, "quarter", ["effort", "retention"]),  # on track: 1
    ])
    actuals = pd.DataFrame([
        ("a1", D(2026, 1, 1), 40.0), ("a1", D(2026, 2, 1), 60.0),  # mean 50: on track
        ("a1", D(2025, 12, 1), 0.0),  # outside the window
        ("a2", D(2026, 2, 1), 48.0),
        ("a3", D(2026, 2, 1), 99.0),
        ("a4", D(2026, 2, 1), 99.0),
        ("b2", D(2026, 1, 1), 8.0),  # the quarter overlapping February counts
    ], columns=["kpi_id", "period_start", "actual_value"])
    statuses = goals.kpi_statuses(kpis, actuals, D(2026, 2, 1), D(2026, 2, 1))
    statuses_two = goals.kpi_statuses(kpis, actuals, D(2026, 1, 1), D(2026, 2, 1))
    return kpis, actuals, statuses, statuses_two


def test_period_actual_is_the_mean_of_the_window(scored):
    _, _, february, two_months = scored
    by_kpi = two_months.set_index("kpi_id")
    assert by_kpi.loc["a1", "actual_value"] == pytest.approx(50.0)
    assert by_kpi.loc["a1", "periods"] == 2
    assert february.set_index("kpi_id").loc["a1", "actual_value"] == pytest.approx(60.0)
    assert february.set_index("kpi_id").loc["b2", "actual_value"] == pytest.approx(8.0)
    assert by_kpi.loc["b1", "periods"] == 0 and math.isnan(by_kpi.loc["b1", "actual_value"])


def test_alignment_score_weights(scored):
    _, _, _, statuses = scored
    assert dict(zip(statuses["kpi_id"], statuses["status"], strict=True)) == {
        "a1": "on_track", "a2": "at_risk", "a3": "on_track", "a4": "no_data",
        "b1": "no_data", "b2": "on_track",
    }
    scores = goals.department_scores(statuses, DEPARTMENTS).set_index("department_id")
    assert scores.loc["a", "score_pct"] == pytest.approx(100 * (1 + 0.5 + 0 + 0) / 4)
    assert scores.loc["b", "score_pct"] == pytest.approx(100 * (0 + 1) / 2)
    assert scores.loc["a", "serving_no_outcome"] == 1
    assert scores.loc["c", "kpis"] == 0 and math.isnan(scores.loc["c", "score_pct"])
    # overall: mean over departments with KPIs, each counting once
    assert goals.overall_score(scores) == pytest.approx((37.5 + 50) / 2)


def test_outcome_matrix_and_unowned_outcomes(scored):
    kpis, _, _, statuses = scored
    outcomes = pd.DataFrame({"outcome_id": ["retention", "effort", "advocacy"],
                             "outcome_name": ["Retention", "Effort", "Advocacy"]})
    matrix = goals.outcome_matrix(statuses, DEPARTMENTS, outcomes).set_index(
        ["department_id", "outcome"])
    assert matrix.loc[("a", "Retention"), "kpis"] == 1
    assert matrix.loc[("b", "Effort"), "kpis"] == 2
    assert matrix.loc[("b", "Effort"), "share_pct"] == pytest.approx(50.0)
    assert matrix.loc[("a", goals.NO_OUTCOME), "kpis"] == 1
    assert goals.cell_text(matrix.loc[("b", "Effort")]) == "2 KPIs<br>✓1 –1"
    assert goals.unowned_outcomes(kpis["outcome_ids"], outcomes) == ["Advocacy"]


def test_quarterly_scores(scored):
    kpis, actuals, _, _ = scored
    trend = goals.quarterly_scores(kpis, actuals, DEPARTMENTS, D(2026, 2, 1))
    assert list(dict.fromkeys(trend["quarter"])) == ["Q4 2025", "Q1 2026 (to date)"]
    q1 = trend.loc[trend["quarter"] == "Q1 2026 (to date)"].set_index("series")["score_pct"]
    assert q1["A"] == pytest.approx(37.5) and q1["Overall"] == pytest.approx(43.75)


# --- accountability ---------------------------------------------------------------------------

def test_off_track_two_periods_running():
    kpis = catalogue([
        ("run3", "a", 50.0, H, "month", []),
        ("broken", "a", 50.0, H, "month", []),
        ("gap", "a", 50.0, H, "month", []),
        ("once", "a", 50.0, H, "month", []),
        ("lower", "a", 10.0, L, "quarter", []),
        ("future", "a", 50.0, H, "month", []),
    ])
    rows = [
        # off, off, off (Feb-Apr) after an on-track January: 3 running since February
        ("run3", D(2026, 1, 1), 60), ("run3", D(2026, 2, 1), 40), ("run3", D(2026, 3, 1), 40),
        ("run3", D(2026, 4, 1), 10),
        # off, at risk, off: the at-risk month ends the run at 1
        ("broken", D(2026, 2, 1), 10), ("broken", D(2026, 3, 1), 48), ("broken", D(2026, 4, 1), 10),
        # off in Feb and Apr with no actual in March: a gap ends the run
        ("gap", D(2026, 2, 1), 10), ("gap", D(2026, 4, 1), 10),
        ("once", D(2026, 3, 1), 60), ("once", D(2026, 4, 1), 10),
        # quarterly, lower is better: two quarters above 10.5
        ("lower", D(2025, 10, 1), 12), ("lower", D(2026, 1, 1), 11),
        # the latest actual after the end month is not counted
        ("future", D(2026, 3, 1), 10), ("future", D(2026, 4, 1), 10), ("future", D(2026, 5, 1), 90),
    ]
    actuals = pd.DataFrame(rows, columns=["kpi_id", "period_start", "actual_value"])
    runs = goals.off_track_runs(kpis, actuals, D(2026, 4, 1)).set_index("kpi_id")
    assert set(runs.index) == {"run3", "lower", "future"}
    assert runs.loc["run3", "periods_running"] == 3 and runs.loc["run3", "since"] == D(2026, 2, 1)
    assert runs.loc["lower", "periods_running"] == 2
    assert runs.loc["future", "latest_period"] == D(2026, 4, 1)


def test_the_latest_period_stands_beside_the_periods_mean():
    """A 12-month mean on track while the last three months are below target says so, and an
    off-track mean whose latest month is on track never reads '0 periods in a row'."""
    kpis = catalogue([
        ("slipping", "a", 50.0, H, "month", []),
        ("recovered", "a", 50.0, H, "month", []),
        ("quarterly", "a", 50.0, H, "quarter", []),
    ]).assign(owner_name="Ana", next_review_on=None, source="computed", outcome_names="")
    rows = [(("slipping", D(2025, month, 1), 70)) for month in range(5, 13)]
    rows += [("slipping", D(2026, month, 1), 40) for month in (1, 2, 3)]
    rows += [("recovered", D(2025, month, 1), 10) for month in range(5, 13)]
    rows += [("recovered", D(2026, 3, 1), 60)]
    rows += [("quarterly", D(2025, 10, 1), 20), ("quarterly", D(2026, 1, 1), 20)]
    actuals = pd.DataFrame(rows, columns=["kpi_id", "period_start", "actual_value"])
    statuses = goals.kpi_statuses(kpis, actuals, D(2025, 4, 1), D(2026, 3, 1))
    latest = goals.latest_statuses(kpis, actuals, D(2026, 3, 1))
    table = goals.status_table(statuses, latest, department_links=False,
                               as_of=D(2026, 3, 1)).set_index("KPI")
    # the mean of 8 months at 70 and 3 at 40 is 61.8: on track; its last 3 months are not
    assert table.loc["slipping", "Status"] == "✓ On track"
    assert table.loc["slipping", "Latest period"] == "✕ Off track · 3 months in a row"
    # the mean is off track, the latest month on track: it says which month
    assert table.loc["recovered", "Status"] == "✕ Off track"
    assert table.loc["recovered", "Latest period"] == "✓ On track · Mar 2026"
    assert table.loc["quarterly", "Latest period"] == "✕ Off track · 2 quarters in a row"
    assert "Off track in a row (periods)" not in table.columns


# --- computed actuals (the rollup) ------------------------------------------------------------

COMPUTED = {
    "k_first_response": ("customer_service", "hours", L, "month", "first_response_median_hours"),
    "k_resolution": ("customer_service", "hours", L, "month", "resolution_median_hours"),
    "k_support_csat": ("customer_service", "pct", H, "month", "support_csat_pct"),
    "k_post_ps_csat": ("professional_services", "pct", H, "month", "post_ps_csat_pct"),
    "k_onboarding_csat": ("professional_services", "pct", H, "month", "onboarding_csat_pct"),
    "k_defects": ("product_development", "count", L, "month", "defect_tickets_per_1k_accounts"),
    "k_new_arr": ("sales", "usd", H, "month", "new_arr_usd"),
    "k_expansion_arr": ("sales", "usd", H, "month", "expansion_arr_usd"),
    "k_nps": ("market_research", "score", H, "month", "relationship_nps"),
    "k_coverage": ("market_research", "pct", H, "quarter", "survey_coverage_pct"),
}


@pytest.fixture()
def computed_db(empty_db):
    from northstar.data.db.schema import insert_reference_rows

    con, path = empty_db
    insert_reference_rows(con)
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-03-31')")
    con.execute("""insert into accounts (account_id, account_name, segment, industry, region, plan,
        start_date) values
        ('A1', 'One', 'SMB', 'x', 'EMEA', 'Basic', '2025-12-01'),
        ('A2', 'Two', 'Enterprise', 'x', 'EMEA', 'Pro', '2025-12-01'),
        ('A3', 'Three', 'SMB', 'x', 'EMEA', 'Basic', '2026-03-01')""")
    # A1 100 -> 100 -> 150 (expansion of 50 in March), A2 flat 200, A3 new in March at 50
    con.execute("""insert into account_mrr_monthly values
        ('A1', '2026-01-01', 100), ('A1', '2026-02-01', 100), ('A1', '2026-03-01', 150),
        ('A2', '2026-01-01', 200), ('A2', '2026-02-01', 200), ('A2', '2026-03-01', 200),
        ('A3', '2026-03-01', 50)""")
    con.execute("""insert into support_tickets (ticket_id, account_id, department_id, opened_at,
        first_response_at, resolved_at, status, priority, category, channel) values
        ('T1', 'A1', 'customer_service', '2026-03-02 08:00', '2026-03-02 10:00', '2026-03-02 18:00',
         'solved', 'normal', 'defect', 'email'),
        ('T2', 'A2', 'customer_service', '2026-03-05 08:00', '2026-03-05 12:00', '2026-03-06 14:00',
         'solved', 'normal', 'how-to', 'email'),
        ('T3', 'A3', 'product_development', '2026-03-10 08:00', '2026-03-10 17:00', null,
         'open', 'high', 'defect', 'portal'),
        ('T4', 'A1', 'customer_service', '2026-02-27 08:00', '2026-02-27 09:00', '2026-03-01 08:00',
         'closed', 'low', 'billing', 'chat')""")
    con.execute("""insert into survey_responses (response_id, account_id, survey_type, program,
        department_id, responded_on, score) values
        ('S1', 'A1', 'CSAT', 'support', 'customer_service', '2026-03-03', 5),
        ('S2', 'A2', 'CSAT', 'support', 'customer_service', '2026-03-04', 4),
        ('S3', 'A1', 'CSAT', 'support', 'customer_service', '2026-03-05', 2),
        ('S4', 'A2', 'CSAT', 'support', 'customer_service', '2026-03-06', 1),
        ('S5', 'A1', 'CSAT', 'post_professional_services', 'professional_services', '2026-03-07', 5),
        ('S6', 'A2', 'CSAT', 'post_installation', 'professional_services', '2026-03-08', 3),
        ('S7', 'A3', 'CSAT', 'post_installation', 'professional_services', '2026-03-09', 4),
        ('S8', 'A1', 'NPS', 'relationship', 'market_research', '2026-03-10', 10),
        ('S9', 'A2', 'NPS', 'relationship', 'market_research', '2026-03-11', 5),
        ('S10', 'A1', 'NPS', 'relationship', 'market_research', '2026-03-12', 9)""")
    con.executemany(
        "insert into department_kpis (kpi_id, department_id, kpi_name, definition, unit, "
        "direction, target_value, period_grain, source, computation) values "
        "($1, $2, $1, 'fixture', $3, $4, 1, $5, 'computed', $6)",
        [[kpi_id, *spec] for kpi_id, spec in COMPUTED.items()],
    )
    con.execute("""insert into department_kpis (kpi_id, department_id, kpi_name, definition, unit,
        direction, target_value, period_grain, source) values
        ('k_imported', 'marketing', 'Imported', 'fixture', 'count', 'higher_is_better', 10,
         'month', 'imported')""")
    # a loaded actual for an imported kpi stays; one for a computed kpi is replaced
    con.execute("""insert into kpi_actuals values ('k_imported', '2026-03-01', 7.5),
        ('k_nps', '2026-03-01', 99), ('k_nps', '2025-06-01', 99)""")
    build_rollups(con)
    build_rollups(con)  # rebuilding gives the same rows
    actuals = {
        (kpi_id, str(period)): value
        for kpi_id, period, value in con.execute("select * from kpi_actuals").fetchall()
    }
    con.close()  # the query runner opens the file read-only
    return actuals, path


def test_computed_actuals_match_hand_worked_values(computed_db):
    actuals, _ = computed_db
    expected = {
        # first response: Feb T4 1 h; Mar T1 2 h, T2 4 h, T3 9 h -> median 4
        ("k_first_response", "2026-02-01"): 1.0,
        ("k_first_response", "2026-03-01"): 4.0,
        # resolved in March: T4 48 h, T1 10 h, T2 30 h -> median 30 (February: none resolved)
        ("k_resolution", "2026-03-01"): 30.0,
        ("k_support_csat", "2026-03-01"): 50.0,  # 5, 4, 2, 1
        ("k_post_ps_csat", "2026-03-01"): 100.0,
        ("k_onboarding_csat", "2026-03-01"): 50.0,  # 3, 4
        # defects per 1,000 billed accounts: none in Jan (2 accounts) and Feb; T1, T3 / 3 in Mar
        ("k_defects", "2026-01-01"): 0.0,
        ("k_defects", "2026-02-01"): 0.0,
        ("k_defects", "2026-03-01"): round(1000 * 2 / 3, 4),
        # January has no month before it in the data: no new or expansion ARR
        ("k_new_arr", "2026-02-01"): 0.0,
        ("k_new_arr", "2026-03-01"): 12 * 50.0,
        ("k_expansion_arr", "2026-02-01"): 0.0,
        ("k_expansion_arr", "2026-03-01"): 12 * 50.0,
        ("k_nps", "2026-03-01"): round(100 * (2 / 3 - 1 / 3), 4),  # 10, 5, 9
        # Q1 2026: A1 and A2 of the 3 accounts billed in March answered in Oct-Mar
        ("k_coverage", "2026-01-01"): round(100 * 2 / 3, 4),
        ("k_imported", "2026-03-01"): 7.5,
    }
    assert actuals.keys() == expected.keys()
    for key, value in expected.items():
        assert actuals[key] == pytest.approx(value), key


def test_drill_queries_list_the_rows_behind(computed_db):
    _, path = computed_db
    scope = {"segments": [], "regions": [], "plans": []}

    def rows(computation, period, grain="month"):
        query, params = goals.drill_params(computation, period, grain, D(2026, 3, 31))
        return execute(query, {**params, **scope}, path)

    tickets = rows("first_response_median_hours", D(2026, 3, 1))
    assert list(tickets["ticket_id"]) == ["T3", "T2", "T1"]  # slowest first
    assert int(tickets["total_rows"].iloc[0]) == 3
    assert set(rows("resolution_median_hours", D(2026, 3, 1))["ticket_id"]) == {"T1", "T2", "T4"}
    assert set(rows("defect_tickets_per_1k_accounts", D(2026, 3, 1))["ticket_id"]) == {"T1", "T3"}
    assert list(rows("support_csat_pct", D(2026, 3, 1))["score"]) == [1, 2, 4, 5]
    assert list(rows("new_arr_usd", D(2026, 3, 1))["account_id"]) == ["A3"]
    expansion = rows("expansion_arr_usd", D(2026, 3, 1))
    assert list(expansion["account_id"]) == ["A1"]
    assert expansion["change_arr_usd"].iloc[0] == pytest.approx(600)
    coverage = rows("survey_coverage_pct", D(2026, 1, 1), "quarter")
    assert list(coverage["account_id"]) == ["A3", "A2", "A1"]  # the uncovered account first
    assert int(coverage["covered_rows"].iloc[0]) == 2
    query, params = goals.drill_params("first_response_median_hours", D(2026, 3, 1), "month",
                                       D(2026, 3, 31))
    smb = execute(query, {**params, **scope, "segments": ["SMB"]}, path)
    assert set(smb["ticket_id"]) == {"T1", "T3"}


def test_goal_catalogue_query(computed_db):
    _, path = computed_db
    kpis = execute("goal_kpis", {}, path)
    assert len(kpis) == len(COMPUTED) + 1
    assert list(kpis.loc[kpis["kpi_id"] == "k_imported", "outcome_ids"].iloc[0]) == []


def test_the_accountability_list_names_the_latest_period_without_nested_brackets():
    runs = pd.DataFrame({"kpi_id": ["K1"], "periods_running": [3],
                         "since": [dt.date(2026, 4, 1)], "latest_actual": [28.3],
                         "latest_period": [dt.date(2026, 10, 1)]})
    kpis = pd.DataFrame({"kpi_id": ["K1"], "department_id": ["marketing"],
                         "department_name": ["Marketing"], "kpi_name": ["Survey coverage"],
                         "period_grain": ["quarter"], "unit": ["pct"], "target_value": [30.0],
                         "owner_name": [None], "next_review_on": [None]})
    table = goals.accountability_table(runs, kpis, dt.date(2026, 10, 1))
    assert table["Latest actual"].iloc[0] == "28.3% · Q4 2026 (to date)"
    assert table["Since"].iloc[0] == "Q2 2026"
    assert table["Owner"].iloc[0] == "—"


def test_ticket_drill_words_are_capitalised_like_every_other_ticket_list():
    frame = pd.DataFrame({
        "ticket_id": ["T1"], "account_id": ["A1"], "account_name": ["Northwind"],
        "opened_at": [pd.Timestamp(2026, 10, 1)], "first_response_hours": [2.0],
        "resolution_hours": [30.0], "category": ["feature request"], "priority": ["high"],
        "status": ["solved"], "department_name": ["Customer Service & Support"],
    })
    table = goals.drill_table(frame, "goal_drill_tickets")
    assert list(table.loc[0, ["Category", "Priority", "Status"]]) == [
        "Feature request", "High", "Solved"]


# --- the goal alignment page (northstar.analytics.alignment) ----------------------------------

def test_alignment_grids_put_departments_in_order_and_outcomes_then_none(scored):
    _, _, _, statuses = scored
    outcomes = pd.DataFrame({"outcome_id": ["retention", "effort"],
                             "outcome_name": ["Retention", "Effort"]})
    shares, texts = alignment.matrix_grids(statuses, DEPARTMENTS, outcomes)
    assert list(shares.index) == ["A", "B", "C"]
    assert list(shares.columns) == ["Retention", "Effort", goals.NO_OUTCOME]
    assert shares.loc["B", "Effort"] == pytest.approx(50.0)
    assert texts.loc["B", "Effort"] == "2 KPIs<br>✓1 –1"
    assert texts.loc["C", "Retention"] == "—"


def test_alignment_scores_ranked_and_tabled(scored):
    _, _, _, statuses = scored
    scores = goals.department_scores(statuses, DEPARTMENTS)
    ranked = alignment.ranked_scores(scores)
    assert list(ranked["department_id"]) == ["b", "a"]  # 50 then 37.5; C has no score
    assert alignment.score_hover(ranked)[0] == (
        "2 KPIs: 1 on track, 0 at risk, 0 off track, 1 no data")
    table = alignment.score_table(scores)
    assert table["Department"].iloc[0].endswith("#A")
    assert list(table["Serving no outcome"]) == [1, 0, 0]


def test_alignment_quarterly_grid_ends_with_overall(scored):
    kpis, actuals, _, _ = scored
    trend = goals.quarterly_scores(kpis, actuals, DEPARTMENTS, D(2026, 2, 1))
    table = alignment.quarterly_table(trend, ["B", "A", "C"])
    assert list(table.index)[-1] == "Overall"
    assert list(table.columns) == ["Q4 2025", "Q1 2026 (to date)"]
    assert table.loc["A", "Q1 2026 (to date)"] == pytest.approx(37.5)


def test_alignment_gaps_name_each_gap_escaped(scored):
    kpis, _, _, statuses = scored
    outcomes = pd.DataFrame({"outcome_id": ["retention", "advocacy"],
                             "outcome_name": ["Retention", "*Advocacy*"]})
    scores = goals.department_scores(statuses, DEPARTMENTS)
    found = alignment.gaps(statuses, kpis, outcomes, scores)
    assert "- a3 (A) — " in found.unaligned_kpis
    assert found.unowned_outcomes.endswith("\\*Advocacy\\*.")
    assert found.departments_without_kpis.endswith(": C.")
    served = kpis.assign(outcome_ids=[["retention"]] * len(kpis))
    none = alignment.gaps(statuses.assign(serves_outcome=True), served,
                          outcomes.iloc[:1], scores.loc[scores["kpis"] > 0])
    assert none == alignment.Gaps(None, None, None)
