"""Checks on the range of number questions: `unit`, `min` and `max` fit the answer type, and
the range they leave (with the defaults of `criteria.bounds`) is not empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from criteria.answer_messages import limit_text
from criteria.bounds import DEFAULT_BOUNDS, UNIT_TYPES, bounds_of, default_bounds
from criteria.checks.registry import CheckProblem, Loc, a, check, criteria_with_paths, listing
from criteria.model import Criterion, Framework

__all__ = ["TYPE_LIMITS", "ranges_fit_type"]

TYPE_LIMITS: dict[str, tuple[Decimal, Decimal | None]] = {
    "money": (Decimal(0), None),
    "percentage": (Decimal(0), Decimal(100)),
}
"""What `min` and `max` may never go beyond, by type: no negative money, no percentage
outside 0 to 100."""


@check
def ranges_fit_type(framework: Framework) -> Iterator[CheckProblem]:
    """`unit`, `min` and `max` are for number questions, and leave a range that is not empty."""
    for where, criterion in criteria_with_paths(framework):
        if criterion.unit is not None and criterion.type not in UNIT_TYPES[criterion.unit]:
            allowed = listing(sorted(UNIT_TYPES[criterion.unit]))
            yield CheckProblem(
                (*where, "unit"),
                f"unit {criterion.unit} is for {allowed} questions, not {criterion.type}",
            )
        elif criterion.type not in DEFAULT_BOUNDS:
            for key in ("min", "max"):
                if getattr(criterion, key) is not None:
                    yield CheckProblem(
                        (*where, key),
                        f"{key} is for number questions (integer, decimal, money, percentage), "
                        f"not {criterion.type}",
                    )
        else:
            beyond = list(_beyond_type_limits(where, criterion))
            if beyond:
                yield from beyond
            else:  # an empty range is only worth reporting once each end is allowed
                yield from _empty_range(where, criterion)


def _shown(criterion: Criterion, value: Decimal) -> str:
    return limit_text(criterion.type, value)


def _beyond_type_limits(where: Loc, criterion: Criterion) -> Iterator[CheckProblem]:
    if criterion.type not in TYPE_LIMITS:
        return
    floor, ceiling = TYPE_LIMITS[criterion.type]
    allowed = (
        f"{_shown(criterion, floor)} or more"
        if ceiling is None
        else f"between {_shown(criterion, floor)} and {_shown(criterion, ceiling)}"
    )
    for key in ("min", "max"):
        value = getattr(criterion, key)
        if value is not None and (value < floor or (ceiling is not None and value > ceiling)):
            yield CheckProblem(
                (*where, key),
                f"{key} of {a(criterion.type)} question must be {allowed}, "
                f"found {_shown(criterion, value)}",
            )


def _empty_range(where: Loc, criterion: Criterion) -> Iterator[CheckProblem]:
    bounds, default = bounds_of(criterion), default_bounds(criterion)
    if bounds is None or default is None or bounds.low <= bounds.high:
        return
    source = f"unit {criterion.unit}" if criterion.unit else f"{a(criterion.type)} question"
    if criterion.min is not None and criterion.max is not None:
        yield CheckProblem(
            (*where, "max"),
            f"max {_shown(criterion, criterion.max)} is below min "
            f"{_shown(criterion, criterion.min)}",
        )
    elif criterion.min is not None:
        yield CheckProblem(
            (*where, "min"),
            f"min {_shown(criterion, criterion.min)} is above the default max of {source} "
            f"({_shown(criterion, default.high)}): write a max as well",
        )
    else:
        yield CheckProblem(
            (*where, "max"),
            f"max {_shown(criterion, bounds.high)} is below the default min of {source} "
            f"({_shown(criterion, default.low)}): write a min as well",
        )
