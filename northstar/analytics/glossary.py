"""Definitions of the terms the analytic pages use beyond the KPI registry, by topic."""

from __future__ import annotations

from northstar.analytics import goals, health
from northstar.data import rules, settings

TERMS: dict[str, list[tuple[str, str]]] = {
    "Retention": [
        ("Starting ARR", "ARR in the month just before the period, of the accounts billed then."),
        (
            "Revenue bridge",
            "Starting ARR + new + expansion − contraction − churn = ending ARR; "
            "new = accounts not billed just before the period.",
        ),
        (
            "Tenure band",
            "Time from an account's start to the month before the period: 0–5 "
            "months, 6–11 months, 1–2 years, 2–3 years, 3+ years.",
        ),
        (
            "Cohort logo retention",
            "Members of a start cohort still billed k months (or quarters) "
            "after their own start ÷ cohort size.",
        ),
        (
            "Cohort revenue retention",
            "Their MRR at age k ÷ the members' starting MRR; can exceed 100%.",
        ),
        (
            "Survival",
            "Kaplan-Meier share of accounts still customers k months after start; first "
            "churn ends survival, active accounts are censored at the latest month.",
        ),
    ],
    "Health and risk": [
        (
            "Health score",
            "Weighted mean (weights in config/health_score.toml) of the components "
            "with a signal: "
            + "; ".join(
                f"{label.lower()} — {health.COMPONENT_HELP[column]}"
                for column, label in settings.COMPONENTS.items()
            ),
        ),
        (
            "Health band",
            "Healthy, Watch, At risk or Critical by the score's lower bounds in "
            "config/health_score.toml; not scored with fewer than two components.",
        ),
        (
            "Churn risk",
            "The share of account-months in the same band that churned within the "
            "following 12 months, over the history.",
        ),
        ("ARR at risk", "ARR × churn risk."),
    ],
    "Voice of the customer": [
        (
            "Margin of error",
            "Half-width of the 95% interval: 1.96 × √(variance ÷ n); blank when n < 2.",
        ),
        (
            "Within noise",
            "A change smaller than 1.96 × √(SE₁² + SE₂²): indistinguishable from "
            "sampling noise at 95%.",
        ),
        ("Unhappy answer", f"NPS 0–{rules.NPS_DETRACTOR_TO} or CSAT 1–{rules.CSAT_UNHAPPY_TO}."),
        (
            "Followed up",
            "A detractor follow-up, QBR or executive meeting with the account within "
            "the target days after the answer.",
        ),
        (
            "Complaint spike",
            "A month in which a complaint theme's comments exceed 5, 1.5 × its "
            "previous 6-month mean and that mean + 3√mean.",
        ),
    ],
    "Where to invest": [
        (
            "Relative risk (segment-adjusted)",
            "12-month churn of exposed ÷ not exposed "
            "account-months, Mantel-Haenszel across segments, with a 95% interval.",
        ),
        (
            "ARR at risk from a driver",
            "ARR exposed now × 12-month churn risk of the exposed × (1 − 1 ÷ relative risk).",
        ),
        ("ARR protected", "ARR at risk from the initiative's driver × its expected reduction."),
        (
            "Cost to serve",
            "Support tickets (by priority) and staff hours on professional "
            "services, installation, executive meetings, QBRs, advisory board sessions and "
            "follow-ups in the last 12 months, at the unit costs in config/cost_to_serve.toml.",
        ),
    ],
}


def rows(topic: str) -> list[dict[str, str]]:
    return [{"Term": term, "Definition": definition} for term, definition in TERMS[topic]]


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
        {"Term": "Computed / imported KPI",
         "Definition": "Computed: the actual is recomputed from tickets, surveys and revenue "
                       "after every demo build and load. Imported: the actual is loaded into "
                       "KPI actuals from the system that holds it (marketing, sales)."},
        {"Term": "Alignment score", "Definition": goals.SCORE_RULE},
        {"Term": "Off track two periods running", "Definition": goals.RUN_RULE},
        {"Term": "Unowned outcome",
         "Definition": "A customer outcome that no department's KPI serves."},
    ]
    return rows

