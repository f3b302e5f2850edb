"""The check registry, the problem record and the small helpers every check shares."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from criteria.model import PARAM_REF, Criterion, Framework

__all__ = [
    "CHECKS",
    "CHOICE_TYPES",
    "NUMERIC_TYPES",
    "PRICE_TYPES",
    "Check",
    "CheckProblem",
    "Loc",
    "a",
    "check",
    "criteria_with_paths",
    "listing",
    "plain_number",
    "suggest",
]

Loc = tuple[str | int, ...]
"""A field path such as `("sections", 2, "criteria", 4, "weight")`, keys as written in YAML."""

NUMERIC_TYPES = frozenset({"integer", "decimal", "money", "percentage"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
PRICE_TYPES = frozenset({"money", "decimal"})


@dataclass(frozen=True)
class CheckProblem:
    """One broken rule: where (a field path) and what, in words for the person editing."""

    path: Loc
    message: str
    related: Loc | None = None
    """Another place the message refers to, such as where a duplicate id was first used."""


Check = Callable[[Framework], Iterator[CheckProblem]]
CHECKS: list[Check] = []


def check(function: Check) -> Check:
    """Register a check; checks run in the order they are registered."""
    CHECKS.append(function)
    return function


def criteria_with_paths(framework: Framework) -> Iterator[tuple[Loc, Criterion]]:
    """Every criterion with its path, in framework order."""
    for i, section in enumerate(framework.sections):
        for j, criterion in enumerate(section.criteria):
            yield ("sections", i, "criteria", j), criterion


def a(word: str) -> str:
    """The word with its indefinite article: 'an integer', 'a money'."""
    return f"an {word}" if word[:1] in set("aeiou") else f"a {word}"


def listing(values: Iterable[object]) -> str:
    """Values as a comma-separated list for a message ('none' when there are none)."""
    names = [str(v) for v in values]
    return ", ".join(names) if names else "none"


def suggest(name: str, known: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest known name, or nothing."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def plain_number(value: Decimal | str, framework: Framework) -> Decimal | None:
    """The number itself, or the number a `$parameter` holds; None when it cannot be known."""
    if isinstance(value, Decimal):
        return value
    match = PARAM_REF.match(value)
    parameter = framework.parameters.get(match.group(1)) if match else None
    held = parameter.value if parameter else None
    return held if isinstance(held, Decimal) else None
