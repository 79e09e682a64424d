"""Every table on every page and tab, as the viewer sees it (the displayed text of each cell):
numbers in their unit (a measure's column as its measure formats it), no None / nan / NaT, no
cents on money, no raw codes, "—" for missing; and no such words in the page's text either."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from northstar.analytics import display
from northstar.data import measures
from northstar.data.registry.pages import PAGES
from tests.conftest import REPO_ROOT
from tests.shown import as_shown

APP = str(REPO_ROOT / "app.py")
VIEWS: list[tuple[str, dict[str, str]]] = [
    (page.key, {page.tab_parameter: tab} if tab else {})
    for page in PAGES
    for tab in (page.tabs or (None,))
] + [
    ("scorecard", {"department": "customer_service"}),
    ("account", {"account": "A0000001"}),
]
MISSING_WORDS = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|null)(?![\w-])")
CENTS = re.compile(r"\$\d[\d,]*\.\d\d(?![\dKMB])")  # $70,960,920.12, not $1.05M
# a price per unit may show cents: "$7.02 of ARR a year per dollar"
_PRICE = r"\$\d[\d,]*\.\d\d(?![\dKMB])"
UNIT_PRICE = re.compile(rf"per dollar {_PRICE}|{_PRICE}( of ARR a year)? per ")
WHOLE_DOLLARS = re.compile(r"\$\d{1,3}(,\d{3}){2,}")  # $70,960,920 in place of $71.0M


def shown_cells(element) -> pd.DataFrame:
    """A table's cells as the browser shows them (the Styler's display text when it has one)."""
    proto = element.proto
    data = proto.arrow_data
    if data.HasField("styler") and data.styler.display_values:
        return pa.ipc.open_stream(data.styler.display_values).read_pandas()
    return element.value


def measure_columns_shown_as_their_measures(raw: pd.DataFrame, cells: pd.DataFrame,
                                             where: str) -> None:
    """A numeric column under a measure's label shows each value as the measure formats it
    (northstar/data/measures.toml: its unit and rounding)."""
    for column in raw.columns:
        measure = measures.by_label(str(column))
        if (measure is None or column not in cells.columns
                or not pd.api.types.is_numeric_dtype(raw[column])):
            continue
        expected = [display.measure_text(measure.key, value) for value in raw[column]]
        assert [str(value) for value in cells[column]] == expected, (where, column)


def open_view(key: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(f"views/{key}.py")
    return at.run()


@pytest.mark.parametrize(("key", "params"), VIEWS,
                         ids=[f"{key}-{'-'.join(params.values()) or 'main'}" for key, params in VIEWS])
def test_every_table_and_text_follows_the_house_style(demo_db, use_db, key, params):
    use_db(demo_db)
    at = open_view(key, params)
    assert not at.exception, [error.value for error in at.exception]
    for index, table in enumerate(at.dataframe):
        where = f"{key} {params} table {index}"
        raw = table.value
        assert table.proto.placeholder == display.MISSING, where
        assert display.unformatted_numeric_columns(raw) == [], where
        cells = shown_cells(table)
        unit_prices = {str(column) for column in raw.columns
                       if display.column_unit(str(column)) == "usd_price"}
        for column in cells.columns:
            values = [str(value) for value in cells[column].dropna()]
            for value in values:
                assert not MISSING_WORDS.search(value), (where, column, value)
                if str(column) not in unit_prices:
                    assert not CENTS.search(value), (where, column, value)
                assert not WHOLE_DOLLARS.search(value), (where, column, value)
                if "?" not in value and "#" not in value:
                    assert not display.is_raw_code(value), (where, column, value)
        if table.proto.arrow_data.HasField("styler"):
            measure_columns_shown_as_their_measures(raw, cells, where)
    texts = [as_shown(element.value) for element in (*at.markdown, *at.caption)]
    texts += [f"{metric.label} {metric.value}" for metric in at.metric]
    for text in texts:
        assert not MISSING_WORDS.search(text), (key, params, text)
        assert not CENTS.search(UNIT_PRICE.sub("", text)), (key, params, text)
        assert "month(s)" not in text and "account(s)" not in text, (key, params, text)
