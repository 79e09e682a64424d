"""The business rules the SQL and the pages share, each written once.

The SQL reads them as macros (northstar/data/db/macros_sql/rules.sql, where `{{name}}` stands
for a value below); the metric definitions, the Glossary, band labels and the docs are written
from the same values. Changing one changes the database's fingerprint, so the app asks for a
rebuild instead of showing numbers computed under the old rule.
"""

from __future__ import annotations

import re

# survey answers: NPS on 0-10, CSAT on 1-5, CES on 1-7
NPS_PROMOTER_FROM = 9  # promoters answer 9-10
NPS_DETRACTOR_TO = 6  # detractors answer 0-6; passives are between
CSAT_SATISFIED_FROM = 4  # satisfied answers are 4-5
CSAT_UNHAPPY_TO = 2  # unhappy answers (to follow up) are 1-2
SCALES = {"NPS": (0, 10), "CSAT": (1, 5), "CES": (1, 7)}

# what is read as beyond noise (northstar/analytics/significance.py applies these; the churn
# model at build time uses the same ones)
Z_95 = 1.959963984540054  # the two-sided 95% normal quantile
Z_99 = 2.5758293035489004  # the two-sided 99% normal quantile
MIN_ACCOUNTS = 30  # accounts a side needs before a comparison is read
MIN_EVENTS = 5  # events (e.g. churned accounts) a side needs
MIN_ANSWERS = 30  # survey answers a side needs before a score change is read
# account attributes as churn drivers (northstar/data/model/churn_model.py): each month an
# account is billed it falls in one tenure band (whole months since its start date) and one ARR
# size band (its ARR that month); a band starts at its edge and runs to the next one
TENURE_BAND_EDGES_MONTHS = (0, 6, 12, 24, 48)
TENURE_BAND_LABELS = ("Under 6 months", "6–11 months", "1–2 years", "2–4 years",
                      "4 years or more")
ARR_BAND_EDGES_USD = (0, 10_000, 50_000, 250_000, 1_000_000)
ARR_BAND_LABELS = ("Under $10K", "$10K–$50K", "$50K–$250K", "$250K–$1M", "$1M or more")
# a level of an attribute with fewer accounts or churned accounts than MIN_ACCOUNTS and
# MIN_EVENTS is pooled with the other rare ones under this name
OTHER_LEVEL = "Other"
# an estimate whose 95% range spans more than this many times its low end is too wide to
# repeat as a size: it is shown as "can't size yet (range …)" and never ranked above a sized one
MAX_SIZE_RANGE_RATIO = 5.0
# the churn model's risk horizon, and how far back its backtest's fit stops
CHURN_HORIZON_MONTHS = 12

# product usage as churn drivers (northstar/data/model/drivers.py): usage fell when a month's active
# users are at least USAGE_FALL_PCT% below the mean of the USAGE_FALL_LOOKBACK_MONTHS months
# before it (each with an active-user figure); seats are under-used when fewer than
# SEATS_UNDERUSED_PCT% of the seats paid for are used
USAGE_FALL_PCT = 30
USAGE_FALL_LOOKBACK_MONTHS = 3
SEATS_UNDERUSED_PCT = 50

# follow-up windows: a detractor answer counts as followed up when a detractor follow-up
# engagement starts within DETRACTOR_FOLLOW_UP_DAYS of it (the churn drivers, the health score's
# sentiment); the closed-loop comparison on Satisfaction reads churn within
# CLOSED_LOOP_HORIZON_DAYS of an answer (answers at least that old); CCO programs' support
# follow-ups list tickets open more than OPEN_TICKET_FOLLOW_UP_DAYS
DETRACTOR_FOLLOW_UP_DAYS = 14
CLOSED_LOOP_HORIZON_DAYS = 180
OPEN_TICKET_FOLLOW_UP_DAYS = 7

# health bands, best first; an account without enough signals is "Not scored"
HEALTH_BANDS = ("Healthy", "Watch", "At risk", "Critical")
NOT_SCORED = "Not scored"

# the values the SQL macros are written with
SQL_VALUES: dict[str, str] = {
    "nps_promoter_from": str(NPS_PROMOTER_FROM),
    "nps_detractor_to": str(NPS_DETRACTOR_TO),
    "csat_satisfied_from": str(CSAT_SATISFIED_FROM),
    "csat_unhappy_to": str(CSAT_UNHAPPY_TO),
    "usage_fall_pct": str(USAGE_FALL_PCT),
    "usage_fall_lookback_months": str(USAGE_FALL_LOOKBACK_MONTHS),
    "seats_underused_pct": str(SEATS_UNDERUSED_PCT),
    "detractor_follow_up_days": str(DETRACTOR_FOLLOW_UP_DAYS),
    "health_band_labels": "[" + ", ".join(
        "'" + label.replace("'", "''") + "'" for label in (*HEALTH_BANDS, NOT_SCORED)) + "]",
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render_sql(text: str) -> str:
    """SQL with every `{{name}}` replaced by its rule value (an unknown name is an error)."""
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in SQL_VALUES:
            raise KeyError(f"no rule named {match.group(1)!r} (northstar/data/rules.py)")
        return SQL_VALUES[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def nps_bands() -> list[tuple[str, int, int]]:
    """(label, lowest, highest score) of detractors, passives and promoters."""
    low, high = SCALES["NPS"]
    return [("Detractors", low, NPS_DETRACTOR_TO),
            ("Passives", NPS_DETRACTOR_TO + 1, NPS_PROMOTER_FROM - 1),
            ("Promoters", NPS_PROMOTER_FROM, high)]


def fingerprint_text() -> str:
    """The rules as text, for the database's fingerprint."""
    return repr(sorted(SQL_VALUES.items()))
