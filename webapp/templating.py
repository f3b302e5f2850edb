"""Template filters every page shares: scores, percentages, answers and engine wording.

Registered on the app in `create_app`, so every blueprint's templates speak the same way.
`plain` is `criteria.wording.plain`, the one function that puts `$parameter` references into
words for the pages, the reports and the `commonweal` command alike.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import Flask

from criteria.model import Criterion, Framework
from criteria.result import fmt
from criteria.wording import criterion_title, plain


def score_text(value: Fraction | None) -> str:
    """A score to two decimal places, as `criteria.result.fmt` rounds it."""
    return "" if value is None else fmt(Fraction(value), 2)


def percent_text(probability: float) -> str:
    """A probability (0..1) as a percentage to one decimal place."""
    return f"{probability * 100:.1f}%"


def answer_text(answer: Any) -> str:
    """An engine's display value of an answer, in words."""
    if answer is None:
        return "Not answered"
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    if isinstance(answer, list | tuple):
        return ", ".join(str(item) for item in answer) or "None selected"
    return str(answer)


def plain_text(text: str | None, framework: Framework | None = None) -> str:
    """Engine wording (a reason, a flag, an exclusion) with parameters in words."""
    return "" if text is None else plain(str(text), framework)


def title_of(criterion: Criterion) -> str:
    return criterion_title(criterion)


FILTERS = {
    "score": score_text,
    "percent": percent_text,
    "answer_text": answer_text,
    "plain": plain_text,
    "criterion_title": title_of,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
