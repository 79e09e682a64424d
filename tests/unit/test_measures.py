"""The measures file: each measure defined once, read by the formats, the Glossary, the KPI
query and docs/metrics.md; a bad entry is refused with a message naming it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from northstar.analytics import display, goals, metrics
from northstar.data import measures
from northstar.data.db import query_runner
from tests.conftest import REPO_ROOT

# a KPI the registry does not have: expansion as a share of starting ARR
NEW_KPI = '''
[expansion_pct]
label = "Expansion rate"
unit = "pct"
good = "up"
definition = "How much the accounts active just before the period grew their ARR, in % of it."
detail = "Expansion only: contraction, churn and new accounts are left out."
computation = "Expansion ARR ÷ starting ARR."
source = "kpi_windows, from the revenue_window_tallies rollup"
window = "the period, against the month just before it"
sql = "100 * r.expansion_arr_usd / nullif(r.starting_arr_usd, 0)"
wall = true
needs_revenue = true
'''


@pytest.fixture()
def with_new_kpi(tmp_path, monkeypatch) -> Path:
    """The measures file plus one new KPI entry, and nothing else changed."""
    path = tmp_path / "measures.toml"
    path.write_text(measures.MEASURES_FILE.read_text(encoding="utf-8") + NEW_KPI,
                    encoding="utf-8")
    monkeypatch.setattr(measures, "MEASURES_FILE", path)
    return path


def test_docs_list_the_measures_as_the_file_defines_them():
    """docs/metrics.md's measures table is the rendering of the measures file (rewrite it with
    `python -m northstar.analytics.metrics`)."""
    text = (REPO_ROOT / "docs" / "metrics.md").read_text()
    assert metrics.measures_markdown() in text


def test_every_measure_has_one_home_for_its_label_and_unit():
    for measure in measures.registry().values():
        # a table column under the measure's label takes the measure's unit
        assert display.column_unit(measure.label) == measure.unit
        assert measure.label not in display.COLUMN_UNITS


def test_rule_values_in_the_text_come_from_the_rules():
    from northstar.data import rules

    nps = measures.MEASURES["nps"]
    assert f"({rules.NPS_PROMOTER_FROM}–10)" in nps.detail
    assert f"(0–{rules.NPS_DETRACTOR_TO})" in nps.detail
    assert f"scoring {rules.CSAT_SATISFIED_FROM}–5" in measures.MEASURES["csat_pct"].definition
    assert not any("{{" in measure.described + measure.computation
                   for measure in measures.registry().values())


def test_the_kpi_query_selects_each_measure_expression():
    sql = query_runner.load_query("kpi_windows").sql
    for measure in measures.registry().values():
        if measure.sql:
            assert f"{measure.sql} as {measure.key}" in sql
    assert measures.MEASURE_COLUMNS not in sql


def test_a_new_kpi_is_one_entry(with_new_kpi):
    """Added to the measures file alone, a KPI is on the wall, formatted, defined in the
    Glossary and the docs, and selected by the KPI query."""
    assert metrics.briefing_kpis()[-1] == "expansion_pct"
    assert metrics.format_value("expansion_pct", 7.349) == "7.3%"
    assert metrics.format_delta("expansion_pct", 1.25) == "+1.2 pp"
    assert metrics.delta_color("expansion_pct") == "normal"
    row = next(row for row in metrics.glossary_rows() if row["Metric"] == "Expansion rate")
    assert row["Definition"].startswith("How much the accounts active just before the period")
    assert row["How it is computed"].startswith("Expansion ARR ÷ starting ARR.")
    assert row["Better when"] == "Higher"
    docs = metrics.measures_markdown()
    assert "| **Expansion rate** (`expansion_pct`) | How much the accounts" in docs
    assert display.column_unit("Expansion rate", pd.Series([7.3])) == "pct"
    assert ("100 * r.expansion_arr_usd / nullif(r.starting_arr_usd, 0) as expansion_pct"
            in query_runner.load_query("kpi_windows").sql)


@pytest.mark.parametrize(("entry", "message"), [
    ('[arr_usd]\nlabel = "ARR"\n', "measures.toml: measure [arr_usd]: missing unit, good"),
    (NEW_KPI.replace('unit = "pct"', 'unit = "percent"'),
     "measure [expansion_pct] unit 'percent' is not one of usd, pct"),
    (NEW_KPI.replace('good = "up"', 'good = "higher"'),
     "measure [expansion_pct] good 'higher' is not one of up, down, none"),
    (NEW_KPI.replace("window =", "windw ="),
     "measure [expansion_pct]: missing window; unknown field windw"),
    (NEW_KPI.replace("sql = \"100", "sql = \"1; drop table accounts; select 100"),
     "measure [expansion_pct] sql must be one SQL expression"),
    (NEW_KPI.replace("{{", "").replace("definition = \"How", "definition = \"{{no_such_rule}} How"),
     "measure [expansion_pct] field 'definition': no rule named 'no_such_rule'"),
    (NEW_KPI + NEW_KPI.replace("[expansion_pct]", "[expansion_again]"),
     "measures [expansion_pct] and [expansion_again] share the label 'Expansion rate'"),
    ("[arr_usd\n", "measures.toml: not valid TOML"),
])
def test_a_bad_entry_is_refused_naming_it(tmp_path, monkeypatch, entry, message):
    path = tmp_path / "measures.toml"
    path.write_text(entry, encoding="utf-8")
    monkeypatch.setattr(measures, "MEASURES_FILE", path)
    with pytest.raises(measures.MeasuresError) as error:
        measures.registry()
    assert message in str(error.value)
    # a query rendered from the measures says so, as a query error a page shows
    with pytest.raises(query_runner.QueryError, match="cannot read the measures"):
        query_runner.load_query("kpi_windows")


def test_a_scorecard_change_is_the_difference_of_the_scores_shown():
    """Support CSAT 70.86% from 69.94% shows as 70.9% from 69.9%: +1.0 pp, as the Satisfaction
    page and the KPI wall write it (the unrounded +0.92 read +0.9 pp beside them)."""
    frame = pd.DataFrame([
        {"program": "support", "survey_type": "CSAT", "score": 70.86, "answers": 1000,
         "comparison_score": 69.94, "comparison_answers": 1000, "promoters": 0,
         "detractors": 0, "satisfied": 709, "score_total": 0, "score_squares_total": 0,
         "comparison_promoters": 0, "comparison_detractors": 0, "comparison_satisfied": 699,
         "comparison_score_total": 0, "comparison_score_squares_total": 0},
        {"program": "relationship", "survey_type": "NPS", "score": 30.4, "answers": 1000,
         "comparison_score": 30.6, "comparison_answers": 1000, "promoters": 500,
         "detractors": 196, "satisfied": 0, "score_total": 0, "score_squares_total": 0,
         "comparison_promoters": 500, "comparison_detractors": 194, "comparison_satisfied": 0,
         "comparison_score_total": 0, "comparison_score_squares_total": 0},
    ])
    table = goals.touchpoint_table(frame)
    assert list(table["Score (answers at this department's touchpoints)"]) == ["70.9%", "+30"]
    # NPS +30.4 from +30.6 shows as +30 from +31: −1 pts (the unrounded change read "-0 pts")
    assert list(table["Change vs comparison"]) == ["+1.0 pp", "-1 pts"]


def test_a_measures_rounding_is_one_setting(tmp_path, monkeypatch):
    """`decimals` on the entry rounds the card, the change, a table column under its label and
    the exported cell alike."""
    path = tmp_path / "measures.toml"
    path.write_text(measures.MEASURES_FILE.read_text(encoding="utf-8")
                    + NEW_KPI.replace('unit = "pct"', 'unit = "pct"\ndecimals = 2'),
                    encoding="utf-8")
    monkeypatch.setattr(measures, "MEASURES_FILE", path)
    assert metrics.format_value("expansion_pct", 7.3449) == "7.34%"
    # 7.3449% from 7.3351% shows as 7.34% from 7.34%: no change at two decimals
    assert metrics.format_delta("expansion_pct", metrics.shown_delta(
        "expansion_pct", 7.3449, 7.3351)) == "0.00 pp"
    assert metrics.format_delta("expansion_pct", 0.125) == "+0.12 pp"
    frame = pd.DataFrame({"Segment": ["SMB"], "Expansion rate": [7.3449]})
    assert display.column_formatters(frame)["Expansion rate"](7.3449) == "7.34%"
    assert display.excel_format("Expansion rate", frame["Expansion rate"]) == '0.00"%"'
    assert display.excel_format("NRR", pd.Series([98.25])) == '0.0"%"'


def test_a_measure_column_carries_its_definition_as_help():
    from northstar.ui import tables

    frame = pd.DataFrame({"Segment": ["SMB"], "NRR": [98.2], "Accounts": [12]})
    _, config = tables.house_style(frame, None)
    assert config["NRR"]["help"] == measures.MEASURES["nrr_pct"].definition
    assert "Accounts" not in config
