"""The Where to invest page (every tab via ?view=, a what-if scenario from the URL) and the CEO
brief on the briefing page, through Streamlit's AppTest on the demo database."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics.metrics import format_usd
from tests.conftest import REPO_ROOT
from tests.unit.test_real_exports import churn_table, guide_mapping, load

APP = str(REPO_ROOT / "app.py")


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def run(path: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(params)
    at.run()
    if path:
        at.switch_page(path).run()
    return at


def texts(at: AppTest) -> str:
    return " ".join(
        element.value for element in [*at.markdown, *at.caption, *at.info] if element.value
    )


def test_drivers_tab_explains_and_estimates(demo):
    at = run("views/invest.py", view="Drivers")
    assert not at.exception
    assert at.title[0].value == "Where to invest"
    table = at.dataframe[0].value
    assert "Slow ticket resolution" in set(table["Driver"])
    assert table["Hazard ratio (95% interval)"].str.contains(r"\(\d").any()
    readings = dict(zip(table["Driver"], table["Reading"], strict=True))
    assert readings["Slow ticket resolution"] == "raises churn"
    # a driver whose interval includes 1 is shown as such and gets no ARR at risk
    unclear = table.loc[table["Reading"] == "can't tell from chance"]
    assert len(unclear) and unclear["ARR at risk from the driver"].isna().all()  # shown "—"
    assert table["ARR at risk from the driver"].iloc[0] > 0
    words = texts(at)
    assert "hazard ratio" in words and "Can't tell from chance" in words
    assert "Closed-loop tab" in words or "closed-loop tab" in words
    assert len(at.get("plotly_chart")) == 1
    # the chart ranks only drivers beyond noise
    bars = at.get("plotly_chart")[0].proto.spec
    for label in unclear["Driver"]:
        assert f'"{label}"' not in bars


@pytest.mark.parametrize("view", ["Initiatives", "What-if", "Customers"])
def test_every_tab_renders_from_the_url(demo, view):
    at = run("views/invest.py", view=view)
    assert not at.exception
    assert at.tabs[0].label == "Drivers"
    if view == "Initiatives":
        table = at.dataframe[0].value
        ranked = table.loc[table["Rank"].notna()]
        assert list(ranked["Rank"]) == list(range(1, len(ranked) + 1))
        # sized initiatives first, most return on cost first; those whose range is too wide
        # to repeat after them, with no size shown
        sized = ranked.loc[ranked["Return on cost"].notna()]
        assert list(sized.index) == list(range(len(sized)))
        assert sized["Return on cost"].is_monotonic_decreasing
        unsized = ranked.loc[ranked["Return on cost"].isna()]
        assert unsized["95% range"].str.startswith("can't size yet (range ").all()
        assert unsized["ARR protected a year"].isna().all()
        # initiatives whose driver cannot be told from chance, or that were measured and did
        # not work, come last, unranked (shown "—"), each with its reason
        unranked = table.loc[table["Rank"].isna()]
        assert len(unranked) and (unranked["Reading"] != "raises churn").all()
        assert unranked["ARR protected a year"].isna().all()
        # a completed initiative is judged by what it measurably achieved, never its plan
        completed = table.loc[table["Status"] == "Completed"]
        assert len(completed)
        assert completed["Churn reduction"].str.startswith("Measured ").all()
        assert list(table.index[table["Rank"].isna()]) == list(range(len(ranked), len(table)))
        assert at.dataframe[0].proto.placeholder == "—"
    if view == "Customers":
        assert [metric.label for metric in at.metric] == [
            "Invest",
            "Protect",
            "Maintain",
            "Monitor",
        ]
        # a narrow card holds the count alone; "accounts" is in the caption under it
        assert all(metric.value.replace(",", "").isdigit() for metric in at.metric)
        assert any(caption.value.startswith("accounts · $") for caption in at.caption)
        accounts = at.dataframe[1].value
        assert accounts["Account"].str.startswith("account?account=A").all()


def test_what_if_scenario_comes_from_the_url(demo):
    at = run(
        "views/invest.py",
        view="What-if",
        driver="No executive meeting in 12 months",
        reduce="40",
        **{"in": "Enterprise"},
    )
    assert not at.exception
    assert at.selectbox(key="driver").value == "No executive meeting in 12 months"
    assert at.slider(key="reduce").value == 40
    assert at.multiselect(key="in").value == ["Enterprise"]
    metrics = {metric.label: metric for metric in at.metric}
    assert metrics["ARR protected, next 12 months"].value.startswith("$")
    assert metrics["NRR, last 12 months"].delta.startswith("+")
    assert "40% of the exposure in Enterprise" in texts(at)


@pytest.mark.parametrize("driver", ["No executive meeting in 12 months",
                                    "Slow ticket resolution"])
def test_what_if_starts_at_a_reduction_the_program_could_run(demo, driver):
    """Opening a what-if without a reduction in the address starts at half the exposure, or at
    as many accounts as the program reaches today when that is fewer (a small advisory board
    is not asked to take on thousands), and says how many accounts the scenario moves."""
    at = run("views/invest.py", view="What-if", driver=driver)
    assert not at.exception
    assert at.selectbox(key="driver").value == driver
    reduce = at.slider(key="reduce").value
    assert 1 <= reduce <= 50
    caption = texts(at)
    found = re.search(r"takes about ([\d,]+) of the ([\d,]+) exposed accounts out of it "
                      r"\(([\d,]+) are not exposed today\)", caption)
    assert found, caption
    moved, exposed, reached = (int(group.replace(",", "")) for group in found.groups())
    assert moved == pytest.approx(exposed * reduce / 100, abs=1)
    assert moved <= max(reached, exposed // 100 + 1) + 1
    assert (reduce == 50) == (reached >= exposed / 2)


def test_briefing_carries_the_ceo_brief(demo):
    at = run()
    assert not at.exception
    assert any(header.value == "CEO brief" for header in at.subheader)
    lines = [element.value for element in at.markdown if "→](" in element.value]
    # the risks: the portfolio first (evidence: Health & risk), then the two largest accounts
    portfolio = [line for line in lines if "(health)" in line or "(health?" in line]
    assert len(portfolio) == 1
    assert sum("(account?account=A" in line for line in lines) == 2
    health = run("views/health.py")
    total = next(metric for metric in health.metric
                 if metric.label == "ARR at risk, next 12 months")
    shown = portfolio[0].replace("\\", "")
    assert shown.startswith(f"{total.value} of ARR is at risk in the next 12 months (95% "
                            f"{total.proto.delta.removeprefix('95% ')}"), (shown, total.value)
    investments = [line for line in lines if "(invest?view=Initiatives)" in line]
    assert 1 <= len(investments) <= 3
    # every investment the brief names is ranked on the page its Evidence link opens, in the
    # same order, with the same size, and none the page leaves unranked
    table = run("views/invest.py", view="Initiatives").dataframe[0].value
    ranked = table.loc[table["Rank"].notna()]
    assert len(investments) == min(3, len(ranked))
    for line, (_, row) in zip(investments, ranked.iterrows(), strict=False):
        shown = line.replace("\\", "")  # the Markdown escapes
        assert shown.startswith(row["Initiative"]), (line, row["Initiative"])
        if pd.notna(row["ARR protected a year"]):  # a sized one: the same size
            assert f"about {format_usd(row['ARR protected a year'])} of ARR a year" in shown
        else:
            assert "can't be sized yet" in shown, line


def test_drivers_tab_names_contract_type_on_a_consumer_churn_table(tmp_path, use_db):
    churn_table(2000).to_csv(tmp_path / "customer_churn.csv", index=False)
    use_db(load(tmp_path, guide_mapping("subscription table")))
    at = run("views/invest.py", view="Drivers")
    assert not at.exception
    words = texts(at).replace("\\", "")  # the page escapes data text for Markdown
    assert "No churn-driver estimates" not in words
    assert re.search(r"Contract: Two year vs Month-to-month: hazard ratio 0\.\d\d "
                     r"\(0\.\d\d–0\.\d\d\) \(interval widened for the \d+ levels read together\), "
                     r"lowers churn", words), words
    assert "Account attributes" in " ".join(header.value for header in at.subheader)
