"""The measures as the pages show them: a measure's value, its change and its Glossary row.

Every KPI and shared figure is defined once, in northstar/data/measures.toml (read by
northstar/data/measures.py), keyed by the column the queries return it in: label, unit,
rounding, good direction, definition, computation and window. Labels, help tooltips, the
Glossary page, number formats and delta colours all read it; the numbers are formatted by the
one formatter per unit in northstar/analytics/display.py.
"""

from __future__ import annotations

from typing import Any, Literal

from northstar.analytics.display import (
    format_number,
    format_usd,
    is_missing,
    percent,
    shown_usd,
)
from northstar.data.db.paths import REPO_ROOT
from northstar.data.measures import MEASURES, Measure, registry, wall

__all__ = [
    "METRICS", "Metric", "briefing_kpis", "delta_color", "format_delta", "format_in_unit",
    "format_usd", "format_value", "glossary_rows", "is_missing", "rounds_to_zero",
    "shown_delta", "shown_usd",
]

# every measure by key (always the current measures file)
METRICS = MEASURES
Metric = Measure


def briefing_kpis() -> tuple[str, ...]:
    """The KPI wall's measures, in wall order."""
    return wall()


def _measure(metric: Measure | str) -> Measure:
    return METRICS[metric] if isinstance(metric, str) else metric


def delta_color(metric: Measure | str) -> Literal["normal", "inverse", "off"]:
    """st.metric colouring: green when the change is good for this measure."""
    return {"up": "normal", "down": "inverse"}.get(_measure(metric).good, "off")  # type: ignore[return-value]


def _scale_top(metric: Measure) -> str | None:
    """The top of a mean score's answer scale ('7' of '1–7')."""
    return metric.scale.split("–")[-1] if metric.scale and "–" in metric.scale else None


def format_value(metric: Measure | str, value: float | int | None) -> str:
    """A measure's value as shown on screen and in exports ("—" when there is none); a mean
    score or a score on a card carries its scale ('5.49 / 7', '63 / 100')."""
    metric = _measure(metric)
    text = format_number(value, metric.unit, metric.decimals)  # type: ignore[arg-type]
    if metric.unit in ("mean_score", "score") and not is_missing(value) and _scale_top(metric):
        return f"{text} / {_scale_top(metric)}"
    return text


# the units of department KPIs (a KPI's `unit`), beside the registry's metric units
KPI_UNIT_SUFFIX = {"pct": "%", "hours": " h", "days": " days", "count": "", "score": " pts"}


def format_in_unit(value: Any, unit: str) -> str:
    """A value in a department KPI's unit: '4.3 h', '71.9%', '$2.60M', '+26 pts', '413'
    ("—" when there is none)."""
    if is_missing(value):
        return "—"
    value = float(value)
    if unit == "usd":
        return format_usd(value)
    if unit == "score":
        return f"{value:+.0f} pts"
    if unit == "count":
        # a whole count stays whole (a target of 12); a mean over months may be 12.5
        return f"{value:,.0f}" if abs(value) >= 100 or value == round(value) else f"{value:,.1f}"
    if unit == "pct":
        return percent(value)
    return f"{format_number(value, 'hours')}{KPI_UNIT_SUFFIX.get(unit, '')}"


_DELTA_SUFFIX = {"pct": " pp", "nps": " pts"}


def format_delta(metric: Measure | str, delta: float | int | None) -> str | None:
    """A change in a measure: signed, in points for percentages and NPS, at the measure's
    rounding."""
    metric = _measure(metric)
    if is_missing(delta):
        return None
    suffix = _DELTA_SUFFIX.get(metric.unit, "")
    if metric.unit == "usd":
        if rounds_to_zero(metric, delta):  # type: ignore[arg-type]
            return "0"
        text = format_usd(abs(float(delta)))  # type: ignore[arg-type]
        return ("+" if delta >= 0 else "-") + text  # type: ignore[operator]  # ascii sign: st.metric reads it
    if rounds_to_zero(metric, delta):  # type: ignore[arg-type]
        return f"{0:.{metric.decimals}f}{suffix}"
    if metric.unit == "count":
        return f"{int(round(delta)):+,}"  # type: ignore[arg-type]
    return f"{delta:+.{metric.decimals}f}{suffix}"


def shown_delta(metric: Measure | str, value: float | None,
                previous: float | None) -> float | None:
    """The change as the screen shows it: the difference of the two values at their display
    precision, so a delta always equals the shown values' difference (97.1% from 95.3% is
    +1.8 pp, never +1.9; $525M from $420M is +$105M, never +$104M)."""
    metric = _measure(metric)
    if is_missing(value) or is_missing(previous):
        return None
    if metric.unit == "usd":
        return shown_usd(float(value)) - shown_usd(float(previous))  # type: ignore[arg-type]
    digits = metric.decimals
    return round(round(float(value), digits) - round(float(previous), digits), digits)  # type: ignore[arg-type]


def rounds_to_zero(metric: Measure | str, delta: float) -> bool:
    """Whether a change shows as zero at the measure's display precision."""
    metric = _measure(metric)
    if metric.unit == "usd":
        return shown_usd(abs(float(delta))) == 0
    return round(abs(delta), metric.decimals) == 0


UNIT_TEXT = {
    "usd": "US dollars", "pct": "Percent", "nps": "Points (−100 to +100)",
    "mean_score": "Mean score", "count": "Count", "hours": "Hours", "days": "Days",
    "months": "Months", "ratio": "Ratio", "score": "Points",
}
GOOD_TEXT = {"up": "Higher", "down": "Lower", "none": "—"}


def glossary_rows(slide: bool = False) -> list[dict[str, str]]:
    """The measures as Glossary rows: label, definition, how it is computed, unit, which way
    is good, survey scale. On a slide: the KPI wall's measures with their one-sentence
    definitions only, so the table fits one screen."""
    every = registry()
    measures = [every[name] for name in wall()] if slide else list(every.values())
    return [
        {
            "Metric": metric.label,
            "Definition": metric.definition if slide else metric.described,
            **({} if slide else {"How it is computed": metric.method}),
            "Unit": UNIT_TEXT[metric.unit],
            "Better when": GOOD_TEXT[metric.good],
            "Survey scale": metric.scale or "",
        }
        for metric in measures
    ]


# a value of each unit to show a measure's format with, in the docs
_EXAMPLES = {"usd": 134_994_777.0, "pct": 70.8449, "nps": 21.38, "mean_score": 5.4948,
             "count": 1193, "hours": 4.2573, "days": 12.4, "months": 7.46, "ratio": 1.6203,
             "score": 64.4}
DOC_START = ("<!-- The table below is written from northstar/data/measures.toml by "
             "`python -m northstar.analytics.metrics`: edit the measures, not the table. -->")
DOC_END = "<!-- End of the measures table. -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def measures_markdown() -> str:
    """The measures as docs/metrics.md lists them: one row per measure, from the measures
    file, between DOC_START and DOC_END."""
    lines = [
        DOC_START,
        "",
        "| measure | definition | how it is computed | window | shown as | better | from |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for metric in registry().values():
        shown = format_value(metric, _EXAMPLES[metric.unit])
        if metric.unit == "usd":
            shown += " (three significant figures)"
        elif metric.decimals:
            shown += f" ({metric.decimals} decimal{'s' if metric.decimals > 1 else ''})"
        scale = f" Answer scale {metric.scale}; shown with its n." if metric.scale else ""
        lines.append("| " + " | ".join(_cell(text) for text in (
            f"**{metric.label}** (`{metric.key}`)",
            metric.described + scale,
            metric.computation,
            metric.window[0].upper() + metric.window[1:],
            shown,
            GOOD_TEXT[metric.good].lower() if metric.good != "none" else "—",
            metric.source + (" · on the KPI wall" if metric.wall else ""),
        )) + " |")
    return "\n".join([*lines, "", DOC_END]) + "\n"


def with_measures_markdown(document: str) -> str:
    """A document with its measures table (between DOC_START and DOC_END) rewritten."""
    start, end = document.find(DOC_START), document.find(DOC_END)
    if start < 0 or end < start:
        raise ValueError("the document has no measures table to rewrite (its start and end "
                         "comments are missing)")
    return document[:start] + measures_markdown() + document[end + len(DOC_END) + 1:]


if __name__ == "__main__":
    doc = REPO_ROOT / "docs" / "metrics.md"
    doc.write_text(with_measures_markdown(doc.read_text()))
    print(f"wrote the measures table of {doc}")
