"""The measures: each KPI and shared figure defined once, in measures.toml, keyed by the column
the queries return it in.

A measure carries its label, unit, rounding, good direction, definition in plain words, how it
is computed, its window and, for the KPI wall, its SQL expression: `kpi_windows` selects every
measure that has one (`{{measure_columns}}` in queries/kpi_windows.sql). The analytics layer
formats values by the measure (northstar/analytics/metrics.py, display.py); the Glossary and
docs/metrics.md list them. Rule values in the text are written `{{name}}` and filled from
northstar/data/rules.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from northstar.data import rules

MEASURES_FILE = Path(__file__).with_name("measures.toml")

# the units a measure can be in (each has one formatter, northstar/analytics/display.py)
UNITS = ("usd", "pct", "nps", "mean_score", "count", "hours", "days", "months", "ratio", "score")
# digits shown when an entry does not say (money: three significant figures, whatever this says)
DEFAULT_DECIMALS = {"usd": 0, "pct": 1, "nps": 0, "mean_score": 2, "count": 0, "hours": 1,
                    "days": 0, "months": 1, "ratio": 2, "score": 0}
Good = Literal["up", "down", "none"]
GOOD = ("up", "down", "none")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("label", "unit", "good", "definition", "detail", "computation", "source", "window")
_OPTIONAL = ("decimals", "sql", "wall", "needs_revenue", "responses", "scale")
# the placeholder in a query's SQL that stands for every measure expression
MEASURE_COLUMNS = "{{measure_columns}}"


class MeasuresError(ValueError):
    """The measures file cannot be read; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Measure:
    key: str  # the column that holds the value in query results
    label: str
    unit: str
    decimals: int
    good: Good
    definition: str  # one plain sentence
    detail: str
    computation: str
    source: str  # the query and rollup it comes from
    window: str
    sql: str | None = None  # its expression in kpi_windows
    wall: bool = False  # a card on the KPI wall
    needs_revenue: bool = False  # left out when the data has no revenue table
    responses: str | None = None  # the column of the n behind a survey measure
    scale: str | None = None  # the answer scale of a survey measure

    @property
    def name(self) -> str:
        """The query column that holds it (its key)."""
        return self.key

    @property
    def described(self) -> str:
        """The definition and its detail, as a tooltip or the Glossary shows them."""
        return f"{self.definition} {self.detail}".strip()

    @property
    def method(self) -> str:
        """How it is computed and over which months."""
        return f"{self.computation} Window: {self.window}."


def _text(path: Path, key: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MeasuresError(f"{path.name}: measure [{key}] field '{field}' must be some text")
    try:
        return rules.render_sql(value.strip())
    except KeyError as error:
        raise MeasuresError(f"{path.name}: measure [{key}] field '{field}': {error.args[0]}") \
            from None


def _measure(path: Path, key: str, entry: Any) -> Measure:
    if not _KEY.match(key):
        raise MeasuresError(f"{path.name}: measure [{key}]: a key is the query's column name "
                            "(lowercase letters, digits and _)")
    if not isinstance(entry, dict):
        raise MeasuresError(f"{path.name}: [{key}] is not a table of fields")
    missing = [field for field in _REQUIRED if field not in entry]
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if missing or unknown:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown field {', '.join(unknown)}"] if unknown else [])
        raise MeasuresError(f"{path.name}: measure [{key}]: {'; '.join(problems)}")
    text = {field: _text(path, key, field, entry[field]) for field in _REQUIRED}
    if text["unit"] not in UNITS:
        raise MeasuresError(f"{path.name}: measure [{key}] unit {text['unit']!r} is not one of "
                            f"{', '.join(UNITS)}")
    if text["good"] not in GOOD:
        raise MeasuresError(f"{path.name}: measure [{key}] good {text['good']!r} is not one of "
                            f"{', '.join(GOOD)}")
    decimals = entry.get("decimals", DEFAULT_DECIMALS[text["unit"]])
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise MeasuresError(f"{path.name}: measure [{key}] decimals must be a whole number "
                            "from 0 to 4")
    sql = entry.get("sql")
    if sql is not None and (not isinstance(sql, str) or not sql.strip() or ";" in sql
                            or "--" in sql):
        raise MeasuresError(f"{path.name}: measure [{key}] sql must be one SQL expression")
    flags = {}
    for field in ("wall", "needs_revenue"):
        if not isinstance(entry.get(field, False), bool):
            raise MeasuresError(f"{path.name}: measure [{key}] {field} must be true or false")
        flags[field] = entry.get(field, False)
    if flags["wall"] and sql is None:
        raise MeasuresError(f"{path.name}: measure [{key}] is on the wall but has no sql")
    optional = {field: _text(path, key, field, entry[field])
                for field in ("responses", "scale") if field in entry}
    return Measure(key=key, label=text["label"], unit=text["unit"], decimals=decimals,
                   good=text["good"], definition=text["definition"],  # type: ignore[arg-type]
                   detail=text["detail"], computation=text["computation"],
                   source=text["source"], window=text["window"],
                   sql=sql.strip() if sql else None, **flags, **optional)


@cache
def _read(path: Path, mtime_ns: int) -> dict[str, Measure]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MeasuresError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise MeasuresError(f"{path.name}: not valid TOML ({error})") from None
    found = {key: _measure(path, key, entry) for key, entry in data.items()}
    labels: dict[str, str] = {}
    for measure in found.values():
        if measure.label in labels:
            raise MeasuresError(f"{path.name}: measures [{labels[measure.label]}] and "
                                f"[{measure.key}] share the label {measure.label!r}")
        labels[measure.label] = measure.key
    return found


def registry() -> dict[str, Measure]:
    """Every measure by key, in the file's order (re-read when the file changes)."""
    path = MEASURES_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as error:
        raise MeasuresError(f"{path}: cannot be read ({error})") from None
    return _read(path, mtime)


class _Measures(Mapping[str, Measure]):
    """The registry as a read-only mapping that always reads the current file."""

    def __getitem__(self, key: str) -> Measure:
        return registry()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(registry())

    def __len__(self) -> int:
        return len(registry())


MEASURES: Mapping[str, Measure] = _Measures()


def wall() -> tuple[str, ...]:
    """The KPI wall's measures, in order."""
    return tuple(key for key, measure in registry().items() if measure.wall)


def by_label(label: str) -> Measure | None:
    """The measure shown under a label, if any."""
    return next((measure for measure in registry().values() if measure.label == label), None)


def measure_columns_sql() -> str:
    """Every measure's expression as a select list item (`expression as key`), one a line."""
    return ",\n        ".join(f"{measure.sql} as {measure.key}"
                              for measure in registry().values() if measure.sql)


def render_query(sql: str) -> str:
    """A query's SQL with `{{measure_columns}}` replaced by the measures' expressions."""
    return sql.replace(MEASURE_COLUMNS, measure_columns_sql()) if MEASURE_COLUMNS in sql \
        else sql


def fingerprint() -> str:
    """The measures' expressions as text (a query rendered from them changes with it)."""
    return measure_columns_sql()
