"""Definitions of the terms the analytic pages use beyond the measures
(northstar/data/measures.toml), by topic."""

from __future__ import annotations

from northstar.analytics import action_rules, goals, health
from northstar.data import rules, settings

# term, what it means in plain words, and how it is computed (the method, for the curious)
TERMS: dict[str, list[tuple[str, str, str]]] = {
    "Retention": [
        ("Revenue bridge", "How ARR got from the start of the period to its end.",
         "Starting ARR + new + expansion − contraction − churn = ending ARR; new = accounts "
         "not billed just before the period."),
        ("Tenure band", "How long an account had been a customer.",
         "Time from an account's start to the month before the period: 0–5 months, 6–11 "
         "months, 1–2 years, 2–3 years, 3+ years."),
        ("Cohort logo retention", "Of the customers who started together, how many are left.",
         "Members of a start cohort still billed k months (or quarters) after their own start "
         "÷ cohort size."),
        ("Cohort revenue retention", "Of the revenue a cohort started with, how much is left.",
         "The members' MRR at age k ÷ their starting MRR; can exceed 100%."),
        ("Survival", "The share of customers still with us a given number of months after "
         "they started.",
         "Kaplan-Meier estimate: an account's first churn ends its survival; accounts still "
         "active count until the latest month and no further (censored)."),
    ],
    "Health and risk": [
        ("Health score", "A 0–100 operational score a CSM can act on; higher is healthier.",
         "The weighted mean of the components the account has a signal for (weights set in "
         "the health-score settings): "
         + "; ".join(
             f"{label.lower()}: {health.COMPONENT_HELP[column].rstrip('.')}"
             for column, label in settings.COMPONENTS.items()
         ) + "."),
        ("Health band", "Healthy, Watch, At risk or Critical, from the health score.",
         "Each band starts at its lower bound in the health-score settings; an account with "
         "fewer than two components is not scored (when the data has only one component, "
         "that component is the score)."),
        ("Churn risk", "The chance an account leaves in the next 12 months.",
         "From the churn model: a discrete-time survival model of the monthly chance of "
         "leaving, given every driver the account is exposed to and its segment, calibrated on "
         "past years and checked on months it was not fitted on."),
        ("ARR at risk", "The ARR we expect to lose from an account in the next 12 months.",
         "ARR × churn risk; the range uses the churn risk's 95% range."),
        ("ARR up for renewal", "The ARR of the accounts whose renewal date falls in the next "
         "30, 90 or 180 days.",
         "ARR in the data's last month of the active accounts renewing from the as-of date to "
         "the window's last day."),
        ("ARR expected to renew", "The part of the ARR up for renewal we expect to keep.",
         "Σ ARR × (1 − churn risk): the renewal falls inside the churn risk's 12 months, and a "
         "contract ends at its renewal; the range uses the churn risk's 95% range."),
    ],
    "Voice of the customer": [
        ("Margin of error", "How far a score could be from the truth because only some "
         "customers answered.",
         "Half the width of the 95% interval: 1.96 × √(variance ÷ n); blank when fewer than "
         "two answered."),
        ("Within noise", "A change too small to tell apart from chance.",
         "Smaller than 1.96 × √(SE₁² + SE₂²), the 95% test used on every page."),
        ("Unhappy answer", f"NPS 0–{rules.NPS_DETRACTOR_TO} or CSAT 1–{rules.CSAT_UNHAPPY_TO}.",
         "Detractors on NPS; 1 or 2 on CSAT."),
        ("Followed up", "Someone talked to the customer after an unhappy answer.",
         "A detractor follow-up, QBR or executive meeting with the account within the target "
         "days after the answer."),
        ("Complaint spike", "A month with far more complaints on a theme than usual.",
         f"More than {rules.SPIKE_MIN_COMMENTS} comments, over {rules.SPIKE_RATIO:g} × the "
         f"theme's mean of the previous {rules.SPIKE_BASELINE_MONTHS} months and over that "
         "mean + 3√mean."),
    ],
    "Where to invest": [
        ("Hazard ratio", "How much faster exposed accounts leave than otherwise-alike accounts: "
         "2 means twice as fast, 1 means no difference.",
         "From the churn model (every driver and the segment together) with a 95% interval "
         "that allows for the same account appearing in many months."),
        ("Can't tell from chance", "The data cannot show that the driver changes churn.",
         "Its 95% interval includes 1; such drivers are never ranked or recommended."),
        ("ARR at risk from a driver", "The ARR the driver is expected to cost in the next 12 "
         "months.",
         "For today's exposed accounts, ARR × how much the driver adds to their 12-month churn "
         "chance in the model."),
        ("ARR protected", "The ARR an initiative is expected to keep in a year.",
         "ARR at risk from the initiative's driver × its churn reduction: the reduction it "
         "measurably achieved once completed (or once a running one's measurement tells), the "
         "planned one only before."),
        ("Return on cost", "How many times its cost an initiative returns in ARR kept a year.",
         "ARR protected a year ÷ cost, with its 95% range; a range wider than 5× is \"can't "
         "size yet\" and ranks after every sized initiative."),
        ("Cost to serve", "What serving an account costs us in a year.",
         "Support tickets (by priority) and staff hours on professional services, "
         "installation, executive meetings, QBRs, advisory board sessions and follow-ups in "
         "the last 12 months, at the unit costs in the cost-to-serve settings."),
    ],
    "Actions": [
        ("Action", "What someone will do about an at-risk account, an unhappy answer, a ticket, "
         "an off-track KPI or a churn driver: an owner, a department, a due date, a priority.",
         "Open → in progress → done or dropped, with dated notes; every change is kept with who "
         "made it and when."),
        ("Overdue action", "An open or in-progress action past its due date.",
         f"Due this week: due today or in the next {action_rules.DUE_SOON_DAYS - 1} days."),
        *((f"Worked ({action_rules.SUBJECTS[kind].lower()} action)",
           f"A done {action_rules.SUBJECTS[kind].lower()} action worked when {rule}.",
           f"Compared with {action_rules.COMPARISON_RULES[kind]}; the difference is read by the "
           "significance rule every page uses.")
          for kind, rule in action_rules.OUTCOME_RULES.items()),
    ],
}


def rows(topic: str) -> list[dict[str, str]]:
    return [{"Term": term, "Definition": definition, "How it is computed": method}
            for term, definition, method in TERMS[topic]]


def alignment_rows() -> list[dict[str, str]]:
    """The alignment terms for the Glossary page."""
    rows = [
        {"Term": goals.status_text(key), "Definition": status.rule}
        for key, status in goals.STATUSES.items()
    ]
    rows += [
        {"Term": "KPI actual over a period",
         "Definition": "The mean of the KPI's monthly (or quarterly) actuals in the selected "
                       "period (quarterly KPIs: the quarters overlapping it), compared with the "
                       "per-period target. KPI actuals are company-wide: the segment, region and "
                       "plan filters apply to the rows behind them, not to the actuals."},
        {"Term": "From Northstar's data / reported by the department",
         "Definition": "From Northstar's data: the actual is recomputed from tickets, surveys "
                       "and revenue after every demo build and load. Reported by the "
                       "department: the actual is loaded into KPI actuals from the system "
                       "that holds it (marketing, sales)."},
        {"Term": goals.OFF_TRACK_RUN.capitalize(), "Definition": goals.RUN_RULE},
        {"Term": "Unowned outcome",
         "Definition": "A customer outcome that no department's KPI serves."},
    ]
    return rows

