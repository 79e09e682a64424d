"""Measures on the pages: a KPI added as one measures entry is on the KPI wall, formatted from
its own SQL expression, and in the Glossary; a figure shown on two pages reads the same."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from northstar.analytics import display
from northstar.data import measures
from northstar.ui import page_queries
from tests.app.test_pages import metric_values, run_app
from tests.app.test_retention_pages import open_page
from tests.unit.test_measures import NEW_KPI


@pytest.fixture()
def with_new_kpi(tmp_path, monkeypatch):
    path = tmp_path / "measures.toml"
    path.write_text(measures.MEASURES_FILE.read_text(encoding="utf-8") + NEW_KPI,
                    encoding="utf-8")
    monkeypatch.setattr(measures, "MEASURES_FILE", path)
    return path


def test_a_kpi_added_as_one_entry_is_on_the_wall_and_in_the_glossary(demo, with_new_kpi):
    at = run_app()
    assert not at.exception
    labels = [metric.label for metric in at.metric]
    assert labels[-1] == "Expansion rate"
    # its value is its expression over the window's tallies, shown at the measure's rounding
    row = page_queries.run_query(
        "kpi_windows", end_months=[dt.date(2026, 10, 1)], window_months=12,
        segments=[], regions=[], plans=[],
    ).iloc[0]
    expected = 100 * row["expansion_arr_usd"] / row["starting_arr_usd"]
    card = next(metric for metric in at.metric if metric.label == "Expansion rate")
    assert card.value == f"{expected:.1f}%"
    assert card.delta and card.delta.endswith(" pp")
    assert metric_values(at)["ARR"].startswith("$")
    # its definition is the card's help
    assert card.help.startswith("How much the accounts active just before the period grew")

    at.switch_page("views/glossary.py").run()
    assert not at.exception
    table = at.table[0].value
    assert "Expansion rate" in table.index
    assert table.loc["Expansion rate", "Definition"].startswith("How much the accounts")
    assert table.loc["Expansion rate", "How it is computed"].startswith("Expansion ARR ÷")


def test_an_alignment_score_reads_the_same_on_its_card_and_in_the_departments_table(demo):
    """The Goal alignment page's departments table, the overall card and each department's
    scorecard card show a score at the same rounding (70.8% beside 70.8%, never 71%)."""
    alignment = open_page("views/alignment.py")
    scores = alignment.dataframe[0].value
    unit = display.column_unit("Alignment score", scores["Alignment score"])
    shown = {re.search(r"department=([a-z_]+)", link).group(1): display.format_number(value, unit)
             for link, value in zip(scores["Department"], scores["Alignment score"], strict=True)
             if value == value}
    overall = scores["Alignment score"].mean()
    assert alignment.metric[0].value == display.format_number(overall, unit)
    scorecard = open_page("views/scorecard.py", {"department": "customer_service"})
    card = next(metric for metric in scorecard.metric if metric.label == "Alignment score")
    assert card.value == shown["customer_service"]
    assert re.fullmatch(r"\d+\.\d%", card.value)


def test_the_engagement_change_is_the_difference_of_the_scores_shown(demo):
    """The scorecard shows engagement without decimals ('63 / 100'), so its change is the
    difference of whole scores ('+7' from 56), never the unrounded '+7.4'."""
    at = open_page("views/scorecard.py", {"department": "customer_service"})
    card = next(metric for metric in at.metric if metric.label.startswith("Engagement, "))
    scores = page_queries.run_query("goal_engagement", department_id="customer_service")[
        "engagement_score"]
    latest, previous = round(scores.iloc[-1]), round(scores.iloc[-2])
    assert card.value == f"{latest} / 100"
    assert card.delta == (f"{latest - previous:+d}" if latest != previous else "0")
