"""Health & risk: a transparent health score, proof that it works, and who is next to churn."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import health, invest, risk
from northstar.analytics.literal_text import literal
from northstar.data import settings
from northstar.data.months import month_label
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    page_data,
    page_queries,
    presentation,
)
from northstar.ui import churn_model as churn_model_ui
from northstar.ui import health as health_ui

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
config = settings.load_config()
data = page_data.page_data("health", metadata, state)

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
    churn_model_ui.show_observed(churn_model_ui.status(revenue=False, data=data),
                                 state.query_params(), metadata.last_month, data)
    survival = data["survival"]
    if not survival.empty:
        st.subheader("Survival by segment")
        st.caption("Share of accounts still customers a given number of months after they "
                   "started, from their start and churn dates.")
        charts.show(charts.survival_curves(survival))
    st.caption("Health scores are computed for the months an account is billed, so none is "
               "shown for these accounts.")
    st.stop()

summary = data["summary"]
if summary.empty:
    st.info("No active accounts match these filters.", icon=":material/filter_alt_off:")
    st.stop()

flat_score = health.undifferentiated(summary)
if flat_score:
    st.info(flat_score, icon=":material/horizontal_rule:")
for column, card in zip(st.columns(len(health.BANDS)) if not flat_score else [],
                        health.band_cards(summary, config.band_ranges()), strict=False):
    column.metric(card.label, card.accounts, border=True, icon=card.icon, help=card.help)
    column.caption(card.caption)
if components_note := health.components_used(summary):
    st.caption(components_note)
if unscored := health.unscored_caption(summary):
    st.caption(unscored)

model_status = churn_model_ui.status(data=data)
whole = risk.portfolio(data["portfolio"]) if model_status.passed else None
if not model_status.passed:
    # no chance, ARR at risk or ranking from a model that failed its checks: what happened
    st.subheader("Observed churn in the last 12 months")
    churn_model_ui.show_observed(model_status, state.query_params(), metadata.last_month, data)
elif whole is not None:
    st.subheader("ARR at risk in the next 12 months")
    health_ui.arr_at_risk(whole, invest.sized_at_risk(
        invest.driver_results(data["model_drivers"], invest.no_counts())))

# a slide keeps the band counts and the check of the score; the list is for the screen
if not presentation.is_on():
    st.subheader("Accounts with the most ARR at risk" if model_status.passed
                 else "Accounts with the lowest health score")
    shown_bands = st.pills(
        "Health bands shown", health.BAND_OPTIONS, selection_mode="multi",
        default=health.BAND_OPTIONS, key="bands", bind="query-params",
    )
    at_risk = page_data.page_data("health", metadata, state,
                                  band_orders=health.band_orders(shown_bands))["at_risk"]
    st.caption(health.at_risk_caption(model_status.passed, len(at_risk), summary,
                                      actions.may_record()))
    if at_risk.empty:
        st.info("No accounts in the bands shown.", icon=":material/filter_alt_off:")
    else:
        health_ui.at_risk_list(at_risk, model_status.passed)

st.subheader("Does the score work?")
band_churn = data["band_churn"]
left, right = st.columns([3, 2])
with left:
    if band_churn.empty or flat_score:
        st.info(health.band_check_missing(
            flat_score, 0 if flat_score else len(data["revenue_months"])))
    else:
        charts.show(charts.grouped_bars(
            [health.band_text(band) for band in band_churn["band"]],
            list(band_churn["churn_within_12m_pct"]),
            title="Accounts that churned within 12 months, %, by health band at the time",
            colors=[health.BAND_COLORS[band] for band in band_churn["band"]],
            hover_extra=health.band_churn_hover(band_churn),
        ))
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
backtest = data["backtest"]
if not risk.backtest_ready(backtest):
    if model_status.passed:
        st.info(risk.backtest_note(backtest), icon=":material/history:")
else:
    health_ui.backtest_proof(backtest, data["backtest:deciles"])
st.caption(
    "Churn chances and ARR at risk are shown only when the churn model passes every check "
    "below, on the backtest above; otherwise the pages show the churn observed instead."
    if model_status.passed else
    "The checks the churn model has to pass before its churn chances and ARR at risk are "
    "shown; the first that failed is the reason above."
)
downloads.dataframe(model_status.table(), title="Churn model checks", hide_index=True)
