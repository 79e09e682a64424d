"""Periods of whole calendar months ending at the data's last month, their comparison
periods, and the global filters as a value (FilterState). Pure: the sidebar that sets them is
northstar.ui.filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from northstar.data import rules
from northstar.data.months import add_months, range_label


def period_choices() -> dict[str, tuple[str, int]]:
    """The periods offered, key: (label, months): the rules' period lengths (the lengths the
    revenue tallies hold), then year to date (its months depend on the as-of month)."""
    choices = {("last_month" if months == 1 else f"last_{months}_months"):
               ("Last month" if months == 1 else f"Last {months} months", months)
               for months in rules.PERIOD_MONTHS}
    return {**choices, "ytd": ("Year to date", 0)}


PERIODS: dict[str, tuple[str, int]] = period_choices()
DEFAULT_PERIOD = "last_12_months"
COMPARISONS: dict[str, str] = {
    "previous_period": "Previous period",
    "previous_year": "Same period a year earlier",
}
DEFAULT_COMPARISON = "previous_period"
SPARKLINE_POINTS = 12


EARLIEST = dt.date(1900, 1, 1)  # "from the beginning of the data" for date-range queries


@dataclass(frozen=True)
class PeriodWindow:
    """A period of whole months, its comparison period, and the sparkline's window ends."""

    period_key: str
    comparison_key: str
    end_month: dt.date
    months: int
    comparison_end_month: dt.date

    @property
    def start_month(self) -> dt.date:
        return add_months(self.end_month, -(self.months - 1))

    @property
    def opening_month(self) -> dt.date:
        """The month just before the period: where starting ARR is measured."""
        return add_months(self.start_month, -1)

    @property
    def comparison_start_month(self) -> dt.date:
        return add_months(self.comparison_end_month, -(self.months - 1))

    @property
    def label(self) -> str:
        return f"{PERIODS[self.period_key][0]}, {range_label(self.start_month, self.end_month)}"

    @property
    def phrase(self) -> str:
        """The period inside a sentence: "the last 12 months, Nov 2025 – Oct 2026", "the year
        to date, Jan 2026 – Oct 2026"."""
        name = PERIODS[self.period_key][0]
        return f"the {name[:1].lower()}{name[1:]}, {range_label(self.start_month, self.end_month)}"

    @property
    def comparison_phrase(self) -> str:
        """How a delta is described under a KPI: "vs prior period" or "vs a year earlier"."""
        if self.comparison_key == "previous_period":
            return "vs prior period"
        return "vs a year earlier"

    @property
    def comparison_label(self) -> str:
        return range_label(self.comparison_start_month, self.comparison_end_month)

    def sparkline_end_months(self, points: int = SPARKLINE_POINTS) -> list[dt.date]:
        """Ends of the rolling windows drawn in sparklines, oldest first."""
        return [add_months(self.end_month, -offset) for offset in range(points - 1, -1, -1)]

    def query_end_months(self) -> list[dt.date]:
        """Every window end a KPI query needs: the sparkline's and the comparison's."""
        return sorted({*self.sparkline_end_months(), self.comparison_end_month})


def resolve_period(
    last_month: dt.date, period_key: str = DEFAULT_PERIOD, comparison_key: str = DEFAULT_COMPARISON
) -> PeriodWindow:
    """The period ending at the data's last month and its comparison period."""
    if period_key not in PERIODS:
        period_key = DEFAULT_PERIOD
    if comparison_key not in COMPARISONS:
        comparison_key = DEFAULT_COMPARISON
    last_month = last_month.replace(day=1)
    months = PERIODS[period_key][1] or last_month.month
    shift = months if comparison_key == "previous_period" else 12
    return PeriodWindow(
        period_key, comparison_key, last_month, months, add_months(last_month, -shift)
    )


@dataclass(frozen=True)
class FilterState:
    period: PeriodWindow
    segments: tuple[str, ...] = field(default_factory=tuple)
    regions: tuple[str, ...] = field(default_factory=tuple)
    plans: tuple[str, ...] = field(default_factory=tuple)

    def query_params(self) -> dict[str, Any]:
        """Parameters for named queries (empty list = no filter)."""
        return {
            "segments": list(self.segments),
            "regions": list(self.regions),
            "plans": list(self.plans),
            "window_months": self.period.months,
        }

    def scope_caption(self) -> str:
        """The account filters in words ("All accounts" when none is set)."""
        scope = [
            f"{name}: {', '.join(values)}"
            for name, values in (
                ("Segment", self.segments), ("Region", self.regions), ("Plan", self.plans)
            )
            if values
        ]
        return " · ".join(scope) or "All accounts"

    def caption(self) -> str:
        """The filters in words, for captions, exports and presentation mode."""
        compared = f"compared with {self.period.comparison_label}"
        return " · ".join([self.period.label, compared, self.scope_caption()])
