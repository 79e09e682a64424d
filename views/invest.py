"""Where to invest: churn drivers, initiative ROI, what-if scenarios and which customers to
invest in — with the numbers' uncertainty and the data behind them."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from northstar.analytics import display, invest, links
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data import settings
from northstar.data.months import add_months, month_label, range_label
from northstar.data.registry import pages
from northstar.data.rules import MAX_SIZE_RANGE_RATIO
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    explain,
    filters,
    page_queries,
    presentation,
)
from northstar.ui import churn_model as churn_model_ui

DRIVER_TABLE = "invest_driver_table"

metadata = page_queries.dataset_metadata()
state = filters.current(metadata.last_month)
scope = state.query_params()
last_month = metadata.last_month
opening_month = add_months(last_month, -12)

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
st.caption(
    f"Churn model fitted on every account's months through "
    f"{month_label(add_months(last_month, -1))} · exposure and ARR now: "
    f"{month_label(last_month)} · {literal(state.scope_caption())} · "
    f"data as of {metadata.as_of:%-d %b %Y}"
)

model = page_queries.run_query("invest_model_drivers", **scope)
counts = page_queries.run_query(
    "invest_driver_counts", **scope, as_of_month=last_month, opening_month=opening_month
)
results = invest.driver_results(model, counts)
attributes = invest.attribute_results(page_queries.run_query("invest_model_attributes"))
no_driver = not results or all(math.isnan(result.hazard_ratio.value) for result in results)
if no_driver and not any(attribute.beyond_noise for attribute in attributes):
    fits = page_queries.run_query("churn_model_fits")
    current_fit = fits.loc[fits["model"] == "current"]
    reason = (
        str(current_fit["note"].iloc[0])
        if not current_fit.empty and current_fit["note"].iloc[0]
        else "the churn model has no driver it could estimate"
    )
    st.info(
        f"No churn-driver estimates: {reason}. The model needs months of history with churned "
        "accounts on both sides of each driver; load more history.",
        icon=":material/hourglass_empty:",
    )
    st.stop()
by_label = {result.driver.label: result for result in results}
# no ARR at risk, and no ranking by it, from a churn model that failed its checks: the hazard
# ratios stay, each with its own interval
model_status = churn_model_ui.status()
recommended = invest.ranked(results) if model_status.passed else []


def pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}f}%"


drivers_tab, initiatives_tab, whatif_tab, customers_tab = st.tabs(
    pages.tabs("invest"),
    key="view",
    bind="query-params",
    on_change="rerun",
)

with drivers_tab:
    if drivers_tab.open:
        if not presentation.is_on():  # a slide shows the chart: the method is for the screen
            st.markdown(
                "**Which problems cost us customers, and how much ARR rides on each.** One churn "
                "model takes every driver and the segment together: each month an account is "
                "billed, the chance it leaves the next month depends on the drivers it is exposed "
                "to that month (using only what was known then). A **hazard ratio** of 2 means "
                "exposed accounts leave twice as fast as otherwise-alike accounts. **ARR at risk "
                "from the driver** = for today's exposed accounts, ARR × how much the driver adds "
                "to their chance of churning in the next 12 months."
            )
        if not model_status.passed:
            st.info(model_status.reason, icon=churn_model_ui.NO_MODEL_ICON)
        elif recommended:
            charts.show(
                charts.horizontal_bars(
                    [r.driver.label for r in recommended],
                    [r.at_risk_arr_usd.value for r in recommended],
                    title="ARR at risk from each driver, next 12 months (with its 95% range)",
                    # the slide has the screen to itself: bars tall enough to read across a room
                    height=(90 * len(recommended) + 140) if presentation.is_on() else None,
                    ranges=[(r.at_risk_arr_usd.low, r.at_risk_arr_usd.high) for r in recommended],
                    hover_extra=[
                        f"{format_usd(r.at_risk_arr_usd.value)} (95% range "
                        f"{format_usd(r.at_risk_arr_usd.low)}–{format_usd(r.at_risk_arr_usd.high)})"
                        f"; hazard ratio {r.hazard_ratio.text()}"
                        for r in recommended
                    ],
                )
            )
        else:
            st.info(
                "No driver raises churn beyond noise for these filters.",
                icon=":material/query_stats:",
            )
        presentation.end_of_slide()
        unclear = [r.driver.label for r in results if r.reading == invest.CANT_TELL]
        if unclear:
            st.caption(
                f"Can't tell from chance (interval includes 1, so not ranked or recommended): "
                f"{', '.join(unclear)}."
            )
        driver_rows = pd.DataFrame({"driver_id": [r.driver.driver_id for r in results],
                                    "label": [r.driver.label for r in results]})
        table = actions.with_action_column(
            invest.driver_table(results) if model_status.passed
            else invest.driver_table(results).drop(columns=list(invest.AT_RISK_COLUMNS)),
            "driver", list(driver_rows["driver_id"]))
        downloads.dataframe(
            table,
            hide_index=True,
            key=DRIVER_TABLE,
            on_select="rerun",
            selection_mode="single-cell",
            column_config={
                "Hazard ratio (95% interval)": st.column_config.TextColumn(
                    help="From the churn model: every driver and the segment together; the "
                    "interval allows for the same account appearing in many months"
                ),
                "Reading": st.column_config.TextColumn(
                    help="An interval that includes 1 means the data cannot tell the driver "
                    "from chance"
                ),
                "ARR at risk from the driver": st.column_config.NumberColumn(
                    help="— for a driver that cannot be told from chance: the data cannot show "
                    "that it puts any ARR at risk"
                ),
                "Crude churn exposed": st.column_config.NumberColumn(
                    help="Crude: exposed account-months that churned within 12 months, all "
                    "segments pooled, nothing else taken into account",
                ),
                "Crude relative risk": st.column_config.TextColumn(
                    help="Crude churn exposed ÷ not exposed with its 95% interval: for "
                    "reference, not adjusted for the other drivers or the segment"
                ),
                "NPS difference (adjusted)": st.column_config.TextColumn(
                    help="NPS of exposed minus not exposed accounts' relationship answers in "
                    "the following 12 months, within segment; 95% interval in brackets"
                ),
            },
        )
        actions.on_action_cell(
            DRIVER_TABLE, "driver", driver_rows,
            key=lambda row: row["driver_id"], label=lambda row: row["label"],
            title=lambda row: f"Cut the churn from: {row['label'].lower()}",
        )
        st.caption(
            "Intervals are 95%. Hazard ratios are estimated on every account, whatever the "
            "filters; the filters choose whose ARR is counted. The crude columns compare "
            "exposed and unexposed accounts with nothing else taken into account, so a driver "
            "that travels with others (no executive meeting and the SMB segment, say) looks "
            "worse there than in the model."
        )
        contrasts = page_queries.run_query("churn_model_contrasts")
        follow_up = contrasts.loc[contrasts["contrast"] == "detractor_followed_up_vs_not"]
        st.caption(invest.follow_up_reading(invest.Estimate(
            *(float(follow_up[column].iloc[0]) if not follow_up.empty else math.nan
              for column in ("hazard_ratio", "hr_low_95", "hr_high_95")))))
        st.subheader("Account attributes")
        if not presentation.is_on():
            st.markdown(
                "The same model takes the accounts' own attributes as candidate drivers: plan, "
                "segment, industry, region, acquisition channel, tenure, ARR size and any "
                "attribute the data's mapping keeps (contract type, say). Each level is "
                "compared with the attribute's largest level, every driver and other attribute "
                "held alike; rare levels are pooled as Other. Only levels beyond noise are "
                "listed here, strongest first."
            )
        ranked_attributes = invest.ranked_attributes(attributes)
        if ranked_attributes:
            st.markdown("\n".join(f"- {literal(attribute.text)}"
                                   for attribute in ranked_attributes))
        else:
            st.info("No account attribute changes churn beyond noise.",
                    icon=":material/query_stats:")
        if attributes:
            with st.expander("Every attribute level the model took"):
                downloads.dataframe(invest.attribute_table(attributes), hide_index=True)
        with st.expander("What each driver means"):
            for result in results:
                note = f" *{literal(result.note)}.*" if result.note else ""
                st.markdown(f"**{result.driver.label}** — {result.driver.definition}{note}")
        planted = page_queries.run_query("invest_planted_effects")
        if not planted.empty:
            with st.expander("Truth check: does the model find what the demo planted?"):
                check = invest.truth_check(results, planted)
                st.markdown(
                    "The demo generator planted these hazard ratios on the monthly churn hazard "
                    "of account-months exposed to each driver, exactly as this page measures "
                    "exposure; drivers it did not plant have a true ratio of 1. The model's "
                    "estimate should land near the planted ratio, inside its intervals."
                )
                downloads.dataframe(check.drop(columns="driver_id"), hide_index=True)

with initiatives_tab:
    if initiatives_tab.open and not model_status.passed:
        st.info(model_status.reason, icon=churn_model_ui.NO_MODEL_ICON)
    elif initiatives_tab.open:
        initiatives = page_queries.run_query("invest_initiatives", **scope, as_of_month=last_month)
        ranked_initiatives = invest.initiatives_ranked(initiatives, results)
        if ranked_initiatives.empty:
            st.info("No initiatives recorded yet.", icon=":material/lightbulb:")
        else:
            st.markdown(
                "**Which investments protect the most ARR for what they cost.** ARR protected a "
                "year = ARR at risk from the driver the initiative targets × its churn "
                "reduction: the reduction a completed initiative measurably achieved (a running "
                "one once that can be told), the planned one only before. Return on cost = ARR "
                "protected a year ÷ cost; payback = cost ÷ monthly protected ARR. Ranges carry "
                "the driver's 95% interval (and a measured reduction's) through; an initiative "
                f"whose range spans more than {MAX_SIZE_RANGE_RATIO:.0f}× can't be sized yet "
                "and is ranked after the sized ones."
            )
            rankable = ranked_initiatives.loc[ranked_initiatives["rankable"]]
            sized = rankable.loc[rankable["sized"]]
            columns = st.columns(3)
            if sized.empty:
                columns[0].metric("Best return on cost", "—", border=True,
                                  help="No initiative targets a driver that raises churn "
                                  "beyond noise with a size that can be told yet.")
            else:
                best = sized.iloc[0]
                columns[0].metric(
                    "Best return on cost",
                    display.format_number(best["return_multiple"], "multiple"),
                    border=True,
                    help=f"{best['initiative_name']}: "
                    f"{display.format_number(best['return_low'], 'multiple')}–"
                    f"{display.format_number(best['return_high'], 'multiple')}",
                )
            columns[1].metric(
                "ARR protected a year if all sized run",
                format_usd(invest.protected_together(ranked_initiatives)),
                border=True,
                help="If every ranked initiative that can be sized runs. Initiatives aimed at "
                "the same driver share its ARR at risk, so each removes its share of what the "
                "others leave (35% and 15% remove 44.75%, not 50%). Initiatives that can't be "
                "sized yet add no figure; those whose driver cannot be told from chance, or that "
                "were measured and did not work, protect nothing the data can show.",
            )
            columns[2].metric(
                "Total cost, all initiatives",
                format_usd(ranked_initiatives["cost_usd"].sum()),
                border=True,
            )
            downloads.dataframe(
                invest.initiatives_table(ranked_initiatives),
                hide_index=True,
                column_config={
                    "Rank": st.column_config.NumberColumn(
                        help="Initiatives whose driver raises churn beyond noise and whose "
                        "reduction is planned or measured beyond noise; sized ones first; — for "
                        "the others", width=60,
                    ),
                    "Initiative": st.column_config.TextColumn(pinned=True, width=260),
                    "95% range": st.column_config.TextColumn(width="medium"),
                    "Reading": st.column_config.TextColumn(width="medium"),
                    "ARR protected a year": st.column_config.NumberColumn(
                        help="ARR the initiative keeps in a year: the driver's ARR at risk × "
                        "the churn reduction it is judged by"
                    ),
                    "Return on cost": st.column_config.NumberColumn(
                        help="ARR protected a year ÷ cost"
                    ),
                    "Payback (months)": st.column_config.NumberColumn(
                        help="Months of protected ARR that pay back the cost"
                    ),
                    "Churn reduction": st.column_config.TextColumn(
                        help="What the size rests on: the reduction measured against the "
                        "accounts not exposed (with its 95% interval), or the planned one "
                        "before it can be measured"
                    ),
                },
            )
            presentation.end_of_slide()
            st.subheader("Running and completed initiatives: are they working?")
            progress = invest.running_check(
                initiatives.loc[initiatives["months_since_start"].notna()]
            )
            if progress.empty:
                st.info("No initiative is running or completed yet.", icon=":material/schedule:")
            else:
                downloads.dataframe(
                    invest.progress_table(progress, initiatives),
                    hide_index=True,
                    column_config={
                        "Monthly churn of exposed, 12 months before": st.column_config.NumberColumn(
                            "Churn before", help="Monthly churn of the exposed accounts in the 12 "
                            "months before the initiative started"
                        ),
                        "Since the start": st.column_config.NumberColumn(
                            "Churn since", help="Monthly churn of the exposed accounts since the "
                            "start"
                        ),
                        "Reduction vs unexposed accounts": st.column_config.NumberColumn(
                            help="The measured reduction every page judges the initiative by"
                        ),
                    },
                )
                st.caption(
                    "Monthly churn of the accounts exposed to the initiative's driver in the 12 "
                    "months before it started against the months since (to its end, or last "
                    "month). *Reduction vs unexposed accounts* divides out the change among "
                    "everyone else, so a market-wide shift is not credited to the initiative; "
                    "its 95% range treats churned accounts as counts. A completed initiative, and "
                    "a running one once this tells (beyond noise, or its range leaves out the "
                    "plan), is sized and ranked above by this measured reduction, never by its "
                    "plan; within noise, it protects nothing the data can show."
                )

with whatif_tab:
    if whatif_tab.open and not model_status.passed:
        st.info(model_status.reason, icon=churn_model_ui.NO_MODEL_ICON)
    elif whatif_tab.open:
        usable = recommended
        if not usable:
            st.info(
                "No driver raises churn beyond noise under these filters.",
                icon=":material/tune:",
            )
        else:
            st.markdown(
                "**What if we cut a driver?** Choose a driver, how much of its exposure to "
                "remove, and where. Accounts taken out of exposure lose the driver's extra "
                "churn risk. The scenario is in the URL, so the link reopens it."
            )
            left, middle, right = st.columns([2, 2, 2])
            labels = [r.driver.label for r in usable]

            def start_at_default() -> None:
                """A newly chosen driver starts at its own feasible reduction."""
                chosen_driver = by_label.get(st.session_state.get("driver") or "", usable[0])
                st.session_state["reduce"] = invest.what_if_default_pct(chosen_driver)

            label = left.selectbox("Driver", labels, key="driver", bind="query-params",
                                   on_change=start_at_default)
            reduction = middle.slider(
                "Reduce exposure by",
                0,
                100,
                invest.what_if_default_pct(by_label.get(label or "", usable[0])),
                step=1,
                format="%d%%",
                key="reduce",
                bind="query-params",
                help="Starts at half the exposure, or at as many accounts as the program "
                "reaches today when that is fewer, so the scenario is one the program could "
                "run.",
            )
            segments = right.multiselect(
                "In segments",
                sorted({segment for r in usable for segment in r.at_risk_by_segment}),
                key="in",
                bind="query-params",
                placeholder="All segments",
            )
            result = by_label.get(label or "", usable[0])
            kpis = page_queries.run_query(
                "kpi_windows", **{**scope, "window_months": 12}, end_months=[last_month]
            )
            if kpis.empty or not kpis["opening_accounts"].iloc[0]:
                st.info("No accounts were active a year ago under these filters.")
            else:
                scenario = invest.what_if(result, float(reduction), segments, kpis.iloc[0])
                logo_change = scenario.logo_retention_scenario_pct - scenario.logo_retention_pct
                columns = st.columns(3)
                protected_range = (f"{format_usd(scenario.protected_low_usd)}–"
                                   f"{format_usd(scenario.protected_high_usd)}")
                columns[0].metric(
                    "ARR protected, next 12 months",
                    format_usd(scenario.protected_arr_usd) if result.sized
                    else "Can't size yet",
                    delta=f"95% range {protected_range}",
                    delta_color="off",
                    delta_arrow="off",
                    border=True,
                    help="Looking ahead: share removed × ARR at risk from the driver among "
                    "today's exposed accounts in the chosen segments; the range carries the "
                    "driver's. A range wider than 5× is too uncertain to size.",
                )
                columns[1].metric(
                    "NRR, last 12 months",
                    pct(scenario.nrr_scenario_pct),
                    delta=f"{scenario.nrr_scenario_pct - scenario.nrr_pct:+.1f} pp",
                    delta_description=f"vs actual {pct(scenario.nrr_pct)}",
                    border=True,
                    help="Actual NRR plus the churned ARR the scenario would have avoided ÷ "
                    "starting ARR.",
                )
                columns[2].metric(
                    "Logo retention, last 12 months",
                    pct(scenario.logo_retention_scenario_pct),
                    delta=f"{logo_change:+.1f} pp",
                    delta_description=f"vs actual {pct(scenario.logo_retention_pct)}",
                    border=True,
                    help="Actual logo retention plus the churned accounts the scenario would "
                    "have avoided ÷ accounts at the start.",
                )
                where = ", ".join(segments) if segments else "all segments"
                st.caption(
                    f"{result.driver.label}: hazard ratio {result.hazard_ratio.text()}. "
                    f"Removing {reduction}% of the exposure in {where} takes about "
                    f"{scenario.moved_accounts:,.0f} of the {result.exposed_accounts:,} exposed "
                    f"accounts out of it ({result.unexposed_accounts:,} are not exposed today). "
                    f"Looking back, it would have kept about "
                    f"{scenario.avoided_churned_accounts:,.0f} of the accounts and "
                    f"{format_usd(scenario.avoided_churned_arr_usd)} of the ARR lost in "
                    f"{range_label(add_months(opening_month, 1), last_month)}. "
                    "Assumes the driver causes the extra churn; a driver that only marks "
                    "trouble protects less."
                )

with customers_tab:
    if customers_tab.open:
        cost_config = invest.load_cost_config()
        health_config = settings.load_config()
        params = {
            **scope,
            **cost_config.query_params(),
            **health_config.query_params(),
        }
        segments_frame = page_queries.run_query("invest_customers", **params, grain="segment",
                                                limit=0)
        if segments_frame.empty:
            st.info("No active accounts match these filters.", icon=":material/filter_alt_off:")
        else:
            st.markdown(
                "**Which customers to invest in.** What each segment and account earned in "
                "the last 12 months, what serving it cost, and the margin left."
            )
            explain.how_computed(
                "Cost to serve over the last 12 months = support tickets × cost per ticket (by "
                "priority) + staff hours on professional services, installations, executive "
                "meetings, QBRs, advisory board sessions and detractor follow-ups × hourly "
                "cost. The unit costs are kept in `config/cost_to_serve.toml`. Margin = "
                "recurring revenue billed in those 12 months − cost to serve."
            )
            by_segment = segments_frame.groupby("segment", as_index=False)[
                ["accounts", "arr_usd", "revenue_12m_usd", "cost_to_serve_usd", "margin_usd"]
            ].sum()
            downloads.dataframe(
                pd.DataFrame(
                    {
                        "Segment": by_segment["segment"],
                        "Accounts": by_segment["accounts"],
                        "ARR": by_segment["arr_usd"],
                        "Revenue, 12 months": by_segment["revenue_12m_usd"],
                        "Cost to serve": by_segment["cost_to_serve_usd"],
                        "Cost per account": by_segment["cost_to_serve_usd"]
                        / by_segment["accounts"],
                        "Margin": by_segment["margin_usd"],
                        "Margin %": 100
                        * by_segment["margin_usd"]
                        / by_segment["revenue_12m_usd"].where(by_segment["revenue_12m_usd"] > 0),
                    }
                ),
                hide_index=True,
                column_config={"Segment": st.column_config.TextColumn(pinned=True)},
            )
            threshold = (
                float(segments_frame["arr_threshold_usd"].dropna().iloc[0])
                if segments_frame["arr_threshold_usd"].notna().any()
                else math.nan
            )
            st.subheader("ARR against health: the motion for each account")
            st.caption(
                f"High ARR = at or above the median ARR of scored accounts "
                f"({format_usd(threshold) if not math.isnan(threshold) else '—'}); healthy = "
                f"health score at or above {health_config.healthy_from:g} (the Healthy band)."
            )
            by_motion = segments_frame.groupby("motion")[
                ["accounts", "arr_usd", "margin_usd"]
            ].sum()
            columns = st.columns(len(invest.MOTION_ORDER))
            for column, motion in zip(columns, invest.MOTION_ORDER, strict=True):
                accounts = int(by_motion["accounts"].get(motion, 0))
                # the count alone in the card (a narrow card cuts "16,514 accounts"), its
                # noun under it, as on Health & risk's band cards
                column.metric(
                    motion,
                    f"{accounts:,}",
                    border=True,
                    help=invest.motion_help(motion),
                )
                column.caption(
                    f"{'account' if accounts == 1 else 'accounts'} · "
                    f"{format_usd(float(by_motion['arr_usd'].get(motion, 0)))} ARR · margin "
                    f"{format_usd(float(by_motion['margin_usd'].get(motion, 0)))}"
                )
            accounts_frame = page_queries.run_query(
                "invest_customers", **params, grain="account", limit=200
            )
            scored = accounts_frame.loc[accounts_frame["motion"] != "Not scored"]
            if not scored.empty:
                figure = go.Figure()
                for index, motion in enumerate(invest.MOTION_ORDER):
                    rows = scored.loc[scored["motion"] == motion]
                    figure.add_trace(
                        go.Scatter(
                            x=rows["arr_usd"],
                            y=rows["health_score"],
                            mode="markers",
                            name=motion,
                            marker={"color": charts.SEQUENCE[index], "size": 7, "opacity": 0.7},
                            customdata=[format_usd(value) for value in rows["arr_usd"]],
                            hovertemplate="%{fullData.name}: %{customdata} ARR, health %{y:.0f}"
                            "<extra></extra>",
                        )
                    )
                if not math.isnan(threshold):
                    figure.add_vline(x=threshold, line_dash="dot", line_color=charts.TOTAL)
                figure.add_hline(
                    y=health_config.healthy_from, line_dash="dot", line_color=charts.TOTAL
                )
                figure.update_xaxes(type="log", title="ARR (log scale)")
                charts.money_axis(figure, list(scored["arr_usd"]), axis="x", log=True,
                                  include_zero=False)
                figure.update_yaxes(title="Health score", range=[0, 100])
                charts.base_layout(figure, "The 200 largest accounts of each motion", 420)
                figure.update_layout(
                    showlegend=True,
                    legend={"orientation": "h", "y": -0.2, "x": 0, "title": None},
                )
                charts.show(figure)
            presentation.end_of_slide()
            motion = (
                st.pills(
                    "Accounts in",
                    invest.MOTION_ORDER,
                    default="Invest",
                    key="motion",
                    bind="query-params",
                )
                or "Invest"
            )
            st.caption(invest.motion_help(motion))
            listed = accounts_frame.loc[accounts_frame["motion"] == motion]
            if listed.empty:
                st.info(f"No accounts in {motion} under these filters.")
            else:
                downloads.dataframe(
                    pd.DataFrame(
                        {
                            "Account": [
                                links.account_link(account_id, name)
                                for account_id, name in zip(
                                    listed["account_id"], listed["account_name"], strict=True
                                )
                            ],
                            "Segment": listed["segment"],
                            "ARR": listed["arr_usd"],
                            "Health": listed["health_score"].round(0),
                            "Revenue, 12 months": listed["revenue_12m_usd"],
                            "Cost to serve": listed["cost_to_serve_usd"],
                            "Support cost": listed["support_cost_usd"],
                            "Services cost": listed["services_cost_usd"],
                            "Executive & QBR cost": listed["executive_cost_usd"],
                            "Margin": listed["margin_usd"],
                            "Tickets": listed["tickets_12m"],
                            "Staff hours": listed["staff_hours_12m"],
                        }
                    ).sort_values("ARR", ascending=False),
                    hide_index=True,
                    column_config={
                        "Account": st.column_config.LinkColumn(
                            "Account",
                            display_text=r"#(.*)$",
                            pinned=True,
                            help="Opens the account's 360 view",
                        ),
                    },
                )
                st.caption(f"The {len(listed):,} largest accounts by ARR in {motion}.")
