"""How long a written answer may be, and what it may not contain, before it is checked.

A word limit alone lets a 100,000-character single "word" through, so every written answer also
has a character limit: `CHARACTERS_PER_WORD` times its word limit (500 words allow 7,500
characters, room for long words and punctuation), or `DEFAULT_MAX_CHARACTERS` for a written
answer without a word limit. Short text answers keep the domain's own limit
(`criteria.answers.SHORT_TEXT_MAX_CHARACTERS`).

Whatever else is typed is kept exactly as typed: quotes, `<`, `=` at the start, right-to-left
marks, zero-width and combining characters, emoji. The one exception is the NUL character,
which PostgreSQL cannot store in text or JSON: an answer holding one is refused with a message
saying so, and the copy kept of a refused save drops it (`storable`).
"""

from __future__ import annotations

from typing import Any

from criteria.model import Criterion

__all__ = [
    "CHARACTERS_PER_WORD",
    "DEFAULT_MAX_CHARACTERS",
    "NUL_MESSAGE",
    "character_limit",
    "storable",
    "text_problem",
]

CHARACTERS_PER_WORD = 15
DEFAULT_MAX_CHARACTERS = 20_000
NUL_MESSAGE = (
    "Your answer contains a hidden character that cannot be saved (a null character): "
    "type the answer again, or paste it as plain text"
)


def character_limit(criterion: Criterion) -> int | None:
    """The most characters a written answer may have; None for answers that are not prose."""
    if criterion.type != "narrative":
        return None
    if criterion.max_words is not None:
        return criterion.max_words * CHARACTERS_PER_WORD
    return DEFAULT_MAX_CHARACTERS


def text_problem(criterion: Criterion, raw: Any) -> str | None:
    """Why a posted answer cannot be used before it is even parsed, or None."""
    values = raw if isinstance(raw, list) else [raw]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        return NUL_MESSAGE
    limit = character_limit(criterion)
    if limit is not None and isinstance(raw, str):
        length = len(raw.strip())
        if length > limit:
            return (
                f"Your answer must be {limit:,} characters or fewer "
                f"(this answer has {length:,} characters)"
            )
    return None


def storable(text: str) -> str:
    """`text` as it can be kept in either database: without NUL characters."""
    return text.replace("\x00", "")
