"""How the command-line tools say what went wrong: one line, never a traceback."""

from __future__ import annotations

MESSAGE_CHARS = 500


def first_line(error: BaseException) -> str:
    """The first line of an error's message (its type when it has none), at most 500 chars."""
    text = str(error).strip().strip("'\"") or type(error).__name__
    return text.split("\n", 1)[0][:MESSAGE_CHARS]
