"""A KPI card on screen: st.metric with the card's value, coloured delta and sparkline."""

from __future__ import annotations

import streamlit as st

from northstar.analytics.kpi_cards import KpiCard


def render_card(card: KpiCard, comparison_phrase: str, sparkline: bool = True) -> None:
    """One KPI as an st.metric: value, delta coloured by direction only when the change is
    beyond noise (otherwise grey, and the description says "within noise"), the definition as
    help, and optionally its sparkline."""
    points = [value for value in card.sparkline if value is not None] if sparkline else []
    # a change that is not beyond noise says so in place of the comparison (the card is too
    # narrow for both); the comparison is in the page caption and the help
    description = comparison_phrase if card.delta_text else None
    if description and card.delta_note:
        description = card.delta_note
    help_text = card.metric.described
    if card.delta_note:
        help_text += (f" The change {comparison_phrase} is {card.delta_note}: it could come "
                      "from which customers happened to answer or churn, so it is not coloured.")
    st.metric(
        card.metric.label,
        card.value_text,
        delta=card.delta_text,
        delta_color=card.delta_color,
        delta_arrow="auto" if card.delta_is_change else "off",
        delta_description=description,
        help=help_text,
        border=True,
        chart_data=points or None,
        chart_type="area" if card.metric.unit == "usd" else "line",
    )
