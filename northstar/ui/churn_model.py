"""Whether the churn model may be shown, and what the risk pages show when it may not: the
observed churn of the last 12 months with its intervals, and one sentence saying why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st

from northstar.analytics import ceo_brief, risk
from northstar.data.months import month_label
from northstar.ui import downloads, page_queries

NO_MODEL_ICON = ":material/block:"


def status(revenue: bool = True) -> risk.ModelStatus:
    """The stored verdict of the churn model's checks (read once per run, cached); in data
    without `revenue`, no model."""
    stored = risk.model_status(page_queries.run_query("churn_model_checks"))
    return stored if revenue else stored.without_revenue()


def observed(scope: Mapping[str, Any], last_month: dt.date) -> list[risk.ObservedChurn]:
    """Logo churn of the 12 months to the data's last month, in total and by segment: the same
    figures as Retention's breakdown by segment."""
    return ceo_brief.observed_churn(page_queries.run_query, scope, last_month)


def show_observed(model: risk.ModelStatus, scope: Mapping[str, Any],
                  last_month: dt.date) -> None:  # pragma: no cover - drawn in the AppTest
    """The reason there is no model, then the observed churn by segment with its intervals."""
    st.info(model.reason, icon=NO_MODEL_ICON)
    rows = observed(scope, last_month)
    st.caption(risk.observed_churn_text(rows, month_label(last_month)) + " Observed, not "
               "predicted: the share of the accounts active 12 months earlier that churned "
               "since, with its 95% (Wilson) interval.")
    if len(rows) > 1:
        downloads.dataframe(risk.observed_churn_table(rows), title="Observed churn by segment",
                            hide_index=True)
