"""Retention, Health & risk and Account 360 through AppTest, with filters and drill-downs."""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.shown import as_shown

APP = str(REPO_ROOT / "app.py")


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def open_page(page: str, query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query_params:
        at.query_params.update(query_params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def test_retention_overview(demo):
    at = open_page("views/retention.py")
    assert at.title[0].value == "Retention"
    assert [metric.label for metric in at.metric] == ["NRR", "GRR", "Logo churn", "ARR"]
    assert len(at.get("plotly_chart")) == 2  # bridge and trend
    assert "Starting + new + expansion − contraction − churn = ending ARR" in texts(at.caption)


@pytest.mark.parametrize("view, charts, frames", [
    ("Breakdown", 1, 1), ("Cohorts", 2, 0), ("Churn reasons", 3, 0),
])
def test_retention_tabs_from_the_url(demo, view, charts, frames):
    at = open_page("views/retention.py", {"view": view, "segment": "Mid-Market"})
    assert len(at.get("plotly_chart")) == charts
    assert len(at.dataframe) == frames
    assert "Segment: Mid-Market" in as_shown(at.caption[0].value)


def test_breakdown_dimensions_switch(demo):
    at = open_page("views/retention.py", {"view": "Breakdown", "by": "Tenure"})
    table = at.dataframe[0].value
    assert table.columns[0] == "Tenure"
    assert set(table["Tenure"]) <= {"0–5 months", "6–11 months", "1–2 years", "2–3 years", "3+ years"}
    assert list(table["ARR lost"]) == sorted(table["ARR lost"], reverse=True)


def test_churn_reasons_caption_totals(demo):
    at = open_page("views/retention.py", {"view": "Churn reasons", "period": "Last 6 months"})
    assert "accounts churned in the period (Last 6 months" in texts(at.caption)


def test_the_reason_trend_keeps_the_periods_largest_reasons(demo):
    # eight reasons: the trend folds three into "Other", never one of the period's top five
    at = open_page("views/retention.py", {"view": "Churn reasons"})
    by_reason, _, trend = (json.loads(chart.proto.spec) for chart in at.get("plotly_chart"))
    ranked = [label for _, label in sorted(zip(by_reason["data"][0]["x"],
                                               by_reason["data"][0]["y"], strict=True),
                                           reverse=True)]
    series = [trace["name"] for trace in trend["data"]]
    assert len(ranked) > 6, ranked
    assert series[:5] == ranked[:5] and series[5] == "Other"


def test_health_page(demo):
    at = open_page("views/health.py")
    assert at.title[0].value == "Health & risk"
    labels = [metric.label.split(" · ")[0] for metric in at.metric]
    assert labels[:4] == ["Healthy", "Watch", "At risk", "Critical"]
    table = at.dataframe[0].value
    assert {"Account", "Churn risk, 12 months", "95% range", "ARR at risk", "Main reasons",
            "Weakest components", "Renewal", "CSM", "Last executive meeting"} <= set(table.columns)
    assert list(table["ARR at risk"]) == sorted(table["ARR at risk"], reverse=True)
    # every band by default: the largest expected losses, whatever the health score says
    assert len(set(table["Band"])) > 1
    assert table["Main reasons"].str.len().gt(0).all()
    # the backtest follows, with both scores' figures
    # the portfolio of ARR at risk, then the backtest
    assert labels[4:7] == ["ARR at risk, next 12 months", "Share of their ARR at risk",
                           "In Healthy or Watch accounts"]
    assert labels[7:] == ["Churn model: ranks churners first", "Health score: ranks churners first"]
    backtest = at.dataframe[1].value
    assert list(backtest["Score"]) == ["Churn model", "Health score"]
    assert backtest["AUC"].iloc[0] > backtest["AUC"].iloc[1]
    # the at-risk list, the backtest and the churn model's checks, each downloadable
    assert [button.label for button in at.get("download_button")] == ["CSV", "Excel"] * 3


def test_health_page_band_filter_and_segment(demo):
    at = open_page("views/health.py", {"bands": "Critical", "segment": "SMB"})
    table = at.dataframe[0].value
    assert set(table["Band"]) == {"✕ Critical"}
    assert set(table["Segment"]) == {"SMB"}


def test_drill_from_at_risk_to_account_360(demo):
    at = open_page("views/health.py")
    first = at.dataframe[0].value["Account ID"].iloc[0]
    name = at.dataframe[0].value["Account"].iloc[0].split("#", 1)[1]
    # one click: selecting the row opens the account's 360 view in the same tab
    at.session_state["at_risk_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Account 360"
    assert at.header[0].value == name
    assert at.query_params.get("account") in (first, [first])


def test_account_360_shows_everything(demo):
    at = open_page("views/account.py", {"account": "A0000001"})
    assert at.title[0].value == "Account 360"
    assert [metric.label for metric in at.metric][1:] == [
        "Health score", "NPS (latest)", "Open tickets", "Churn risk, 12 months"]
    assert at.metric[-1].value.endswith("%") or at.metric[-1].value == "—"
    assert "A0000001" in as_shown(at.caption[0].value)
    tab_labels = [tab.label for tab in at.tabs]
    assert tab_labels[0] == "Revenue & health"
    assert any(label.startswith("Surveys (") for label in tab_labels)


def test_account_search(demo):
    at = open_page("views/account.py")
    assert "Search for an account" in at.info[0].value
    at.text_input(key="account_search").input("A000000").run()
    assert not at.exception
    options = at.selectbox[0].options
    assert len(options) >= 9
    at.selectbox[0].select_index(0).run()
    assert not at.exception
    assert at.header[0].value


def test_unknown_account_is_a_clear_warning(demo):
    at = open_page("views/account.py", {"account": "NOPE"})
    assert "No account with ID “NOPE”" in as_shown(at.warning[0].value)


def test_account_360_never_states_what_its_data_contradicts(demo_db, use_db, tmp_path):
    """An account whose revenue stopped without a churn date reads as churned (as Retention
    counts it), and one with no revenue at all shows no "$nan"."""
    path = tmp_path / "contradictions.duckdb"
    shutil.copy(demo_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("update accounts set churn_date = null, churn_reason = null "
                    "where account_id in ('A0000001', 'A0000002')")
        con.execute("delete from account_mrr_monthly where account_id = 'A0000001' "
                    "and month > (select min(month) from account_mrr_monthly "
                    "where account_id = 'A0000001')")
        con.execute("delete from account_mrr_monthly where account_id = 'A0000002'")
        first = con.execute("select min(month) from account_mrr_monthly "
                            "where account_id = 'A0000001'").fetchone()[0]
    use_db(path)
    stopped = open_page("views/account.py", {"account": "A0000001"})
    assert not stopped.exception
    status = as_shown(stopped.markdown[0].value)
    assert status.startswith(f"**Churned: no revenue since {first:%b %Y}**"), status
    assert stopped.metric[0].label == "Last ARR"
    unbilled = open_page("views/account.py", {"account": "A0000002"})
    assert not unbilled.exception
    assert unbilled.metric[0].value == "—"
    assert as_shown(unbilled.markdown[0].value).startswith("**No revenue in the data**")
    words = " ".join(str(element.value) for element in (*unbilled.metric, *unbilled.markdown))
    assert "$nan" not in words


@pytest.mark.parametrize(("movement", "step", "count_column"), [
    ("churn", "churned_arr_usd", "churned_accounts"),
    ("contraction", "contraction_arr_usd", None),
    ("new", "new_arr_usd", None),
])
def test_the_bridge_drills_to_the_accounts_behind_it(demo, movement, step, count_column):
    """Retention's overview lists the accounts behind a step of the bridge, and the list's
    totals are the step's own figures (and, for churn, the accounts logo churn counts)."""
    from northstar.analytics import retention
    from northstar.analytics.metrics import format_usd
    from northstar.analytics.periods import resolve_period
    from northstar.data.months import add_months
    from northstar.ui.page_queries import execute

    # the address holds the choice in words, as the control writes it
    at = open_page("views/retention.py", {"accounts": retention.MOVEMENTS[movement]})
    assert not at.exception
    caption = next(as_shown(element.value) for element in at.caption
                   if "in the period:" in element.value)
    table = next(frame.value for frame in at.dataframe if "ARR change" in frame.value.columns)
    assert table["Account"].str.startswith("account?account=").all()
    months = execute("revenue_months", {}, demo)
    last_month = months["month"].iloc[-1].date()
    window = resolve_period(last_month)
    kpis = execute("kpi_windows", {"segments": [], "regions": [], "plans": [],
                                   "window_months": window.months,
                                   "end_months": [window.end_month]}, demo).iloc[0]
    amount = format_usd(abs(float(kpis[step])))
    assert "of ARR, the bridge's" in caption and amount in caption, (caption, amount)
    if count_column:
        assert caption.startswith(f"{int(kpis[count_column]):,} accounts churned"), caption
    assert window.opening_month == add_months(window.end_month, -window.months)


def test_health_page_never_calls_two_different_counts_scored(demo):
    """The band cards count the accounts the health score scores (the rest are 'not scored
    yet'); the ARR at risk counts the accounts the churn model scores, more of them. A count the
    page calls plainly 'scored accounts' is the health score's; the churn model's says so."""
    at = open_page("views/health.py")
    bands = [metric for metric in at.metric if metric.label in
             ("Healthy", "Watch", "At risk", "Critical")]
    health_scored = sum(int(metric.value.replace(",", "")) for metric in bands)
    shown = [str(element.value) for element in (*at.markdown, *at.caption)]
    shown += [metric.label for metric in at.metric] + [metric.help or "" for metric in at.metric]
    plain = [int(count.replace(",", "")) for text in shown
             for count in re.findall(r"([\d,]+) scored accounts", text)]
    assert all(count == health_scored for count in plain), (plain, health_scored)
    assert not any("scored accounts'" in text for text in shown)
    model = [int(count.replace(",", "")) for text in shown
             for count in re.findall(r"([\d,]+) accounts the churn model scores", text)]
    assert model and all(count > health_scored for count in model), (model, health_scored)
