"""The churn drivers: what each one is and how an account-month is marked exposed to it.

Each driver is a column of the `account_driver_exposures` rollup
(northstar/data/db/rollups_sql/driver_exposures.sql), judged only from what was known by the
end of that month. The churn model (northstar/data/model/churn_model.py) takes all of them together,
with the segment; the Where to invest page, the at-risk list and the CEO brief name them by
their labels here. A month without the signal a driver needs (no tickets, no answer to that
survey, no revenue REVENUE_LAG_MONTHS months earlier: northstar/data/rules.py) counts as not
exposed. The usage drivers read the product_usage table: in a data set without product usage
they are absent (null), not "not exposed", and the model and the pages leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from northstar.data import rules


@dataclass(frozen=True)
class Driver:
    driver_id: str  # the account_driver_exposures column
    label: str
    definition: str
    reason: str  # the driver as a reason an account is at risk, e.g. "slow support"


DRIVERS: dict[str, Driver] = {
    driver.driver_id: driver
    for driver in (
        Driver(
            "slow_support", "Slow ticket resolution",
            "More than half of the account's tickets opened in the last "
            f"{rules.LONG_FRAME_MONTHS} months took over "
            f"{rules.SLOW_TICKET_HOURS} hours to resolve (median above {rules.SLOW_TICKET_HOURS} "
            "h). No tickets counts as not exposed.",
            "slow ticket resolution",
        ),
        Driver(
            "repeated_escalations", "Repeated escalations",
            f"{rules.REPEATED_ESCALATIONS_FROM} or more of the account's tickets opened in the "
            f"last {rules.RECENT_FRAME_MONTHS} months were escalated.",
            "repeated escalations",
        ),
        Driver(
            "poor_onboarding", "Poor onboarding (30-day survey)",
            "A 30-day post-installation survey answer of 1 or 2 out of 5, ever.",
            "poor onboarding",
        ),
        Driver(
            "poor_services", "Poor professional-services survey",
            "A post-professional-services survey answer of 1 or 2 in the last "
            f"{rules.LONG_FRAME_MONTHS} months.",
            "poor professional services",
        ),
        Driver(
            "detractor_not_followed_up", "Detractor not followed up",
            f"A relationship NPS answer of 0–{rules.NPS_DETRACTOR_TO} in the last "
            f"{rules.RECENT_FRAME_MONTHS} months with "
            f"no detractor follow-up within {rules.DETRACTOR_FOLLOW_UP_DAYS} days.",
            "detractor not followed up",
        ),
        Driver(
            "detractor_followed_up", "Detractor, followed up",
            f"Relationship NPS answers of 0–{rules.NPS_DETRACTOR_TO} in the last "
            f"{rules.RECENT_FRAME_MONTHS} months, every "
            f"one followed up within {rules.DETRACTOR_FOLLOW_UP_DAYS} days.",
            "detractor (followed up)",
        ),
        Driver(
            "no_executive_meeting", f"No executive meeting in {rules.LONG_FRAME_MONTHS} months",
            "No attended executive face-to-face meeting in the last "
            f"{rules.LONG_FRAME_MONTHS} months.",
            f"no executive meeting in {rules.LONG_FRAME_MONTHS} months",
        ),
        Driver(
            "not_cab_member", "Not on the advisory board",
            "Not a Customer Advisory Board member on the month's last day.",
            "not on the advisory board",
        ),
        Driver(
            "revenue_decline", "Declining revenue",
            f"MRR at least {rules.REVENUE_DECLINE_PCT}% below {rules.REVENUE_LAG_MONTHS} months "
            "earlier.",
            "declining revenue",
        ),
        Driver(
            "usage_fell", "Usage fell",
            f"Active users in the month at least {rules.USAGE_FALL_PCT}% below the mean of the "
            f"{rules.USAGE_FALL_LOOKBACK_MONTHS} months before (each with an active-user "
            "figure). A month without those figures counts as not exposed.",
            "usage fell",
        ),
        Driver(
            "seats_underused", "Seats under-used",
            f"Fewer than {rules.SEATS_UNDERUSED_PCT}% of the seats paid for were used in the "
            "month. A month without both seat figures counts as not exposed.",
            "seats under-used",
        ),
    )
}
