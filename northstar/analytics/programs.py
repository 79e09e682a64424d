"""Transforms behind the CCO programs page: advisory board, executive coverage, post-engagement
surveys, support ticket review and kudos.

The queries (queries/program_*.sql) do the counting; the functions here shape their small
results for display (human column names, quarter labels, differences, follow-up reasons) and
carry no Streamlit state, so they are unit tested on hand-made frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from northstar.analytics import satisfaction, significance
from northstar.analytics.display import TICKET_CSAT, measure_columns, percent
from northstar.analytics.links import account_links
from northstar.analytics.metrics import format_usd, is_missing
from northstar.analytics.periods import PeriodWindow
from northstar.analytics.significance import Status, Verdict
from northstar.data.months import add_months
from northstar.data.rules import OPEN_TICKET_FOLLOW_UP_DAYS
from northstar.data.settings import SurveyProgram

HISTORY_START = dt.date(1900, 1, 1)  # start date for trends over the whole history
COVERAGE_TREND_POINTS = 9  # quarterly points, the last one at the data's last month
# what the support review's headline figures count (open tickets by age count every open
# ticket, and the scorecard's KPIs average monthly medians, so theirs can differ)
TICKETS_OPENED_CAPTION = (
    "Still open, first response and resolution medians count the tickets opened in the period; "
    "open tickets by age below count every open ticket, whenever opened, and the department "
    "scorecard's KPIs average each month's median."
)


def survey_timing(program: SurveyProgram, survey: str, engagement: str = "") -> str:
    """When a post-engagement survey goes out and when an engagement counts as due, from the
    program's settings: 'The onboarding survey goes out 30 days after an installation ends;
    answers are awaited 7 more days. An installation is due once 37 days …'."""
    engagement = engagement or f"an {program.engagement_label}"
    label = program.engagement_label
    awaited = program.window_days - program.sent_after_days
    if program.sent_after_days:
        return (f"The {survey} goes out {program.sent_after_days} days after {engagement} ends; "
                f"answers are awaited {awaited} more days. An {label} is due once "
                f"{program.window_days} days have passed since it ended, and counts in the "
                f"period (and quarter) in which those {program.window_days} days ran out.")
    return (f"The {survey} goes out when {engagement} ends; answers are awaited "
            f"{program.window_days} days. An {label} counts in the period (and quarter) in which "
            f"those {program.window_days} days ran out.")


def survey_csat_label(engagement_label: str) -> str:
    """'CSAT of the installations due': a survey tab's CSAT counts the answers to the
    engagements due in the period, not every answer given in it (as Satisfaction does)."""
    return f"CSAT of the {engagement_label}s due"


GROUP_LABELS: dict[int, str] = {
    1: "Advisory board members",
    2: "Comparable non-members",
    3: "All other accounts",
}
COMPARABLE_RULE = (
    "Comparable non-members: accounts that were not on the board at the start of the period, "
    "in a segment that has board members, with ARR just before the period at least the "
    "smallest member's ARR in that segment. Accounts that joined the board during the period "
    "are left out of every group."
)
FOLLOW_UP_REASONS: dict[str, str] = {
    # flag column -> reason shown on screen
    "is_open_escalation": "Open escalation",
    "is_open_too_long": f"Open more than {OPEN_TICKET_FOLLOW_UP_DAYS} days",
    "is_reopened": "Reopened",
    "is_low_csat": "CSAT 1–2",
}
FOLLOW_UP_COUNTS: dict[str, str] = {
    # count column -> metric label
    "open_escalation_tickets": "Open escalations",
    "open_too_long_tickets": f"Open more than {OPEN_TICKET_FOLLOW_UP_DAYS} days",
    "reopened_tickets": "Reopened in the period",
    "low_csat_tickets": "Rated CSAT 1–2 in the period",
}


def period_params(window: PeriodWindow, as_of: dt.date) -> dict[str, dt.date]:
    """The period as query parameters: its first and last day (never past the as-of date), the
    month just before it and its last month."""
    next_month = add_months(window.end_month, 1)
    return {
        "start_date": window.start_month,
        "end_date": min(next_month - dt.timedelta(days=1), as_of),
        "opening_month": window.opening_month,
        "closing_month": window.end_month,
    }


def quarter_label(quarter_start: Any) -> str:
    stamp = pd.Timestamp(quarter_start)
    return f"Q{(stamp.month - 1) // 3 + 1} {stamp.year}"


def period_label(period_start: Any, grain: str, as_of: dt.date | None = None) -> str:
    """'Q3 2026', 'Oct 2026' or 'Week of 5 Oct 2026'; ' (to date)' when as_of ends it early."""
    stamp = pd.Timestamp(period_start)
    if grain == "quarter":
        label = quarter_label(stamp)
        period_end = stamp + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    elif grain == "month":
        label = stamp.strftime("%b %Y")
        period_end = stamp + pd.DateOffset(months=1) - pd.Timedelta(days=1)
    else:
        label = f"Week of {stamp.day} {stamp.strftime('%b %Y')}"
        period_end = stamp + pd.Timedelta(days=6)
    if as_of is not None and period_end.date() > as_of:
        label += " (to date)"
    return label


# ---- advisory board ----------------------------------------------------------------------


def comparison_groups(frame: pd.DataFrame) -> dict[int, pd.Series]:
    """Rows of program_cab_comparison by group order (1 members, 2 comparable, 3 other)."""
    return {int(row["group_order"]): row for _, row in frame.iterrows()}


def difference(cab: pd.Series, comparable: pd.Series, column: str) -> float | None:
    """Members minus comparable non-members (None when either side has no value)."""
    if is_missing(cab[column]) or is_missing(comparable[column]):
        return None
    return float(cab[column]) - float(comparable[column])


def comparison_verdict(cab: pd.Series, comparable: pd.Series, column: str) -> Verdict:
    """Whether members and comparable non-members differ beyond noise on one measure: logo
    churn as a rate of accounts, NPS by its margin of error, NRR by the standard error of a
    ratio of revenue totals. Too few to tell below 30 accounts or 5 churned accounts on a side
    (for NPS: when either side has too few answers for a margin of error)."""
    sides = ((float(cab["opening_accounts"]), float(cab["churned_accounts"])),
             (float(comparable["opening_accounts"]), float(comparable["churned_accounts"])))
    if column == "nps":
        return satisfaction.change_verdict(_nps(cab), _nps(comparable))
    if not all(significance.enough(accounts, events) for accounts, events in sides):
        return Verdict(Status.TOO_FEW, significance.too_few_detail(*sides))
    if column == "logo_churn_pct":
        return significance.rates(sides[0][1], sides[0][0], sides[1][1], sides[1][0])
    members_se, others_se = _nrr_se(cab), _nrr_se(comparable)
    return significance.change(
        _number(cab["nrr_pct"]), None if members_se is None else 100 * members_se,
        _number(comparable["nrr_pct"]), None if others_se is None else 100 * others_se)


def _number(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def _nps(row: pd.Series) -> satisfaction.Estimate:
    return satisfaction.nps(int(row["nps_promoters"]), int(row["nps_detractors"]),
                            int(row["nps_responses"]))


def _nrr_se(row: pd.Series) -> float | None:
    """The standard error of a group's NRR (as a fraction) from its per-account sums."""
    if is_missing(row["opening_mrr_squares_usd2"]):
        return None
    return significance.ratio_se(
        float(row["retained_arr_usd"]) / 12, float(row["starting_arr_usd"]) / 12,
        float(row["closing_mrr_squares_usd2"]), float(row["opening_mrr_squares_usd2"]),
        float(row["opening_closing_mrr_products_usd2"]), float(row["opening_accounts"]))


def outcomes_verdict(outcomes: pd.DataFrame) -> Verdict:
    """Whether met and not-met top accounts churned at rates that differ beyond noise."""
    if len(outcomes) < 2:
        return Verdict(Status.TOO_FEW)
    met, unmet = outcomes.iloc[0], outcomes.iloc[1]
    return significance.rates(float(met["Churned within 12 months"]), float(met["Accounts"]),
                              float(unmet["Churned within 12 months"]),
                              float(unmet["Accounts"]))


def floors_text(floors: Any) -> str:
    """The comparable group's ARR floor per segment, e.g. 'Enterprise from $160K'."""
    if is_missing(floors):
        return "no segment has board members"
    parts = [
        f"{floor['segment']} from {format_usd(float(floor['floor_arr_usd']))}" for floor in floors
    ]
    return ", ".join(parts) if parts else "no segment has board members"


def comparison_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Group": [GROUP_LABELS[int(order)] for order in frame["group_order"]],
            "Accounts at start": frame["opening_accounts"],
            "Churned": frame["churned_accounts"],
            **measure_columns(frame, "logo_churn_pct", "starting_arr_usd", "nrr_pct", "grr_pct",
                              "nps"),
            "NPS answers": frame["nps_responses"],
        }
    )


# the periods the board's sessions chart can be drawn per; the in-period figures add months
SESSION_GRAINS = ("quarter", "week")
SESSION_QUERY_GRAINS = (*SESSION_GRAINS, "month")


def sessions_at(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    """The rows of program_cab_sessions for one grain."""
    return frame.loc[frame["grain"] == grain].reset_index(drop=True)


def sessions_long(frame: pd.DataFrame, grain: str, as_of: dt.date) -> pd.DataFrame:
    """Invitations per period split attended / did not attend, for stacked bars."""
    labels = [period_label(start, grain, as_of) for start in frame["period_start"]]
    return pd.concat(
        [
            pd.DataFrame(
                {"period": labels, "status": "Attended", "invitations": frame["attended"]}
            ),
            pd.DataFrame(
                {
                    "period": labels,
                    "status": "Did not attend",
                    "invitations": frame["invitations"] - frame["attended"],
                }
            ),
        ],
        ignore_index=True,
    )


def sessions_in_period(frame: pd.DataFrame, window: PeriodWindow) -> dict[str, float | None]:
    """Sessions, invitations and attendance in the period from monthly session rows."""
    months = pd.to_datetime(frame["period_start"]).dt.date
    rows = frame.loc[(months >= window.start_month) & (months <= window.end_month)]
    invitations = int(rows["invitations"].sum())
    attended = int(rows["attended"].sum())
    return {
        "sessions": int(rows["sessions"].sum()),
        "invitations": invitations,
        "attended": attended,
        "attendance_pct": 100 * attended / invitations if invitations else None,
    }


def members_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Account": account_links(frame),
            "Segment": frame["segment"],
            "Joined": frame["joined_on"],
            **measure_columns(frame, "arr_usd"),
            "Latest NPS": frame["latest_nps"],
            "NPS answered": frame["latest_nps_on"],
            "Attended (12 mo)": frame["sessions_attended"],
            "Invited (12 mo)": frame["sessions_invited"],
            "CSM": frame["csm_name"],
        }
    )


# ---- executive meetings ------------------------------------------------------------------


def coverage_points(last_month: dt.date, first_month: dt.date) -> list[dt.date]:
    """Month ends for the coverage trend: every third month back from the last one, as long as
    the 12 months before it are in the data."""
    points = [add_months(last_month, -3 * step) for step in range(COVERAGE_TREND_POINTS)]
    return sorted(point for point in points if add_months(point, -11) >= first_month)


def coverage_trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot month: top accounts, met, coverage % of accounts and of their ARR."""
    if frame.empty:
        return pd.DataFrame(
            columns=["snapshot_month", "top_accounts", "met_accounts", "coverage_pct",
                     "arr_usd", "met_arr_usd", "arr_coverage_pct"]
        )
    met = frame["is_met"].astype(bool)
    work = frame.assign(
        met_accounts=frame["accounts"].where(met, 0),
        met_arr_usd=frame["arr_usd"].where(met, 0.0),
    )
    totals = work.groupby("snapshot_month", as_index=False).agg(
        top_accounts=("accounts", "sum"),
        met_accounts=("met_accounts", "sum"),
        arr_usd=("arr_usd", "sum"),
        met_arr_usd=("met_arr_usd", "sum"),
    )
    totals["coverage_pct"] = 100 * totals["met_accounts"] / totals["top_accounts"]
    totals["arr_coverage_pct"] = 100 * totals["met_arr_usd"] / totals["arr_usd"]
    return totals.sort_values("snapshot_month").reset_index(drop=True)


def coverage_outcomes(frame: pd.DataFrame, snapshot_month: dt.date) -> pd.DataFrame:
    """Met vs not met top accounts at one snapshot, with their churn and NRR 12 months later."""
    months = pd.to_datetime(frame["snapshot_month"]).dt.date
    rows = frame.loc[(months == snapshot_month) & frame["has_outcome"].astype(bool)]
    rows = rows.sort_values("is_met", ascending=False)
    return pd.DataFrame(
        {
            "Top accounts": [
                "Met in the year before" if met else "Not met" for met in rows["is_met"]
            ],
            "Accounts": rows["accounts"].to_numpy(),
            "ARR then": rows["arr_usd"].to_numpy(),
            "Churned within 12 months": rows["churned_within_12m"].to_numpy(),
            "Logo churn": rows["churn_within_12m_pct"].to_numpy(),
            "NRR": rows["nrr_12m_pct"].to_numpy(),
        }
    )


def unmet_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Account": account_links(frame),
            "ARR rank": frame["arr_rank"],
            **measure_columns(frame, "arr_usd"),
            "Segment": frame["segment"],
            "Region": frame["region"],
            "Last executive meeting": frame["last_meeting_on"],
            "Status": [
                "Never met" if is_missing(day) else "Not met in 12 months"
                for day in frame["last_meeting_on"]
            ],
            # board sessions are not executive meetings, but the account is not ignored
            "Advisory board": ["Member" if member else None for member in frame["is_cab_member"]],
            "CSM": frame["csm_name"],
            "Renewal": frame["renewal_date"],
        }
    )


# ---- post-engagement surveys -------------------------------------------------------------


def score_distribution(total: pd.Series) -> pd.DataFrame:
    """Answers per score 1-5 and their share of all answers."""
    counts = [int(total[f"score_{score}"]) for score in range(1, 6)]
    answered = sum(counts)
    return pd.DataFrame(
        {
            "score": [str(score) for score in range(1, 6)],
            "answers": counts,
            "share_pct": [100 * count / answered if answered else 0.0 for count in counts],
        }
    )


def survey_trend_long(frame: pd.DataFrame, rate_label: str, as_of: dt.date) -> pd.DataFrame:
    """Completion (or response) rate and CSAT per quarter, as lines."""
    labels = [period_label(start, "quarter", as_of) for start in frame["quarter_start"]]
    return pd.concat(
        [
            pd.DataFrame(
                {"quarter": labels, "series": rate_label, "value_pct": frame["completion_pct"]}
            ),
            pd.DataFrame({"quarter": labels, "series": "CSAT", "value_pct": frame["csat_pct"]}),
        ],
        ignore_index=True,
    ).dropna(subset=["value_pct"])


def survey_quarter_table(frame: pd.DataFrame, rate_label: str, due_label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Quarter": [quarter_label(start) for start in frame["quarter_start"]],
            due_label: frame["engagements_due"],
            "Answered": frame["answered"],
            rate_label: frame["completion_pct"],
            **measure_columns(frame, "csat_pct"),
            "Mean score": frame["mean_score"],
        }
    )


def topic_table(frame: pd.DataFrame) -> pd.DataFrame:
    ordered = frame.sort_values(["answered", "topic"], ascending=[False, True])
    return pd.DataFrame(
        {
            "Topic": ordered["topic"].to_numpy(),
            "Engagements due": ordered["engagements_due"].to_numpy(),
            "Answered": ordered["answered"].to_numpy(),
            "Response rate": ordered["completion_pct"].to_numpy(),
            **{label: column.to_numpy()
               for label, column in measure_columns(ordered, "csat_pct").items()},
            "Mean score": ordered["mean_score"].to_numpy(),
        }
    )


def low_scores_table(frame: pd.DataFrame, ended_label: str, with_topic: bool) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Account": account_links(frame),
            "Segment": frame["segment"],
            ended_label: frame["ended_on"],
            "Topic": frame["topic"],
            "Owner": frame["owner_name"],
            "Score": frame["score"],
            "Answered on": frame["responded_on"],
            "Comment": frame["comment"],
        }
    )
    return table if with_topic else table.drop(columns="Topic")


# ---- support review ----------------------------------------------------------------------


def category_status_long(categories: pd.DataFrame) -> pd.DataFrame:
    """Tickets opened in the period per category split solved / still open, largest first."""
    rows = categories.loc[~categories["is_total"].astype(bool)]
    rows = rows.sort_values(["opened_tickets", "category"], ascending=[False, True])
    return pd.concat(
        [
            pd.DataFrame({"category": rows["category"].str.capitalize(), "status": "Solved",
                          "tickets": rows["solved_tickets"]}),
            pd.DataFrame({"category": rows["category"].str.capitalize(), "status": "Still open",
                          "tickets": rows["open_tickets"]}),
        ],
        ignore_index=True,
    )


def category_table(categories: pd.DataFrame) -> pd.DataFrame:
    total = categories.loc[categories["is_total"].astype(bool), "opened_tickets"]
    all_opened = int(total.iloc[0]) if len(total) else int(categories["opened_tickets"].sum())
    rows = categories.sort_values(["is_total", "opened_tickets"], ascending=[False, False])
    return pd.DataFrame(
        {
            "Category": [
                "All categories" if is_total else str(category).capitalize()
                for category, is_total in zip(rows["category"], rows["is_total"], strict=True)
            ],
            "Opened": rows["opened_tickets"].to_numpy(),
            "Share of tickets": (100 * rows["opened_tickets"] / all_opened).to_numpy()
            if all_opened
            else 0.0,
            "Solved": rows["solved_tickets"].to_numpy(),
            "Still open": rows["open_tickets"].to_numpy(),
            "Escalated": rows["escalated_tickets"].to_numpy(),
            "Reopened": rows["reopened_tickets"].to_numpy(),
            "First response, median (hours)": rows["median_first_response_hours"].to_numpy(),
            "First response, 9 in 10 within (hours)": rows["p90_first_response_hours"].to_numpy(),
            "Resolution, median (hours)": rows["median_resolution_hours"].to_numpy(),
            "Resolution, 9 in 10 within (hours)": rows["p90_resolution_hours"].to_numpy(),
        }
    )


def follow_up_reasons(row: pd.Series) -> str:
    """Why a ticket needs follow-up, in words: 'Open escalation · Reopened'."""
    return " · ".join(label for column, label in FOLLOW_UP_REASONS.items() if bool(row[column]))


def follow_up_counts(frame: pd.DataFrame) -> dict[str, int]:
    """All matching tickets per reason (the list itself is cut to rules.LIST_LIMIT rows)."""
    columns = ["matching_tickets", *FOLLOW_UP_COUNTS]
    if frame.empty:
        return dict.fromkeys(columns, 0)
    return {column: int(frame[column].iloc[0]) for column in columns}


def follow_up_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Account": account_links(frame),
            "Ticket": frame["ticket_id"],
            "Why": [follow_up_reasons(row) for _, row in frame.iterrows()],
            "State": ["Open" if is_open else "Resolved" for is_open in frame["is_open"]],
            "Opened": frame["opened_at"],
            "Age (days)": frame["age_days"],
            "Priority": frame["priority"].str.capitalize(),
            "Category": frame["category"].str.capitalize(),
            TICKET_CSAT: pd.array(frame["satisfaction_score"], dtype="Int64"),
            "Team": frame["department_name"],
            "CSM": frame["csm_name"],
            "Subject": frame["subject"],
        }
    )


# ---- kudos -------------------------------------------------------------------------------


def kudos_by_quarter(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Kudos per quarter and department, departments ordered by their total (largest first)."""
    labelled = frame.assign(
        quarter=[period_label(start, "quarter", as_of) for start in frame["quarter_start"]]
    )
    order = labelled.groupby("department_name")["kudos"].sum().sort_values(ascending=False).index
    labelled["department_name"] = pd.Categorical(labelled["department_name"], categories=order)
    return labelled.sort_values(["department_name", "quarter_start"]).reset_index(drop=True)


def kudos_employee_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Employee": frame["employee_name"],
            "Department": frame["department_name"],
            "Role": frame["job_title"],
            "Kudos": frame["kudos"],
            "Accounts": frame["accounts"],
            "Latest": frame["latest_given_on"],
        }
    )


def kudos_recent_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Given": frame["given_on"],
            "Employee": frame["employee_name"],
            "Department": frame["department_name"],
            "Account": account_links(frame),
            "Comment": frame["comment"],
        }
    )


# ---- display -----------------------------------------------------------------------------


def group_size_text(row: pd.Series, with_answers: bool) -> str:
    """'n = 71 accounts' (', 36 NPS answers' when asked for)."""
    text = f"n = {int(row['opening_accounts']):,} accounts"
    return text + (f", {int(row['nps_responses']):,} NPS answers" if with_answers else "")


def points_text(value: float | None, unit: str) -> str:
    """A difference in words: '-2.4 pp', '+52 pts' ('—' without a value)."""
    if value is None:
        return "—"
    # ascii sign: st.metric reads it to choose the arrow and colour
    if unit == "pp":
        return f"{value:+.1f} pp"
    return f"{value:+.0f} pts"


@dataclass(frozen=True)
class ExecMonths:
    """The months the executive-meeting tab reads coverage at: the trend's points, the month
    whose top accounts are followed for 12 months, and the data's last month."""

    points: list[dt.date]
    outcome_month: dt.date
    last_month: dt.date

    @property
    def end_months(self) -> list[dt.date]:
        return sorted({*self.points, self.last_month, self.outcome_month})


def exec_months(last_month: dt.date, revenue_months: pd.DataFrame) -> ExecMonths:
    """The coverage months for data whose months with revenue are `revenue_months` (the
    revenue_months query: its first row is the first month; none: the last month only)."""
    first_month = (revenue_months["month"].iloc[0].date() if len(revenue_months)
                   else last_month)
    return ExecMonths(coverage_points(last_month, first_month), add_months(last_month, -12),
                      last_month)


def coverage_at(trend: pd.DataFrame, months: list[dt.date]) -> pd.DataFrame:
    """The rows of a coverage trend (coverage_trend) at these months."""
    return trend.loc[pd.to_datetime(trend["snapshot_month"]).dt.date.isin(months)]


def ticket_totals(categories: pd.DataFrame) -> pd.Series:
    """The all-categories row of program_ticket_categories."""
    return categories.loc[categories["is_total"].astype(bool)].iloc[0]


def pct_text(value: float | None) -> str:
    """A program's rate as every percentage is shown (display.percent)."""
    return percent(value)
