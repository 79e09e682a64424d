"""How tables look: Streamlit column settings for each page's tables, and what selecting a
row does. The tables themselves are built by the analytics modules."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from northstar.analytics import action_rules, display
from northstar.analytics.health import COMPONENT_HELP
from northstar.data import measures
from northstar.data.settings import COMPONENTS
from northstar.ui import presentation, view_state

DATE = st.column_config.DateColumn(format="D MMM YYYY")
# a table's "record an action on this row" cells (northstar.ui.actions); left out of exports
ACTION_COLUMN = action_rules.ACTION_COLUMN
# above this many cells a table is shown with Streamlit's own number formats only
STYLED_CELLS_MAX = 100_000


def _has_format(config: object) -> bool:
    """Whether a column setting already fixes how its numbers look."""
    return isinstance(config, Mapping) and bool((config.get("type_config") or {}).get("format"))


def house_style(frame: pd.DataFrame, column_config: Mapping[str, object] | None
                ) -> tuple[pd.DataFrame | Styler, dict[str, object]]:
    """A table as the house style shows it: raw codes in people's words, every number in its
    column's unit ($71.0M, 20.7%, 1,193) through `display.format_number`, a measure's column
    with its definition as help, and the first column pinned. The numbers themselves stay
    numbers, so the table sorts as numbers."""
    config: dict[str, object] = dict(column_config or {})
    link_columns = {name for name, setting in config.items() if view_state.is_link_column(setting)}
    text_columns = [column for column in frame.columns if column not in link_columns]
    shown = display.with_people_words(frame, text_columns)
    if len(shown.columns) and shown.columns[0] not in config:
        config[shown.columns[0]] = st.column_config.Column(pinned=True)
    for column in shown.columns:
        # a measure's column explains itself: its definition is the header's help
        measure = measures.by_label(str(column))
        if measure is not None and column not in config:
            config[column] = st.column_config.Column(help=measure.definition)
    if shown.size > STYLED_CELLS_MAX or not shown.columns.is_unique:
        return shown, config
    formatted = {name for name, setting in config.items() if _has_format(setting)}
    formatters = display.column_formatters(shown, skip=formatted)
    if not formatters:
        return shown, config
    return shown.style.format(formatters, na_rep=display.MISSING), config


ACCOUNT_COLUMNS: dict[str, object] = {
    "Date": DATE,
    "Ended": DATE,
    "Opened": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
    "Comment": st.column_config.TextColumn(width="large"),
    "Subject": st.column_config.TextColumn(width="large"),
    "Notes": st.column_config.TextColumn(width="medium"),
}


def show(data: pd.DataFrame, **kwargs: object) -> object:
    """st.dataframe in the house style: numbers in their unit, "—" for missing, no index.
    A slide of presentation mode leaves detail tables out."""
    if presentation.is_on():
        return None
    shown, kwargs["column_config"] = house_style(
        data, kwargs.get("column_config")  # type: ignore[arg-type]
    )
    kwargs.setdefault("placeholder", display.MISSING)
    kwargs.setdefault("hide_index", True)
    if "key" in kwargs:
        kwargs["key"] = widget_key(str(kwargs["key"]))
    return st.dataframe(shown, **kwargs)


def money_column(help: str | None = None) -> object:
    """A sortable money column; `house_style` shows it as $71.0M."""
    return st.column_config.NumberColumn(help=help)


def at_risk_column_config() -> dict[str, object]:
    component_columns = {
        label: st.column_config.ProgressColumn(
            label, min_value=0, max_value=100, format="%.0f", help=COMPONENT_HELP[column]
        )
        for column, label in COMPONENTS.items()
    }
    return {
        "Account": st.column_config.LinkColumn(
            "Account",
            display_text=r"#(.*)$",
            pinned=True,
            width="medium",
            help="Opens the account's 360 view",
        ),
        "ARR": money_column(),
        "Health": st.column_config.NumberColumn(
            help="0–100, higher is healthier; — when fewer than two components have a signal"
        ),
        "Churn risk, 12 months": st.column_config.NumberColumn(
            help="The churn model's chance that the account leaves in the next 12 months"
        ),
        "95% range": st.column_config.TextColumn(
            help="The range the chance has given the model's uncertainty"
        ),
        "ARR at risk": money_column("ARR × the 12-month churn chance"),
        "Main reasons": st.column_config.TextColumn(
            width="large", help="The drivers that add most to the account's chance, most first"
        ),
        "Renewal": st.column_config.DateColumn(format="D MMM YYYY"),
        "Last executive meeting": st.column_config.DateColumn(format="D MMM YYYY"),
        **component_columns,
    }


def program_column_config(table: pd.DataFrame) -> dict[str, object]:
    """Settings for the columns a program table has, chosen from the column's name (numbers
    are formatted by `house_style` from the column's unit)."""
    config: dict[str, object] = {}
    for column in table.columns:
        if column == "Account":
            config[column] = st.column_config.LinkColumn(
                "Account", display_text=r"#(.*)$", pinned=True, width="medium",
                help="Opens the account's 360 view",
            )
        elif column == "Opened" and pd.api.types.is_datetime64_any_dtype(table[column]):
            config[column] = st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(table[column]) or column in {
            "Joined", "Renewal", "Last executive meeting", "NPS answered", "Latest", "Given",
            "Answered on", "Installation ended", "Engagement ended",
        }:
            config[column] = st.column_config.DateColumn(format="D MMM YYYY")
        elif column in {"Comment", "Subject", "Why"}:
            config[column] = st.column_config.TextColumn(width="large")
    return config


def breakdown_column_config(label: str) -> dict[str, object]:
    return {label: st.column_config.TextColumn(pinned=True)}


def score_breakdown_column_config(table: pd.DataFrame) -> dict[str, object]:
    return {table.columns[0]: st.column_config.TextColumn(pinned=True)}


def selected_rows(key: str) -> list[int]:
    """The positions of the rows selected in the table drawn with `key`."""
    state = st.session_state.get(widget_key(key)) or {}
    return list((state.get("selection") or {}).get("rows") or [])


def selected_cell(key: str) -> tuple[int | None, str | None]:
    """(row position, column name) of the cell clicked in the table drawn with `key`; a row
    picked by its checkbox gives (row, None); nothing picked gives (None, None)."""
    selection = (st.session_state.get(widget_key(key)) or {}).get("selection") or {}
    cells = list(selection.get("cells") or [])
    if cells:
        row, column = cells[0]
        return int(row), str(column)
    rows = list(selection.get("rows") or [])
    return (int(rows[0]), None) if rows else (None, None)


_GENERATIONS = "_tables_generations"


def widget_key(key: str) -> str:
    """The widget key the table called `key` is drawn with. Clearing its selection draws a new
    table under a new key rather than emptying the old one's selection: a browser that gets an
    emptied selection back can select the table's first cell when focus returns to it (as a
    dialog closes), which would read as a click on the first row."""
    generation = (st.session_state.get(_GENERATIONS) or {}).get(key, 0)
    return f"{key}~{generation}" if generation else key


def _next_generation(key: str) -> None:
    generations = st.session_state.setdefault(_GENERATIONS, {})
    generations[key] = generations.get(key, 0) + 1


def clear_selection_callback(key: str):
    """A widget callback (e.g. a dialog's on_dismiss) that clears the table's selection."""

    def _clear() -> None:
        _next_generation(key)

    return _clear


def clear_selection_on_next_run(key: str) -> None:
    """Clear the table's selection before it is drawn again (from code after it was drawn)."""
    _next_generation(key)


def select_theme_from_table(summary: pd.DataFrame):
    """An on_select callback: the theme row picked in the table becomes the theme filter."""

    def _select() -> None:
        rows = selected_rows("theme_table")
        if rows:
            st.session_state["theme"] = summary["theme"].iloc[rows[0]]

    return _select


COMMENT_COLUMNS: dict[str, object] = {
    "Date": st.column_config.DateColumn(format="D MMM YYYY"),
    "Account": st.column_config.LinkColumn(display_text=r"#(.*)$", help="Opens Account 360"),
    "Comment": st.column_config.TextColumn(width="large"),
}


OPEN_ANSWER_COLUMNS: dict[str, object] = {
    "Answered": st.column_config.DateColumn(format="D MMM YYYY"),
    "Follow up by": st.column_config.DateColumn(format="D MMM YYYY"),
    "Account": st.column_config.LinkColumn(display_text=r"#(.*)$", help="Opens Account 360"),
    "Comment": st.column_config.TextColumn(width="large"),
}


# the KPI-against-target table of Goal alignment and the scorecards
KPI_STATUS_COLUMNS: dict[str, object] = {
    "KPI": st.column_config.TextColumn(pinned=True),
    "Customer outcomes": st.column_config.TextColumn(
        help="The customer outcomes the KPI serves; — when it serves none (it earns no "
        "alignment credit)"
    ),
    "Status": st.column_config.TextColumn(
        help="Over the period chosen: the mean of the KPI's actuals against its target"),
    "Latest period": st.column_config.TextColumn(
        help="The status of the KPI's latest month or quarter with an actual, and how many "
        "periods in a row it has held: a period's mean can be on track while its last months "
        "are not"),
    "Next review": st.column_config.DateColumn(format="D MMM YYYY"),
}
