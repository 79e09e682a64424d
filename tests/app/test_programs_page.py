"""The CCO programs page through AppTest: every tab from the URL, with and without a segment
filter, and the empty states on a database without program data."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.shown import as_shown

APP = str(REPO_ROOT / "app.py")
PAGE = "views/programs.py"


@pytest.fixture()
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def open_programs(query_params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query_params)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [exception.message for exception in at.exception]
    assert at.title[0].value == "CCO programs"
    return at


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def labels(at: AppTest) -> list[str]:
    return [metric.label for metric in at.metric]


def columns(at: AppTest) -> set[str]:
    return {column for frame in at.dataframe for column in frame.value.columns}


# tab -> (metric labels, columns some table must show, text a caption must hold)
EXPECTED = {
    "Advisory board": (
        ["Logo churn: members vs comparable", "NRR: members vs comparable",
         "NPS: members vs comparable"],
        {"Group", "Logo churn", "NRR", "NPS answers", "Account", "Joined", "Latest NPS"},
        "Comparable non-members",
    ),
    "Executive meetings": (
        ["Top accounts met in the last 12 months", "Their share of top-account ARR",
         "Top accounts not met"],
        {"Account", "Last executive meeting", "CSM", "Logo churn"},
        "a meeting exactly a year earlier counts",
    ),
    "Onboarding": (
        ["Installations due", "Completion rate", "CSAT of the installations due", "Mean score"],
        {"Account", "Installation ended", "Score", "Comment"},
        "37 days",
    ),
    "Professional services": (
        ["Engagements due", "Response rate", "CSAT of the engagements due", "Mean score"],
        {"Topic", "Response rate", "Engagement ended"},
        "14 days",
    ),
    "Support review": (
        ["Tickets opened", "Still open", "First response, median", "Resolution, median",
         "Open escalations", "Open more than 7 days", "Reopened in the period",
         "Rated CSAT 1–2 in the period"],
        {"Category", "First response, 9 in 10 within (hours)", "Why", "Account"},
        "whole days from the day opened",
    ),
    "Kudos": (
        [],
        {"Employee", "Kudos", "Comment", "Account"},
        "as customers wrote them",
    ),
}


@pytest.mark.parametrize("segment", [None, "Enterprise"])
@pytest.mark.parametrize("tab", list(EXPECTED))
def test_every_tab_from_the_url(demo, tab, segment):
    params = {"program": tab, **({"segment": segment} if segment else {})}
    at = open_programs(params)
    metric_labels, table_columns, caption = EXPECTED[tab]
    assert labels(at) == metric_labels
    assert table_columns <= columns(at)
    assert caption in texts(at.caption)
    assert at.get("plotly_chart"), "every tab draws at least one chart"
    assert f"Segment: {segment}" in as_shown(at.caption[0].value) if segment else \
        "All accounts" in at.caption[0].value
    # no raw column names on screen
    assert not {"account_id", "arr_usd", "opened_tickets"} & columns(at)


def test_board_shows_the_difference_with_its_numbers(demo):
    at = open_programs({"program": "Advisory board"})
    churn = at.metric[0]
    assert " vs " in churn.value and churn.value.endswith("%")
    assert churn.proto.delta.endswith("pp")
    group_table = next(frame.value for frame in at.dataframe if "Group" in frame.value.columns)
    assert list(group_table["Group"]) == ["Advisory board members", "Comparable non-members",
                                          "All other accounts"]


@pytest.mark.parametrize(("tab", "driver"), [("Advisory board", "not on the advisory board"),
                                           ("Executive meetings",
                                            "no executive meeting in 12 months")])
def test_a_program_tab_says_what_the_churn_model_finds_and_what_where_to_invest_uses(
        demo, tab, driver):
    """The direct comparison and the model can read differently (too few to tell against
    beyond noise): the tab says what the model finds, the figure Where to invest uses."""
    at = open_programs({"program": tab})
    assert not at.exception
    model = [text for text in texts(at.caption).split("\n") if "The churn model" in text]
    shown = " ".join(model).replace("\\", "")
    assert f"\"{driver}\"" in shown and "Where to invest" in shown, shown
    invest_page = AppTest.from_file(APP, default_timeout=90)
    invest_page.query_params.update({"view": "Drivers"})
    invest_page.run()
    invest_page.switch_page("views/invest.py").run()
    drivers = invest_page.dataframe[0].value.set_index("Driver")
    row = drivers.loc[driver[0].upper() + driver[1:]]
    # the same hazard ratio and the same reading as the Drivers tab
    assert f"hazard ratio {row['Hazard ratio (95% interval)']}" in shown
    ranks = "ranks and sizes it" in shown
    assert ranks == (row["Reading"] == "raises churn"), (shown, row["Reading"])


def test_top_n_is_bound_to_the_url(demo):
    at = open_programs({"program": "Executive meetings", "top": "Top 25"})
    assert "The top 25 active accounts" in texts(at.caption)
    unmet = next(frame.value for frame in at.dataframe if "ARR rank" in frame.value.columns)
    assert unmet["ARR rank"].max() <= 25


def test_people_who_share_a_name_get_a_bar_each(demo_db, use_db, tmp_path):
    # two of the most praised employees share a name, as people in real teams do: each is a
    # bar of their own, told apart by role, never stacked onto a namesake's bar
    path = tmp_path / "namesakes.duckdb"
    shutil.copy(demo_db, path)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            with ranked as (
                select employee_id, row_number() over (order by count(*) desc, employee_id) as n
                from kudos group by employee_id
            )
            update employees set employee_name = 'Kenji Varga'
            where employee_id in (select employee_id from ranked where n <= 2)""")
    use_db(path)
    at = open_programs({"program": "Kudos"})
    employees = next(frame.value for frame in at.dataframe if "Role" in frame.value.columns)
    assert list(employees["Employee"]).count("Kenji Varga") == 2
    bars = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert len(bars["y"]) == len(set(bars["y"])) == min(10, len(employees))
    namesakes = [label for label in bars["y"] if label.startswith("Kenji Varga")]
    assert len(namesakes) == 2 and all(" · " in label for label in namesakes), namesakes


@pytest.mark.parametrize("masked", [False, True])
def test_the_recent_kudos_caption_says_whether_their_words_are_shown(demo, masked):
    at = open_programs({"program": "Kudos", **({"mask": "1"} if masked else {})})
    captions = texts(at.caption)
    comments = next(frame.value["Comment"] for frame in at.dataframe
                    if "Comment" in frame.value.columns)
    if masked:
        assert "their words hidden while customer names are masked" in captions
        assert "as customers wrote them" not in captions
        assert set(comments) == {"[hidden: masking is on]"}, set(comments)
    else:
        assert "as customers wrote them" in captions


def test_smb_has_no_board_members(demo):
    at = open_programs({"program": "Advisory board", "segment": "SMB"})
    assert "nothing to compare" in texts(at.info)
    assert "No current advisory board member" in texts(at.info)


def test_empty_database_shows_empty_states(empty_db, use_db):
    from northstar.data.db.rollups import build_rollups

    con, path = empty_db
    con.execute("insert into dataset_metadata values ('as_of_date', '2026-06-30'), "
                "('source', 'fixture')")
    build_rollups(con)
    con.close()
    use_db(path)
    for tab in EXPECTED:
        at = open_programs({"program": tab})
        assert at.info, tab
