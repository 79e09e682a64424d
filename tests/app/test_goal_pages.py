"""Goal alignment and Department scorecard through AppTest, with filters and a department
chosen through the URL."""

from __future__ import annotations

import pytest

from northstar.analytics.literal_text import literal
from tests.app.test_retention_pages import open_page, texts


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def test_alignment_page(demo):
    at = open_page("views/alignment.py")
    assert at.title[0].value == "Goal alignment"
    labels = [metric.label for metric in at.metric]
    assert labels[0] == "Overall alignment score" and at.metric[0].value.endswith("%")
    assert len(at.get("plotly_chart")) == 3  # matrix, scores by department, scores by quarter
    scores, accountability, statuses = (frame.value for frame in at.dataframe)
    assert len(scores) == 6
    assert all(link.startswith("scorecard?department=") for link in scores["Department"])
    assert {"Department", "KPI", "Customer outcomes", "Target", "Actual (mean of periods)", "Status", "Owner",
            "Next review"} <= set(statuses.columns)
    assert set(statuses["Status"]) <= {"✓ On track", "▲ At risk", "✕ Off track", "– No data"}
    # KPIs serving no outcome are listed, their outcomes blank (shown "—", explained in the help)
    assert statuses["Customer outcomes"].isna().any()
    assert "30-day onboarding CSAT" in set(accountability["KPI"])
    assert "KPIs that serve no customer outcome" in texts(at.warning)
    assert "Marketing qualified leads" in texts(at.warning)


def test_alignment_page_with_filters(demo):
    at = open_page("views/alignment.py", {"period": "Last 3 months", "segment": "SMB",
                                          "compare": "Same period a year earlier"})
    assert "Last 3 months" in at.caption[0].value
    assert at.metric[0].label == "Overall alignment score"


def test_scorecard_for_a_department_from_the_url(demo):
    at = open_page("views/scorecard.py", {"department": "customer_service"})
    assert at.title[0].value == "Department scorecard"
    assert at.header[0].value == literal("Customer Service & Support")
    selector = at.selectbox(key="department_choice")
    assert selector.value == "customer_service"
    assert "Customer Service & Support" in selector.options  # people's words, not the ID
    assert at.query_params["department"] in ("customer_service", ["customer_service"])
    labels = [metric.label for metric in at.metric]
    assert labels[:4] == ["Alignment score", "On track", "At risk", "Off track"]
    kpi_table = at.dataframe[0].value
    assert set(kpi_table["KPI"]) == {"Median first response time", "Median resolution time",
                                     "Support CSAT"}
    # one chart per KPI plus engagement
    assert len(at.get("plotly_chart")) == 3 + 1
    touchpoints = at.dataframe[1].value
    assert {"Measure", "Score (answers at this department's touchpoints)", "Answers (n)"} <= set(
        touchpoints.columns)
    drill = at.dataframe[-1].value
    assert drill["Account"].iloc[0].startswith("account?account=")
    assert 0 < len(drill) <= 200


def test_scorecard_drills_every_kind_of_row(demo):
    at = open_page("views/scorecard.py", {"department": "sales", "segment": "Enterprise"})
    assert at.header[0].value == "Sales"
    at.selectbox(key="drill_kpi").set_value("kpi:sales_expansion_arr_usd").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert {"Account", "ARR before", "ARR after", "ARR added"} <= set(table.columns)
    at = open_page("views/scorecard.py", {"department": "market_research"})
    at.selectbox(key="drill_kpi").set_value("kpi:mr_survey_coverage_pct").run()
    assert not at.exception
    assert "Surveyed in the last 6 months" in at.dataframe[-1].value.columns
    at.selectbox(key="drill_kpi").set_value("kpi:mr_relationship_nps").run()
    assert not at.exception
    assert list(at.dataframe[-1].value["Score"]) == sorted(at.dataframe[-1].value["Score"])


def test_scorecard_department_without_rows_behind(demo):
    at = open_page("views/scorecard.py", {"department": "marketing", "period": "Last month"})
    assert at.header[0].value == "Marketing"
    assert "imported" in texts(at.info)


@pytest.mark.parametrize(("view", "params", "comparison"), [
    ("views/alignment.py", {}, "vs prior period"),
    ("views/scorecard.py", {"department": "customer_service"}, "vs prior period"),
    ("views/alignment.py", {"compare": "Same period a year earlier"}, "vs a year earlier"),
    ("views/scorecard.py", {"department": "customer_service",
                            "compare": "Same period a year earlier"}, "vs a year earlier"),
])
def test_the_alignment_score_card_and_the_kpi_caption_read_as_sentences(demo, view, params,
                                                                        comparison):
    """The score's change says what it is compared with as every other card does (and short
    enough not to be cut off in a quarter-width card); the actuals' caption names the period
    mid-sentence in lower case ('over the last 12 months, Nov 2025 – Oct 2026')."""
    at = open_page(view, params)
    card = next(metric for metric in at.metric if "lignment score" in metric.label)
    assert card.proto.delta_description == comparison
    caption = next(caption.value for caption in at.caption
                   if "mean of the KPI's actuals" in caption.value)
    assert "over the last 12 months, Nov 2025 – Oct 2026;" in caption, caption
