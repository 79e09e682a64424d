"""How tables look: Streamlit column settings for each page's tables, and what selecting a
row does. The tables themselves are built by the analytics modules."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics.health import COMPONENT_HELP
from northstar.data.settings import COMPONENTS

DATE = st.column_config.DateColumn(format="D MMM YYYY")


ACCOUNT_COLUMNS: dict[str, object] = {
    "Date": DATE,
    "Ended": DATE,
    "Opened": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
    "First response (h)": st.column_config.NumberColumn(format="%.1f"),
    "Resolution (h)": st.column_config.NumberColumn(format="%.1f"),
    "Hours": st.column_config.NumberColumn(format="%.1f"),
    "Comment": st.column_config.TextColumn(width="large"),
    "Subject": st.column_config.TextColumn(width="large"),
    "Notes": st.column_config.TextColumn(width="medium"),
}


def money_column(help: str | None = None) -> object:
    """A sortable money column in whole dollars (no cents)."""
    return st.column_config.NumberColumn(format="dollar", step=1, help=help)


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
        "Health": st.column_config.TextColumn(
            help="0–100, higher is healthier; — when fewer than two components have a signal"
        ),
        "Churn chance, 12 months": st.column_config.NumberColumn(
            format="%.0f%%", help="The churn model's chance that the account leaves in the next "
            "12 months"
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
    """Formats for the columns a program table has, chosen from the column's name."""
    config: dict[str, object] = {}
    for column in table.columns:
        if column == "Account":
            config[column] = st.column_config.LinkColumn(
                "Account", display_text=r"#(.*)$", pinned=True, width="medium",
                help="Opens the account's 360 view",
            )
        elif "ARR" in column and column != "ARR rank":
            config[column] = st.column_config.NumberColumn(format="dollar")
        elif column in {"Logo churn", "NRR", "GRR", "CSAT", "Share of tickets"} or column.endswith(
            ("rate", "Completion rate")
        ):
            config[column] = st.column_config.NumberColumn(format="%.1f%%")
        elif column == "NPS":
            config[column] = st.column_config.NumberColumn(format="%+.0f")
        elif column == "Mean score":
            config[column] = st.column_config.NumberColumn(format="%.2f")
        elif column.endswith("(hours)"):
            config[column] = st.column_config.NumberColumn(format="%.1f")
        elif column == "Opened" and pd.api.types.is_datetime64_any_dtype(table[column]):
            config[column] = st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")
        elif pd.api.types.is_datetime64_any_dtype(table[column]) or column in {
            "Joined", "Renewal", "Last executive meeting", "NPS answered", "Latest", "Given",
            "Answered on", "Installation ended", "Engagement ended",
        }:
            config[column] = st.column_config.DateColumn(format="D MMM YYYY")
        elif column in {"Comment", "Subject"}:
            config[column] = st.column_config.TextColumn(width="large")
    return config


def breakdown_column_config(label: str) -> dict[str, object]:
    return {
        label: st.column_config.TextColumn(pinned=True),
        "Accounts at start": st.column_config.NumberColumn(format="localized"),
        "Churned": st.column_config.NumberColumn(format="localized"),
        "Logo churn": st.column_config.NumberColumn(format="%.1f%%"),
        "Starting ARR": st.column_config.NumberColumn(format="dollar"),
        "ARR lost": st.column_config.NumberColumn(format="dollar"),
        "NRR": st.column_config.NumberColumn(format="%.1f%%"),
        "GRR": st.column_config.NumberColumn(format="%.1f%%"),
    }


def score_breakdown_column_config(table: pd.DataFrame) -> dict[str, object]:
    return {
        table.columns[0]: st.column_config.TextColumn(pinned=True),
        "NPS": st.column_config.NumberColumn(format="%+.0f"),
        "NPS ±": st.column_config.NumberColumn(format="±%.0f"),
        "CSAT": st.column_config.NumberColumn(format="%.1f%%"),
        "CSAT ±": st.column_config.NumberColumn(format="±%.1f"),
        "CES": st.column_config.NumberColumn(format="%.2f"),
        "CES ±": st.column_config.NumberColumn(format="±%.2f"),
        "NPS n": st.column_config.NumberColumn(format="localized"),
        "CSAT n": st.column_config.NumberColumn(format="localized"),
        "CES n": st.column_config.NumberColumn(format="localized"),
    }


def select_theme_from_table(summary: pd.DataFrame):
    """An on_select callback: the theme row picked in the table becomes the theme filter."""

    def _select() -> None:
        selection = st.session_state.get("theme_table")
        rows = selection.selection.rows if selection else []
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
