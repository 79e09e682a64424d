"""Whether a change, a difference or an effect is beyond noise: one rule for every page.

The KPI wall, the Satisfaction page, the CCO programs comparisons, the churn drivers and the
CEO brief all ask this module, so no page calls significant what another calls noise.

- A change or a difference between two estimates is beyond noise when it exceeds 1.96 times
  their combined standard error (two-sided, 95%).
- A comparison of two groups of accounts needs at least 30 accounts and 5 events (churned
  accounts, say) on each side, a survey score at least 30 answers on each side; with fewer it
  is "too few to tell", whatever the numbers say.
- An effect with a 95% interval (a hazard ratio, a risk ratio) is beyond noise when its
  interval leaves out "no effect" (a ratio of 1); otherwise it "can't be told from chance".
  When many such effects are read together (every level of every account attribute), each
  interval is widened so that the chance of any one of them looking real by chance stays 5%
  (Bonferroni): 23 levels at 95% each would show about one false effect.
- Totals over the whole customer base (ARR, NRR, GRR, open escalations) are not samples: a
  change in them is real, and is judged only by whether it shows at the precision displayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from statistics import NormalDist

from northstar.data.rules import MIN_ACCOUNTS, MIN_EVENTS, Z_95
from northstar.data.rules import MIN_ANSWERS as MIN_ANSWERS  # read as significance.MIN_ANSWERS


class Status(Enum):
    BEYOND_NOISE = "beyond noise"
    WITHIN_NOISE = "within noise"
    TOO_FEW = "too few to tell"
    EXACT = "exact"  # a total over the whole base: no sampling noise


@dataclass(frozen=True)
class Verdict:
    status: Status
    detail: str = ""  # e.g. "n = 12"
    margin: float | None = None  # the 95% margin of the difference, when it was tested

    @property
    def is_real(self) -> bool:
        """Whether the change or difference may be read as one (beyond noise, or exact)."""
        return self.status in (Status.BEYOND_NOISE, Status.EXACT)

    @property
    def text(self) -> str:
        """'beyond noise', 'within noise' or 'too few to tell (n = 12)'."""
        if self.status is Status.TOO_FEW and self.detail:
            return f"{self.status.value} ({self.detail})"
        return self.status.value


EXACT = Verdict(Status.EXACT)


def change(value: float | None, standard_error: float | None, previous: float | None,
           previous_standard_error: float | None) -> Verdict:
    """Whether two independent estimates differ beyond noise (95%); too few to tell when
    either has no standard error (too few answers)."""
    if value is None or previous is None or standard_error is None \
            or previous_standard_error is None:
        return Verdict(Status.TOO_FEW)
    combined = math.hypot(standard_error, previous_standard_error)
    beyond = abs(value - previous) > 0 if combined == 0 else \
        abs(value - previous) / combined >= Z_95
    return Verdict(Status.BEYOND_NOISE if beyond else Status.WITHIN_NOISE,
                   margin=Z_95 * combined)


def enough(accounts: float, events: float) -> bool:
    """Whether one side of a comparison has enough accounts and events to be read."""
    return accounts >= MIN_ACCOUNTS and events >= MIN_EVENTS


def too_few_text(comparison: str, verdict_text: str, units: str = "accounts") -> str:
    """Why a comparison of two groups is not read: 'Met vs not met: too few to tell (…). A
    comparison needs at least 30 accounts and 5 churned accounts in each group.'"""
    return (f"{comparison}: {verdict_text}. A comparison needs at least {MIN_ACCOUNTS} {units} "
            f"and {MIN_EVENTS} churned accounts in each group.")


def too_few_detail(*sides: tuple[float, float]) -> str:
    """'n = 12' or 'n = 40 and 12; 2 and 3 churned' for the sides of a comparison."""
    accounts = " and ".join(f"{int(n):,}" for n, _ in sides)
    events = " and ".join(f"{int(e):,}" for _, e in sides)
    return f"n = {accounts}; {events} churned" if len(sides) > 1 else f"n = {accounts}"


def proportion_se(events: float, trials: float) -> float | None:
    """The standard error of a proportion events ÷ trials (None without trials)."""
    if trials <= 0:
        return None
    share = events / trials
    return math.sqrt(share * (1 - share) / trials)


def rates(events: float, accounts: float, other_events: float, other_accounts: float) -> Verdict:
    """Whether two groups' rates (churned ÷ accounts) differ beyond noise: too few to tell
    below 30 accounts or 5 events on a side, else a two-proportion test at 95%."""
    if not (enough(accounts, events) and enough(other_accounts, other_events)):
        return Verdict(Status.TOO_FEW,
                       too_few_detail((accounts, events), (other_accounts, other_events)))
    return change(events / accounts, proportion_se(events, accounts),
                  other_events / other_accounts, proportion_se(other_events, other_accounts))


def rate_change(events: float, accounts: float, previous_events: float,
                previous_accounts: float) -> Verdict:
    """Whether a rate (logo churn) changed beyond noise from one period to another."""
    return rates(events, accounts, previous_events, previous_accounts)


def ratio_se(numerator_total: float, denominator_total: float, numerator_squares: float,
             denominator_squares: float, products: float, units: float) -> float | None:
    """The standard error of a ratio of totals R = Σy ÷ Σx over `units` accounts (NRR: closing
    ÷ opening revenue), by linearisation: √(n ÷ (n − 1) × Σ(yᵢ − R xᵢ)²) ÷ Σx, where
    Σ(yᵢ − R xᵢ)² = Σy² − 2R Σxy + R² Σx². None with fewer than two accounts."""
    if units < 2 or denominator_total <= 0:
        return None
    ratio = numerator_total / denominator_total
    residual_squares = max(
        numerator_squares - 2 * ratio * products + ratio * ratio * denominator_squares, 0.0)
    return math.sqrt(units / (units - 1) * residual_squares) / denominator_total


def interval(low: float | None, high: float | None, no_effect: float = 1.0) -> Verdict:
    """Whether an effect's 95% interval leaves out no effect (a ratio of 1 by default)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return Verdict(Status.TOO_FEW)
    beyond = high < no_effect or low > no_effect
    return Verdict(Status.BEYOND_NOISE if beyond else Status.WITHIN_NOISE)


CANT_TELL = "can't tell from chance"


def family_z(tests: int) -> float:
    """The normal quantile of a two-sided interval that keeps a 5% chance of any false effect
    across `tests` effects read together (Bonferroni); Z_95 for one."""
    return NormalDist().inv_cdf(1 - 0.05 / (2 * max(int(tests), 1)))


def family_interval(low: float, high: float, tests: int) -> tuple[float, float]:
    """A ratio's 95% interval (low, high) widened for `tests` effects read together: the same
    centre and standard error on the log scale, family_z(tests) of them either side."""
    if low is None or high is None or not (low > 0 and high > 0):
        return math.nan, math.nan
    centre = (math.log(low) + math.log(high)) / 2
    spread = (math.log(high) - math.log(low)) / (2 * Z_95) * family_z(tests)
    return math.exp(centre - spread), math.exp(centre + spread)
