"""Retention's longer Streamlit parts: the columns of the accounts behind the figures, and the
churn reasons tab's charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import retention
from northstar.analytics.periods import PeriodWindow
from northstar.ui import charts, downloads, explain, presentation, tables


def movement_columns(opening: str, end: str) -> dict[str, object]:
    """The accounts table's columns; `opening` and `end`: the period's months in words."""
    return {
        "Account": st.column_config.LinkColumn(
            "Account", display_text=r"#(.*)$", pinned=True, width="medium",
            help="Opens the account's 360 view"),
        "Churned on": tables.DATE,
        "ARR then": st.column_config.NumberColumn(help=f"ARR in {opening}"),
        "ARR now": st.column_config.NumberColumn(help=f"ARR in {end}"),
    }


def churn_reasons(frame: pd.DataFrame, history: pd.DataFrame | None, window: PeriodWindow,
                  revenue: bool = True) -> None:  # pragma: no cover - drawn in the AppTest
    """The period's churn by reason and by competitor, then by reason and quarter (`history`:
    the quarters' churn_reasons; None when the data holds no complete quarter)."""
    # without revenue the bars count churned accounts: no dollar figure is known
    measure = "churned_arr_usd" if revenue else "churned_accounts"
    what = "Churned ARR" if revenue else "Churned accounts"
    st.caption(retention.reasons_caption(frame, window.label, revenue))
    period_ranking: list[str] = []
    if frame.empty:
        st.info("No churn in this period for these filters.")
    else:
        by_reason = retention.reasons_for_period(frame, window.end_month, "churn_reason",
                                                 measure)
        period_ranking = list(by_reason["churn_reason"])
        by_competitor = retention.reasons_for_period(
            frame, window.end_month, "lost_to_competitor", measure)
        left, right = st.columns(2)
        with left:
            charts.show(charts.horizontal_bars(
                list(by_reason["churn_reason"]), list(by_reason[measure]),
                title=f"{what} by reason", usd=revenue,
                hover_extra=retention.reasons_hover(by_reason, revenue),
            ))
        with right:
            if by_competitor.empty:
                st.info("No churned account in this period named a competitor.")
            else:
                charts.show(charts.horizontal_bars(
                    list(by_competitor["lost_to_competitor"]), list(by_competitor[measure]),
                    title=f"{what} lost to competitors", usd=revenue,
                    color=charts.PALETTE["orange"],
                    hover_extra=retention.reasons_hover(by_competitor, revenue),
                ))
                st.caption(retention.competitors_caption(by_competitor, revenue))
    if history is not None and not history.empty:
        trend = retention.reasons_by_quarter(history, measure)
        charts.show(charts.stacked_bars(
            trend, "quarter", measure, "churn_reason", title=f"{what} by reason, by quarter",
            usd=revenue,
            # the period's largest reasons (the chart above) keep their colour
            first=period_ranking,
        ))
        if revenue:
            st.caption(retention.quarters_note(trend, retention.churned_arr(frame),
                                               window.months))


def breakdown(shown: pd.DataFrame, label: str, opening: str,
              revenue: bool = True) -> None:  # pragma: no cover - drawn in the AppTest
    """The breakdown's bars and table (`shown`: retention.breakdown_table; `opening`: the month
    before the period, in words)."""
    ranked = "ARR lost to churn and contraction" if revenue else "accounts churned"
    st.caption(f"Accounts active in {opening}, by {label.lower()}, sorted by {ranked} in the "
               "period.")
    charts.show(charts.horizontal_bars(
        list(shown[label]), list(shown["ARR lost" if revenue else "Churned"]),
        title=("ARR lost to churn and contraction" if revenue else "Accounts churned")
        + f", by {label.lower()}",
        usd=revenue,
    ))
    downloads.dataframe(shown, title=f"Retention by {label.lower()}", hide_index=True,
                        column_config=tables.breakdown_column_config(label))


def survival(frame: pd.DataFrame) -> None:  # pragma: no cover - drawn in the AppTest
    """Kaplan-Meier survival by segment, on a slide of its own; nothing without accounts."""
    if frame.empty:
        return
    presentation.end_of_slide()
    st.subheader("Survival by segment")
    st.caption("Share of accounts still customers a given number of months after they started.")
    explain.how_computed(
        "A Kaplan-Meier estimate: an account's first churn ends its survival; an account still "
        "active counts until the latest month and no further, so young accounts do not pull the "
        "curve down."
    )
    charts.show(charts.survival_curves(frame))
