"""The range a number answer must lie in, so that a slip of the keyboard is caught where it
is typed rather than scored.

A criterion's own `min` and `max` win. Where one is not written, the default for the
criterion's `unit` applies (an hourly rate is £1 to £200), or else the default for its answer
type (a percentage is 0 to 100, a count 0 to 1,000,000). Every number question therefore has
both ends, and `criteria.answers.parse_answer` refuses an answer outside them, so the web
forms, round files and the engine all agree on what can be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from criteria.model import Criterion

__all__ = [
    "DEFAULT_BOUNDS",
    "UNIT_BOUNDS",
    "UNIT_TYPES",
    "Bounds",
    "bounds_of",
    "default_bounds",
]


@dataclass(frozen=True)
class Bounds:
    """The smallest and largest answers accepted, both included."""

    low: Decimal
    high: Decimal

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Decimal | int) and self.low <= value <= self.high


DEFAULT_BOUNDS: dict[str, Bounds] = {
    "integer": Bounds(Decimal(0), Decimal(1_000_000)),
    "decimal": Bounds(Decimal(0), Decimal(1_000_000)),
    "money": Bounds(Decimal(0), Decimal(1_000_000)),
    "percentage": Bounds(Decimal(0), Decimal(100)),
}
"""The range of each number type when neither the criterion nor its unit sets one. Integers
and decimals are taken to be counts (staff, jobs, hours); money without a unit is a sum of up
to a million pounds."""

UNIT_BOUNDS: dict[str, Bounds] = {
    "per_hour": Bounds(Decimal(1), Decimal(200)),
    "per_week": Bounds(Decimal(1), Decimal(10_000)),
    "per_mile": Bounds(Decimal(0), Decimal(5)),
    "per_year": Bounds(Decimal(0), Decimal(1_000_000_000)),
}
"""The range of a money answer in each unit. An hourly rate of pay or price: £1 to £200 (the
National Living Wage is about £13 and a homecare price about £32). A weekly fee: £1 to £10,000
(supported living and residential care). A mileage rate: £0 to £5 (the HMRC rate is 45p). A
yearly sum such as turnover: £0 to £1 billion."""

UNIT_TYPES: dict[str, frozenset[str]] = dict.fromkeys(UNIT_BOUNDS, frozenset({"money"}))
"""The answer types each unit can measure."""


def default_bounds(criterion: Criterion) -> Bounds | None:
    """The range of the criterion's unit, else of its type; None for an answer that is not a
    number."""
    if criterion.unit is not None:
        return UNIT_BOUNDS[criterion.unit]
    return DEFAULT_BOUNDS.get(criterion.type)


def bounds_of(criterion: Criterion) -> Bounds | None:
    """The range the answer must lie in: the criterion's `min` and `max` where written, the
    default elsewhere; None for an answer that is not a number."""
    default = default_bounds(criterion)
    if default is None:
        return None
    low = criterion.min if criterion.min is not None else default.low
    high = criterion.max if criterion.max is not None else default.high
    return Bounds(low, high)
