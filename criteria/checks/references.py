"""Checks on names one part of a framework uses for another: `$parameters`, scales and the
choice values that `choice_points` gives points to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from criteria.checks.registry import (
    CHOICE_TYPES,
    CheckProblem,
    Loc,
    check,
    criteria_with_paths,
    listing,
    suggest,
)
from criteria.model import (
    PARAM_REF,
    BandsRule,
    ChoicePointsRule,
    Condition,
    Criterion,
    FixedPrice,
    FixedRange,
    Framework,
    LinearRule,
    PostcodeAreaRule,
)

__all__ = [
    "RULE_REFERENCES",
    "Reference",
    "parameter_references",
    "parameters_exist",
    "scales_and_choice_points",
]

Reference = tuple[Loc, Decimal | str, str]
"""A place that may name a `$parameter`: (path, value written there, 'number' or 'list')."""


def _condition_references(path: Loc, condition: Condition | None) -> Iterator[Reference]:
    if condition is None:
        return
    for key in ("at_least", "at_most"):
        value = getattr(condition, key)
        if value is not None:
            yield (*path, key), value, "number"


def _bands_references(rule: BandsRule) -> Iterator[Reference]:
    for k, band in enumerate(rule.bands):
        yield ("bands", k, "at_least"), band.at_least, "number"


def _linear_references(rule: LinearRule) -> Iterator[Reference]:
    yield ("from",), rule.from_, "number"
    yield ("to",), rule.to, "number"


def _postcode_references(rule: PostcodeAreaRule) -> Iterator[Reference]:
    if isinstance(rule.areas, str):
        yield ("areas",), rule.areas, "list"


RULE_REFERENCES: dict[str, Callable[[Any], Iterator[Reference]]] = {
    "bands": _bands_references,
    "linear": _linear_references,
    "postcode_area": _postcode_references,
}
"""Where each rule may name a `$parameter`, beside its common `gate` condition."""


def _award_references(framework: Framework) -> Iterator[Reference]:
    award = framework.award
    formula = award.price.formula if award.price else None
    if isinstance(formula, FixedRange):
        yield ("award", "price", "formula", "best"), formula.best, "number"
        yield ("award", "price", "formula", "worst"), formula.worst, "number"
    if isinstance(formula, FixedPrice):
        yield ("award", "price", "formula", "price"), formula.price, "number"
    if award.abnormally_low:
        yield ("award", "abnormally_low", "below"), award.abnormally_low.below, "number"
    if award.wage_floor:
        yield ("award", "wage_floor", "factor"), award.wage_floor.factor, "number"


def parameter_references(framework: Framework) -> Iterator[Reference]:
    """Every place a `$parameter` may stand, with the value written there and the kind needed."""
    for where, criterion in criteria_with_paths(framework):
        yield from _condition_references((*where, "show_if"), criterion.show_if)
        rule = criterion.scoring
        if rule is None:
            continue
        yield from _condition_references((*where, "scoring", "gate"), rule.gate)
        references = RULE_REFERENCES.get(rule.rule)
        for path, value, kind in references(rule) if references else ():
            yield (*where, "scoring", *path), value, kind
    yield from _award_references(framework)


@check
def parameters_exist(framework: Framework) -> Iterator[CheckProblem]:
    """Every `$name` names a parameter that holds the right kind of value."""
    known = framework.parameters
    for path, value, kind in parameter_references(framework):
        match = PARAM_REF.match(value) if isinstance(value, str) else None
        if match is None:
            continue
        name = match.group(1)
        if name not in known:
            yield CheckProblem(
                path,
                f"unknown parameter ${name} (parameters: {listing('$' + p for p in known)})"
                + suggest(f"${name}", [f"${p}" for p in known]),
            )
            continue
        held = known[name].value
        fits = isinstance(held, Decimal) if kind == "number" else isinstance(held, list)
        if not fits:
            yield CheckProblem(path, f"parameter ${name} must hold a {kind} here, not {held!r}")


@check
def scales_and_choice_points(framework: Framework) -> Iterator[CheckProblem]:
    """Scales named by rules exist and have distinct points; choice points name real choices
    and, with a scale, lie on it."""
    scales = framework.scales
    for name, scale in scales.items():
        seen: set[int] = set()
        for k, point in enumerate(scale.points):
            if point.points in seen:
                yield CheckProblem(
                    ("scales", name, "points", k, "points"),
                    f"scale '{name}' has {point.points} points twice",
                )
            seen.add(point.points)
    for where, criterion in criteria_with_paths(framework):
        rule = criterion.scoring
        scale_name = getattr(rule, "scale", None)
        if scale_name is not None and scale_name not in scales:
            yield CheckProblem(
                (*where, "scoring", "scale"),
                f"unknown scale '{scale_name}' (scales: {listing(scales)})"
                + suggest(scale_name, scales),
            )
        if isinstance(rule, ChoicePointsRule):
            yield from _choice_points_fit((*where, "scoring"), rule, criterion, framework)


def _choice_points_fit(
    path: Loc, rule: ChoicePointsRule, criterion: Criterion, framework: Framework
) -> Iterator[CheckProblem]:
    valid = ("yes", "no") if criterion.type == "yes_no" else criterion.choice_values
    # When the rule does not fit the answer type at all, rules_fit_answers says so once.
    fits = criterion.type == "yes_no" or criterion.type in CHOICE_TYPES
    scale = framework.scales.get(rule.scale) if rule.scale else None
    on_scale = [p.points for p in scale.points] if scale else []
    for value, points in rule.points.items():
        if fits and value not in valid:
            yield CheckProblem(
                (*path, "points", value),
                f"'{value}' is not a choice of '{criterion.id}' (choices: {listing(valid)})"
                + suggest(value, valid),
            )
        if scale is not None and points not in on_scale:
            yield CheckProblem(
                (*path, "points", value),
                f"{points} points for '{value}' is not on scale '{rule.scale}' "
                f"(points: {listing(on_scale)})",
            )
