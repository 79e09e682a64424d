"""Editable settings the SQL reads: the health score's weights and bands
(config/health_score.toml) and which survey follows which kind of engagement.

The rollups are built with these settings, so they live with the data layer; the pages read
the same values from here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from northstar.data.db.paths import REPO_ROOT

CONFIG_PATH = REPO_ROOT / "config" / "health_score.toml"


COMPONENTS: dict[str, str] = {
    # column -> label
    "support_experience": "Support experience",
    "survey_sentiment": "Survey sentiment",
    "engagement": "Engagement",
    "revenue_trend": "Revenue trend",
    "product_usage": "Product usage",
}
# components used only when the data has them (a data set without product usage is scored on
# the others, and the pages do not mention it); their weight may be left out of the file (0)
OPTIONAL_COMPONENTS: tuple[str, ...] = ("product_usage",)


@dataclass(frozen=True)
class HealthConfig:
    weights: dict[str, float]
    healthy_from: float
    watch_from: float
    at_risk_from: float

    def query_params(self) -> dict[str, Any]:
        return {
            "w_support": self.weights["support_experience"],
            "w_sentiment": self.weights["survey_sentiment"],
            "w_engagement": self.weights["engagement"],
            "w_revenue": self.weights["revenue_trend"],
            "w_usage": self.weights.get("product_usage", 0.0),
            "healthy_from": self.healthy_from,
            "watch_from": self.watch_from,
            "at_risk_from": self.at_risk_from,
        }

    def formula(self, with_usage: bool = False) -> str:
        """The weights as shares, e.g. '30% support experience + …': product usage only
        `with_usage` (a data set with product usage), the shares over the components shown."""
        shown = {column: label for column, label in COMPONENTS.items()
                 if with_usage or column not in OPTIONAL_COMPONENTS}
        total = sum(self.weights.get(column, 0.0) for column in shown)
        parts = [
            f"{100 * self.weights.get(column, 0.0) / total:.0f}% {label.lower()}"
            for column, label in shown.items()
        ]
        return " + ".join(parts)

    def band_ranges(self) -> dict[str, str]:
        """Each band's scores in words: 'Healthy 55–100', 'Watch 45–54' (scores are whole
        points, so a band ends one point below the next band's lower bound)."""
        def upto(bound: float) -> str:
            return f"{bound - 1:g}" if float(bound).is_integer() else f"under {bound:g}"

        return {
            "Healthy": f"{self.healthy_from:g}–100",
            "Watch": f"{self.watch_from:g}–{upto(self.healthy_from)}",
            "At risk": f"{self.at_risk_from:g}–{upto(self.watch_from)}",
            "Critical": f"0–{upto(self.at_risk_from)}",
        }


class HealthConfigError(ValueError):
    """The health score file is missing a weight or has thresholds out of order."""


def load_config(path: Path = CONFIG_PATH) -> HealthConfig:
    """Read and check config/health_score.toml."""
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    weights = {**dict.fromkeys(OPTIONAL_COMPONENTS, 0.0), **raw.get("weights", {})}
    missing = sorted(set(COMPONENTS) - set(weights))
    if missing:
        raise HealthConfigError(f"{path}: [weights] is missing {', '.join(missing)}")
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise HealthConfigError(f"{path}: [weights] has unknown component(s) {', '.join(unknown)}")
    if any(float(value) < 0 for value in weights.values()) or sum(weights.values()) <= 0:
        raise HealthConfigError(f"{path}: weights must be non-negative and not all zero")
    bands = raw.get("bands", {})
    try:
        healthy, watch, at_risk = (float(bands[key]) for key in ("healthy", "watch", "at_risk"))
    except KeyError as error:
        raise HealthConfigError(f"{path}: [bands] is missing {error.args[0]}") from error
    if not 0 <= at_risk < watch < healthy <= 100:
        raise HealthConfigError(f"{path}: bands must satisfy 0 <= at_risk < watch < healthy <= 100")
    return HealthConfig(
        {key: float(value) for key, value in weights.items()}, healthy, watch, at_risk
    )


@dataclass(frozen=True)
class SurveyProgram:
    """A post-engagement survey: which engagements it follows and how long answers are awaited."""

    engagement_type: str
    program: str
    window_days: int  # days after the engagement ends by which the answer is expected
    engagement_label: str  # "installation", "engagement"
    sent_after_days: int = 0  # days after the engagement ends that the survey goes out

    def query_params(self) -> dict[str, Any]:
        return {
            "engagement_type": self.engagement_type,
            "program": self.program,
            "window_days": self.window_days,
        }


# the survey goes out 30 days after go-live and answers are awaited for 7 more days
ONBOARDING = SurveyProgram("installation", "post_installation", 37, "installation",
                           sent_after_days=30)


# the follow-up survey goes out when the engagement ends; answers are awaited for 14 days
PROFESSIONAL_SERVICES = SurveyProgram(
    "professional_services", "post_professional_services", 14, "engagement"
)


SURVEY_PROGRAMS: tuple[SurveyProgram, ...] = (ONBOARDING, PROFESSIONAL_SERVICES)
