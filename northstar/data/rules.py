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
# follow-ups list tickets open more than OPEN_TICKET_FOLLOW_UP_DAYS; the closed loop on
# Satisfaction holds an unhappy answer's follow-up to CLOSED_LOOP_TARGET_DAYS unless the viewer
# sets another target
DETRACTOR_FOLLOW_UP_DAYS = 14
CLOSED_LOOP_HORIZON_DAYS = 180
OPEN_TICKET_FOLLOW_UP_DAYS = 7
CLOSED_LOOP_TARGET_DAYS = 7

# Satisfaction's complaint spikes: a complaint theme's month is flagged when its comments exceed
# all of SPIKE_MIN_COMMENTS, SPIKE_RATIO × their mean over the SPIKE_BASELINE_MONTHS months before
# it, and that mean + 3 √mean (a Poisson three-sigma bound)
SPIKE_MIN_COMMENTS = 5
SPIKE_RATIO = 1.5
SPIKE_BASELINE_MONTHS = 6

# churn drivers' thresholds (northstar/data/model/drivers.py says them in words): a ticket is slow
# when it took (or, still open, has taken) more than SLOW_TICKET_HOURS to resolve; escalations
# repeat from REPEATED_ESCALATIONS_FROM in the recent frame (RECENT_FRAME_MONTHS, below); revenue
# declined when MRR is at least REVENUE_DECLINE_PCT% below REVENUE_LAG_MONTHS months earlier (the
# frames and the lag are the health score's, below); a month is an estimation landmark with
# DRIVER_LOOKBACK_MONTHS of history (the longest trailing window a driver reads) and the churn
# horizon after it
SLOW_TICKET_HOURS = 72
REPEATED_ESCALATIONS_FROM = 2
REVENUE_DECLINE_PCT = 10
DRIVER_LOOKBACK_MONTHS = 12

# CCO programs: a top account is met when an attended executive meeting falls in the
# EXEC_MEETING_MONTHS up to the month measured, and its churn and NRR are read
# EXEC_OUTCOME_MONTHS later; advisory board members' sessions count over the last
# CAB_SESSION_MONTHS; survey coverage counts a relationship NPS answer in the
# SURVEY_COVERAGE_MONTHS ending the month measured
EXEC_MEETING_MONTHS = 12
EXEC_OUTCOME_MONTHS = 12
CAB_SESSION_MONTHS = 12
SURVEY_COVERAGE_MONTHS = 6

# CCO programs' top accounts: the viewer picks N among TOP_N_OPTIONS (DEFAULT_TOP_N unless they
# choose another); the top accounts rollup keeps each month's TOP_ACCOUNTS_KEPT largest accounts
# per segment, region and plan, so no option may exceed it
TOP_N_OPTIONS: tuple[int, ...] = (25, 50, 100, 250, 500)
DEFAULT_TOP_N = 100
TOP_ACCOUNTS_KEPT = 500

# Where to invest: an initiative's driver churn is compared over INITIATIVE_BASELINE_MONTHS
# before its start; cost to serve is counted over the COST_TO_SERVE_MONTHS through the data's
# last month
INITIATIVE_BASELINE_MONTHS = 12
COST_TO_SERVE_MONTHS = 12

# the what-if on Where to invest starts at reducing a driver's exposure by WHAT_IF_DEFAULT_PCT%
# (but never by more accounts than the program reaches today)
WHAT_IF_DEFAULT_PCT = 50

# the churn model is fitted only with churn in at least MIN_CHURN_MONTHS different months (in
# the data and in the backtest's fit)
MIN_CHURN_MONTHS = 6

# the churn model is shown only when its checks pass (northstar/data/model/model_checks.py): the
# months its backtest fits on hold at least MIN_FIT_EVENTS churned accounts, at least
# MIN_BACKTEST_EVENTS of the accounts it checked churned and as many stayed, and its predicted
# churn sits within CALIBRATION_TOLERANCE_PP of the churn observed; the revenue forecast is shown
# only once MIN_SCORED_ORIGINS earlier forecasts could be scored against what happened
MIN_FIT_EVENTS = 50
MIN_BACKTEST_EVENTS = 30
CALIBRATION_TOLERANCE_PP = 2.0
MIN_SCORED_ORIGINS = 4

# actions: "due this week" is due today or in the next DUE_SOON_DAYS - 1 days; a new action is
# due in ACTION_DUE_DAYS unless its creator says otherwise; an account action worked when the
# account did not churn within ACTION_OUTCOME_DAYS of the start of the month it was created in;
# the forum lists what closed in the last FORUM_WEEK_DAYS
DUE_SOON_DAYS = 7
ACTION_DUE_DAYS = 14
ACTION_OUTCOME_DAYS = 90
FORUM_WEEK_DAYS = 7

# goals: a KPI that misses its target is "At risk" rather than "Off track" while it misses by no
# more than TOLERANCE_SHARE of the target or, when the target is 0, by ZERO_TARGET_TOLERANCE in
# the KPI's unit (1 in a unit not named); a KPI off track in each of its latest RUN_THRESHOLD or
# more periods in a row is listed for the accountability forum
TOLERANCE_SHARE = 0.05
ZERO_TARGET_TOLERANCE: dict[str, float] = {
    "pct": 1.0, "score": 1.0, "hours": 1.0, "days": 1.0, "count": 1.0, "usd": 1000.0,
}
RUN_THRESHOLD = 2

# lists sent to the browser (accounts, tickets, answers, kudos, drill-downs, recent alerts) hold
# at most LIST_LIMIT rows and say so when they are cut; Satisfaction's comments and its unhappy
# answers still waiting for a follow-up are read through and keep longer lists
LIST_LIMIT = 200
COMMENTS_LIMIT = 500
OPEN_ANSWERS_LIMIT = 300

# renewals: the windows (days ahead) Renewals lists, each including the shorter ones
RENEWAL_WINDOWS_DAYS = (30, 90, 180)

# health bands, best first; an account without enough signals is "Not scored"
HEALTH_BANDS = ("Healthy", "Watch", "At risk", "Critical")
NOT_SCORED = "Not scored"
# the bands of accounts in good standing, and the bands Renewals and the alerts call at risk
HEALTHY_BANDS = HEALTH_BANDS[:2]
AT_RISK_BANDS = HEALTH_BANDS[2:]

# the period lengths (whole months ending at the data's last month) the pages offer besides year
# to date; the revenue window tallies hold each of them (northstar/analytics/periods.py offers
# them, northstar/data/db/macros_sql/rules.sql's tallied_window_lengths reads them)
PERIOD_MONTHS = (1, 3, 6, 12)

# the health score's formula (northstar/data/db/rollups_sql/account_health_monthly.sql; the
# Health page's help and docs/metrics.md's table of components are written from these values).
# The account signals (account_month_signals.sql) are counted over two trailing frames of
# months, the month measured included, from the months the account was billed: the recent frame
# (tickets, escalations, reopens, open detractors, QBRs, services; the churn drivers' repeated
# escalations and detractors) and the long frame (survey answers, executive meetings; the churn
# drivers' slow support, poor services survey and executive meetings). MRR is compared with
# REVENUE_LAG_MONTHS months earlier (the revenue trend and the revenue decline driver). The
# signals' columns are named for the frame (tickets_recent, nps_answers_long), not its length.
RECENT_FRAME_MONTHS = 6
LONG_FRAME_MONTHS = 12
REVENUE_LAG_MONTHS = 6
# support experience: a geometric-mean resolution time of RESOLUTION_BEST_HOURS or faster
# scores 100, RESOLUTION_WORST_HOURS or slower 0, log scale between, and
# NO_RESOLVED_TICKET_POINTS without a resolved ticket; minus ESCALATION_POINTS_PER_TICKET x the
# escalations per ticket (at most ESCALATION_CAP_POINTS) and REOPEN_POINTS_PER_TICKET x the
# reopens per ticket (at most REOPEN_CAP_POINTS)
RESOLUTION_BEST_HOURS = 8
RESOLUTION_WORST_HOURS = 336
NO_RESOLVED_TICKET_POINTS = 50
ESCALATION_POINTS_PER_TICKET = 100
ESCALATION_CAP_POINTS = 40
REOPEN_POINTS_PER_TICKET = 50
REOPEN_CAP_POINTS = 20
# survey sentiment: points off while a detractor answer in the recent frame has no follow-up
OPEN_DETRACTOR_PENALTY_POINTS = 25
# engagement: points for each kind of engagement (at most 100 in all)
EXEC_MEETING_POINTS = 40  # an attended executive meeting in the long frame
CAB_MEMBER_POINTS = 30  # an advisory board member in the month
QBR_POINTS = 20  # a QBR in the recent frame
SERVICES_POINTS = 10  # professional services or an installation in the recent frame
# revenue trend and the active-user trend: flat scores 50, TREND_FULL_SCALE_PCT% up or more 100,
# as much down or worse 0, linear between; the revenue trend is blank in an account's first
# REVENUE_TREND_BLANK_MONTHS billed months
TREND_FULL_SCALE_PCT = 20
REVENUE_TREND_BLANK_MONTHS = 3


def _number(value: float) -> str:
    """A number as SQL and text write it: a whole number without a decimal point."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def scale_points_words(kind: str) -> str:
    """How a mean answer on a survey's scale becomes 0-100 points, in words:
    'NPS × 10', 'CSAT as (mean − 1) × 25', 'CES as (mean − 1) ÷ 6 × 100'."""
    low, high = SCALES[kind]
    mean = "mean" if low == 0 else f"(mean − {_number(low)})"
    per_point = 100 / (high - low)
    factor = (f"× {_number(per_point)}" if float(per_point).is_integer()
              else f"÷ {_number(high - low)} × 100")
    return f"{kind} {factor}" if low == 0 else f"{kind} as {mean} {factor}"


def trend_points_per_ratio() -> float:
    """The trends' slope: points per unit of relative change (50 points over the full scale)."""
    return 50 / (TREND_FULL_SCALE_PCT / 100)


def sql_values() -> dict[str, str]:
    """The values the SQL macros are written with, read from the rules when called (so a test
    that changes a rule sees the SQL it would give)."""
    scales = {f"{kind.lower()}_scale_{end}": str(value) for kind, bounds in SCALES.items()
              for end, value in zip(("low", "high"), bounds, strict=True)}
    return {
        **scales,
        "nps_promoter_from": str(NPS_PROMOTER_FROM),
        "nps_detractor_to": str(NPS_DETRACTOR_TO),
        "csat_satisfied_from": str(CSAT_SATISFIED_FROM),
        "csat_unhappy_to": str(CSAT_UNHAPPY_TO),
        "usage_fall_pct": str(USAGE_FALL_PCT),
        "usage_fall_lookback_months": str(USAGE_FALL_LOOKBACK_MONTHS),
        "seats_underused_pct": str(SEATS_UNDERUSED_PCT),
        "detractor_follow_up_days": str(DETRACTOR_FOLLOW_UP_DAYS),
        "churn_horizon_months": str(CHURN_HORIZON_MONTHS),
        "slow_ticket_hours": str(SLOW_TICKET_HOURS),
        "repeated_escalations_from": str(REPEATED_ESCALATIONS_FROM),
        "revenue_decline_pct": str(REVENUE_DECLINE_PCT),
        "driver_lookback_months": str(DRIVER_LOOKBACK_MONTHS),
        "exec_meeting_months": str(EXEC_MEETING_MONTHS),
        "exec_outcome_months": str(EXEC_OUTCOME_MONTHS),
        "cab_session_months": str(CAB_SESSION_MONTHS),
        "survey_coverage_months": str(SURVEY_COVERAGE_MONTHS),
        "top_accounts_kept": str(TOP_ACCOUNTS_KEPT),
        "initiative_baseline_months": str(INITIATIVE_BASELINE_MONTHS),
        "cost_to_serve_months": str(COST_TO_SERVE_MONTHS),
        "health_band_labels": "[" + ", ".join(
            "'" + label.replace("'", "''") + "'" for label in (*HEALTH_BANDS, NOT_SCORED)) + "]",
        "period_months": "[" + ", ".join(str(months) for months in PERIOD_MONTHS) + "]",
        "recent_frame_months": str(RECENT_FRAME_MONTHS),
        "long_frame_months": str(LONG_FRAME_MONTHS),
        "revenue_lag_months": str(REVENUE_LAG_MONTHS),
        "resolution_best_hours": str(RESOLUTION_BEST_HOURS),
        "resolution_worst_hours": str(RESOLUTION_WORST_HOURS),
        "no_resolved_ticket_points": str(NO_RESOLVED_TICKET_POINTS),
        "escalation_points_per_ticket": str(ESCALATION_POINTS_PER_TICKET),
        "escalation_cap_points": str(ESCALATION_CAP_POINTS),
        "reopen_points_per_ticket": str(REOPEN_POINTS_PER_TICKET),
        "reopen_cap_points": str(REOPEN_CAP_POINTS),
        "open_detractor_penalty_points": str(OPEN_DETRACTOR_PENALTY_POINTS),
        "exec_meeting_points": str(EXEC_MEETING_POINTS),
        "cab_member_points": str(CAB_MEMBER_POINTS),
        "qbr_points": str(QBR_POINTS),
        "services_points": str(SERVICES_POINTS),
        "trend_full_scale_pct": str(TREND_FULL_SCALE_PCT),
        "trend_points_per_ratio": _number(trend_points_per_ratio()),
        "revenue_trend_blank_months": str(REVENUE_TREND_BLANK_MONTHS),
    }


_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render_sql(text: str) -> str:
    """SQL with every `{{name}}` replaced by its rule value (an unknown name is an error)."""
    values = sql_values()

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no rule named {match.group(1)!r} (northstar/data/rules.py)")
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def in_words(number: int) -> str:
    """A rule's small count as a sentence says it: 'two' for 2 (one to ten in words, other
    numbers in digits)."""
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[number] if 0 <= number < len(words) else f"{number:,}"


def nps_bands() -> list[tuple[str, int, int]]:
    """(label, lowest, highest score) of detractors, passives and promoters."""
    low, high = SCALES["NPS"]
    return [("Detractors", low, NPS_DETRACTOR_TO),
            ("Passives", NPS_DETRACTOR_TO + 1, NPS_PROMOTER_FROM - 1),
            ("Promoters", NPS_PROMOTER_FROM, high)]


def fingerprint_text() -> str:
    """The rules as text, for the database's fingerprint."""
    return repr(sorted(sql_values().items()))
