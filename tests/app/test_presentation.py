"""Presentation mode and masking through AppTest."""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from northstar.ui import presentation
from tests.conftest import REPO_ROOT
from tests.shown import as_shown

APP = str(REPO_ROOT / "app.py")


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def open_page(page: str | None, query_params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query_params)
    at.run()
    if page:
        at.switch_page(str(REPO_ROOT / "views" / f"{page}.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def account_names(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.execute("select account_name from accounts").fetchall()}


def test_deck_order():
    pages = ["briefing", "retention", "health", "satisfaction", "glossary"]
    assert presentation.deck_neighbours("briefing", pages) == (None, "retention")
    assert presentation.deck_neighbours("retention", pages) == ("briefing", "satisfaction")
    assert presentation.deck_neighbours("satisfaction", pages) == ("retention", None)
    assert presentation.deck_neighbours("glossary", pages) == (None, "briefing")


def test_presentation_masks_names_and_offers_next(demo):
    at = open_page("account", {"present": "true", "account": "A0000001"})
    names = account_names(demo)
    header = as_shown(at.header[0].value)
    assert header.startswith("Account ") and header not in names
    labels = [button.label for button in at.button]
    assert any(label.endswith("▶") for label in labels)


def test_a_slide_has_no_detail_tables_exports_or_controls_and_says_where_it_is(demo):
    at = open_page("alignment", {"present": "true"})
    assert len(at.dataframe) == 0
    assert len(at.get("download_button")) == 0
    assert ":gray[Slide 4 of 5]" in [block.value for block in at.markdown]
    labels = [button.label for button in at.button]
    assert labels[:2] == ["◀ Satisfaction", "Where to invest ▶"]
    # the same page on screen keeps its tables and downloads
    screen = open_page("alignment", {})
    assert len(screen.dataframe) >= 1 and len(screen.get("download_button")) >= 1


def test_next_button_walks_the_deck_and_keeps_filters(demo):
    at = open_page(None, {"present": "true", "segment": "SMB"})
    next_button = next(button for button in at.button if button.label.endswith("▶"))
    next_button.click().run()
    assert not at.exception
    assert at.title[0].value == "Retention"
    assert "Segment: SMB" in as_shown(at.caption[0].value)


def test_mask_toggle_outside_presentation(demo):
    at = open_page("health", {"mask": "true"})
    shown = {link.split("#", 1)[1] for link in at.dataframe[0].value["Account"]}
    assert not shown & account_names(demo)
    plain = open_page("health", {})
    shown = {link.split("#", 1)[1] for link in plain.dataframe[0].value["Account"]}
    assert shown <= account_names(demo)


def test_pseudonyms_are_stable():
    from northstar.ui.masking import mask_frame, pseudonym

    assert pseudonym("Acme Ltd") == pseudonym("acme ltd ")
    assert pseudonym("Acme Ltd") != pseudonym("Acme Inc")
    import pandas as pd

    frame = pd.DataFrame({"account_name": ["Acme Ltd", None], "comment": ["Too slow", None],
                          "primary_contact_email": ["a@acme.example", None], "arr_usd": [1.0, 2.0]})
    masked = mask_frame(frame, (("account_name", "account"), ("comment", "text"),
                                ("primary_contact_email", "email")))
    assert masked["account_name"][0] == pseudonym("Acme Ltd")
    assert masked["comment"][0].startswith("[hidden")
    assert masked["primary_contact_email"][0].endswith("@hidden.invalid")
    assert pd.isna(masked["account_name"][1]) and masked["arr_usd"].tolist() == [1.0, 2.0]


def test_share_url_keeps_every_parameter():
    assert presentation.share_url("http://host:8501/", "satisfaction",
                             [("view", "Closed loop"), ("segment", "SMB"), ("segment", "SMB 2")]) == (
        "http://host:8501/satisfaction?view=Closed+loop&segment=SMB&segment=SMB+2")
    assert presentation.share_url("http://host:8501", "", []) == "http://host:8501/"
    assert presentation.share_url("http://host:8501/health", "health", [("mask", "true")]) == (
        "http://host:8501/health?mask=true")


def test_present_equals_one_also_switches_presentation_on(demo):
    at = open_page("account", {"present": "1", "account": "A0000001"})
    assert as_shown(at.header[0].value) not in account_names(demo)
    assert at.toggle(key="present").value is True


def open_directly(page: str, query_params: dict[str, str]) -> AppTest:
    """The page opened from an address (its parameters read on the first run)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query_params)
    at.switch_page(str(REPO_ROOT / "views" / f"{page}.py"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_slide_leaves_controls_out_and_keeps_the_links_choice(demo):
    # a bound control writes its option's label into the address: ?by=Plan
    at = open_directly("retention", {"present": "true", "view": "Breakdown", "by": "Plan"})
    assert len(at.get("segmented_control")) == 0
    screen = open_directly("retention", {"view": "Breakdown", "by": "Plan"})
    assert screen.segmented_control(key="by").value == "plan"
    # the slide draws the breakdown the link asked for
    slide_charts = [json.loads(chart.proto.spec)["data"] for chart in at.get("plotly_chart")]
    screen_charts = [json.loads(chart.proto.spec)["data"] for chart in screen.get("plotly_chart")]
    assert slide_charts and slide_charts[0] == screen_charts[0]  # same data, slide-sized


def test_a_slide_says_what_it_leaves_out_and_never_points_at_a_hidden_list(demo):
    # the scorecard's slide draws two KPI charts and says how many the page has
    slide = open_page("scorecard", {"present": "true"})
    screen = open_page("scorecard", {})
    captions = " ".join(caption.value for caption in slide.caption)
    said = re.search(r"The slide shows the first 2 of the department's (\d+) KPIs", captions)
    assert said and int(said.group(1)) > 2, captions  # the default department has 3
    assert len(slide.get("plotly_chart")) == 2
    assert "The slide shows" not in " ".join(caption.value for caption in screen.caption)
    # Health's slide has no at-risk list, so no caption refers to "the list above"
    health = open_page("health", {"present": "true"})
    assert not any("list above" in caption.value for caption in health.caption)
    assert any("list above" in caption.value for caption in open_page("health", {}).caption)


@pytest.mark.parametrize("values", [["1", "false"], ["false", "YES"], ["off", "on", "0"]])
def test_any_on_among_repeated_present_parameters_presents(demo, values):
    at = open_directly("health", {"present": values})
    assert at.toggle(key="present").value is True
    # the page is drawn as the slide `?present=true` draws: no detail tables
    slide = open_directly("health", {"present": "true"})
    assert len(at.dataframe) == len(slide.dataframe) < len(open_directly("health", {}).dataframe)
    names = account_names(demo)
    for table in at.dataframe:
        assert not {str(value).split("#", 1)[-1] for value in table.value.to_numpy().ravel()} & names


@pytest.mark.parametrize("values", [["1", "false"], ["no", "true"]])
def test_any_on_among_repeated_mask_parameters_masks(demo, values):
    at = open_directly("health", {"mask": values})
    assert at.toggle(key="mask").value is True
    shown = {link.split("#", 1)[1] for link in at.dataframe[0].value["Account"]}
    assert shown and not shown & account_names(demo)


def test_repeated_parameters_that_are_all_off_leave_the_switches_off(demo):
    at = open_directly("health", {"mask": ["0", "false"], "present": ["no", "off"]})
    assert at.toggle(key="mask").value is False and at.toggle(key="present").value is False
    shown = {link.split("#", 1)[1] for link in at.dataframe[0].value["Account"]}
    assert shown <= account_names(demo)


def test_the_deck_opens_with_the_brief_repeats_no_slide_and_shows_no_method(demo):
    """Slide 1 holds the KPI wall and the CEO brief (where ARR moved is Retention's slide);
    Retention's slide does not repeat the wall's cards; Where to invest's slide is its chart,
    without the method paragraph or the demo's truth check."""
    briefing = open_page(None, {"present": "true"})
    subheaders = [element.value for element in briefing.subheader]
    assert "CEO brief" in subheaders and "Where ARR moved" not in subheaders
    assert sum("Evidence →" in element.value for element in briefing.markdown) >= 3
    retention = open_page("retention", {"present": "true"})
    assert [metric.label for metric in retention.metric] == []
    assert "Revenue bridge" in [element.value for element in retention.subheader]
    invest = open_page("invest", {"present": "true"})
    shown = " ".join(element.value for element in (*invest.markdown, *invest.caption))
    assert "Which problems cost us customers" not in shown
    assert not [expander for expander in invest.expander if "Truth check" in expander.label]
    assert len(invest.get("plotly_chart")) == 1
    # on screen the method and the check are there
    screen = open_page("invest", {})
    assert any("Which problems cost us customers" in element.value for element in screen.markdown)
    wall = [metric.label for metric in open_page("retention", {}).metric]
    assert wall == ["NRR", "GRR", "Logo churn", "ARR"]
