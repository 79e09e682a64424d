"""The health score's configuration and the small transforms around its queries.

Weights and band thresholds live in config/health_score.toml (the one editable place); the
score itself is computed in SQL (`health_score` macro) from the components in the
`account_health_monthly` rollup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from northstar.analytics import action_rules, display, risk
from northstar.analytics.links import account_link
from northstar.analytics.metrics import format_usd
from northstar.data import rules, settings
from northstar.data.db.paths import REPO_ROOT
from northstar.data.settings import COMPONENTS, OPTIONAL_COMPONENTS


def duration_text(hours: int) -> str:
    """A rule's hours in words: '8 hours', '3 days', '2 weeks'."""
    if hours < 48 or hours % 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    if days % 7:
        return f"{days} days"
    return f"{days // 7} week{'s' if days != 7 else ''}"


_TREND = (f"flat scores 50, +{rules.TREND_FULL_SCALE_PCT}% or more 100, "
          f"−{rules.TREND_FULL_SCALE_PCT}% or worse 0")
COMPONENT_HELP: dict[str, str] = {
    "support_experience": f"Tickets opened in the last {rules.RECENT_FRAME_MONTHS} months: "
    f"resolution time ({duration_text(rules.RESOLUTION_BEST_HOURS)} or faster scores 100, "
    f"{duration_text(rules.RESOLUTION_WORST_HOURS)} or slower 0), less the escalation and "
    "reopen rates. Blank without tickets.",
    "survey_sentiment": f"Survey answers in the last {rules.LONG_FRAME_MONTHS} months: "
    f"{rules.scale_points_words('NPS')}, "
    "CSAT and CES scaled to 0–100, averaged; "
    f"{rules.OPEN_DETRACTOR_PENALTY_POINTS} points off while a detractor answer has gone without "
    "follow-up.",
    "engagement": f"Executive meeting in the last {rules.LONG_FRAME_MONTHS} months "
    f"({rules.EXEC_MEETING_POINTS}), advisory board member ({rules.CAB_MEMBER_POINTS}), QBR in "
    f"the last {rules.RECENT_FRAME_MONTHS} months ({rules.QBR_POINTS}), professional services "
    f"or installation ({rules.SERVICES_POINTS}).",
    "revenue_trend": f"MRR now against {rules.REVENUE_LAG_MONTHS} months earlier: {_TREND}. "
    f"Blank in the first {rules.REVENUE_TREND_BLANK_MONTHS} billed months.",
    "product_usage": "Seats used as a share of seats paid (all used scores 100), and active "
    f"users against the mean of the {rules.USAGE_FALL_LOOKBACK_MONTHS} months before "
    f"({_TREND}), averaged. Only in data with product usage; blank in a month without it.",
}
BANDS = rules.HEALTH_BANDS
NOT_SCORED = rules.NOT_SCORED
# status is never colour alone: each band has a shape (plain text, any font) and a material icon
BAND_SYMBOLS = {"Healthy": "✓", "Watch": "◆", "At risk": "▲", "Critical": "✕", "Not scored": "–"}
BAND_MATERIAL_ICONS = {
    "Healthy": ":material/check_circle:",
    "Watch": ":material/visibility:",
    "At risk": ":material/warning:",
    "Critical": ":material/error:",
}


# what an empty component lacks, in a data owner's words
COMPONENT_SOURCES: dict[str, str] = {
    "support_experience": "support tickets",
    "survey_sentiment": "survey answers",
    "engagement": "engagements or advisory-board members",
    "revenue_trend": "revenue history",
    "product_usage": "product usage",
}


def components_in(frame: pd.DataFrame) -> list[str]:
    """The components a page shows for a frame of component columns: every one, except a
    component used only when the data has it (product usage) that no row has."""
    return [column for column in COMPONENTS
            if column not in OPTIONAL_COMPONENTS
            or (column in frame.columns and frame[column].notna().any())]


def summary_components(summary: pd.DataFrame) -> list[str]:
    """The components health_summary counts, less an optional one no account has."""
    return [column for column in COMPONENTS
            if column not in OPTIONAL_COMPONENTS
            or summary.get(f"{column}_accounts", pd.Series(dtype=float)).sum() > 0]


def components_used(summary: pd.DataFrame) -> str:
    """Which components the scores use, from health_summary's per-component account counts:
    'Scored on support experience, survey sentiment and revenue trend; engagement is left out
    (no account has engagements or advisory-board members in the data).'"""
    used, left_out = [], []
    for column in summary_components(summary):
        (used if summary[f"{column}_accounts"].sum() > 0 else left_out).append(column)
    if not left_out:
        return ""
    names = [COMPONENTS[column].lower() for column in used]
    listed = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else "".join(names)
    gaps = "; ".join(
        f"{COMPONENTS[column].lower()} is left out (no account has "
        f"{COMPONENT_SOURCES[column]} in the data)" for column in left_out)
    prefix = f"Scored on {listed}; " if names else ""
    if len(used) == 1 and summary["components_required"].min() == 1:
        return (f"{prefix}{gaps}. With one component in the data, an account's health score is "
                "that component's score.")
    if len(used) < 2:
        return (f"{prefix}{gaps}. A score needs at least two components, so no account is "
                "scored until the data has a second one.")
    return f"{prefix}{gaps}. The weights of the components used are scaled up to 100%."


def undifferentiated(summary: pd.DataFrame) -> str:
    """'' when the health score tells accounts apart; otherwise why it cannot, in one sentence:
    every scored account has the same score (one component with no spread, say), which the
    page must not present as a reading of each account."""
    scored = summary.loc[summary["band"] != NOT_SCORED]
    if scored.empty or int(scored["accounts"].sum()) < 2:
        return ""
    low, high = scored["min_health_score"].min(), scored["max_health_score"].max()
    if pd.isna(low) or pd.isna(high) or round(float(high), 0) != round(float(low), 0):
        return ""
    used = [COMPONENTS[column].lower() for column in summary_components(summary)
            if summary[f"{column}_accounts"].sum() > 0]
    on = f" (scored on {' and '.join(used)} only)" if len(used) == 1 else ""
    return (f"The health score cannot tell accounts apart in this data: every one of the "
            f"{int(scored['accounts'].sum()):,} scored accounts scores {float(low):.0f}{on}, so "
            "no band or score is shown as a reading of an account. Load surveys, tickets or "
            "engagements to give the score something to read.")


def band_check_missing(flat_score: str, months_of_data: int) -> str:
    """Why the check of the score by band (churn within 12 months of a scored month) has no
    bars: the score cannot tell accounts apart, the data is too short, or no month with a year
    after it was scored."""
    if flat_score:
        return "Nothing to check: the score gives every account the same value (above)."
    if months_of_data < 13:
        return (f"Not enough history yet: the check needs 12 months after a scored month, and "
                f"the data covers {display.count_of(months_of_data, 'month')}.")
    return ("Nothing to check: no account was scored in a month with 12 months of data after "
            "it (a score needs components with a signal in that month).")


def unscored_reason(summary: pd.DataFrame) -> str:
    """Why an account has no score, from health_summary's components_required."""
    if not summary.empty and summary["components_required"].min() == 1:
        return "no component has a signal"
    return "fewer than two components have a signal"


def weakest_components(row: pd.Series, count: int = 2) -> str:
    """The lowest-scoring components with a signal, e.g. 'Support experience 12 · Engagement 20'."""
    scored = [
        (float(row[column]), label)
        for column, label in COMPONENTS.items()
        if row.get(column) is not None and not pd.isna(row[column])
    ]
    scored.sort()
    return " · ".join(f"{label} {value:.0f}" for value, label in scored[:count])


def band_text(band: str) -> str:
    """Band with its icon, so status never rests on colour alone."""
    return f"{BAND_SYMBOLS.get(band, '')} {band}".strip()


BAND_COLORS = {
    "Healthy": "#009E73",
    "Watch": "#F0E442",
    "At risk": "#E69F00",
    "Critical": "#D55E00",
}


def at_risk_table(frame: pd.DataFrame, open_actions: Mapping[str, int] | None = None,
                  by_model: bool = True, *, counts_known: bool = True) -> pd.DataFrame:
    """The at-risk accounts with human column names, ready for display and download: the
    columns that justify the ranking first (ARR at risk, churn risk and its range, ARR, health
    and band, main reasons). A health score left blank (shown "—") is not scored. With
    `open_actions` (open actions per account), an Action column says what is being done; with
    `counts_known` False it offers a new action without saying how many are open. Without
    `by_model` (the churn model failed its checks) the model's columns are left out."""
    action_cells = {} if open_actions is None else {action_rules.ACTION_COLUMN: [
        action_rules.action_cell_text(open_actions.get(account_id, 0) if counts_known else None)
        for account_id in frame["account_id"]]}
    table = pd.DataFrame(
        {
            "Account": [
                account_link(account_id, name)
                for account_id, name in zip(frame["account_id"], frame["account_name"], strict=True)
            ],
            **action_cells,
            "ARR at risk": frame["arr_at_risk_usd"],
            "Churn risk, 12 months": frame["churn_risk_pct"],
            "95% range": [risk.pct_range_text(low, high) for low, high in zip(
                frame["churn_risk_low_pct"], frame["churn_risk_high_pct"], strict=True)],
            "ARR": frame["arr_usd"],
            "Health": frame["health_score"],
            "Band": [band_text(band) for band in frame["band"]],
            "Main reasons": [risk.reasons_text(ids) for ids in frame["reasons"]],
            "Segment": frame["segment"],
            "Weakest components": [weakest_components(row) for _, row in frame.iterrows()],
            **{COMPONENTS[column]: frame[column] for column in components_in(frame)},
            "Renewal": frame["renewal_date"],
            "CSM": frame["csm_name"],
            "Last executive meeting": frame["last_executive_meeting_on"],
            "Account ID": frame["account_id"],
        }
    )
    return table if by_model else table.drop(columns=list(MODEL_COLUMNS))


# the at-risk list's columns that come from the churn model
MODEL_COLUMNS = ("ARR at risk", "Churn risk, 12 months", "95% range", "Main reasons")


def action_title(account: Mapping[str, object]) -> str:
    """A new action's starting title for an at-risk account: what puts it at risk."""
    reasons = risk.reasons_text(account.get("reasons"))
    if reasons == risk.NO_REASON:
        return "Lower the account's churn risk"
    return f"Lower the churn risk: {reasons}"


def components_long(history: pd.DataFrame) -> pd.DataFrame:
    """Health history as (month, component, score) rows for a line per component."""
    long = history.melt(
        id_vars="month",
        value_vars=[*components_in(history), "health_score"],
        var_name="component",
        value_name="score",
    )
    long["component"] = long["component"].map({**COMPONENTS, "health_score": "Health score"})
    return long.dropna(subset=["score"])


# the bands the at-risk list can show, in the order of the query's band_orders (1 = Healthy)
BAND_OPTIONS = [*BANDS, NOT_SCORED]


def band_orders(shown: Iterable[str]) -> list[int]:
    """The health_accounts query's band_orders of the bands shown."""
    return [BAND_OPTIONS.index(band) + 1 for band in shown]


@dataclass(frozen=True)
class BandCard:
    label: str
    accounts: str
    help: str
    caption: str
    icon: str


def band_cards(summary: pd.DataFrame, ranges: Mapping[str, str]) -> list[BandCard]:
    """One card per health band: its active accounts and their ARR (`ranges`: each band's
    score range in words)."""
    by_band = summary.set_index("band")
    cards = []
    for band in BANDS:
        accounts = int(by_band["accounts"].get(band, 0))
        arr = float(by_band["arr_usd"].get(band, 0.0))
        cards.append(BandCard(
            f"{band} · score {ranges[band]}", f"{accounts:,}",
            f"Active accounts whose health score is {ranges[band]}; {format_usd(arr)} of ARR.",
            f"accounts · {format_usd(arr)} ARR", BAND_MATERIAL_ICONS[band]))
    return cards


def unscored_caption(summary: pd.DataFrame) -> str:
    """'12 active accounts are not scored yet: ...'; '' when every active account is scored."""
    unscored = int(summary.set_index("band")["accounts"].get(NOT_SCORED, 0))
    if not unscored:
        return ""
    return (f"{display.count_of(unscored, 'active account')} "
            f"{'is' if unscored == 1 else 'are'} not scored yet: {unscored_reason(summary)} "
            "(typically accounts in their first months).")


def band_churn_hover(band_churn: pd.DataFrame) -> list[str]:
    """'12 of 340 account-months' per band of the score's check."""
    return [f"{int(churned):,} of {int(months):,} account-months" for churned, months in zip(
        band_churn["churned_within_12m"], band_churn["account_months"], strict=True)]


def at_risk_caption(by_model: bool, listed: int, summary: pd.DataFrame, recording: bool,
                    limit: int | None = None) -> str:
    """How the at-risk list is ranked and how much of the active accounts (health_summary's)
    it shows (`limit`, the list's cap: rules.LIST_LIMIT unless given)."""
    if limit is None:
        limit = rules.LIST_LIMIT
    active = int(summary["accounts"].sum())
    return (
        ("ARR at risk = ARR × the account's chance of churning in the next 12 months, from the "
         "churn model; its main reasons are the drivers that add most to that chance. A large "
         "account can head the list with a modest chance, whatever its band: the band is the "
         "health score, a separate signal checked below. " if by_model else
         "Without a churn model that passed its checks, accounts are listed by health score, "
         "lowest first (unscored last), then by ARR. ")
        + f"Top {min(limit, listed):,} of {active:,} active accounts "
        "in the bands shown; click a row to open the account's 360 view"
        + (", or its Action cell to record an action on it." if recording else ".")
    )


DOC_START = ("<!-- The table below is written from northstar/data/rules.py and "
             "config/health_score.toml by `python -m northstar.analytics.health`: edit the rules, "
             "not the table. -->")
DOC_END = "<!-- End of the health components table. -->"


def components_markdown() -> str:
    """docs/metrics.md's table of the health components: how each is scored, in the rules'
    numbers, with its default weight (config/health_score.toml), between DOC_START and DOC_END."""
    recent, long = rules.RECENT_FRAME_MONTHS, rules.LONG_FRAME_MONTHS
    trend = (f"flat = 50, +{rules.TREND_FULL_SCALE_PCT}% or more = 100, "
             f"−{rules.TREND_FULL_SCALE_PCT}% or worse = 0")
    scored = {
        "support_experience":
            f"tickets opened in the last {recent} months: geometric-mean resolution time "
            f"({duration_text(rules.RESOLUTION_BEST_HOURS)} or faster = 100, "
            f"{duration_text(rules.RESOLUTION_WORST_HOURS)} or slower = 0, log scale between; "
            f"{rules.NO_RESOLVED_TICKET_POINTS} without a resolved ticket) minus the escalations "
            f"per ticket × {rules.ESCALATION_POINTS_PER_TICKET} (at most "
            f"{rules.ESCALATION_CAP_POINTS} points) and the reopens per ticket × "
            f"{rules.REOPEN_POINTS_PER_TICKET} (at most {rules.REOPEN_CAP_POINTS}); blank without "
            "tickets",
        "survey_sentiment":
            f"answers in the last {long} months: "
            + ", ".join(rules.scale_points_words(kind) for kind in ("NPS", "CSAT", "CES"))
            + f", averaged; {rules.OPEN_DETRACTOR_PENALTY_POINTS} points off "
            f"while a detractor answer in the last {recent} months had no follow-up within "
            f"{rules.DETRACTOR_FOLLOW_UP_DAYS} days",
        "engagement":
            f"executive meeting in the last {long} months {rules.EXEC_MEETING_POINTS}, advisory "
            f"board member {rules.CAB_MEMBER_POINTS}, QBR in the last {recent} months "
            f"{rules.QBR_POINTS}, professional services or installation in the last {recent} "
            f"months {rules.SERVICES_POINTS} (at most 100)",
        "revenue_trend":
            f"MRR now against {rules.REVENUE_LAG_MONTHS} months earlier: {trend}; blank in the "
            f"first {rules.REVENUE_TREND_BLANK_MONTHS} billed months",
        "product_usage":
            "from `product_usage`: seats used ÷ seats paid × 100 (at most 100; seats paid above "
            "0) and active users against the mean of the "
            f"{rules.USAGE_FALL_LOOKBACK_MONTHS} months before, each with a figure ({trend}), "
            "averaged over the parts the month has; blank in a month without usage",
    }
    weights = settings.load_config().weights
    lines = [DOC_START, "", "| component | default weight | how it is scored |",
             "| --- | --- | --- |"]
    for column, label in COMPONENTS.items():
        weight = f"{100 * weights.get(column, 0.0):.0f}%"
        if column in OPTIONAL_COMPONENTS:
            weight += ", only with product usage"
        lines.append(f"| {label.lower()} | {weight} | {scored[column]} |")
    return "\n".join([*lines, "", DOC_END]) + "\n"


def with_components_markdown(document: str) -> str:
    """A document with its health components table (between DOC_START and DOC_END) rewritten."""
    start, end = document.find(DOC_START), document.find(DOC_END)
    if start < 0 or end < start:
        raise ValueError("the document has no health components table to rewrite (its start "
                         "and end comments are missing)")
    return document[:start] + components_markdown() + document[end + len(DOC_END) + 1:]


if __name__ == "__main__":
    doc = REPO_ROOT / "docs" / "metrics.md"
    doc.write_text(with_components_markdown(doc.read_text()))
    print(f"wrote the health components table of {doc}")
