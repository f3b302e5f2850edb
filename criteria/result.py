"""What the engine returns: a round's result with every number explained.

All scores are exact `Fraction`s so totals add up to the last digit and ranks never depend on
rounding. `RoundResult.to_json()` writes a stable layout: the same inputs give byte-identical
JSON, with numbers as decimal strings rounded to `DECIMAL_PLACES` for people and machines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "DECIMAL_PLACES",
    "BidResult",
    "BidStatus",
    "CriterionScore",
    "CriterionStatus",
    "Exclusion",
    "Flag",
    "GroupScore",
    "RoundResult",
    "TieBreak",
    "fmt",
]

DECIMAL_PLACES = 4

CriterionStatus = Literal[
    "scored",  # points awarded by the rule
    "gate_only",  # a pass/fail criterion that carries no points
    "awaiting_evaluation",  # evaluator-marked and the marks are not all in
    "not_applicable",  # hidden by show_if, so neither asked nor scored
    "unanswered",  # asked, not answered: scores 0 and says so
]

BidStatus = Literal["ranked", "excluded", "awaiting_evaluation"]


def fmt(value: Fraction, places: int = DECIMAL_PLACES) -> str:
    """An exact fraction as a decimal string rounded half-even to `places` decimal places."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(quantum, rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """How one criterion of one bid was scored: the explanation trail.

    `weight` is the criterion's effective share of the 100 available points (pillar weight x
    section share x criterion share); `contribution` = `normalised` x `weight`.

    `criteria.engine` builds these with positional arguments, so the field order matters.
    """

    criterion_id: str
    section_id: str
    pillar_id: str
    prompt: str
    answer: Any  # JSON-ready display value of the typed answer (None when not answered)
    rule: str  # the rule's registry name, e.g. "bands", "price:lowest_over_bid"
    raw: Fraction
    max: Fraction
    normalised: Fraction  # raw / max, or 0 when max is 0
    weight: Fraction
    contribution: Fraction
    reason: str  # one line a person can read: why these points
    status: CriterionStatus = "scored"
    gate_passed: bool | None = None  # None when the criterion has no gate
    marks: tuple[dict[str, Any], ...] = ()  # evaluator marks used, with justifications
    moderated: dict[str, Any] | None = None  # the moderated mark and rationale, if any


@dataclass(frozen=True, slots=True)
class GroupScore:
    """A section's or pillar's total: points earned out of the weight available."""

    id: str
    title: str
    weight: Fraction  # share of the 100 points this group carries
    score: Fraction  # points earned, 0..weight
    percent: Fraction  # score / weight x 100, or 0 when weight is 0


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a bid cannot win: a failed gate or a missed minimum threshold."""

    kind: Literal["gate", "threshold", "disregarded"]
    target: str  # criterion id for gates and disregarded prices; "criterion:x", "section:x",
    # "pillar:x" or "total" for thresholds
    reason: str


@dataclass(frozen=True, slots=True)
class Flag:
    """A warning that needs a person's decision; it never changes the score by itself.

    `decision` is None until a commissioner decides: "accept" keeps the bid in the ranking,
    "disregard" excludes it (the exclusion says why).
    """

    code: Literal["abnormally_low", "wage_floor_not_funded"]
    criterion_id: str
    reason: str
    decision: Literal["accept", "disregard"] | None = None
    decision_reason: str | None = None


@dataclass(frozen=True, slots=True)
class TieBreak:
    """How a group of equal totals was separated (or that it could not be)."""

    bid_ids: tuple[str, ...]  # the tied bids, in final order
    total: Fraction
    decided_by: str | None  # the tie-break key that separated them, None if still tied
    note: str


@dataclass(frozen=True, slots=True)
class BidResult:
    bid_id: str
    name: str
    status: BidStatus
    total: Fraction  # 0..100
    pillars: tuple[GroupScore, ...]
    sections: tuple[GroupScore, ...]
    criteria: tuple[CriterionScore, ...]
    exclusions: tuple[Exclusion, ...] = ()
    flags: tuple[Flag, ...] = ()
    rank: int | None = None  # 1-based among ranked bids; equal ranks for unbroken ties
    tied_with: tuple[str, ...] = ()  # other bids sharing this rank after all tie-breaks
    awaiting: tuple[str, ...] = ()  # criterion ids still waiting for evaluator marks

    def pillar_score(self, pillar_id: str) -> Fraction:
        return next(p.score for p in self.pillars if p.id == pillar_id)

    def criterion(self, criterion_id: str) -> CriterionScore:
        return next(c for c in self.criteria if c.criterion_id == criterion_id)


@dataclass(frozen=True, slots=True)
class RoundResult:
    framework_id: str
    framework_version: str
    framework_hash: str
    pillar_weights: dict[str, Fraction]
    price_formula: str | None
    bids: tuple[BidResult, ...]  # ranked bids by rank, then awaiting, then excluded; by id within
    tie_breaks: tuple[TieBreak, ...] = ()
    notes: tuple[str, ...] = field(default=())  # round-level remarks (e.g. no bid was rankable)

    @property
    def ranked(self) -> tuple[BidResult, ...]:
        return tuple(b for b in self.bids if b.status == "ranked")

    @property
    def winner(self) -> BidResult | None:
        """The single first-ranked bid, or None when nothing is ranked or first place is tied."""
        first = [b for b in self.ranked if b.rank == 1]
        return first[0] if len(first) == 1 else None

    def bid(self, bid_id: str) -> BidResult:
        return next(b for b in self.bids if b.bid_id == bid_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a stable layout; fractions become rounded decimal strings."""
        layout: dict[str, Any] = _jsonable(self)
        return layout

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Fraction):
        return fmt(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
