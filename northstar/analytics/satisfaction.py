"""Voice of the customer: survey scores with their margin of error, themes, spikes, closed loop.

NPS, CSAT and CES are computed here from answer tallies (the `survey_scores` query), with a
95% margin of error, so every score on the Satisfaction page carries its n and its noise.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from northstar.analytics import significance
from northstar.analytics.display import format_number, percent
from northstar.analytics.links import account_links
from northstar.analytics.metrics import METRICS, Metric, format_delta, format_value, shown_delta
from northstar.data import rules
from northstar.data.db.paths import REPO_ROOT

THEMES_PATH = REPO_ROOT / "config" / "comment_themes.toml"
PROGRAMS = {
    "relationship": "Relationship survey",
    "post_installation": "30-day post-installation",
    "post_professional_services": "Post-professional-services",
    "support": "Post-support",
    "ticket_rating": "Ticket rating",
}
TICKET_RATING = "ticket_rating"  # ratings on tickets: CSAT answers without a comment


def program_label(program: str) -> str:
    """A survey program in words: Northstar's own programs by name, a company's as written."""
    return PROGRAMS.get(program, program)


def comment_programs(answered: Iterable[str]) -> list[str]:
    """The programs a comment can come from: those with answers (Northstar's first, in their
    order, then the company's own), or Northstar's when there are none; never ticket ratings."""
    seen = [program for program in answered if program != TICKET_RATING]
    known = [program for program in PROGRAMS if program in seen]
    own = sorted(program for program in set(seen) if program not in PROGRAMS)
    return known + own or [program for program in PROGRAMS if program != TICKET_RATING]


# how to read the breakdown's scores beside the same program's score on other pages
BREAKDOWN_CAPTION = (
    "Each score counts every answer in the period. A department's scorecard counts the answers "
    "at its touchpoints and its KPIs average monthly scores; CCO programs count the answers to "
    "the installations and engagements due in the period; so their figures can differ. ± is the "
    "95% margin of error; blank where there are fewer than two answers."
)
GROUPINGS = {
    "program": "Program",
    "department": "Department of the touchpoint",
    "segment": "Segment",
    "plan": "Plan",
}


@dataclass(frozen=True)
class Estimate:
    """A survey score with its number of answers and 95% margin of error (None when n < 2)."""

    value: float | None
    responses: int
    margin: float | None
    standard_error: float | None

    @property
    def low(self) -> float | None:
        return None if self.value is None or self.margin is None else self.value - self.margin

    @property
    def high(self) -> float | None:
        return None if self.value is None or self.margin is None else self.value + self.margin


def _estimate(value: float | None, responses: int, variance: float | None) -> Estimate:
    if value is None:
        return Estimate(None, responses, None, None)
    if responses < 2 or variance is None:
        return Estimate(value, responses, None, None)
    standard_error = math.sqrt(max(variance, 0.0) / responses)
    return Estimate(value, responses, significance.Z_95 * standard_error, standard_error)


def nps(promoters: int, detractors: int, responses: int) -> Estimate:
    """NPS = % promoters − % detractors; each answer scores +100, 0 or −100, so the variance is
    that of a three-valued variable: 100² × (p + d − (p − d)²)."""
    if responses <= 0:
        return Estimate(None, 0, None, None)
    p, d = promoters / responses, detractors / responses
    return _estimate(100 * (p - d), responses, 100**2 * (p + d - (p - d) ** 2))


def csat(satisfied: int, responses: int) -> Estimate:
    """CSAT = share of 4s and 5s (%); binomial variance 100² × p(1 − p)."""
    if responses <= 0:
        return Estimate(None, 0, None, None)
    p = satisfied / responses
    return _estimate(100 * p, responses, 100**2 * p * (1 - p))


def ces(score_total: float, score_squares_total: float, responses: int) -> Estimate:
    """CES = mean answer (1–7); sample variance from the sum and the sum of squares."""
    if responses <= 0:
        return Estimate(None, 0, None, None)
    mean = score_total / responses
    variance = (
        (score_squares_total - responses * mean**2) / (responses - 1) if responses > 1 else None
    )
    return _estimate(mean, responses, variance)


def estimate_from_row(survey_type: str, row: pd.Series) -> Estimate:
    """An estimate from one row of the survey_scores query."""
    responses = int(row["responses"])
    if survey_type == "NPS":
        return nps(int(row["promoters"]), int(row["detractors"]), responses)
    if survey_type == "CSAT":
        return csat(int(row["satisfied"]), responses)
    return ces(float(row["score_total"]), float(row["score_squares_total"]), responses)


def change_verdict(current: Estimate, previous: Estimate) -> significance.Verdict:
    """Whether a score changed beyond noise (the rule every page uses): too few to tell with
    fewer than 30 answers on a side."""
    if min(current.responses, previous.responses) < significance.MIN_ANSWERS:
        return significance.Verdict(significance.Status.TOO_FEW, "n = " + " and ".join(
            f"{estimate.responses:,}" for estimate in (current, previous)) + " answers")
    return significance.change(current.value, current.standard_error, previous.value,
                               previous.standard_error)


def scores_table(frame: pd.DataFrame, group_column: str = "group_value") -> pd.DataFrame:
    """Wide table: one row per group, NPS / CSAT / CES with n and margin of error."""
    rows: dict[str, dict[str, object]] = {}
    for _, row in frame.iterrows():
        group = row[group_column]
        estimate = estimate_from_row(row["survey_type"], row)
        entry = rows.setdefault(group, {"group": group})
        kind = row["survey_type"]
        entry[f"{kind} value"] = estimate.value
        entry[f"{kind} n"] = estimate.responses
        entry[f"{kind} ±"] = estimate.margin
    table = pd.DataFrame(list(rows.values()))
    for kind in ("NPS", "CSAT", "CES"):
        for suffix in ("value", "n", "±"):
            column = f"{kind} {suffix}"
            if column not in table:
                table[column] = 0 if suffix == "n" else None
    return table


# --- themes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    keywords: tuple[str, ...]
    is_complaint: bool

    @property
    def pattern(self) -> str:
        """A case-insensitive regular expression matching any keyword at a word start."""
        return r"\b(" + "|".join(re.escape(keyword.lower()) for keyword in self.keywords) + ")"


class ThemeRulesError(ValueError):
    """The theme rules file is malformed."""


def load_themes(path: Path = THEMES_PATH) -> list[Theme]:
    """Theme rules from config/comment_themes.toml, in file order."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    themes = []
    for name, rule in raw.get("themes", {}).items():
        keywords = rule.get("keywords")
        if not keywords or not all(isinstance(word, str) and word.strip() for word in keywords):
            raise ThemeRulesError(f"{path}: theme {name!r} needs a list of keywords")
        themes.append(
            Theme(
                name,
                str(rule.get("label") or name.replace("_", " ").capitalize()),
                tuple(word.strip() for word in keywords),
                bool(rule.get("complaint", False)),
            )
        )
    if not themes:
        raise ThemeRulesError(f"{path}: no [themes.<name>] rules")
    return themes


def theme_params(themes: list[Theme]) -> dict[str, list[str]]:
    """Bound parameters for the theme queries: names and patterns, in rule order."""
    return {
        "theme_names": [theme.name for theme in themes],
        "theme_patterns": [theme.pattern for theme in themes],
    }


# --- spikes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    theme: str
    month: pd.Timestamp
    count: int
    baseline: float
    threshold: float


def detect_spikes(
    monthly: pd.DataFrame,
    complaint_themes: set[str] | None = None,
) -> list[Spike]:
    """Flag theme-months far above their own recent baseline.

    A month is a spike when its count is above all of: rules.SPIKE_MIN_COMMENTS,
    rules.SPIKE_RATIO × the mean of the previous rules.SPIKE_BASELINE_MONTHS months, and that
    mean + 3 √mean (a Poisson three-sigma bound). `monthly` has columns theme, month, comments
    (missing months = 0).
    """
    baseline_months, min_count, ratio = (
        rules.SPIKE_BASELINE_MONTHS, rules.SPIKE_MIN_COMMENTS, rules.SPIKE_RATIO)
    spikes: list[Spike] = []
    for theme, rows in monthly.groupby("theme", sort=False):
        if complaint_themes is not None and theme not in complaint_themes:
            continue
        series = rows.set_index("month")["comments"].sort_index()
        full = pd.date_range(series.index.min(), series.index.max(), freq="MS")
        series = series.reindex(full, fill_value=0)
        for position in range(baseline_months, len(series)):
            count = int(series.iloc[position])
            baseline = float(series.iloc[position - baseline_months : position].mean())
            threshold = max(min_count, ratio * baseline, baseline + 3 * math.sqrt(baseline))
            if count > threshold:
                spikes.append(Spike(str(theme), series.index[position], count, baseline, threshold))
    return spikes


# --- presentation helpers --------------------------------------------------------------------

SCORE_BANDS: dict[str, list[tuple[str, range, str]]] = {
    # survey type -> (band label, scores, colour)
    "NPS": [
        (f"{label} ({low}–{high})", range(low, high + 1), colour)
        for (label, low, high), colour in zip(
            rules.nps_bands(), ("#D55E00", "#F0E442", "#009E73"), strict=True)
    ],
    "CSAT": [
        (f"Unsatisfied (1–{rules.CSAT_SATISFIED_FROM - 1})",
         range(1, rules.CSAT_SATISFIED_FROM), "#D55E00"),
        (f"Satisfied ({rules.CSAT_SATISFIED_FROM}–5)", range(rules.CSAT_SATISFIED_FROM, 6),
         "#009E73"),
    ],
    "CES": [
        ("Hard (1–3)", range(1, 4), "#D55E00"),
        ("Neutral (4)", range(4, 5), "#F0E442"),
        ("Easy (5–7)", range(5, 8), "#009E73"),
    ],
}
SCALES = {"NPS": range(0, 11), "CSAT": range(1, 6), "CES": range(1, 8)}


def distribution(frame: pd.DataFrame, survey_type: str) -> tuple[list[int], list[int], list[str]]:
    """Scores, answer counts (0 where none) and band colours for one survey type."""
    rows = frame.loc[frame["survey_type"] == survey_type].set_index("score")["responses"]
    scores = list(SCALES[survey_type])
    colours = []
    for score in scores:
        colours.append(
            next(colour for _, band, colour in SCORE_BANDS[survey_type] if score in band)
        )
    return scores, [int(rows.get(score, 0)) for score in scores], colours


def band_shares(frame: pd.DataFrame, survey_type: str) -> list[tuple[str, int, float]]:
    """(band label, answers, share %) per band of one survey type (e.g. promoters)."""
    scores, counts, _ = distribution(frame, survey_type)
    total = sum(counts)
    shares = []
    for label, band, _ in SCORE_BANDS[survey_type]:
        answers = sum(count for score, count in zip(scores, counts, strict=True) if score in band)
        shares.append((label, answers, 100 * answers / total if total else 0.0))
    return shares


def theme_summary(
    monthly: pd.DataFrame, themes: list[Theme], months: list[pd.Timestamp], spikes: list[Spike]
) -> pd.DataFrame:
    """One row per theme: comments in the selected months, a 12-month trend, the latest spike."""
    rows = []
    recent = sorted(monthly["month"].unique())[-12:] if len(monthly) else []
    for theme in themes:
        series = monthly.loc[monthly["theme"] == theme.name].set_index("month")["comments"]
        in_period = int(series[series.index.isin(months)].sum())
        trend = [int(series.get(month, 0)) for month in recent]
        theme_spikes = [
            spike for spike in spikes if spike.theme == theme.name and spike.month in months
        ]
        latest = max(theme_spikes, key=lambda spike: spike.month) if theme_spikes else None
        rows.append(
            {
                "theme": theme.name,
                "Theme": theme.label,
                "Kind": "Complaint" if theme.is_complaint else "Praise",
                "Comments": in_period,
                "Last 12 months": trend,
                "Spike": (
                    f"▲ {latest.count} in {latest.month:%b %Y} (usual {latest.baseline:.0f})"
                    if latest and theme.is_complaint
                    else ""
                ),
            }
        )
    return pd.DataFrame(rows)


def estimate_for(frame: pd.DataFrame, survey_type: str) -> Estimate:
    """The estimate of one survey type from an ungrouped survey_scores result."""
    rows = frame.loc[frame["survey_type"] == survey_type]
    if rows.empty:
        return Estimate(None, 0, None, None)
    return estimate_from_row(survey_type, rows.iloc[0])


def change_note(verdict: significance.Verdict) -> str:
    """'vs prior period · within noise' or '… · too few to tell (n = 12 and 40 answers)'."""
    return f"vs prior period · {verdict.text}"


def estimate_caption(metric: Metric, estimate: Estimate) -> str:
    """ "+21 · n = 1,852 · ±4 (95%)" style text."""
    if estimate.value is None:
        return "No answers"
    parts = [format_value(metric, estimate.value), f"n = {estimate.responses:,}"]
    if estimate.margin is None:
        parts.append("too few answers for a margin of error")
    else:
        unit = " pp" if metric.unit == "pct" else " pts" if metric.unit == "nps" else ""
        margin = format_number(estimate.margin, "margin", metric.decimals)
        parts.append(f"{margin}{unit} (95%)")
    return " · ".join(parts)


# the range a score can take: a margin of error is drawn within it (a CSAT of 100% has no
# upper margin above 100%)
SCORE_RANGES = {"NPS": (-100.0, 100.0), "CSAT": (0.0, 100.0), "CES": (1.0, 7.0)}


def monthly_estimates(frame: pd.DataFrame, survey_type: str) -> pd.DataFrame:
    """Month, value, low, high (within the score's range) and the estimate itself for one
    survey type."""
    floor, ceiling = SCORE_RANGES[survey_type]
    rows = frame.loc[frame["survey_type"] == survey_type]
    records = []
    for _, row in rows.iterrows():
        estimate = estimate_from_row(survey_type, row)
        records.append(
            {
                "month": pd.Timestamp(row["group_value"]),
                "value": estimate.value,
                "low": max(floor, estimate.low) if estimate.low is not None
                else estimate.value,
                "high": min(ceiling, estimate.high) if estimate.high is not None
                else estimate.value,
                "estimate": estimate,
            }
        )
    return pd.DataFrame(records, columns=["month", "value", "low", "high", "estimate"])


def breakdown_table(frame: pd.DataFrame, grouping: str) -> pd.DataFrame:
    table = scores_table(frame)
    label = GROUPINGS[grouping]
    groups = [
        PROGRAMS.get(group, group) if grouping == "program" else group for group in table["group"]
    ]
    columns: dict[str, object] = {label: groups}
    for kind in ("NPS", "CSAT", "CES"):
        # numeric columns, so a missing score shows blank rather than "None"
        columns[kind] = pd.to_numeric(table[f"{kind} value"], errors="coerce")
        columns[f"{kind} n"] = pd.to_numeric(table[f"{kind} n"], errors="coerce").fillna(0)
        columns[f"{kind} ±"] = pd.to_numeric(table[f"{kind} ±"], errors="coerce")
    return pd.DataFrame(columns)


def comments_table(frame: pd.DataFrame, theme_labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": frame["responded_on"],
            "Account": account_links(frame),
            "Segment": frame["segment"],
            "Survey": frame["survey_type"],
            "Program": [PROGRAMS.get(program, program) for program in frame["program"]],
            "Score": frame["score"],
            # a comment matching no theme shows "—", as every empty cell does
            "Themes": [
                ", ".join(theme_labels.get(theme, theme) for theme in themes) or None
                for themes in frame["themes"]
            ],
            "Comment": frame["comment"],
        }
    )


def months_between(frame: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    months = pd.to_datetime(frame["month"])
    return frame.loc[(months >= pd.Timestamp(start)) & (months <= pd.Timestamp(end))]


def loop_totals(frame: pd.DataFrame) -> dict[str, float | int | None]:
    """Period totals of the closed_loop_monthly rows; the rate leaves out answers still due."""
    answers = int(frame["unhappy_answers"].sum())
    followed = int(frame["followed_up"].sum())
    due = int(frame["due"].sum())
    decided = answers - due
    return {
        "unhappy_answers": answers,
        "followed_up": followed,
        "overdue": int(frame["overdue"].sum()),
        "due": due,
        "follow_up_rate_pct": 100 * followed / decided if decided else None,
    }


def format_pct(value: float | None) -> str:
    """A rate as the house style shows it: one decimal, as in the charts beside it."""
    return percent(value)


def retention_verdict(frame: pd.DataFrame) -> significance.Verdict:
    """Whether followed-up and other detractors' accounts churned at rates that differ beyond
    noise (too few to tell below 30 answers or 5 churned on a side)."""
    sides = {bool(row["was_followed_up"]): row for row in frame.to_dict("records")}
    if True not in sides or False not in sides:
        return significance.Verdict(significance.Status.TOO_FEW)
    followed, other = sides[True], sides[False]
    return significance.rates(float(followed["churned_within_horizon"]),
                              float(followed["detractor_answers"]),
                              float(other["churned_within_horizon"]),
                              float(other["detractor_answers"]))


def retention_note(frame: pd.DataFrame) -> str:
    rates = dict(zip(frame["was_followed_up"], frame["churn_pct"], strict=True))
    if True in rates and False in rates:
        verdict = retention_verdict(frame)
        return (
            f"{rates[True]:.1f}% of followed-up detractors' accounts churned within "
            f"{rules.CLOSED_LOOP_HORIZON_DAYS} days, against {rates[False]:.1f}% of those nobody "
            f"followed up (answers at least {rules.CLOSED_LOOP_HORIZON_DAYS} days old): the "
            f"difference is {verdict.text}."
        )
    return "Only one group has answers old enough to compare."


def answer_label(row: pd.Series) -> str:
    """What an action on an answer is about, in words: 'NPS 3 from Acme Corp, 2 Oct 2026'."""
    answered = pd.Timestamp(row["responded_on"])
    return f"{row['survey_type']} {int(row['score'])} from {row['account_name']}, " \
           f"{answered:%-d %b %Y}"


def open_answers_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Status": [
                "▲ Overdue" if status == "overdue" else "◆ Due"
                for status in frame["follow_up_status"]
            ],
            "Answered": frame["responded_on"],
            "Follow up by": frame["follow_up_due_on"],
            "Account": account_links(frame),
            "Segment": frame["segment"],
            "Survey": [
                f"{kind} {score}"
                for kind, score in zip(frame["survey_type"], frame["score"], strict=True)
            ],
            "Program": [PROGRAMS.get(program, program) for program in frame["program"]],
            "CSM": frame["csm_name"],
            "Comment": frame["comment"],
        }
    )


# the page's three scores, in the order it shows them: survey type -> its metric
SURVEY_METRICS = {"NPS": "nps", "CSAT": "csat_pct", "CES": "ces_mean"}


@dataclass(frozen=True)
class ScoreCard:
    """One score card: the period's score against the comparison period's."""

    metric: Metric
    value: str
    delta: str | None
    is_real: bool  # the change is beyond noise (coloured, with an arrow)
    note: str
    caption: str


def score_cards(current: pd.DataFrame, previous: pd.DataFrame) -> list[ScoreCard]:
    """NPS, CSAT and CES of the period (ungrouped survey_scores) against the previous one."""
    cards = []
    for survey_type, name in SURVEY_METRICS.items():
        metric = METRICS[name]
        now, before = estimate_for(current, survey_type), estimate_for(previous, survey_type)
        verdict = change_verdict(now, before)
        cards.append(ScoreCard(
            metric, format_value(metric, now.value),
            format_delta(metric, shown_delta(metric, now.value, before.value)),
            verdict.is_real, change_note(verdict), estimate_caption(metric, now)))
    return cards


def first_score(current: pd.DataFrame) -> str:
    """The score the trend opens on: NPS, or the first score the period has answers for."""
    answered = set(current["survey_type"]) if not current.empty else set()
    return next((kind for kind in SURVEY_METRICS if kind in answered), "NPS")


def trend_title(metric: Metric) -> str:
    """'NPS by month, points', 'CSAT by month, %'."""
    return f"{metric.label} by month" + {
        "pct": ", %", "nps": ", points", "mean_score": ", mean of 1–7"}.get(metric.unit, "")


def band_caption(frame: pd.DataFrame, survey_type: str) -> str:
    """'Detractors: 20.0% (40) · ...' under a score's distribution."""
    return " · ".join(f"{label}: {share:.1f}% ({answers:,})"
                      for label, answers, share in band_shares(frame, survey_type))


def period_months(start: object, end: object) -> list[pd.Timestamp]:
    """The first days of the months from `start` to `end`, both included."""
    return list(pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="MS"))


def loop_cards(totals: dict[str, float | int | None]) -> list[tuple[str, str, str]]:
    """The closed loop's four cards: (label, value, help)."""
    return [
        ("Unhappy answers", f"{totals['unhappy_answers']:,}",
         "NPS 0–6 and CSAT 1–2 answers in the period."),
        ("Followed up in time", format_pct(totals["follow_up_rate_pct"]),  # type: ignore[arg-type]
         "Share of answers past their target that were followed up within it."),
        ("Overdue", f"{totals['overdue']:,}", "No follow-up, and the target has passed."),
        ("Due now", f"{totals['due']:,}", "No follow-up yet, still within the target."),
    ]


def follow_up_hover(monthly: pd.DataFrame) -> list[str]:
    """'85.0% of 40' per month: the rate and the answers past their target it counts."""
    return [f"{format_pct(rate)} of {int(answers - due):,}" for rate, answers, due in zip(
        monthly["follow_up_rate_pct"], monthly["unhappy_answers"], monthly["due"], strict=True)]


@dataclass(frozen=True)
class RetentionBars:
    """Churn of followed-up against other detractors' accounts, one bar each."""

    labels: list[str]
    churn_pct: list[float]
    followed_up: list[bool]
    hover: list[str]


def retention_bars(frame: pd.DataFrame) -> RetentionBars:
    flags = [bool(flag) for flag in frame["was_followed_up"]]
    return RetentionBars(
        ["Followed up" if flag else "Not followed up" for flag in flags],
        list(frame["churn_pct"]), flags,
        [f"{int(churned):,} of {int(answers):,} answers" for churned, answers in zip(
            frame["churned_within_horizon"], frame["detractor_answers"], strict=True)])


def spike_warnings(summary: pd.DataFrame) -> list[str]:
    """'Complaint spike — Pricing: ...' for each theme of theme_summary with a spike."""
    return [f"Complaint spike — {row.Theme}: {row.Spike}."
            for row in summary.loc[summary["Spike"] != ""].itertuples()]
