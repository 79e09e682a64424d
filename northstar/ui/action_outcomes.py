"""Whether actions worked: the outcome queries of the accountability forum, run for the
current viewer and turned into each action's outcome and the actioned-vs-comparable table
(the rules are in northstar.analytics.action_rules)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics import action_rules
from northstar.data.settings import load_config
from northstar.ui import page_queries


def outcomes(found: pd.DataFrame, as_of: dt.date) -> tuple[dict[str, action_rules.Outcome],
                                                           pd.DataFrame]:
    """Each action's outcome from the data, and the actioned-vs-comparable table."""
    config = load_config()
    account_params = action_rules.account_inputs(found)
    accounts = page_queries.run_query("action_account_outcomes", **account_params,
                                 **config.query_params())
    answers = page_queries.run_query("action_answer_outcomes", **action_rules.answer_inputs(found))
    tickets = page_queries.run_query("action_ticket_outcomes", **action_rules.ticket_inputs(found))
    kpis = page_queries.run_query("goal_kpis")
    periods = action_rules.kpi_period_statuses(kpis, page_queries.run_query("goal_kpi_actuals"))
    by_action = action_rules.outcomes_by_action(
        found, accounts=accounts, answers=answers, tickets=tickets, periods=periods,
        kpi_ids=set(kpis["kpi_id"]), as_of=as_of)
    done = found.loc[found["status"] == "done"]
    done_accounts = action_rules.account_inputs(done)
    bands = dict(zip(zip(accounts["account_id"], pd.to_datetime(accounts["action_month"]).dt.date,
                         strict=True), accounts["band_order"], strict=True))
    band_orders = [_band(bands.get((account, month))) for account, month in
                   zip(done_accounts["account_ids"], done_accounts["action_months"], strict=True)]
    account_cells = page_queries.run_query(
        "action_account_comparison", account_ids=account_params["account_ids"],
        action_months=done_accounts["action_months"], band_orders=band_orders,
        window_days=action_rules.OUTCOME_WINDOW_DAYS, **config.query_params())
    answer_cells = page_queries.run_query(
        "action_answer_comparison", response_ids=action_rules.answer_inputs(done)["response_ids"])
    ticket_cells = page_queries.run_query(
        "action_ticket_comparison", ticket_ids=action_rules.ticket_inputs(done)["ticket_ids"],
        as_of_date=as_of)
    table = action_rules.comparisons(found, by_action, account_cells=account_cells,
                              answer_cells=answer_cells, ticket_cells=ticket_cells,
                              periods=periods, as_of=as_of)
    return by_action, table


def _band(order: object) -> int:
    """A band order, 5 (not scored) when the account had no score that month."""
    return 5 if order is None or pd.isna(order) else int(order)

