"""Scoring rules that need only the answer: a registry from rule name to one small function.

Each function takes (typed answer or None, criterion, the rule's settings, parameters) and
returns `Points`: raw points, the most available, a one-line reason a commissioner and a
provider can both read, and a status. An unanswered question scores 0 of the rule's maximum
and says so.

Rules that need more than the answer live beside this one, each in its own registry:
evaluator marks in `criteria.marking`, price formulas in `criteria.price`.
Adding a rule = one function here + one line in `RULES` + tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import takewhile
from typing import Any

from criteria.answers import choice_label, describe_answer, format_number, outward_code
from criteria.conditions import condition_holds, describe_condition
from criteria.model import (
    PARAM_REF,
    AnswerValue,
    BandsRule,
    ChoicePointsRule,
    Criterion,
    GateRule,
    LinearRule,
    PostcodeAreaRule,
    resolve_number,
)
from criteria.result import CriterionStatus, fmt

__all__ = ["RULES", "Points", "RuleFn", "format_points", "not_answered", "out_of"]


@dataclass(frozen=True, slots=True)
class Points:
    """What a rule gives one answer: raw points out of `max`, and why."""

    raw: Fraction
    max: Fraction
    reason: str
    status: CriterionStatus = "scored"


RuleFn = Callable[[AnswerValue | None, Criterion, Any, Mapping[str, Any]], Points]
"""(typed answer or None, criterion, rule settings, parameters) -> Points."""


def format_points(value: Fraction) -> str:
    """Points as a person reads them: 5, 2.5, 3.6667 (at most four decimal places)."""
    text = fmt(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def out_of(raw: Fraction, top: Fraction) -> str:
    """ "3 of 5"."""
    return f"{format_points(raw)} of {format_points(top)}"


def not_answered(top: Fraction) -> Points:
    """No answer: 0 points of what was available."""
    return Points(Fraction(0), top, "Not answered", "unanswered")


def _number(answer: AnswerValue, criterion: Criterion, rule_name: str) -> Decimal:
    if isinstance(answer, bool) or not isinstance(answer, int | Decimal):
        raise TypeError(
            f"criterion {criterion.id}: the {rule_name} rule needs a number answer, "
            f"but the question is of type {criterion.type}"
        )
    return Decimal(answer)


def _threshold(number: Decimal | str, params: Mapping[str, Any], criterion: Criterion) -> str:
    """ "£13.45", or "$real_living_wage = £13.45" when the figure is a parameter."""
    value = format_number(criterion.type, resolve_number(number, dict(params)))
    match = PARAM_REF.match(number) if isinstance(number, str) else None
    return f"${match.group(1)} = {value}" if match else value


# --- bands --------------------------------------------------------------------------------


def bands(
    answer: AnswerValue | None, criterion: Criterion, rule: BandsRule, params: Mapping[str, Any]
) -> Points:
    """The points of the highest band the answer reaches; below every band, 0."""
    top = max(Fraction(band.points) for band in rule.bands)
    if answer is None:
        return not_answered(top)
    number = _number(answer, criterion, rule.rule)
    shown = describe_answer(criterion, answer)
    ordered = sorted(
        rule.bands,
        key=lambda band: (resolve_number(band.at_least, dict(params)), band.points),
    )
    reached = [b for b in ordered if number >= resolve_number(b.at_least, dict(params))]
    if not reached:
        lowest = ordered[0]
        limit = _threshold(lowest.at_least, params, criterion)
        name = f"{lowest.label} ({limit})" if lowest.label else limit
        return Points(
            Fraction(0), top, f"{shown} is below the lowest band, {name}: 0 of {format_points(top)}"
        )
    band = reached[-1]
    raw = Fraction(band.points)
    limit = _threshold(band.at_least, params, criterion)
    name = f"{band.label} ({limit})" if band.label else limit
    return Points(raw, top, f"{shown} is at least {name}: {out_of(raw, top)}")


# --- linear -------------------------------------------------------------------------------


def linear(
    answer: AnswerValue | None, criterion: Criterion, rule: LinearRule, params: Mapping[str, Any]
) -> Points:
    """From 0 points at `from` to `max_points` at `to`, straight in between, clamped."""
    top = Fraction(rule.max_points)
    if answer is None:
        return not_answered(top)
    number = Fraction(_number(answer, criterion, rule.rule))
    start = Fraction(resolve_number(rule.from_, dict(params)))
    end = Fraction(resolve_number(rule.to, dict(params)))
    rising = end >= start
    if start == end:
        share = Fraction(1 if number >= end else 0)
    else:
        share = min(Fraction(1), max(Fraction(0), (number - start) / (end - start)))
    raw = top * share
    shown = describe_answer(criterion, answer)
    zero_end = _threshold(rule.from_, params, criterion)
    full_end = _threshold(rule.to, params, criterion)
    if share == 1:
        where = f"is at or {'above' if rising else 'below'} {full_end}, which earns full points"
    elif share == 0:
        where = f"is at or {'below' if rising else 'above'} {zero_end}, which earns no points"
    else:
        where = f"lies between {zero_end} (0 points) and {full_end} ({format_points(top)} points)"
    return Points(raw, top, f"{shown} {where}: {out_of(raw, top)}")


# --- choice points ------------------------------------------------------------------------


def _choice_keys(answer: AnswerValue) -> list[str]:
    if isinstance(answer, bool):
        return ["yes" if answer else "no"]
    if isinstance(answer, list):
        return list(answer)
    return [str(answer)]


def _choice_words(criterion: Criterion, key: str) -> str:
    if criterion.type == "yes_no":
        return key.capitalize()
    return choice_label(criterion, key)


def choice_points(
    answer: AnswerValue | None,
    criterion: Criterion,
    rule: ChoicePointsRule,
    params: Mapping[str, Any],
) -> Points:
    """Points for the chosen value; for multiple choice the chosen values' points added up."""
    values = {key: Fraction(points) for key, points in rule.points.items()}
    multiple = criterion.type == "multiple_choice"
    if rule.max_points is not None:
        top = Fraction(rule.max_points)
    elif multiple:
        top = sum((v for v in values.values() if v > 0), Fraction(0))
    else:
        top = max(values.values(), default=Fraction(0))
    if answer is None:
        return not_answered(top)
    keys = _choice_keys(answer)
    earned = sum((values.get(key, Fraction(0)) for key in keys), Fraction(0))
    raw = min(earned, top)
    if multiple:
        parts = [
            f"{_choice_words(criterion, k)} ({format_points(values.get(k, Fraction(0)))})"
            for k in keys
        ]
        words = " + ".join(parts)
    else:
        words = _choice_words(criterion, keys[0])
    capped = f", capped at {format_points(top)}" if earned > top else ""
    return Points(raw, top, f"{words}: {out_of(raw, top)}{capped}")


# --- postcode area ------------------------------------------------------------------------

_LISTED_AREAS = 8


def _areas(rule: PostcodeAreaRule, params: Mapping[str, Any]) -> tuple[list[str], str]:
    """The local areas in upper case, and how to name where they come from."""
    if isinstance(rule.areas, list):
        return [a.strip().upper() for a in rule.areas], "the local areas"
    name = rule.areas.removeprefix("$")
    if name not in params:
        raise KeyError(f"unknown parameter ${name}")
    value = params[name]
    listed = value if isinstance(value, list) else str(value).replace(",", " ").split()
    return [str(a).strip().upper() for a in listed], f"the local areas (${name})"


def _area_list(areas: list[str]) -> str:
    shown = ", ".join(areas[:_LISTED_AREAS])
    more = len(areas) - _LISTED_AREAS
    return f"{shown} and {more} more" if more > 0 else shown


def postcode_area(
    answer: AnswerValue | None,
    criterion: Criterion,
    rule: PostcodeAreaRule,
    params: Mapping[str, Any],
) -> Points:
    """Full points when the postcode's district, or its whole area, is listed as local."""
    top = Fraction(rule.points)
    if answer is None:
        return not_answered(top)
    areas, source = _areas(rule, params)
    district = outward_code(str(answer))
    letters = "".join(takewhile(str.isalpha, district))
    match = next((a for a in areas if a == district or (a.isalpha() and a == letters)), None)
    if match is None:
        reason = f"{answer} (district {district}) is outside {source}: {_area_list(areas)}"
        return Points(Fraction(0), top, f"{reason}: {out_of(Fraction(0), top)}")
    place = f"district {match}" if match == district else f"area {match}"
    return Points(top, top, f"{answer} is in {place}, one of {source}: {out_of(top, top)}")


# --- gate ---------------------------------------------------------------------------------


def gate(
    answer: AnswerValue | None, criterion: Criterion, rule: GateRule, params: Mapping[str, Any]
) -> Points:
    """Pass/fail only: no points. The engine excludes a bid whose gate fails."""
    passed = condition_holds(rule.gate, answer, params)
    words = describe_condition(rule.gate, params, criterion)
    outcome = "Passes" if passed else "Fails"
    shown = describe_answer(criterion, answer)
    return Points(Fraction(0), Fraction(0), f"{outcome}: {shown} ({words})", "gate_only")


RULES: dict[str, RuleFn] = {
    "bands": bands,
    "linear": linear,
    "choice_points": choice_points,
    "postcode_area": postcode_area,
    "gate": gate,
}
"""Answer-only rules by name. `evaluator_scale` and `price` are scored by the engine through
`criteria.marking.MARKED_RULES` and `criteria.price.PRICE_FORMULAS`."""
