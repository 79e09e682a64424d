"""Yes/no values written as text: one list of spellings for URLs, mapping files and loaded data.

`?mask=1`, `?present=YES`, `?mask=off` and a loaded column holding "Y" / "no" / "false" all
read the same way; anything else is not a yes/no value (None).
"""

from __future__ import annotations

TRUE_SPELLINGS = ("true", "t", "yes", "y", "on", "1")
FALSE_SPELLINGS = ("false", "f", "no", "n", "off", "0")


def parse_flag(value: object) -> bool | None:
    """True or False for the usual spellings (any case, surrounding blanks ignored), else None."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in TRUE_SPELLINGS:
        return True
    if text in FALSE_SPELLINGS:
        return False
    return None
