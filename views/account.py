"""Account 360: everything about one account; `?account=<id>` opens it directly."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import accounts, health, metrics, risk
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data import settings
from northstar.data.months import month_label
from northstar.ui import actions, charts, data_needs, downloads, masking, page_queries, tables
from northstar.ui import churn_model as churn_model_ui

metadata = page_queries.dataset_metadata()
st.title("Account 360")
actions.saved_notice()

selected = st.query_params.get("account")
names_masked = masking.session_masked()
search = st.text_input(
    "Find an account",
    placeholder="Account ID, e.g. A0000123" if names_masked
    else "Name or ID, e.g. Northwind or A0000123",
    help="Names are masked, so the search looks at account IDs only." if names_masked else None,
    key="account_search",
)
if search:
    matches = page_queries.run_query("account_search", search=search.strip(), match_names=True,
                                     limit=25)
    if matches.empty:
        searched = "ID" if names_masked else "name or ID"
        st.info(f"No account {searched} contains “{literal(search)}”.")
    else:
        labels = {
            row.account_id: f"{row.account_name} · {row.segment} · {row.region}"
            + ("" if row.is_active else " · churned")
            for row in matches.itertuples()
        }
        picked = st.selectbox(
            f"{len(matches)} match(es)",
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            placeholder="Choose an account",
        )
        if picked and picked != selected:
            st.query_params["account"] = picked
            selected = picked

if not selected:
    st.info(
        "Search for an account above, or open one from the at-risk list on the Health & risk page. "
        "The address of this page names the account, so it can be sent as a link.",
        icon=":material/person_search:",
    )
    st.stop()

profile_frame = page_queries.run_query("account_profile", account_id=selected)
if profile_frame.empty:
    st.warning(f"No account with ID “{literal(selected)}” in the data.",
               icon=":material/search_off:")
    st.stop()
profile = profile_frame.iloc[0]

st.header(literal(profile["account_name"]))
st.caption(literal(f"{profile['account_id']} · {accounts.profile_caption(profile)}"))
status = st.empty()

config = settings.load_config()
revenue, history, surveys, tickets, engagements, kudos, churn_risk = page_queries.run_queries(
    page_queries.request("account_revenue", account_id=selected),
    page_queries.request("account_health_history", account_id=selected, **config.query_params()),
    page_queries.request("account_surveys", account_id=selected),
    page_queries.request("account_tickets", account_id=selected),
    page_queries.request("account_engagements", account_id=selected),
    page_queries.request("account_kudos", account_id=selected),
    page_queries.request("account_risk", account_id=selected),
)

latest_health = history.iloc[-1] if len(history) else None
nps = surveys.loc[surveys["survey_type"] == "NPS"]
columns = st.columns(5)
churned = accounts.is_churned(profile, metadata.last_month)
columns[0].metric(
    "Last ARR" if churned else "ARR",
    "—" if metrics.is_missing(profile["last_arr_usd"])
    else format_usd(float(profile["last_arr_usd"])),
    border=True,
    help=None if not metrics.is_missing(profile["last_arr_usd"])
    else "The data holds no revenue for this account.",
    chart_data=list(revenue["arr_usd"]) or None,
    chart_type="area",
)
if latest_health is not None and latest_health["health_score"] == latest_health["health_score"]:
    band = latest_health["band"]
    columns[1].metric(
        "Health score",
        f"{latest_health['health_score']:.0f}",
        border=True,
        help=f"{health.band_text(band)} · "
             f"{config.formula('product_usage' in health.components_in(history))}",
        chart_data=[value for value in history["health_score"] if value == value] or None,
    )
else:
    columns[1].metric("Health score", "—", border=True, help="No billed month to score yet.")
columns[2].metric(
    "NPS (latest)",
    "—" if nps.empty else f"{int(nps['score'].iloc[0])} / 10",
    border=True,
    help="The most recent relationship survey answer (0–10).",
)
open_tickets = int((~tickets["status"].isin(["solved", "closed"])).sum()) if len(tickets) else 0
columns[3].metric(
    "Open tickets", f"{open_tickets:,}", border=True, help=f"{len(tickets):,} tickets in all"
)
cab_text = (
    "advisory board member"
    if profile["is_cab_member_now"]
    else (
        "former advisory board member"
        if profile["cab_joined_on"] is not None and str(profile["cab_joined_on"]) != "NaT"
        else "not on the advisory board"
    )
)
status.markdown(f"**{literal(accounts.status_text(profile, metadata.last_month))}** · "
                f"{cab_text}")
# without revenue there is no model (it learns from billed months), whatever was stored
model_status = churn_model_ui.status(data_needs.has_revenue())
if not model_status.passed:
    # no chance from a model that failed its checks: the churn its segment saw instead
    segment = str(profile["segment"])
    observed = churn_model_ui.observed({"segments": [segment], "regions": [], "plans": []},
                                       metadata.last_month)
    columns[4].metric(
        "Churn in its segment, 12 months",
        f"{observed[0].pct:.1f}%" if observed else "—",
        border=True,
        help="Observed, not predicted: the share of the segment's accounts active 12 months "
        "earlier that churned since.",
    )
    st.caption(
        literal(model_status.reason) + " "
        + literal(f"Observed churn of its segment, {segment}, in the 12 months to "
                  f"{month_label(metadata.last_month)}: "
                  + (observed[0].text() if observed else "no account active at the start")
                  + ".")
    )
elif churn_risk.empty or metrics.is_missing(churn_risk["churn_risk_pct"].iloc[0]):
    columns[4].metric("Churn risk, 12 months", "—", border=True,
                      help="Not billed in the data's last month, or the churn model has no "
                      "estimate for its segment.")
else:
    account_risk = churn_risk.iloc[0]
    chance_range = risk.pct_range_text(
        account_risk["churn_risk_low_pct"], account_risk["churn_risk_high_pct"]
    )
    arr_range = risk.usd_range_text(
        account_risk["arr_at_risk_low_usd"], account_risk["arr_at_risk_high_usd"]
    )
    columns[4].metric(
        "Churn risk, 12 months",
        risk.chance_pct_text(account_risk["churn_risk_pct"]),
        border=True,
        help=f"The chance of churning in the next 12 months, from the churn model; 95% range "
        f"{chance_range}. ARR at risk "
        f"{format_usd(float(account_risk['arr_at_risk_usd']))} ({arr_range}).",
    )
    st.markdown(
        f"**ARR at risk in the next 12 months: "
        f"{format_usd(float(account_risk['arr_at_risk_usd']))}** (95% range {arr_range}; a "
        f"{risk.chance_pct_text(account_risk['churn_risk_pct'])} chance of churning, "
        f"{chance_range}) · main reasons: "
        + literal(risk.reason_breakdown(
            account_risk["reasons"], account_risk["reason_arr_at_risk_usd"]))
    )

actions.new_action_button(
    "account", selected, selected if names_masked else str(profile["account_name"]),
    account_id=selected, department_id=profile["csm_department_id"],
    owner_employee_id=profile["csm_employee_id"], key="account_new_action",
)
account_actions = actions.account_actions(selected)
overview, survey_tab, ticket_tab, engagement_tab, kudos_tab, actions_tab = st.tabs(
    [
        "Revenue & health",
        f"Surveys ({len(surveys)})",
        f"Tickets ({len(tickets)})",
        f"Engagements ({len(engagements)})",
        f"Kudos ({len(kudos)})",
        f"Actions ({actions.open_count_text(account_actions)})",
    ],
)
with actions_tab:
    actions.render_linked(account_actions, key="account_actions")
with overview:
    left, right = st.columns(2)
    with left:
        if revenue.empty:
            st.info("No recurring revenue recorded for this account.")
        else:
            charts.show(
                charts.trend(
                    list(revenue["month"]),
                    list(revenue["arr_usd"]),
                    "ARR",
                    tick_prefix="$",
                    title="ARR by month",
                    hover_values=[format_usd(v) for v in revenue["arr_usd"]],
                )
            )
    with right:
        if history.empty:
            st.info("No health history yet.")
        else:
            charts.show(
                charts.lines(
                    health.components_long(history),
                    "month",
                    "score",
                    "component",
                    title="Health components by month (0–100)",
                )
            )
for tab, frame, build_table, empty in (
    (survey_tab, surveys, accounts.surveys_table, "No survey answers from this account."),
    (ticket_tab, tickets, accounts.tickets_table, "No support tickets from this account."),
    (
        engagement_tab,
        engagements,
        accounts.engagements_table,
        "No engagements recorded with this account.",
    ),
    (kudos_tab, kudos, accounts.kudos_table, "No kudos from this account yet."),
):
    with tab:
        if frame.empty:
            st.info(empty)
        else:
            downloads.dataframe(
                build_table(frame), hide_index=True, column_config=tables.ACCOUNT_COLUMNS
            )
