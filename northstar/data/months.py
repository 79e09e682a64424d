"""Calendar months: Northstar's periods are whole months, written as their first day."""

from __future__ import annotations

import datetime as dt


def add_months(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `month`'s month."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(month: dt.date) -> dt.date:
    """The last day of a month."""
    return add_months(month.replace(day=1), 1) - dt.timedelta(days=1)


def month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def range_label(start: dt.date, end: dt.date) -> str:
    return month_label(end) if start == end else f"{month_label(start)} – {month_label(end)}"
