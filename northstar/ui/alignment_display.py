"""The goal alignment page's departments × outcomes grid and its gaps (views/alignment.py)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from northstar.analytics import alignment
from northstar.ui import charts


def outcome_matrix(shares, texts) -> go.Figure:
    """The grid as a heatmap: shade = the share of credit, each cell's KPIs written in it."""
    figure = go.Figure(go.Heatmap(
        z=shares.to_numpy(dtype=float), x=list(shares.columns), y=list(shares.index),
        text=texts.to_numpy(), texttemplate="%{text}", textfont={"size": 13},
        colorscale=[[0, "#FFFFFF"], [0.5, charts.PALETTE["sky"]], [1, charts.PALETTE["blue"]]],
        zmin=0, zmax=100, xgap=2, ygap=2, hoverongaps=False,
        colorbar={"ticksuffix": "%", "title": {"text": "Credit"}},
        hovertemplate="%{y} · %{x}<br>%{text}<br>credit %{z:.0f}%<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", showgrid=False, type="category")
    figure.update_xaxes(side="top", showgrid=False, type="category")
    return charts.base_layout(figure, height=90 + 62 * len(shares.index))


def gaps(found: alignment.Gaps) -> None:
    """Each gap as a warning, or that there is none."""
    gap_left, gap_right = st.columns(2)
    with gap_left:
        if found.unaligned_kpis is None:
            st.success("Every KPI serves at least one customer outcome.",
                       icon=":material/check_circle:")
        else:
            st.warning(found.unaligned_kpis, icon=":material/link_off:")
    with gap_right:
        if found.unowned_outcomes:
            st.warning(found.unowned_outcomes, icon=":material/person_off:")
        else:
            st.success("Every customer outcome is served by at least one department's KPI.",
                       icon=":material/check_circle:")
        if found.departments_without_kpis:
            st.warning(found.departments_without_kpis, icon=":material/domain_disabled:")
