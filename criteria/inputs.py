"""What a round feeds the engine: bids with their answers, evaluators' marks, round settings.

These are plain, frozen records. Answers arrive as JSON-like values (from a form, a database
row or a round file); `criteria.answers.parse_answer` turns each into the criterion's type.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from criteria.model import Amount, Identifier, Strict

__all__ = [
    "Bid",
    "CriterionMarks",
    "Decisions",
    "Declaration",
    "FlagCode",
    "Mark",
    "ModeratedMark",
    "PanelMember",
    "PriceDecision",
    "Round",
    "RoundSettings",
]

BidId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Bid(Strict):
    """One provider's tender: answers keyed by criterion id (price is an answer too)."""

    id: BidId
    name: str
    answers: dict[str, Any] = Field(default_factory=dict)


class Mark(Strict):
    """One evaluator's independent mark for one criterion of one bid, with its justification."""

    evaluator: str
    points: int = Field(ge=0)
    justification: str = ""


class ModeratedMark(Strict):
    """The panel's agreed mark after moderation, with the recorded rationale."""

    points: int = Field(ge=0)
    rationale: str = ""


class CriterionMarks(Strict):
    marks: list[Mark] = Field(default_factory=list)
    moderated: ModeratedMark | None = None


Marks = dict[str, dict[str, CriterionMarks]]
"""Marks by bid id, then by criterion id."""

FlagCode = Literal["abnormally_low", "wage_floor_not_funded"]


class PriceDecision(Strict):
    """A commissioner's decision on a flagged price, after asking the provider to explain it.

    `accept`: the explanation satisfied the council; the bid is ranked as scored.
    `disregard`: the council disregards the tender (Procurement Act 2023 s.19); it is excluded.
    """

    decision: Literal["accept", "disregard"]
    reason: str = Field(min_length=1)


Decisions = dict[str, dict[FlagCode, PriceDecision]]
"""Price decisions by bid id, then by flag code."""


class Declaration(Strict):
    """An evaluator's declaration about one bidder, made before opening any bid.

    `conflict` true removes the evaluator from that bid; `details` says what the interest is.
    """

    bid: BidId
    conflict: bool
    details: str = ""


class PanelMember(Strict):
    """An evaluator on the round's panel, with a declaration for each bidder (none yet: empty)."""

    evaluator: str = Field(min_length=1)
    declarations: list[Declaration] = Field(default_factory=list)


class RoundSettings(Strict):
    """A round's own choices inside what the framework allows.

    `pillar_weights` must stay within each pillar's declared bounds and sum to 100;
    `parameters` override framework parameter values (for example local postcode districts).
    """

    pillar_weights: dict[Identifier, Amount] | None = None
    parameters: dict[Identifier, Amount | str | list[str] | bool] = Field(default_factory=dict)


class Round(Strict):
    """A round file: which framework, the round's settings, its bids and marks."""

    id: BidId
    title: str
    framework: str
    """A built-in framework id, or a path to a framework YAML file relative to the round file."""
    framework_version: str | None = None
    settings: RoundSettings = Field(default_factory=RoundSettings)
    bids: list[Bid] = Field(default_factory=list)
    marks: dict[str, dict[str, CriterionMarks]] = Field(default_factory=dict)
    decisions: dict[str, dict[FlagCode, PriceDecision]] = Field(default_factory=dict)
    panel: list[PanelMember] = Field(default_factory=list)
    """The evaluators and their conflict declarations: reported, never scored."""


def decimal_or_none(value: Any) -> Decimal | None:
    """A Decimal from a JSON-like number or numeric string, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        return None
