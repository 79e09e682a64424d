"""Text that a spreadsheet would run: neutralised in every file Northstar writes for people.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return as a formula (CSV injection: `=HYPERLINK(...)` or `=cmd|...` in a loaded
account name). Following the OWASP rule, such a text cell is written with a leading `'`, which
spreadsheets show as text. Numbers stay numbers: only text is touched, so -5 in a numeric
column is still -5.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: object) -> object:
    """A text value a spreadsheet would evaluate, prefixed with `'`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return QUOTE + value
    return value


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and column name neutralised; numeric columns unchanged."""
    safe = frame.copy()
    for column in safe.columns:
        if _is_text(safe[column]):
            safe[column] = safe[column].map(neutralise).astype(object)
    safe.columns = [neutralise(name) if isinstance(name, str) else name for name in safe.columns]
    return safe


def neutralise_sql(expression: str) -> str:
    """The same rule as SQL over a text expression (for files DuckDB writes, e.g. rejects)."""
    # a regular-expression class of the prefixes ('-' escaped; tab and CR as themselves)
    prefixes = "".join("\\-" if prefix == "-" else prefix for prefix in FORMULA_PREFIXES)
    return (f"case when regexp_matches({expression}, '^[{prefixes}]') "
            f"then '{QUOTE * 2}' || {expression} else {expression} end")
