"""Health & risk: a transparent health score, proof that it works, and who is next to churn."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from northstar.analytics import display, health, invest, risk
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data import settings
from northstar.data.months import month_label
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    masking,
    page_queries,
    presentation,
    tables,
)
from northstar.ui import churn_model as churn_model_ui

AT_RISK_TABLE = "at_risk_table"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
config = settings.load_config()
params = {**state.query_params(), **config.query_params()}

st.title("Health & risk")
actions.saved_notice()
st.caption(
    f"Health in {month_label(metadata.last_month)} · "
    f"{literal(state.scope_caption())} · data as of {metadata.as_of:%-d %b %Y}"
)

if not data_needs.has_revenue():
    # accounts without revenue: no score (accounts are scored in their billed months), no
    # model and no dollars; the churn observed and the survival by the accounts' own dates
    data_needs.no_revenue_notice()
    st.subheader("Observed churn in the last 12 months")
    churn_model_ui.show_observed(churn_model_ui.status(revenue=False), state.query_params(),
                                 metadata.last_month)
    survival = page_queries.run_query("survival_by_segment", **state.query_params())
    if not survival.empty:
        st.subheader("Survival by segment")
        st.caption("Share of accounts still customers a given number of months after they "
                   "started, from their start and churn dates.")
        charts.show(charts.survival_curves(survival))
    st.caption("Health scores are computed for the months an account is billed, so none is "
               "shown for these accounts.")
    st.stop()

summary = page_queries.run_query("health_summary", **params, as_of_month=metadata.last_month)
if summary.empty:
    st.info("No active accounts match these filters.", icon=":material/filter_alt_off:")
    st.stop()

band_churn = page_queries.run_query("health_band_churn", **params)
ranges = config.band_ranges()

by_band = summary.set_index("band")
flat_score = health.undifferentiated(summary)
if flat_score:
    st.info(flat_score, icon=":material/horizontal_rule:")
for column, band in zip(st.columns(len(health.BANDS)) if not flat_score else [],
                        health.BANDS, strict=False):
    accounts = int(by_band["accounts"].get(band, 0))
    arr = float(by_band["arr_usd"].get(band, 0.0))
    column.metric(
        f"{band} · score {ranges[band]}",
        f"{accounts:,}",
        border=True,
        icon=health.BAND_MATERIAL_ICONS[band],
        help=f"Active accounts whose health score is {ranges[band]}; {format_usd(arr)} of ARR.",
    )
    column.caption(f"accounts · {format_usd(arr)} ARR")
if components_note := health.components_used(summary):
    st.caption(components_note)
unscored = int(by_band["accounts"].get("Not scored", 0))
if unscored:
    st.caption(
        f"{display.count_of(unscored, 'active account')} "
        f"{'is' if unscored == 1 else 'are'} not scored yet: "
        f"{health.unscored_reason(summary)} (typically accounts in their first months)."
    )

model_status = churn_model_ui.status()
whole = (risk.portfolio(page_queries.run_query("risk_portfolio", **params,
                                          as_of_month=metadata.last_month))
         if model_status.passed else None)
if not model_status.passed:
    # no chance, ARR at risk or ranking from a model that failed its checks: what happened
    st.subheader("Observed churn in the last 12 months")
    churn_model_ui.show_observed(model_status, state.query_params(), metadata.last_month)
elif whole is not None:
    st.subheader("ARR at risk in the next 12 months")
    model_drivers = invest.driver_results(page_queries.run_query("invest_model_drivers",
                                                            **state.query_params()),
                                          invest.NO_COUNTS)
    drivers = invest.sized_at_risk(model_drivers)
    first, second, third = st.columns(3)
    first.metric(
        "ARR at risk, next 12 months",
        format_usd(whole.arr_at_risk_usd),
        delta="95% range "
        + risk.usd_range_text(whole.arr_at_risk_low_usd, whole.arr_at_risk_high_usd),
        delta_color="off",
        delta_arrow="off",
        border=True,
        help="Σ ARR × each scored account's chance of churning in the next 12 months, from the "
        "churn model; the range adds up the accounts' own ranges.",
    )
    second.metric(
        "Share of the scored accounts' ARR",
        f"{whole.share_pct:.1f}%",
        border=True,
        help=f"{format_usd(whole.arr_usd)} of ARR held by {whole.accounts:,} scored accounts.",
    )
    third.metric(
        "In Healthy or Watch accounts",
        format_usd(whole.band_share(*risk.HEALTHY_BANDS)),
        border=True,
        help="The health score and the churn model are separate signals: a large account the "
        "score calls Healthy can still carry much ARR at a modest chance.",
    )
    if not presentation.is_on():
        st.caption(risk.portfolio_text(whole, drivers))

# a slide keeps the band counts and the check of the score; the list is for the screen
if not presentation.is_on():
    st.subheader("Accounts with the most ARR at risk" if model_status.passed
                 else "Accounts with the lowest health score")
    limit = 200
    band_options = [*health.BANDS, health.NOT_SCORED]
    shown_bands = st.pills(
        "Health bands shown",
        band_options,
        selection_mode="multi",
        default=band_options,
        key="bands",
        bind="query-params",
    )
    at_risk = page_queries.run_query(
        "health_accounts",
        **params,
        as_of_month=metadata.last_month,
        band_orders=[band_options.index(band) + 1 for band in shown_bands],
        limit=limit,
    )
    st.caption(
        ("ARR at risk = ARR × the account's chance of churning in the next 12 months, from the "
         "churn model; its main reasons are the drivers that add most to that chance. A large "
         "account can head the list with a modest chance, whatever its band: the band is the "
         "health score, a separate signal checked below. " if model_status.passed else
         "Without a churn model that passed its checks, accounts are listed by health score, "
         "lowest first (unscored last), then by ARR. ")
        + f"Top {min(limit, len(at_risk)):,} of {int(summary['accounts'].sum()):,} active accounts "
        "in the bands shown; click a row to open the account's 360 view"
        + (", or its Action cell to record an action on it." if actions.may_record() else ".")
    )
    if at_risk.empty:
        st.info("No accounts in the bands shown.", icon=":material/filter_alt_off:")
    else:
        recording = actions.may_record()
        # None: the workspace is unavailable (a notice above the table says why)
        open_actions = actions.open_counts_by_account() if recording else None
        table = health.at_risk_table(
            at_risk, {} if recording and open_actions is None else open_actions,
            by_model=model_status.passed, counts_known=open_actions is not None)
        downloads.dataframe(
            table,
            title="At-risk accounts",
            hide_index=True,
            column_config={column: config for column, config
                           in tables.at_risk_column_config().items() if column in table.columns},
            height=480,
            key=AT_RISK_TABLE,
            on_select="rerun",
            selection_mode=["single-row", "single-cell"],
        )
        row, column = tables.selected_cell(AT_RISK_TABLE)
        if row is not None and column == "Action" and recording:
            # the Action cell: a new action on the account, prefilled, saved with one more click
            account = at_risk.iloc[row]
            masked = masking.session_masked()
            actions.open_new_action(
                "account", account["account_id"],
                account["account_id"] if masked else account["account_name"],
                account_id=account["account_id"],
                department_id=account["csm_department_id"],
                owner_employee_id=account["csm_employee_id"],
                title=health.action_title(account),
                table_key=AT_RISK_TABLE,
            )
        elif row is not None:
            # one click on a row or cell opens the account's 360 view in this tab, filters kept
            st.switch_page("views/account.py",
                           query_params={"account": at_risk["account_id"].iloc[row]})

st.subheader("Does the score work?")
left, right = st.columns([3, 2])
with left:
    if band_churn.empty or flat_score:
        st.info(health.band_check_missing(
            flat_score, 0 if flat_score else len(page_queries.run_query("revenue_months"))))
    else:
        charts.show(
            charts.grouped_bars(
                [health.band_text(band) for band in band_churn["band"]],
                list(band_churn["churn_within_12m_pct"]),
                title="Accounts that churned within 12 months, %, by health band at the time",
                colors=[health.BAND_COLORS[band] for band in band_churn["band"]],
                hover_extra=[
                    f"{int(churned):,} of {int(months):,} account-months"
                    for churned, months in zip(
                        band_churn["churned_within_12m"], band_churn["account_months"], strict=True
                    )
                ],
            )
        )
with right:
    shown_components = health.summary_components(summary)
    st.markdown(
        f"**Health score** = {config.formula('product_usage' in shown_components)}, over the "
        "components an account has a signal for."
    )
    # the method is for the screen; a slide keeps the formula and the chart
    presentation.end_of_slide()
    for column in shown_components:
        st.markdown(f"**{settings.COMPONENTS[column]}** — {health.COMPONENT_HELP[column]}")
    explain.how_computed(
        "The weights and the bands' lower bounds are kept in `config/health_score.toml`, "
        "where an administrator can change them; the database is rebuilt to apply them. "
        "A component without a signal for an account is left out and the other weights "
        "scaled up. An account with fewer than two components is not scored, unless the data "
        "has only one component at all: that component is then the score."
    )
    if not band_churn.empty:
        st.caption(
            "Every account-month with a full year after it is scored with today's weights; the "
            "bars show how often accounts in each band churned in the following 12 months. Lower "
            "bands should churn more. The health score is the operational signal a CSM can "
            "act on; the churn chance and ARR at risk "
            "in the list above come from the churn model, checked next."
        )

presentation.end_of_slide()
st.subheader("Proof on months the model has not seen")
backtest = page_queries.run_query("churn_backtest_summary")
if not risk.backtest_ready(backtest):
    if model_status.passed:
        st.info(risk.backtest_note(backtest), icon=":material/history:")
else:
    deciles = page_queries.run_query("churn_backtest_deciles")
    first = backtest.iloc[0]
    landmark = pd.Timestamp(first["landmark_month"]).date()
    st.caption(
        f"The churn model was fitted again on the months up to "
        f"{month_label(pd.Timestamp(first['fitted_through']).date())} only, then asked how "
        f"likely each account billed in {month_label(landmark)} with a health score then was "
        "to churn in the next 12 months; the health score's chance is the churn rate of its "
        "decile before then. Both are checked against what happened on the same accounts, "
        "whatever the filters. Accounts not yet scored that month (typically in their first "
        "months) are left out, so the count is below Retention's accounts active then."
    )
    table = risk.backtest_table(backtest, deciles)
    chart_left, chart_right = st.columns([3, 2])
    with chart_left:
        charts.show(
            charts.calibration(
                {
                    risk.SCORE_LABELS[name]: risk.calibration_points(deciles, name)
                    for name in backtest["score_name"]
                },
                title=f"Predicted vs observed churn by decile, accounts of {month_label(landmark)}",
            )
        )
    with chart_right:
        for row in table.itertuples(index=False):
            st.metric(
                f"{row.Score}: ranks churners first",
                f"{row.AUC:.0%} of the time",
                border=True,
                help="How often an account that churned was ranked riskier than one that "
                "stayed (the AUC): 50% is a coin toss, 100% is perfect.",
            )
    downloads.dataframe(
        table,
        hide_index=True,
        column_config={
            "AUC": st.column_config.NumberColumn(
                "Ranking (AUC)", help="How often an account that churned was ranked riskier "
                "than one that stayed: 0.5 is a coin toss, 1 is perfect"
            ),
            "Brier score": st.column_config.NumberColumn(
                "Prediction error (Brier)",
                help="Mean squared gap between the predicted chance and what happened (0 or "
                "1); lower is better",
            ),
            "Largest decile gap (pp)": st.column_config.NumberColumn(
                help="The largest difference between predicted and observed churn in any decile, "
                "in percentage points",
            ),
        },
    )
st.caption(
    "Churn chances and ARR at risk are shown only when the churn model passes every check "
    "below, on the backtest above; otherwise the pages show the churn observed instead."
    if model_status.passed else
    "The checks the churn model has to pass before its churn chances and ARR at risk are "
    "shown; the first that failed is the reason above."
)
downloads.dataframe(model_status.table(), title="Churn model checks", hide_index=True)
