"""How a number or a value looks on screen: the one formatter per unit, and the unit of every
column a page shows.

Money is shown to three significant figures ($71.0M, $838K), rates with one decimal, counts
with thousands separators, missing values as "—". A table keeps its numbers (so it sorts as
numbers and exports at full precision); only the display goes through here. A column that is a
measure (northstar/data/measures.toml) takes its unit and rounding from the measure, by its
label; the KPI cards, charts and the brief format measures through `metrics.format_value`,
which comes here too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from northstar.data import measures

Unit = Literal[
    "usd", "usd_price", "multiple", "pct", "pp", "nps", "margin", "mean_score", "count",
    "hours", "days", "months", "ratio", "score", "decimal3",
]
MISSING = "—"



def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pandas NA: a value to show as "—" (a list, dict or array of values is
    never missing)."""
    if value is None:
        return True
    if isinstance(value, list | tuple | dict | set | np.ndarray):
        return False
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return isinstance(missing, bool | np.bool_) and bool(missing)


def shown_usd(value: float) -> float:
    """A dollar amount rounded as format_usd shows it ($135M, $28.0M, $4.25K, $920)."""
    magnitude = abs(value)
    for threshold in (1e9, 1e6, 1e3):
        if magnitude >= threshold:
            scaled = magnitude / threshold
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return math.copysign(round(scaled, digits) * threshold, value)
    return float(round(value))


def format_usd(value: float) -> str:
    """$1.23B / $12.4M / $850K / $920, sign kept."""
    sign = "−" if value < 0 else ""
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= threshold:
            scaled = magnitude / threshold
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{sign}${scaled:.{digits}f}{suffix}"
    return f"{sign}${magnitude:,.0f}"


# the column of one ticket's satisfaction answer, a score on 1–5 (the column "CSAT" is a rate:
# the share of answers scoring 4 or 5)
TICKET_CSAT = "CSAT (1–5)"

# The unit of each numeric column label used in a table that is not a measure's label (a
# measure's label takes the measure's unit, northstar/data/measures.toml). Exact labels first; a
# label not listed falls back to `_UNIT_BY_SUFFIX`, then to its dtype.
COLUMN_UNITS: dict[str, Unit] = {
    # money
    "ARR lost": "usd", "ARR then": "usd", "ARR at risk": "usd",
    "Revenue, 12 months": "usd", "Cost to serve": "usd",
    "Support cost": "usd", "Services cost": "usd", "Executive & QBR cost": "usd",
    "Margin": "usd", "Cost": "usd", "ARR protected a year": "usd", "ARR exposed now": "usd",
    "ARR at risk from the driver": "usd", "Accounts exposed now": "count",
    "ARR now": "usd", "ARR change": "usd", "ARR expected to renew": "usd",
    "Cost per account": "usd_price",
    # rates and shares, in percent
    "Logo churn, %": "pct", "Margin %": "pct",
    "Share of tickets": "pct", "Completion rate": "pct", "Response rate": "pct",
    "Churn risk, 12 months": "pct", "Crude churn exposed": "pct",
    "Crude churn not exposed": "pct", "Expected churn reduction": "pct",
    "Planned churn reduction": "pct", "Monthly churn of exposed, 12 months before": "pct",
    "Since the start": "pct", "Observed reduction": "pct",
    "Reduction vs unexposed accounts": "pct", "Share exposed before": "pct",
    "Share exposed since": "pct",
    # scores
    "Latest NPS": "score", "NPS ±": "margin", "CSAT ±": "margin",
    "CES ±": "margin", "Mean score": "mean_score", "Score": "score",
    "Health": "score", TICKET_CSAT: "score", "Support experience": "score",
    "Survey sentiment": "score", "Engagement": "score", "Revenue trend": "score", "AUC": "ratio",
    "Brier score": "decimal3",
    "Planted hazard ratio": "ratio", "Estimated hazard ratio": "ratio", "95% low": "ratio",
    "95% high": "ratio", "99% low": "ratio", "99% high": "ratio",
    # durations
    "Hours": "hours", "Staff hours": "hours", "Age (days)": "days",
    "Payback (months)": "months", "Rank": "count", "Return on cost": "multiple",
}
_UNIT_BY_SUFFIX: tuple[tuple[str, Unit], ...] = (
    ("(hours)", "hours"), ("(h)", "hours"), ("(days)", "days"), ("(months)", "months"),
    ("(pp)", "pp"), ("(%)", "pct"), ("(n)", "count"), (" n", "count"), ("($)", "usd"),
)
# the digits a unit shows when nothing says otherwise (a measure's own rounding wins)
DECIMALS: dict[str, int] = {
    "pct": 1, "pp": 1, "nps": 0, "mean_score": 2, "count": 0, "hours": 1, "months": 1,
    "days": 0, "ratio": 2, "decimal3": 3, "score": 0, "usd": 0,
}


# how a unit's digits are written: (sign, thousands separator, suffix)
_STYLE: dict[str, tuple[str, str, str]] = {
    "pct": ("", "", "%"), "pp": ("", "", " pp"), "nps": ("+", "", ""),
    "mean_score": ("", "", ""), "ratio": ("", "", ""), "decimal3": ("", "", ""),
    "hours": ("", ",", ""), "months": ("", ",", ""), "count": ("", ",", ""),
    "days": ("", ",", ""), "score": ("", ",", ""),
}


def format_number(value: Any, unit: Unit, decimals: int | None = None) -> str:
    """A value in a unit as every screen shows it: '$71.0M', '20.7%', '1,193', '4.5', '—';
    `decimals` (a measure's rounding) overrides the unit's digits (money keeps three
    significant figures)."""
    if is_missing(value):
        return MISSING
    number = float(value)
    if unit == "usd":
        return format_usd(number)
    if unit == "usd_price":
        return format_usd(number) if abs(number) >= 1000 else (
            f"${number:,.2f}" if abs(number) < 100 and number != round(number)
            else f"${number:,.0f}"
        )
    if unit == "multiple":
        # a return on cost: 4.7× (one decimal under 10), 36×
        return f"{number:,.1f}×" if abs(number) < 10 else f"{number:,.0f}×"
    if unit == "margin":
        if decimals is not None:
            return f"±{number:.{decimals}f}"
        return f"±{number:.2f}" if abs(number) < 1 else f"±{number:.1f}"
    sign, grouping, suffix = _STYLE.get(unit, ("", ",", ""))
    digits = DECIMALS.get(unit, 0) if decimals is None else decimals
    return f"{number:{sign}{grouping}.{digits}f}{suffix}"


def percent(value: Any, decimals: int = DECIMALS["pct"]) -> str:
    """A rate in percent as every page shows it: '70.8%', '—' when there is none."""
    return format_number(value, "pct", decimals)


def measure_text(key: str, value: Any) -> str:
    """A measure's value in its unit and rounding, as in a table ('70.8%', '$71.0M', '+26')."""
    measure = measures.MEASURES[key]
    return format_number(value, measure.unit, measure.decimals)  # type: ignore[arg-type]


def measure_columns(frame: pd.DataFrame, *keys: str) -> dict[str, pd.Series]:
    """The measure columns of a query's frame under their labels, for a display table:
    `pd.DataFrame({"Segment": ..., **measure_columns(frame, "nrr_pct", "grr_pct")})`."""
    return {measures.MEASURES[key].label: frame[key] for key in keys}


# how a unit looks in an exported spreadsheet: the cell keeps its full value
EXCEL_FORMATS: dict[Unit, str] = {
    "usd": '"$"#,##0', "usd_price": '"$"#,##0.00', "multiple": '0.0"×"',
    "pct": '0.0"%"', "pp": '0.0" pp"',
    "nps": '+0;-0;0', "margin": '"±"0.0', "mean_score": "0.00", "count": "#,##0",
    "hours": "#,##0.0", "days": "#,##0", "months": "#,##0.0", "ratio": "0.00", "score": "0",
    "decimal3": "0.000",
}


def excel_format(label: str, series: pd.Series | None = None) -> str | None:
    """How a column's cells look in an exported spreadsheet (None: as they are); a measure's
    rates and scores keep the measure's rounding."""
    unit = column_unit(label, series)
    if unit is None:
        return None
    measure = rounding_measure(label)
    if measure is not None and unit in ("pct", "mean_score", "hours", "months", "ratio",
                                        "margin"):
        digits = "0." + "0" * measure.decimals if measure.decimals else "0"
        return {"pct": f'{digits}"%"', "margin": f'"±"{digits}'}.get(unit, digits)
    return EXCEL_FORMATS[unit]


def column_unit(label: str, series: pd.Series | None = None) -> Unit | None:
    """The unit of a table column from its label (None for a column that is not a number)."""
    if series is not None and not (
        pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    ):
        return None
    measure = measures.by_label(label)
    if measure is not None:
        return measure.unit  # type: ignore[return-value]
    if label in COLUMN_UNITS:
        return COLUMN_UNITS[label]
    for suffix, unit in _UNIT_BY_SUFFIX:
        if label.endswith(suffix):
            return unit
    if series is not None:
        if pd.api.types.is_integer_dtype(series):
            return "count"
        values = series.dropna()
        if len(values) and bool((values == values.round()).all()):
            return "count"
    return None


# the label of a column holding a measure's 95% margin of error ends so: "NPS ±"
MARGIN_SUFFIX = " ±"


def rounding_measure(label: str) -> measures.Measure | None:
    """The measure whose rounding a column follows: the measure under that label, or the one
    whose margin of error it holds ("NPS ±" rounds like NPS: ±4, as the NPS card says it)."""
    measure = measures.by_label(label)
    if measure is None and label.endswith(MARGIN_SUFFIX):
        measure = measures.by_label(label.removesuffix(MARGIN_SUFFIX))
    return measure


def column_formatters(frame: pd.DataFrame, skip: set[str] | None = None) -> dict[str, Callable]:
    """A display function per numeric column whose unit is known (for a pandas Styler)."""
    formatters: dict[str, Callable] = {}
    for column in frame.columns:
        if skip and column in skip:
            continue
        unit = column_unit(str(column), frame[column])
        if unit is not None:
            measure = rounding_measure(str(column))
            decimals = None if measure is None else measure.decimals
            formatters[column] = lambda value, unit=unit, decimals=decimals: format_number(
                value, unit, decimals)
    return formatters


def unformatted_numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Numeric columns whose unit is not known (a test keeps this empty on every page)."""
    return [
        str(column) for column in frame.columns
        if pd.api.types.is_float_dtype(frame[column]) and column_unit(str(column), frame[column])
        is None
    ]


# a raw code from the data: lowercase, digits, '_' or '-', no spaces ("customer_service")
_RAW_CODE = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")
# words kept in capitals when a code becomes people's words
_ACRONYMS = {"qbr": "QBR", "nps": "NPS", "csat": "CSAT", "ces": "CES", "csm": "CSM",
             "cab": "CAB", "api": "API", "sso": "SSO", "arr": "ARR", "mrr": "MRR"}


# the explicit bidirectional formatting characters (embeddings, overrides, isolates and their
# terminators): in a name they reverse how the text around them reads ("\u202eexe.pdf" shows
# as "fdp.exe"), so text from data is shown without them
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """Text from data without the characters that would reorder how it, or what follows it,
    reads on screen."""
    return _BIDI_CONTROLS.sub("", text)


def people_words(value: Any) -> Any:
    """A raw code as people's words ('customer_service' -> 'Customer service', 'how-to' ->
    'How-to', 'pending' -> 'Pending'); other text without bidirectional controls; anything
    else unchanged."""
    if not isinstance(value, str):
        return value
    if not _RAW_CODE.match(value):
        return without_bidi_controls(value)
    words = value.replace("_", " ").split(" ")
    words = [_ACRONYMS.get(word, word) for word in words]
    text = " ".join(words)
    return text[0].upper() + text[1:]


def is_raw_code(text: str) -> bool:
    """Whether a visible word is a raw code a person would not write (snake_case)."""
    return "_" in text and bool(_RAW_CODE.match(text))


def with_people_words(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The frame with raw codes in its text columns turned into people's words (links and
    identifiers are left alone)."""
    result = frame.copy()
    for column in columns if columns is not None else list(frame.columns):
        series = result[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        if series.astype(str).str.contains(r"\?|#", regex=True).any():
            continue  # a link column: its target must stay as it is
        result[column] = series.map(people_words)
    return result


def count_of(count: int | float, noun: str, plural: str | None = None) -> str:
    """'1 account', '2,847 accounts', '12 months': a count with its noun in the right number."""
    number = int(count)
    word = noun if number == 1 else plural or f"{noun}s"
    return f"{number:,} {word}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick positions covering low..high, about `count` of them (1, 2, 2.5 or 5 × 10ⁿ
    apart), so an axis shows $0 · $500K · $1.00M rather than crowded or odd values."""
    if not (high > low):
        high = low + 1 if low == low else 1.0
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def log_ticks(low: float, high: float) -> list[float]:
    """Tick positions for a log axis: 1, 2 and 5 × 10ⁿ within low..high (1 and 10ⁿ only when
    the range spans more than three decades)."""
    low, high = max(low, 1e-9), max(high, low * 10)
    multipliers = (1,) if math.log10(high / low) > 3 else (1, 2, 5)
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ticks += [m * 10 ** exponent for m in multipliers
                  if low <= m * 10 ** exponent <= high]
    return ticks


def money_tick_text(value: float) -> str:
    """An axis tick in money: '$0', '$500K', '$1.5M', '$2M' (trailing zeros dropped)."""
    return re.sub(r"\.0+([KMB])$|(\.\d*?)0+([KMB])$",
                  lambda match: match.group(1) or f"{match.group(2)}{match.group(3)}",
                  format_usd(value))


def hours_text(value: Any) -> str:
    """'4.5 h', or '—' when there is nothing to measure (never 'nan h')."""
    return MISSING if is_missing(value) else f"{format_number(value, 'hours')} h"


def distinct_labels(names: list[str], details: list[str]) -> list[str]:
    """Chart labels for people or things that may share a name: a name shown once stays as it
    is; a repeated one gets its detail ("Kenji Varga · Support engineer"), and a number where
    name and detail are both repeated, so no two bars fall on one label."""
    name_counts = Counter(names)
    labels = [f"{name} · {detail}" if name_counts[name] > 1 and detail else name
              for name, detail in zip(names, details, strict=True)]
    label_counts = Counter(labels)
    seen: Counter[str] = Counter()
    numbered = []
    for label in labels:
        seen[label] += 1
        numbered.append(label if label_counts[label] == 1 else f"{label} ({seen[label]})")
    return numbered
