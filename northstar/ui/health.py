"""Health & risk's longer Streamlit parts: the ARR at risk, the at-risk list with its Action
cell, and the backtest of the churn model and the health score."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import health, invest, risk
from northstar.analytics.metrics import format_usd
from northstar.data import rules
from northstar.data.months import month_label
from northstar.ui import actions, charts, downloads, presentation, tables

AT_RISK_TABLE = "at_risk_table"
BACKTEST_COLUMNS = {
    "AUC": st.column_config.NumberColumn(
        "Ranking (AUC)", help="How often an account that churned was ranked riskier than one "
        "that stayed: 0.5 is a coin toss, 1 is perfect"),
    "Brier score": st.column_config.NumberColumn(
        "Prediction error (Brier)", help="Mean squared gap between the predicted chance and what "
        "happened (0 or 1); lower is better"),
    "Largest decile gap (pp)": st.column_config.NumberColumn(
        help="The largest difference between predicted and observed churn in any decile, in "
        "percentage points"),
}


def arr_at_risk(whole: risk.Portfolio,
                drivers: list[invest.DriverResult]) -> None:  # pragma: no cover - AppTest
    """The ARR at risk in the next 12 months, its share, and how much sits in healthy bands."""
    first, second, third = st.columns(3)
    first.metric(
        "ARR at risk, next 12 months", format_usd(whole.arr_at_risk_usd),
        delta="95% range "
        + risk.usd_range_text(whole.arr_at_risk_low_usd, whole.arr_at_risk_high_usd),
        delta_color="off", delta_arrow="off", border=True,
        help="Σ ARR × each account's chance of churning in the next 12 months, from the churn "
        "model; the range adds up the accounts' own ranges.",
    )
    second.metric(
        "Share of their ARR at risk", f"{whole.share_pct:.1f}%", border=True,
        help=f"Of the {format_usd(whole.arr_usd)} of ARR held by the {whole.accounts:,} "
        f"{risk.CHURN_MODEL_SCORED}.",
    )
    third.metric(
        f"In {' or '.join(rules.HEALTHY_BANDS)} accounts",
        format_usd(whole.band_share(*rules.HEALTHY_BANDS)),
        border=True,
        help="The health score and the churn model are separate signals: a large account the "
        "score calls Healthy can still carry much ARR at a modest chance.",
    )
    if not presentation.is_on():
        st.caption(risk.portfolio_text(whole, drivers))


def at_risk_list(at_risk: pd.DataFrame, by_model: bool) -> None:  # pragma: no cover - AppTest
    """The at-risk accounts; a row opens the account's 360 view, the Action cell a new action."""
    recording = actions.may_record()
    # None: the workspace is unavailable (a notice above the table says why)
    open_actions = actions.open_counts_by_account() if recording else None
    table = health.at_risk_table(
        at_risk, {} if recording and open_actions is None else open_actions,
        by_model=by_model, counts_known=open_actions is not None)
    downloads.dataframe(
        table, title="At-risk accounts", hide_index=True,
        column_config={column: config for column, config
                       in tables.at_risk_column_config().items() if column in table.columns},
        height=480, key=AT_RISK_TABLE, on_select="rerun",
        selection_mode=["single-row", "single-cell"],
    )
    actions.on_account_table_click(at_risk, AT_RISK_TABLE, health.action_title, recording)

def backtest_proof(backtest: pd.DataFrame,
                   deciles: pd.DataFrame) -> None:  # pragma: no cover - drawn in the AppTest
    """Predicted against observed churn by decile, and each score's ranking and error."""
    st.caption(risk.backtest_caption(backtest))
    table = risk.backtest_table(backtest, deciles)
    chart_left, chart_right = st.columns([3, 2])
    with chart_left:
        charts.show(charts.calibration(
            {risk.SCORE_LABELS[name]: risk.calibration_points(deciles, name)
             for name in backtest["score_name"]},
            title="Predicted vs observed churn by decile, accounts of "
            f"{month_label(risk.backtest_landmark(backtest))}",
        ))
    with chart_right:
        for row in table.itertuples(index=False):
            st.metric(
                f"{row.Score}: ranks churners first", f"{row.AUC:.0%} of the time", border=True,
                help="How often an account that churned was ranked riskier than one that "
                "stayed (the AUC): 50% is a coin toss, 100% is perfect.",
            )
    downloads.dataframe(table, hide_index=True, column_config=BACKTEST_COLUMNS)
