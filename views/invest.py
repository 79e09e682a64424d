"""Where to invest: churn drivers, initiative ROI, what-if scenarios and which customers to
invest in — with the numbers' uncertainty and the data behind them."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import invest
from northstar.analytics.literal_text import literal
from northstar.data import rules, settings
from northstar.data.months import add_months, month_label, range_label
from northstar.data.registry import pages
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
from northstar.ui import invest_display as show

DRIVER_TABLE = "invest_driver_table"
NO_MODEL = {"icon": churn_model_ui.NO_MODEL_ICON}

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
data = page_data.page_data("invest", metadata, state)
last_month = metadata.last_month

st.title("Where to invest")
actions.saved_notice()
if not data_needs.has_revenue():
    # every figure here is revenue (ARR protected, returns, cost against ARR) or comes from the
    # churn model, which learns from billed months: one sentence stands for them all
    st.caption(f"{literal(state.scope_caption())} · data as of {metadata.as_of:%-d %b %Y}")
    data_needs.no_revenue_notice()
    st.caption(f"{churn_model_ui.status(revenue=False).reason} Logo churn, cohorts and "
               "survival are on Retention.")
    st.stop()
st.caption(f"Churn model fitted on every account's months through "
           f"{month_label(add_months(last_month, -1))} · exposure and ARR now: "
           f"{month_label(last_month)} · {literal(state.scope_caption())} · "
           f"data as of {metadata.as_of:%-d %b %Y}")

results = invest.driver_results(data["model_drivers"], data["driver_counts"])
attributes = invest.attribute_results(data["model_attributes"])
if invest.has_no_estimate(results, attributes):
    st.info(f"No churn-driver estimates: {invest.no_driver_reason(data['fits'])}. The model "
            "needs months of history with churned accounts on both sides of each driver; load "
            "more history.", icon=":material/hourglass_empty:")
    st.stop()
by_label = {result.driver.label: result for result in results}
# no ARR at risk, and no ranking by it, from a churn model that failed its checks: the hazard
# ratios stay, each with its own interval
model_status = churn_model_ui.status()
recommended = invest.ranked(results) if model_status.passed else []

drivers_tab, initiatives_tab, whatif_tab, customers_tab = st.tabs(
    pages.tabs("invest"), key="view", bind="query-params", on_change="rerun")

with drivers_tab:
    if drivers_tab.open:
        if not presentation.is_on():  # a slide shows the chart: the method is for the screen
            st.markdown(invest.DRIVERS_METHOD)
        if not model_status.passed:
            st.info(model_status.reason, **NO_MODEL)
        elif recommended:
            charts.show(show.driver_chart(recommended))
        else:
            st.info("No driver raises churn beyond noise for these filters.",
                    icon=":material/query_stats:")
        presentation.end_of_slide()
        if unclear := invest.unclear_text(results):
            st.caption(unclear)
        show.driver_table(results, model_status.passed, DRIVER_TABLE)
        st.caption(invest.DRIVERS_CAPTION)
        st.caption(invest.follow_up_reading(invest.follow_up_contrast(data["contrasts"])))
        show.attributes_and_meanings(results, attributes, data["planted"])

with initiatives_tab:
    if initiatives_tab.open and not model_status.passed:
        st.info(model_status.reason, **NO_MODEL)
    elif initiatives_tab.open:
        initiatives = data["initiatives"]
        ranked_initiatives = invest.initiatives_ranked(initiatives, results)
        if ranked_initiatives.empty:
            st.info("No initiatives recorded yet.", icon=":material/lightbulb:")
        else:
            st.markdown(invest.INITIATIVES_METHOD)
            show.cards(invest.initiative_cards(ranked_initiatives))
            downloads.dataframe(invest.initiatives_table(ranked_initiatives), hide_index=True,
                                column_config=show.initiative_columns())
            presentation.end_of_slide()
            st.subheader("Running and completed initiatives: are they working?")
            progress = invest.running_check(invest.started(initiatives))
            if progress.empty:
                st.info("No initiative is running or completed yet.", icon=":material/schedule:")
            else:
                downloads.dataframe(invest.progress_table(progress, initiatives),
                                    hide_index=True, column_config=show.progress_columns())
                st.caption(invest.PROGRESS_CAPTION)

with whatif_tab:
    if whatif_tab.open and not model_status.passed:
        st.info(model_status.reason, **NO_MODEL)
    elif whatif_tab.open and not recommended:
        st.info("No driver raises churn beyond noise under these filters.", icon=":material/tune:")
    elif whatif_tab.open:
        st.markdown(invest.WHAT_IF_INTRO)
        left, middle, right = st.columns([2, 2, 2])

        def start_at_default() -> None:
            """A newly chosen driver starts at its own feasible reduction."""
            chosen_driver = by_label.get(st.session_state.get("driver") or "", recommended[0])
            st.session_state["reduce"] = invest.what_if_default_pct(chosen_driver)

        label = left.selectbox("Driver", [r.driver.label for r in recommended], key="driver",
                               bind="query-params", on_change=start_at_default)
        result = by_label.get(label or "", recommended[0])
        reduction = middle.slider(
            "Reduce exposure by", 0, 100, invest.what_if_default_pct(result), step=1,
            format="%d%%", key="reduce", bind="query-params",
            help=f"Starts at {rules.WHAT_IF_DEFAULT_PCT}% of the exposure, or at as many accounts "
            "as the program reaches today when that is fewer, so the scenario is one the program "
            "could run.")
        segments = right.multiselect(
            "In segments", invest.what_if_segments(recommended),
            key="in", bind="query-params", placeholder="All segments")
        kpis = data["kpis"]
        if kpis.empty or not kpis["opening_accounts"].iloc[0]:
            st.info("No accounts were active a year ago under these filters.")
        else:
            scenario = invest.what_if(result, float(reduction), segments, kpis.iloc[0])
            show.cards(invest.what_if_cards(result, scenario))
            st.caption(invest.what_if_caption(
                result, scenario, reduction, segments,
                range_label(add_months(last_month, -11), last_month)))

with customers_tab:
    if customers_tab.open and data["customers:segment"].empty:
        st.info("No active accounts match these filters.", icon=":material/filter_alt_off:")
    elif customers_tab.open:
        customers = data["customers:segment"]
        healthy_from = settings.load_config().healthy_from
        st.markdown(invest.CUSTOMERS_INTRO)
        explain.how_computed(invest.COST_METHOD)
        downloads.dataframe(invest.segment_table(customers), hide_index=True,
                            column_config={"Segment": st.column_config.TextColumn(pinned=True)})
        threshold = invest.arr_threshold(customers)
        st.subheader("ARR against health: the motion for each account")
        st.caption(f"High ARR = at or above the median ARR of scored accounts "
                   f"({invest.usd_or_dash(threshold)}); healthy = health score at or above "
                   f"{healthy_from:g} (the Healthy band).")
        show.motion_cards(invest.motion_totals(customers))
        accounts = data["customers:account"]
        scored = invest.scored_accounts(accounts)
        if not scored.empty:
            charts.show(show.motion_scatter(scored, threshold, healthy_from))
        presentation.end_of_slide()
        motion = st.pills("Accounts in", invest.MOTION_ORDER, default="Invest", key="motion",
                          bind="query-params") or "Invest"
        st.caption(invest.motion_help(motion))
        listed = invest.accounts_table(accounts, motion)
        if listed.empty:
            st.info(f"No accounts in {motion} under these filters.")
        else:
            downloads.dataframe(listed, hide_index=True, column_config=show.account_columns())
            st.caption(f"The {len(listed):,} largest accounts by ARR in {motion}.")
