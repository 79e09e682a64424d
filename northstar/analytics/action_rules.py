"""Actions: the accountability forum's tables and whether a closed action worked.

An action's outcome is computed from the data, never typed in, by one rule per kind of thing it
is about (`OUTCOME_RULES`), and the forum compares actioned items with comparable items nobody
acted on by the significance rule every page uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from northstar.analytics import goals, significance
from northstar.analytics.display import count_of
from northstar.data import rules

SUBJECTS = {"account": "Account", "answer": "Survey answer", "ticket": "Ticket", "kpi": "KPI",
            "driver": "Churn driver"}
STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                 "dropped": "Dropped"}
PRIORITY_LABELS = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
OPEN = ("open", "in_progress")
# the kinds whose label names a customer (masked on shared screens); KPIs and drivers do not
CUSTOMER_SUBJECTS = frozenset({"account", "answer", "ticket"})
# the actions' windows (northstar/data/rules.py)
DUE_SOON_DAYS = rules.DUE_SOON_DAYS  # "due this week": due today or in the days after it
OUTCOME_WINDOW_DAYS = rules.ACTION_OUTCOME_DAYS  # an account action worked: no churn in this time
DEFAULT_DUE_DAYS = rules.ACTION_DUE_DAYS  # a new action's due date unless its creator says

OUTCOME_RULES = {
    "account": f"the account did not churn within {OUTCOME_WINDOW_DAYS} days of the start of "
               "the month the action was created in (known once that time has passed)",
    "answer": "the customer's next answer to the same survey, after the action was closed, is "
              "not an unhappy one (NPS 0–6, CSAT 1–2)",
    "ticket": "the ticket is resolved and its CSAT rating, if it has one, is not unhappy (1–2)",
    "kpi": "the KPI is on track in its first period that starts after the action was closed",
}
COMPARISON_RULES = {
    "account": "accounts nobody acted on that were in the same health band in the same month",
    "answer": "unhappy answers nobody acted on from the same month, survey and program, by "
              "the customer's next answer after it",
    "ticket": "tickets nobody acted on, opened in the same month with the same priority",
    "kpi": f"every other time a KPI was {goals.OFF_TRACK_RUN} with no action, by its next "
           "period",
}
FORUM_WEEK_DAYS = rules.FORUM_WEEK_DAYS
COMPARISON_MINIMUM = (
    "A difference is read only with at least {accounts} items and {events} that worked on each "
    "side; below that it is too few to tell.")


@dataclass(frozen=True)
class Outcome:
    text: str
    worked: bool | None  # None: not known yet, or not measured


# a table's "record an action on this row" column (its cells: action_cell_text); left out of
# exports
ACTION_COLUMN = "Action"


def action_cell_text(open_count: int | None) -> str:
    """What a table's Action cell says: the open actions on the row (None: not known, the
    workspace being unavailable), and that a click adds one."""
    if open_count is None:
        return "+ New action · open ones unknown"
    return "+ New action" if open_count == 0 else f"{count_of(open_count, 'open action')} · + new"


def is_overdue(actions: pd.DataFrame, today: dt.date) -> pd.Series:
    return actions["status"].isin(OPEN) & (actions["due_on"] < today)


def is_due_soon(actions: pd.DataFrame, today: dt.date) -> pd.Series:
    last = today + dt.timedelta(days=DUE_SOON_DAYS - 1)
    return actions["status"].isin(OPEN) & (actions["due_on"] >= today) & (
        actions["due_on"] <= last)


def due_text(due_on: dt.date, status: str, today: dt.date) -> str:
    """'Overdue by 3 days', 'Due today', 'Due in 5 days' (open actions); '' once closed."""
    if status not in OPEN:
        return ""
    days = (due_on - today).days
    if days < 0:
        return f"Overdue by {count_of(-days, 'day')}"
    if days == 0:
        return "Due today"
    return f"Due in {count_of(days, 'day')}"


def owner_summary(actions: pd.DataFrame, today: dt.date,
                  department_names: Mapping[str, str]) -> pd.DataFrame:
    """Open, overdue and due-this-week actions per department and owner, most overdue first."""
    open_actions = actions.loc[actions["status"].isin(OPEN)]
    if open_actions.empty:
        return pd.DataFrame(columns=["Department", "Owner", "Open", "Overdue", "Due this week"])
    frame = open_actions.assign(
        overdue=is_overdue(open_actions, today), due_soon=is_due_soon(open_actions, today))
    grouped = frame.groupby(["department_id", "owner_name"], as_index=False).agg(
        open=("action_id", "count"), overdue=("overdue", "sum"), due_soon=("due_soon", "sum"))
    grouped = grouped.sort_values(["overdue", "open", "department_id", "owner_name"],
                                  ascending=[False, False, True, True])
    return pd.DataFrame({
        "Department": [department_names.get(d, d) for d in grouped["department_id"]],
        "Owner": grouped["owner_name"],
        "Open": grouped["open"].astype("int64"),
        "Overdue": grouped["overdue"].astype("int64"),
        "Due this week": grouped["due_soon"].astype("int64"),
    }).reset_index(drop=True)


def department_counts_table(counts: pd.DataFrame,
                            department_names: Mapping[str, str]) -> pd.DataFrame:
    """The counts every role may see (the store's `counts`), with people's words."""
    return pd.DataFrame({
        "Department": [department_names.get(d, d) for d in counts["department_id"]],
        "Open": counts["open_count"], "Overdue": counts["overdue_count"],
        "Done": counts["done_count"], "Dropped": counts["dropped_count"],
    })


def closed_since(actions: pd.DataFrame, since: dt.date) -> pd.DataFrame:
    """Actions done or dropped on or after `since`, latest first."""
    closed = actions.loc[~actions["status"].isin(OPEN)
                         & closed_on_or_after(actions["closed_at"], since)]
    return closed.sort_values("closed_at", ascending=False)


def closed_on_or_after(closed_at: pd.Series, day: dt.date) -> pd.Series:
    """Whether each close time (UTC; missing for open actions) falls on or after `day`."""
    return closed_at.notna() & (closed_at >= pd.Timestamp(day, tz="UTC"))


def kpis_without_action(runs: pd.DataFrame, actions: pd.DataFrame) -> pd.DataFrame:
    """The runs (goals.off_track_runs) of KPIs off track rules.RUN_THRESHOLD periods running
    or more that have no open action, nor one closed since the run began."""
    if runs.empty or actions.empty:
        return runs.reset_index(drop=True)
    kpi_actions = actions.loc[actions["subject_kind"] == "kpi"]
    covered = set()
    for run in runs.itertuples(index=False):
        mine = kpi_actions.loc[kpi_actions["subject_key"] == run.kpi_id]
        since = pd.Timestamp(run.since).date()
        open_now = mine["status"].isin(OPEN).any()
        closed_in_run = closed_on_or_after(mine["closed_at"], since).any()
        if open_now or closed_in_run:
            covered.add(run.kpi_id)
    return runs.loc[~runs["kpi_id"].isin(covered)].reset_index(drop=True)


# --- outcomes ---------------------------------------------------------------------------------


def action_month(created_at: pd.Timestamp) -> dt.date:
    return created_at.date().replace(day=1)


def account_outcome(churned_on: object, month: dt.date, as_of: dt.date,
                    in_data: bool) -> Outcome:
    """Whether an account action worked, from when the account churned (as Retention counts
    churn: the action_account_outcomes query's churned_on)."""
    if not in_data:
        return Outcome("The account is no longer in the data", None)
    known_on = month + dt.timedelta(days=OUTCOME_WINDOW_DAYS)
    if churned_on is not None and not pd.isna(churned_on):
        churned = pd.Timestamp(churned_on).date()
        if month <= churned <= known_on:
            return Outcome(f"Churned on {churned:%-d %b %Y}", False)
        if churned < month:
            return Outcome(f"Had already churned ({churned:%-d %b %Y})", None)
    if as_of < known_on:
        return Outcome(f"Too early to tell: known on {known_on:%-d %b %Y}", None)
    return Outcome(f"Still a customer {OUTCOME_WINDOW_DAYS} days on", True)


def answer_outcome(row: Mapping[str, object]) -> Outcome:
    if not row.get("in_data"):
        return Outcome("The answer is no longer in the data", None)
    score = row.get("next_score")
    if score is None or pd.isna(score):
        return Outcome("No answer to that survey since the action closed", None)
    when = pd.Timestamp(row["next_responded_on"]).date()
    worked = not bool(row.get("next_unhappy"))
    return Outcome(f"Next answer {int(score)} on {when:%-d %b %Y}"
                   + ("" if worked else ", still unhappy"), worked)


def ticket_outcome(row: Mapping[str, object]) -> Outcome:
    if not row.get("in_data"):
        return Outcome("The ticket is no longer in the data", None)
    resolved = row.get("resolved_at")
    if resolved is None or pd.isna(resolved):
        return Outcome("Not resolved yet", False)
    rating = row.get("satisfaction_score")
    rated = "" if rating is None or pd.isna(rating) else f", rated {int(rating)} of 5"
    worked = not bool(row.get("unhappy_rating"))
    return Outcome(f"Resolved {pd.Timestamp(resolved):%-d %b %Y}{rated}", worked)


def kpi_period_statuses(kpis: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Every KPI period's status against the KPI's target: kpi_id, period_start, status."""
    frame = actuals.merge(kpis[["kpi_id", "target_value", "direction", "unit", "period_grain"]],
                          on="kpi_id")
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["status"] = [goals.kpi_status(actual, target, direction, unit) for actual, target,
                       direction, unit in zip(frame["actual_value"], frame["target_value"],
                                              frame["direction"], frame["unit"], strict=True)]
    return frame.sort_values(["kpi_id", "period_start"]).reset_index(drop=True)


def kpi_outcome(kpi_id: str, closed_on: dt.date, periods: pd.DataFrame,
                known: bool) -> Outcome:
    if not known:
        return Outcome("The KPI is no longer in the catalogue", None)
    later = periods.loc[(periods["kpi_id"] == kpi_id) & (periods["period_start"] > closed_on)]
    if later.empty:
        return Outcome("No period since the action closed yet", None)
    first = later.iloc[0]
    label = goals.period_label(first["period_start"], first["period_grain"])
    status = first["status"]
    if status == "no_data":
        return Outcome(f"{label}: no target to judge by", None)
    return Outcome(f"{label}: {goals.status_text(status).lower()}", status == "on_track")


def kpi_comparison(periods: pd.DataFrame, actioned: set[str]) -> tuple[int, int]:
    """(times, of them back on track next period) over every run of two off-track periods in a
    row of a KPI nobody acted on."""
    times = back = 0
    for kpi_id, series in periods.groupby("kpi_id"):
        if kpi_id in actioned:
            continue
        statuses = list(series["status"])
        for index in range(1, len(statuses) - 1):
            if statuses[index - 1] == statuses[index] == "off_track":
                times += 1
                back += statuses[index + 1] == "on_track"
    return times, back


def comparison_row(kind: str, worked: int, known: int, comparable_worked: int,
                   comparable_known: int) -> dict[str, object]:
    """One line of the "did it work?" table: actioned vs comparable, with the verdict."""
    verdict = significance.rates(worked, known, comparable_worked, comparable_known)
    if verdict.status is significance.Status.TOO_FEW:
        reading = "Too few to tell"
    elif verdict.is_real:
        better = worked / known > comparable_worked / comparable_known
        reading = "Better than not acting, beyond noise" if better else \
            "Worse than not acting, beyond noise"
    else:
        reading = "No difference beyond noise"
    return {
        "Action on": SUBJECTS[kind],
        "Actioned: worked (%)": 100 * worked / known if known else None,
        "Actioned (n)": known,
        "Not actioned: worked (%)":
            100 * comparable_worked / comparable_known if comparable_known else None,
        "Not actioned (n)": comparable_known,
        "Reading": reading,
    }


def outcome_frame(actions: pd.DataFrame, outcomes: Mapping[str, Outcome]) -> pd.DataFrame:
    """The done actions with their outcome text and whether they worked."""
    done = actions.loc[actions["status"] == "done"].copy()
    done["outcome"] = [outcomes[a].text if a in outcomes else "Not measured for this kind"
                       for a in done["action_id"]]
    done["worked"] = [outcomes[a].worked if a in outcomes else None for a in done["action_id"]]
    return done


def worked_text(worked: object) -> str:
    if worked is None or pd.isna(worked):
        return "Not known yet"
    return "Worked" if worked else "Did not work"


def actions_table(actions: pd.DataFrame, today: dt.date,
                  department_names: Mapping[str, str]) -> pd.DataFrame:
    """The action list as people read it."""
    return pd.DataFrame({
        "Action": actions["title"],
        "About": [f"{SUBJECTS[kind]}: {label}" for kind, label in
                  zip(actions["subject_kind"], actions["subject_label"], strict=True)],
        "Owner": actions["owner_name"],
        "Department": [department_names.get(d, d) for d in actions["department_id"]],
        "Status": [STATUS_LABELS[s] for s in actions["status"]],
        "Priority": [PRIORITY_LABELS[p] for p in actions["priority"]],
        "Due": actions["due_on"],
        "When": [due_text(due, status, today) for due, status in
                 zip(actions["due_on"], actions["status"], strict=True)],
    }).reset_index(drop=True)


def closed_table(closed: pd.DataFrame, outcomes: Mapping[str, Outcome]) -> pd.DataFrame:
    """Closed actions with what came of them: the outcome from the data for done ones."""
    def outcome_text(action_id: str, status: str) -> str:
        if status == "dropped":
            return "Dropped"
        return outcomes[action_id].text if action_id in outcomes else "Not measured for this kind"

    return pd.DataFrame({
        "Action": closed["title"],
        "About": [f"{SUBJECTS[kind]}: {label}" for kind, label in
                  zip(closed["subject_kind"], closed["subject_label"], strict=True)],
        "Owner": closed["owner_name"],
        "Closed": [pd.Timestamp(moment).date() for moment in closed["closed_at"]],
        "Outcome": [outcome_text(a, s) for a, s in
                    zip(closed["action_id"], closed["status"], strict=True)],
        "Worked": [worked_text(outcomes[a].worked) if a in outcomes and s == "done" else "—"
                   for a, s in zip(closed["action_id"], closed["status"], strict=True)],
    }).reset_index(drop=True)


def forum_since(today: dt.date) -> dt.date:
    """The default 'closed since' date: a week before today (the last weekly forum)."""
    return today - dt.timedelta(days=FORUM_WEEK_DAYS)


# --- assembling outcomes from the data (the ui layer runs the queries) -----------------------


def account_inputs(actions: pd.DataFrame) -> dict[str, list]:
    """The parameters of the account-outcome queries: each account action's account and the
    first day of the month it was created in."""
    mine = actions.loc[actions["subject_kind"] == "account"]
    return {"account_ids": list(mine["subject_key"]),
            "action_months": [action_month(moment) for moment in mine["created_at"]]}


def closed_or_created_on(row: Mapping[str, object]) -> dt.date:
    closed = row.get("closed_at")
    moment = row["created_at"] if closed is None or pd.isna(closed) else closed
    return pd.Timestamp(moment).date()


def answer_inputs(actions: pd.DataFrame) -> dict[str, list]:
    mine = actions.loc[actions["subject_kind"] == "answer"]
    return {"response_ids": list(mine["subject_key"]),
            "after_dates": [closed_or_created_on(row) for _, row in mine.iterrows()]}


def ticket_inputs(actions: pd.DataFrame) -> dict[str, list]:
    return {"ticket_ids": list(actions.loc[actions["subject_kind"] == "ticket", "subject_key"])}


def outcomes_by_action(actions: pd.DataFrame, *, accounts: pd.DataFrame, answers: pd.DataFrame,
                       tickets: pd.DataFrame, periods: pd.DataFrame, kpi_ids: set[str],
                       as_of: dt.date) -> dict[str, Outcome]:
    """Every action's outcome from the data (done actions: did it work; others: whether the
    thing it is about is still in the data)."""
    account_rows = {(row.account_id, row.action_month): row
                    for row in accounts.itertuples(index=False)}
    answer_rows = {(row["response_id"], pd.Timestamp(row["after_date"]).date()): row
                   for row in answers.to_dict("records")}
    ticket_rows = {row["ticket_id"]: row for row in tickets.to_dict("records")}
    result: dict[str, Outcome] = {}
    for _, action in actions.iterrows():
        kind, key = action["subject_kind"], action["subject_key"]
        if kind == "account":
            month = action_month(action["created_at"])
            row = account_rows.get((key, pd.Timestamp(month)))
            row = row if row is not None else account_rows.get((key, month))
            in_data = bool(row is not None and row.in_data)
            outcome = account_outcome(row.churned_on if in_data else None, month, as_of, in_data)
        elif kind == "answer":
            outcome = answer_outcome(answer_rows.get((key, closed_or_created_on(action)), {}))
        elif kind == "ticket":
            outcome = ticket_outcome(ticket_rows.get(key, {}))
        elif kind == "kpi":
            outcome = kpi_outcome(key, closed_or_created_on(action), periods, key in kpi_ids)
        else:
            continue
        result[str(action["action_id"])] = outcome
    return result


def missing_targets(actions: pd.DataFrame, outcomes: Mapping[str, Outcome]) -> pd.DataFrame:
    """Actions whose account, answer, ticket or KPI is no longer in the data (kept, flagged)."""
    gone = [action_id for action_id, outcome in outcomes.items()
            if "no longer in the" in outcome.text]
    return actions.loc[actions["action_id"].isin(gone)]


def comparisons(actions: pd.DataFrame, outcomes: Mapping[str, Outcome], *,
                account_cells: pd.DataFrame,
                answer_cells: pd.DataFrame, ticket_cells: pd.DataFrame,
                periods: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per kind of action: the share of done actions that worked against comparable items
    nobody acted on, with the significance verdict."""
    done = actions.loc[actions["status"] == "done"]
    rows = []
    for kind in ("account", "answer", "ticket", "kpi"):
        mine = done.loc[done["subject_kind"] == kind]
        known = [outcomes[a].worked for a in mine["action_id"]
                 if a in outcomes and outcomes[a].worked is not None]
        worked = sum(bool(value) for value in known)
        if kind == "account":
            # only months whose outcome window has passed, as for the actioned accounts
            ripe = account_cells.loc[[
                as_of >= pd.Timestamp(month).date() + dt.timedelta(days=OUTCOME_WINDOW_DAYS)
                for month in account_cells["action_month"]]]
            compared = int(ripe["comparable_accounts"].sum())
            compared_worked = compared - int(ripe["comparable_churned"].sum())
        elif kind == "answer":
            compared = int(answer_cells["answered_again"].sum())
            compared_worked = int(answer_cells["answered_again_not_unhappy"].sum())
        elif kind == "ticket":
            compared = int(ticket_cells["comparable_tickets"].sum())
            compared_worked = int(ticket_cells["comparable_resolved_not_unhappy"].sum())
        else:
            actioned = set(actions.loc[actions["subject_kind"] == "kpi", "subject_key"])
            compared, compared_worked = kpi_comparison(periods, actioned)
        rows.append(comparison_row(kind, worked, len(known), compared_worked, compared))
    return pd.DataFrame(rows)
