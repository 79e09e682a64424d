"""Whether the churn model may be shown, and what the risk pages show when it may not: the
observed churn of the last 12 months with its intervals, and one sentence saying why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from northstar.analytics import ceo_brief, risk
from northstar.data.months import month_label
from northstar.ui import downloads, page_queries

NO_MODEL_ICON = ":material/block:"


# a page's data (northstar.ui.page_data) holding the plan's model_calls under a key prefix;
# None: run the queries here (pages not yet reading their data from their plan)
PageData = Mapping[str, pd.DataFrame] | None


def status(revenue: bool = True, data: PageData = None, prefix: str = "") -> risk.ModelStatus:
    """The stored verdict of the churn model's checks (read once per run, cached); in data
    without `revenue`, no model."""
    checks = (data[f"{prefix}model_checks"] if data is not None
              else page_queries.run_query("churn_model_checks"))
    stored = risk.model_status(checks)
    return stored if revenue else stored.without_revenue()


def observed(scope: Mapping[str, Any], last_month: dt.date, data: PageData = None,
             prefix: str = "") -> list[risk.ObservedChurn]:
    """Logo churn of the 12 months to the data's last month, in total and by segment: the same
    figures as Retention's breakdown by segment."""
    if data is not None:
        return risk.observed_churn(data[f"{prefix}observed_churn"])
    return ceo_brief.observed_churn(page_queries.run_query, scope, last_month)


def show_observed(model: risk.ModelStatus, scope: Mapping[str, Any], last_month: dt.date,
                  data: PageData = None,
                  prefix: str = "") -> None:  # pragma: no cover - drawn in the AppTest
    """The reason there is no model, then the observed churn by segment with its intervals."""
    st.info(model.reason, icon=NO_MODEL_ICON)
    rows = observed(scope, last_month, data, prefix)
    st.caption(risk.observed_churn_text(rows, month_label(last_month)) + " Observed, not "
               "predicted: the share of the accounts active 12 months earlier that churned "
               "since, with its 95% (Wilson) interval.")
    if len(rows) > 1:
        downloads.dataframe(risk.observed_churn_table(rows), title="Observed churn by segment",
                            hide_index=True)
