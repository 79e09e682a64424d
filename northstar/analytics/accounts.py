"""Account 360: labels and table shapes for one account's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from northstar.analytics import health, metrics, risk
from northstar.analytics.display import TICKET_CSAT
from northstar.analytics.literal_text import literal
from northstar.analytics.metrics import format_usd
from northstar.data.months import month_label

ENGAGEMENT_TYPES = {
    "cab_session": "Advisory board session",
    "executive_meeting": "Executive meeting",
    "qbr": "Quarterly business review",
    "professional_services": "Professional services",
    "installation": "Installation",
    "detractor_follow_up": "Detractor follow-up",
}
PROGRAMS = {
    "relationship": "Relationship",
    "post_installation": "30-day post-installation",
    "post_professional_services": "Post-professional-services",
    "support": "Support",
    "ticket_rating": "Ticket rating",
}
SURVEY_SCALES = {"NPS": "0–10", "CSAT": "1–5", "CES": "1–7"}


def profile_caption(profile: pd.Series) -> str:
    # the plan is named as one: a plan called "Enterprise" must not read as a second segment
    plan = f"{profile['plan']} plan" if profile["plan"] else None
    parts = [profile["segment"], profile["region"], plan, profile["industry"]]
    if isinstance(profile.get("csm_name"), str):
        parts.append(f"CSM {profile['csm_name']}")
    parts.append(f"customer since {pd.Timestamp(profile['start_date']):%-d %b %Y}")
    return " · ".join(str(part) for part in parts if part)


def _when(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)  # type: ignore[arg-type]


def is_churned(profile: pd.Series, last_month: dt.date) -> bool:
    """Whether the account has left, as Retention counts churn: revenue churn (revenue that
    stopped before the data's last month) for an account with revenue; logo churn from its
    churn date for one without any."""
    billed = _when(profile.get("last_billed_month"))
    if billed is None:
        return _when(profile.get("churn_date")) is not None
    return billed < pd.Timestamp(last_month)


def status_text(profile: pd.Series, last_month: dt.date) -> str:
    """'Churned on 3 Mar 2026 — Price (to Rival)', 'Churned: no revenue since Feb 1997',
    'Active · renews 1 Dec 2026', 'Active', 'Active · still billed, though a churn date of
    3 Mar 2026 is on record', or 'No revenue in the data'."""
    churned_on = _when(profile.get("churn_date"))
    billed = _when(profile.get("last_billed_month"))
    if churned_on is not None and is_churned(profile, last_month):
        reason = profile.get("churn_reason")
        competitor = profile.get("lost_to_competitor")
        text = f"Churned on {churned_on:%-d %b %Y}"
        if isinstance(reason, str):
            text += f" — {reason}"
        if isinstance(competitor, str):
            text += f" (to {competitor})"
        return text
    if billed is None:
        return "No revenue in the data"
    if billed < pd.Timestamp(last_month):
        return f"Churned: no revenue since {billed:%b %Y}"
    if churned_on is not None:
        return f"Active · still billed, though a churn date of {churned_on:%-d %b %Y} is on record"
    renewal = _when(profile.get("renewal_date"))
    if renewal is not None:
        return f"Active · renews {renewal:%-d %b %Y}"
    return "Active"


def surveys_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": frame["responded_on"],
            "Survey": [f"{kind} ({SURVEY_SCALES[kind]})" for kind in frame["survey_type"]],
            "Program": [PROGRAMS.get(program, program) for program in frame["program"]],
            "Department": frame["department_name"],
            "Score": frame["score"],
            "Respondent": frame["respondent_name"],
            "Comment": frame["comment"],
        }
    )


def tickets_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Ticket": frame["ticket_id"],
            "Opened": frame["opened_at"],
            "Status": frame["status"].str.capitalize(),
            "Priority": frame["priority"].str.capitalize(),
            "Category": frame["category"].str.capitalize(),
            "Channel": frame["channel"].str.capitalize(),
            "First response (h)": frame["first_response_hours"],
            "Resolution (h)": frame["resolution_hours"],
            "Escalated": frame["is_escalated"],
            "Reopened": frame["reopen_count"],
            TICKET_CSAT: pd.array(frame["satisfaction_score"], dtype="Int64"),
            "Subject": frame["subject"],
        }
    )


def engagements_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": frame["started_on"],
            "Ended": frame["ended_on"],
            "Type": [ENGAGEMENT_TYPES.get(kind, kind) for kind in frame["engagement_type"]],
            "Department": frame["department_name"],
            "Owner": frame["owner_name"],
            "Attended": frame["attended"],
            "Hours": frame["hours"],
            "Notes": frame["notes"],
        }
    )


def kudos_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": frame["given_on"],
            "Employee": frame["employee_name"],
            "Department": frame["department_name"],
            "Comment": frame["comment"],
        }
    )


def match_labels(matches: pd.DataFrame) -> dict[str, str]:
    """Account ID -> 'Name · segment · region' (and '· churned') for the search's matches."""
    return {row.account_id: f"{row.account_name} · {row.segment} · {row.region}"
            + ("" if row.is_active else " · churned") for row in matches.itertuples()}


@dataclass(frozen=True)
class Card:
    """One of the figures at the top of Account 360."""

    label: str
    value: str
    help: str | None = None
    chart: list[float] | None = None
    chart_type: str = "line"


def summary_cards(profile: pd.Series, revenue: pd.DataFrame, history: pd.DataFrame,
                  surveys: pd.DataFrame, tickets: pd.DataFrame, last_month: dt.date,
                  formula: Callable[[bool], str]) -> list[Card]:
    """ARR, health score, latest NPS and open tickets (`formula(with_product_usage)`: the
    health score's formula in words)."""
    arr = profile["last_arr_usd"]
    no_arr = metrics.is_missing(arr)
    cards = [Card("Last ARR" if is_churned(profile, last_month) else "ARR",
                  "—" if no_arr else format_usd(float(arr)),
                  "The data holds no revenue for this account." if no_arr else None,
                  list(revenue["arr_usd"]) or None, "area")]
    latest = history.iloc[-1] if len(history) else None
    if latest is not None and latest["health_score"] == latest["health_score"]:
        cards.append(Card(
            "Health score", f"{latest['health_score']:.0f}",
            f"{health.band_text(latest['band'])} · "
            f"{formula('product_usage' in health.components_in(history))}",
            [value for value in history["health_score"] if value == value] or None))
    else:
        cards.append(Card("Health score", "—", "No billed month to score yet."))
    nps = surveys.loc[surveys["survey_type"] == "NPS"]
    cards.append(Card("NPS (latest)", "—" if nps.empty else f"{int(nps['score'].iloc[0])} / 10",
                      "The most recent relationship survey answer (0–10)."))
    open_tickets = (int((~tickets["status"].isin(["solved", "closed"])).sum())
                    if len(tickets) else 0)
    cards.append(Card("Open tickets", f"{open_tickets:,}", f"{len(tickets):,} tickets in all"))
    return cards


def cab_text(profile: pd.Series) -> str:
    if profile["is_cab_member_now"]:
        return "advisory board member"
    joined = profile["cab_joined_on"]
    if joined is not None and str(joined) != "NaT":
        return "former advisory board member"
    return "not on the advisory board"


def observed_card(observed: list[risk.ObservedChurn], segment: str,
                  last_month: dt.date) -> tuple[Card, str]:
    """Without a churn model: the churn its segment saw, and the sentence under the cards."""
    card = Card("Churn in its segment, 12 months",
                f"{observed[0].pct:.1f}%" if observed else "—",
                "Observed, not predicted: the share of the segment's accounts active 12 months "
                "earlier that churned since.")
    return card, (f"Observed churn of its segment, {segment}, in the 12 months to "
                  f"{month_label(last_month)}: "
                  + (observed[0].text() if observed else "no account active at the start") + ".")


def risk_card(churn_risk: pd.DataFrame) -> tuple[Card, str]:
    """The churn model's chance for the account, and the line on its ARR at risk in Markdown,
    the reasons escaped ('' when the model has no estimate for it)."""
    if churn_risk.empty or metrics.is_missing(churn_risk["churn_risk_pct"].iloc[0]):
        return Card("Churn risk, 12 months", "—", "Not billed in the data's last month, or the "
                    "churn model has no estimate for its segment."), ""
    row = churn_risk.iloc[0]
    chance_range = risk.pct_range_text(row["churn_risk_low_pct"], row["churn_risk_high_pct"])
    arr_range = risk.usd_range_text(row["arr_at_risk_low_usd"], row["arr_at_risk_high_usd"])
    at_risk = format_usd(float(row["arr_at_risk_usd"]))
    chance = risk.chance_pct_text(row["churn_risk_pct"])
    card = Card("Churn risk, 12 months", chance,
                f"The chance of churning in the next 12 months, from the churn model; 95% range "
                f"{chance_range}. ARR at risk {at_risk} ({arr_range}).")
    return card, (f"**ARR at risk in the next 12 months: {at_risk}** (95% range {arr_range}; a "
                  f"{chance} chance of churning, {chance_range}) · main reasons: "
                  + literal(risk.reason_breakdown(row["reasons"],
                                                  row["reason_arr_at_risk_usd"])))
