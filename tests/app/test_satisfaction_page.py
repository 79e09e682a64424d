"""The Satisfaction page through AppTest: scores with n and noise, verbatims, closed loop."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_house_style import shown_cells
from tests.conftest import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def open_page(query_params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query_params:
        at.query_params.update(query_params)
    at.run()
    at.switch_page("views/satisfaction.py").run()
    assert not at.exception, [exception.message for exception in at.exception]
    return at


def captions(at: AppTest) -> str:
    return "\n".join(caption.value for caption in at.caption)


def test_scores_tab(demo):
    at = open_page()
    assert at.title[0].value == "Satisfaction"
    assert [metric.label for metric in at.metric] == ["NPS", "CSAT", "CES"]
    text = captions(at)
    assert "n = " in text and "(95%)" in text
    assert len(at.get("plotly_chart")) == 4  # trend + three distributions
    table = at.dataframe[0].value
    assert table.columns[0] == "Program"
    assert "30-day post-installation" in set(table["Program"])


@pytest.mark.parametrize("grouping, label", [("Department of the touchpoint", "Department of the touchpoint"),
                                             ("Segment", "Segment"), ("Plan", "Plan")])
def test_breakdowns(demo, grouping, label):
    at = open_page({"by": grouping, "segment": "Enterprise"})
    table = at.dataframe[0].value
    assert table.columns[0] == label
    if label == "Segment":
        assert list(table["Segment"]) == ["Enterprise"]


def test_verbatims_tab_flags_the_planted_spike(demo):
    at = open_page({"view": "Verbatims"})
    assert any("Complaint spike — Performance" in warning.value for warning in at.warning)
    summary = at.dataframe[0].value
    assert {"Theme", "Comments", "Last 12 months", "Spike"} <= set(summary.columns)
    comments = at.dataframe[1].value
    assert {"Date", "Account", "Score", "Themes", "Comment"} <= set(comments.columns)


def test_verbatims_theme_and_search_from_the_url(demo):
    at = open_page({"view": "Verbatims", "theme": "Pricing", "q": "expensive"})
    comments = at.dataframe[1].value
    assert len(comments) > 0
    assert all("Pricing" in themes for themes in comments["Themes"])
    assert all("expensive" in comment.lower() for comment in comments["Comment"])


def test_closed_loop_tab(demo):
    at = open_page({"view": "Closed loop", "target": "14"})
    assert [metric.label for metric in at.metric] == [
        "Unhappy answers", "Followed up in time", "Overdue", "Due now"]
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[0].value
    assert {"Status", "Answered", "Follow up by", "Account", "CSM"} <= set(table.columns)
    assert "churned within 180 days" in captions(at)


def test_verbatims_filter_by_survey_and_score(demo):
    at = open_page({"view": "Verbatims", "surveys": "NPS", "scores": ["0", "6"]})
    comments = at.dataframe[1].value
    assert len(comments) > 0
    assert set(comments["Survey"]) == {"NPS"}
    assert comments["Score"].max() <= 6


def test_the_wall_and_this_page_read_a_survey_change_alike(demo):
    # the same period and comparison on both pages: a survey delta the Satisfaction page shows
    # without colour is neutral on the Briefing's KPI wall too, and the other way round
    scores = {metric.label: metric.proto for metric in open_page().metric}
    wall = AppTest.from_file(APP, default_timeout=60)
    wall.run()
    cards = {metric.label: metric.proto for metric in wall.metric}
    grey = 2  # the metric proto's colour for a delta shown without colour
    for label in ("NPS", "CSAT", "CES"):
        assert (scores[label].color == grey) == (cards[label].color == grey), label
        if cards[label].color == grey and cards[label].delta:
            assert cards[label].delta_description in ("within noise",) or \
                cards[label].delta_description.startswith("too few to tell")
            assert "noise" in scores[label].delta_description or \
                "too few" in scores[label].delta_description


def test_a_margin_of_error_reads_the_same_in_the_card_and_the_table(demo):
    """The NPS card's caption and the table's relationship-survey row count the same answers:
    their margin of error is written the same way (not ±4 in one and ±3.5 in the other)."""
    at = open_page()
    table = at.dataframe[0]
    raw = table.value
    cells = shown_cells(table)
    notes = [found for caption in at.caption
             if (found := re.search(r"^.+? · n = ([\d,]+) · (±[\d.]+)", caption.value))]
    kinds = [metric.label for metric in at.metric]
    assert kinds == ["NPS", "CSAT", "CES"] and len(notes) == len(kinds)  # one note per card
    checked = 0
    for kind, found in zip(kinds, notes, strict=True):
        same_answers = raw[f"{kind} n"] == int(found.group(1).replace(",", ""))
        for shown in cells.loc[same_answers.to_numpy(), f"{kind} ±"]:
            assert str(shown) == found.group(2), (kind, found.group(0), shown)
            checked += 1
    assert checked >= 2  # NPS (relationship survey) and CES (post-support)
