"""The ethical-framework model: what a commissioner configures, as frozen pydantic objects.

A framework is data. It names its parameters (wage floors, local postcode districts, the
minimum sustainable rate), its marking scales, its sections of criteria grouped into pillars,
one scoring rule per criterion, and the award rules that turn criterion scores into a ranking.
Nothing here scores anything: `criteria.rules` and `criteria.engine` do that.

Numbers are `Decimal`, never binary floats, so that a rate written as 13.45 in YAML is exactly
13.45. Wherever a rule takes a number it may instead name a parameter as `$name`, so a yearly
rate change is a one-line data change.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "AMOUNT_LIMIT",
    "AMOUNT_PLACES",
    "ANSWER_TYPES",
    "RELATIVE_PRICE_FORMULAS",
    "UNITS",
    "AbnormallyLowPolicy",
    "AnswerType",
    "AnswerValue",
    "Award",
    "Band",
    "BandsRule",
    "Choice",
    "ChoicePointsRule",
    "Condition",
    "Criterion",
    "EvaluatorScaleRule",
    "Evidence",
    "FixedPrice",
    "FixedRange",
    "Framework",
    "GateRule",
    "LinearDeduction",
    "LinearRule",
    "LowestOverBid",
    "Number",
    "Parameter",
    "Pillar",
    "PostcodeAreaRule",
    "PriceAward",
    "PriceFormula",
    "PricePerQualityPoint",
    "PriceRule",
    "Rule",
    "Scale",
    "ScalePoint",
    "Section",
    "ShowIf",
    "Threshold",
    "Unit",
    "WageFloorCheck",
    "resolve_number",
]

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
PARAM_REF = re.compile(r"^\$([a-z][a-z0-9_]*)$")

Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER, max_length=64)]


def _exact_decimal(value: Any) -> Any:
    """Read YAML floats through their shortest repr so 13.45 stays exactly 13.45."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


AMOUNT_LIMIT = Decimal(10) ** 12
"""The largest size of any number in a framework or a round's settings: a trillion. Points,
weights, pay rates and turnover thresholds are all far smaller; a number beyond it (1E+309,
a 30-digit count) is a slip, and would overflow the exact arithmetic the results are written
with."""
AMOUNT_PLACES = 12
"""The most decimal places a framework number may have."""
AMOUNT_RANGE_ERROR = "number_out_of_range"
AMOUNT_RANGE_WORDS = (
    "a number from -1,000,000,000,000 to 1,000,000,000,000 with at most 12 decimal places"
)


def _sane_decimal(value: Decimal) -> Decimal:
    """Refuse a number too large, or with too many decimal places, to be a real figure."""
    if (
        not value.is_finite()
        or abs(value) > AMOUNT_LIMIT
        or value != value.quantize(Decimal(1).scaleb(-AMOUNT_PLACES))
    ):
        raise PydanticCustomError(AMOUNT_RANGE_ERROR, AMOUNT_RANGE_WORDS)
    return value


Amount = Annotated[Decimal, BeforeValidator(_exact_decimal), AfterValidator(_sane_decimal)]
"""An exact decimal number read from YAML or JSON, finite and at most `AMOUNT_LIMIT` in size."""

ParamRef = Annotated[str, StringConstraints(pattern=PARAM_REF.pattern)]
"""A reference to a framework parameter, written `$name`."""

Number = Amount | ParamRef
"""A number, or a `$parameter` that holds one."""

AnswerType = Literal[
    "yes_no",
    "integer",
    "decimal",
    "money",
    "percentage",
    "single_choice",
    "multiple_choice",
    "narrative",
    "text",
    "postcode",
    "date",
    "evidence",
]
ANSWER_TYPES: tuple[str, ...] = AnswerType.__args__  # type: ignore[attr-defined]

Unit = Literal["per_hour", "per_week", "per_mile", "per_year"]
"""What a money answer is counted in: an hourly rate, a weekly fee, a mileage rate, a yearly
sum. It sets the default range of the answer (`criteria.bounds`)."""
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]

AnswerValue = bool | int | Decimal | str | list[str] | dt.date
"""A typed answer, after `criteria.answers.parse_answer`."""

ChoiceValue = bool | Amount | str


class Strict(BaseModel):
    """Base for every framework object: unknown keys are errors and objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- parameters and scales ------------------------------------------------------------


class Parameter(Strict):
    """A named value referenced from rules as `$name` (a wage floor, a list of districts)."""

    value: Amount | str | list[str] | bool
    description: str
    label: str | None = None
    """A short name as it reads after "the" ("National Living Wage"), used wherever a reason
    or a rule mentions the parameter; without it, the name with spaces for underscores."""
    unit: str | None = None
    source: str | None = None


class ScalePoint(Strict):
    points: int = Field(ge=0, le=1000)
    label: str
    descriptor: str


class Scale(Strict):
    """A published marking scale such as 0-5 with a label and descriptor for each point."""

    title: str
    points: list[ScalePoint] = Field(min_length=2)

    @property
    def minimum(self) -> int:
        return min(p.points for p in self.points)

    @property
    def maximum(self) -> int:
        return max(p.points for p in self.points)

    def point(self, points: int) -> ScalePoint | None:
        return next((p for p in self.points if p.points == points), None)


# --- conditions ---------------------------------------------------------------------


class Condition(Strict):
    """A test of one answer. Every test that is set must hold.

    `equals` and `in`/`not_in` compare choice values (or `true`/`false` for yes/no);
    `at_least`/`at_most` compare numbers; `answered` checks presence.
    """

    equals: ChoiceValue | None = None
    in_: list[ChoiceValue] | None = Field(default=None, alias="in")
    not_in: list[ChoiceValue] | None = None
    at_least: Number | None = None
    at_most: Number | None = None
    answered: bool | None = None
    message: str | None = None
    """For gates: the reason a bid fails, written for the commissioner and the provider."""


class ShowIf(Condition):
    """Show a follow-up question only when another criterion's answer meets the condition."""

    criterion: Identifier


# --- scoring rules ------------------------------------------------------------------


class RuleBase(Strict):
    gate: Condition | None = None
    """Optional pass/fail test on the same answer; a failed gate excludes the bid."""


class GateRule(RuleBase):
    """Pass/fail only: no points, but failing excludes the bid."""

    rule: Literal["gate"]
    gate: Condition


class Band(Strict):
    at_least: Number
    points: Amount = Field(ge=0)
    label: str | None = None


class BandsRule(RuleBase):
    """Points from the highest band whose `at_least` the answer reaches; below all bands: 0."""

    rule: Literal["bands"]
    bands: list[Band] = Field(min_length=1)


class LinearRule(RuleBase):
    """Points rise linearly from 0 at `from` to `max_points` at `to` (clamped at both ends).

    `from` may exceed `to` when less is better (for example profit extraction).
    """

    rule: Literal["linear"]
    from_: Number = Field(alias="from")
    to: Number
    max_points: Amount = Field(gt=0)


class ChoicePointsRule(RuleBase):
    """Points per choice value (`yes`/`no` for yes/no questions).

    For multiple choice the points of the chosen values are added, capped at `max_points`.
    With `scale`, every value must lie on that scale.
    """

    rule: Literal["choice_points"]
    points: dict[str, Annotated[Amount, Field(ge=0)]]
    max_points: Amount | None = Field(default=None, gt=0)
    scale: Identifier | None = None


class EvaluatorScaleRule(RuleBase):
    """Marked by evaluators on a published scale; moderated marks win over individual ones."""

    rule: Literal["evaluator_scale"]
    scale: Identifier


class PostcodeAreaRule(RuleBase):
    """Full points when a UK postcode lies in one of the local areas, else 0.

    `areas` lists postcode districts (`WN1`) or whole areas (`WN`), usually as a `$parameter`
    so each round can set its own local area.
    """

    rule: Literal["postcode_area"]
    areas: ParamRef | list[str]
    points: Amount = Field(gt=0)


class PriceRule(RuleBase):
    """Scored by the award's price formula, relative to the other bids where the formula is."""

    rule: Literal["price"]


Rule = Annotated[
    GateRule
    | BandsRule
    | LinearRule
    | ChoicePointsRule
    | EvaluatorScaleRule
    | PostcodeAreaRule
    | PriceRule,
    Field(discriminator="rule"),
]


# --- criteria and sections ----------------------------------------------------------


class Choice(Strict):
    value: Identifier
    label: str
    hint: str | None = None


class Evidence(Strict):
    """A document the provider is asked to attach to support the answer."""

    description: str
    required: bool = False


class Criterion(Strict):
    """One question: what is asked, how the answer is validated, and how it is scored."""

    id: Identifier
    prompt: str
    title: str | None = None
    """A short name for headings and tables ("Lowest hourly pay"); without it, the prompt."""
    hint: str | None = None
    type: AnswerType
    choices: list[Choice] | None = None
    required: bool = True
    error_name: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    """How error messages name the question, as a phrase that reads after "Enter" ("the
    lowest hourly pay"); without it they quote the prompt."""
    unit: Unit | None = None
    min: Amount | None = None
    max: Amount | None = None
    """`min` and `max` override the default range of the answer's unit or type."""
    max_words: int | None = Field(default=None, gt=0, le=100_000)
    show_if: ShowIf | None = None
    profile: bool = False
    """An organisation-profile fact: answered once and prefilled in every bid."""
    weight: Amount = Field(default=Decimal(0), ge=0)
    """Share of the section's weight; the weights of a section's criteria sum to 100."""
    scoring: Rule | None = None
    evidence: Evidence | None = None
    improve: str | None = None
    """Advice shown to providers: what earns more points here."""

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices or ())


class Section(Strict):
    id: Identifier
    title: str
    pillar: Identifier
    weight: Amount = Field(ge=0)
    """Share of the pillar's weight; the weights of a pillar's sections sum to 100."""
    description: str | None = None
    criteria: list[Criterion] = Field(min_length=1)


# --- award rules --------------------------------------------------------------------


class Pillar(Strict):
    """A top-level weight such as quality 40, with the bounds a round may move it within."""

    id: Identifier
    title: str
    weight: Amount = Field(ge=0, le=100)
    min_weight: Amount = Field(default=Decimal(0), ge=0, le=100)
    max_weight: Amount = Field(default=Decimal(100), ge=0, le=100)
    description: str | None = None


class LowestOverBid(Strict):
    """Score = lowest price / this price x max. Relative: can reverse ranks."""

    name: Literal["lowest_over_bid"]


class LinearDeduction(Strict):
    """Lowest price scores max; each 1% above it loses `percent_per_percent`% of max."""

    name: Literal["linear_deduction"]
    percent_per_percent: Amount = Field(default=Decimal(1), gt=0)


class FixedRange(Strict):
    """Absolute: `best` or lower scores max, `worst` or higher scores 0, linear between."""

    name: Literal["fixed_range"]
    best: Number
    worst: Number


class PricePerQualityPoint(Strict):
    """Quality points bought per pound; the best ratio scores max, others pro rata."""

    name: Literal["price_per_quality_point"]


class FixedPrice(Strict):
    """Price is fixed in advance; bids at or below it score max, above it fail the gate."""

    name: Literal["fixed_price"]
    price: Number


PriceFormula = Annotated[
    LowestOverBid | LinearDeduction | FixedRange | PricePerQualityPoint | FixedPrice,
    Field(discriminator="name"),
]

RELATIVE_PRICE_FORMULAS = frozenset(
    {"lowest_over_bid", "linear_deduction", "price_per_quality_point"}
)


class PriceAward(Strict):
    criterion: Identifier
    formula: PriceFormula


class Threshold(Strict):
    """A published minimum: missing it excludes the bid. Criterion thresholds use `min_points`,
    section, pillar and total thresholds use `min_percent` of what was available."""

    scope: Literal["criterion", "section", "pillar", "total"]
    id: Identifier | None = None
    min_points: Amount | None = None
    min_percent: Amount | None = Field(default=None, ge=0, le=100)


class AbnormallyLowPolicy(Strict):
    """Flag (never silently drop) a price below `below`, with the reason spelled out."""

    criterion: Identifier
    below: Number
    reason: str


class WageFloorCheck(Strict):
    """Flag a price that cannot fund the pay the bid promises: rate < pay x `factor`."""

    pay_criterion: Identifier
    price_criterion: Identifier
    factor: Number
    reason: str


TieBreakKey = Annotated[
    str,
    StringConstraints(pattern=r"^(pillar:[a-z][a-z0-9_]*|section:[a-z][a-z0-9_]*|lowest_price)$"),
]


class Award(Strict):
    pillars: list[Pillar] = Field(min_length=1)
    price: PriceAward | None = None
    minimum_thresholds: list[Threshold] = Field(default_factory=list)
    tie_break: list[TieBreakKey] = Field(default_factory=list)
    abnormally_low: AbnormallyLowPolicy | None = None
    wage_floor: WageFloorCheck | None = None


# --- the framework ------------------------------------------------------------------


class Framework(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
    version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    title: str
    description: str | None = None
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict)
    scales: dict[Identifier, Scale] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)
    award: Award

    @cached_property
    def criteria(self) -> dict[str, Criterion]:
        """Every criterion by id, in framework order."""
        return {c.id: c for s in self.sections for c in s.criteria}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        """The section each criterion belongs to, by criterion id."""
        return {c.id: s for s in self.sections for c in s.criteria}

    @cached_property
    def pillars(self) -> dict[str, Pillar]:
        return {p.id: p for p in self.award.pillars}

    def parameter_values(self) -> dict[str, Decimal | str | list[str] | bool]:
        return {name: p.value for name, p in self.parameters.items()}


def resolve_number(value: Decimal | str, parameters: dict[str, Any]) -> Decimal:
    """A number, or the value of the `$parameter` it names.

    Raises KeyError naming the parameter when it does not exist and TypeError when it does
    not hold a number; the loader checks both, so a loaded framework never raises here.
    """
    if isinstance(value, Decimal):
        return value
    match = PARAM_REF.match(value)
    if not match:
        raise TypeError(f"{value!r} is neither a number nor a $parameter reference")
    name = match.group(1)
    if name not in parameters:
        raise KeyError(f"unknown parameter ${name}")
    resolved = parameters[name]
    if isinstance(resolved, bool) or not isinstance(resolved, Decimal | int):
        raise TypeError(f"parameter ${name} does not hold a number")
    return Decimal(resolved)
