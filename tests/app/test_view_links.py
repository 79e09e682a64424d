"""Every link Northstar draws carries the viewer's view state: masking, presentation, filters.

A link opens a new session that knows only its URL, so a drill from a masked view must open
masked, and a drill from a filtered view filtered.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from northstar.ui import view_state
from tests.app.test_access import USERS, open_as
from tests.app.test_presentation import open_page

MARKDOWN_LINK = re.compile(r"\]\(([^)]+)\)")


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link.split("#", 1)[0]).query)


def table_links(at) -> list[str]:
    """Every value of every 'Account' or 'Department' link column on the page."""
    links = []
    for table in at.dataframe:
        for column in ("Account", "Department"):
            if column in table.value.columns:
                links += [value for value in table.value[column] if isinstance(value, str)
                          and "?" in value]
    return links


def test_with_view_keeps_the_target_and_replaces_the_view():
    view = [("mask", "true"), ("segment", "SMB"), ("segment", "Mid-Market")]
    assert view_state.with_view("account?account=A0000007#Acme Ltd", view) == (
        "account?account=A0000007&mask=true&segment=SMB&segment=Mid-Market#Acme Ltd")
    # a target's own filter values are replaced by the viewer's, never added to them
    assert view_state.with_view("retention?view=Overview&segment=SMB&mask=false", view) == (
        "retention?view=Overview&mask=true&segment=SMB&segment=Mid-Market")
    assert view_state.with_view("briefing", []) == "briefing"


def test_view_params_list_only_what_is_on():
    assert view_state.view_params(False, False, {}) == []
    assert view_state.view_params(True, True, {"period": "Last 3 months", "segment": ["SMB"],
                                               "region": []}) == [
        ("mask", "true"), ("present", "true"), ("period", "Last 3 months"), ("segment", "SMB")]


def test_account_links_from_a_masked_view_open_masked(demo):
    at = open_page("health", {"mask": "true", "segment": "SMB", "period": "Last 6 months"})
    links = table_links(at)
    assert links
    for link in links:
        params = query_of(link)
        assert params["mask"] == ["true"], link
        assert params["segment"] == ["SMB"] and params["period"] == ["Last 6 months"], link
        assert params["account"], link


def test_links_from_presentation_mode_carry_presentation_and_masking(demo):
    # a slide draws no table, so the brief's evidence links and drills are checked where they
    # are built: presentation always carries masking with it
    params = dict(view_state.view_params(masked=True, presenting=True, filter_values={}))
    assert params == {"mask": "true", "present": "true"}
    at = open_page("satisfaction", {"present": "true", "view": "Closed loop"})
    assert table_links(at) == []  # nothing on the slide links out unmasked


def test_unmasked_links_say_nothing_of_masking(demo):
    at = open_page("health", {})
    links = table_links(at)
    assert links and all("mask" not in query_of(link) for link in links)


def test_department_links_carry_the_filters(demo):
    at = open_page("alignment", {"mask": "yes", "segment": "Enterprise"})
    links = [link for link in table_links(at) if link.startswith("scorecard?")]
    assert links
    assert all(query_of(link)["segment"] == ["Enterprise"] and query_of(link)["mask"] == ["true"]
               for link in links)


def test_brief_evidence_links_carry_the_view(demo):
    at = open_page(None, {"mask": "1", "plan": "Professional"})
    links = [match for element in at.markdown for match in MARKDOWN_LINK.findall(element.value)]
    assert any(link.startswith("account?") for link in links), links
    for link in links:
        assert query_of(link)["mask"] == ["true"] and query_of(link)["plan"] == ["Professional"]


def test_a_board_members_links_are_masked_although_nothing_is_switched_on(signed_in):  # noqa: F811
    at = open_as(USERS["board"], "health")
    assert not at.exception
    links = table_links(at)
    assert links and all(query_of(link)["mask"] == ["true"] for link in links)


@pytest.mark.parametrize("spelling", ["1", "TRUE", "Yes", "on", "y"])
def test_every_usual_spelling_switches_masking_and_presentation_on(demo, spelling):
    at = open_page("health", {"mask": spelling})
    assert at.toggle(key="mask").value is True
    at = open_page("health", {"present": spelling})
    assert at.toggle(key="present").value is True


@pytest.mark.parametrize("spelling", ["0", "false", "No", "off"])
def test_every_usual_spelling_switches_them_off(demo, spelling):
    at = open_page("health", {"mask": spelling, "present": spelling})
    assert at.toggle(key="mask").value is False
    assert at.toggle(key="present").value is False


def test_comment_search_is_off_while_comments_are_masked(demo):
    at = open_page("satisfaction", {"view": "Verbatims", "mask": "true", "q": "zzz-nothing"})
    box = at.text_input(key="q")
    assert box.disabled
    assert not any("No comments match" in info.value for info in at.info)
    plain = open_page("satisfaction", {"view": "Verbatims", "q": "zzz-nothing"})
    assert not plain.text_input(key="q").disabled
    assert any("No comments match" in info.value for info in plain.info)
