"""Account 360: labels and table shapes for one account's history."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from northstar.analytics.display import TICKET_CSAT

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
