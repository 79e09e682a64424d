"""Account 360: everything about one account; `?account=<id>` opens it directly."""

from __future__ import annotations

import streamlit as st

from northstar.analytics import accounts, health
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data import settings
from northstar.ui import (
    actions,
    charts,
    data_needs,
    downloads,
    filters,
    masking,
    page_data,
    page_queries,
    tables,
)
from northstar.ui import churn_model as churn_model_ui

metadata = page_queries.dataset_metadata()
# the page is about one account: its queries do not depend on the filters
state = filters.current(metadata.last_month)
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
    matches = page_data.page_data("account", metadata, state, search=search.strip())["search"]
    if matches.empty:
        searched = "ID" if names_masked else "name or ID"
        st.info(f"No account {searched} contains “{literal(search)}”.")
    else:
        labels = accounts.match_labels(matches)
        picked = st.selectbox(
            f"{len(matches)} match(es)", list(labels), format_func=labels.__getitem__,
            index=None, placeholder="Choose an account",
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

data = page_data.page_data("account", metadata, state, account_id=selected)
profile_frame = data["profile"]
if profile_frame.empty:
    st.warning(f"No account with ID “{literal(selected)}” in the data.",
               icon=":material/search_off:")
    st.stop()
profile = profile_frame.iloc[0]

st.header(literal(profile["account_name"]))
st.caption(literal(f"{profile['account_id']} · {accounts.profile_caption(profile)}"))
status = st.empty()

config = settings.load_config()
revenue, history, surveys = data["revenue"], data["health_history"], data["surveys"]
tickets, engagements, kudos = data["tickets"], data["engagements"], data["kudos"]
columns = st.columns(5)
for column, card in zip(columns, accounts.summary_cards(
        profile, revenue, history, surveys, tickets, metadata.last_month, config.formula),
        strict=False):
    column.metric(card.label, card.value, border=True, help=card.help, chart_data=card.chart,
                  chart_type=card.chart_type)
status.markdown(f"**{literal(accounts.status_text(profile, metadata.last_month))}** · "
                f"{accounts.cab_text(profile)}")
# without revenue there is no model (it learns from billed months), whatever was stored
model_status = churn_model_ui.status(data_needs.has_revenue(), data=data)
if not model_status.passed:
    # no chance from a model that failed its checks: the churn its segment saw instead
    segment = str(profile["segment"])
    card, text = accounts.observed_card(
        churn_model_ui.observed({}, metadata.last_month, data), segment, metadata.last_month)
    st.caption(literal(model_status.reason) + " " + literal(text))
else:
    card, text = accounts.risk_card(data["risk"])
    if text:
        st.markdown(text)
columns[4].metric(card.label, card.value, border=True, help=card.help)

actions.new_action_button(
    "account", selected, selected if names_masked else str(profile["account_name"]),
    account_id=selected, department_id=profile["csm_department_id"],
    owner_employee_id=profile["csm_employee_id"], key="account_new_action",
)
account_actions = actions.account_actions(selected)
overview, survey_tab, ticket_tab, engagement_tab, kudos_tab, actions_tab = st.tabs([
    "Revenue & health", f"Surveys ({len(surveys)})", f"Tickets ({len(tickets)})",
    f"Engagements ({len(engagements)})", f"Kudos ({len(kudos)})",
    f"Actions ({actions.open_count_text(account_actions)})",
])
with actions_tab:
    actions.render_linked(account_actions, key="account_actions")
with overview:
    left, right = st.columns(2)
    with left:
        if revenue.empty:
            st.info("No recurring revenue recorded for this account.")
        else:
            charts.show(charts.trend(
                list(revenue["month"]), list(revenue["arr_usd"]), "ARR", tick_prefix="$",
                title="ARR by month", hover_values=[format_usd(v) for v in revenue["arr_usd"]],
            ))
    with right:
        if history.empty:
            st.info("No health history yet.")
        else:
            charts.show(charts.lines(health.components_long(history), "month", "score",
                                     "component", title="Health components by month (0–100)"))
for tab, frame, build_table, empty in (
    (survey_tab, surveys, accounts.surveys_table, "No survey answers from this account."),
    (ticket_tab, tickets, accounts.tickets_table, "No support tickets from this account."),
    (engagement_tab, engagements, accounts.engagements_table,
     "No engagements recorded with this account."),
    (kudos_tab, kudos, accounts.kudos_table, "No kudos from this account yet."),
):
    with tab:
        if frame.empty:
            st.info(empty)
        else:
            downloads.dataframe(
                build_table(frame), hide_index=True, column_config=tables.ACCOUNT_COLUMNS
            )
