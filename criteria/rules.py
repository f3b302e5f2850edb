"""Scoring rules that need only the answer: a registry from rule name to one small scorer.

A rule is made ready once for a criterion in a round (`RULE_SCORERS[name](criterion, settings,
parameters)`), which works out what does not change from bid to bid: the bands in order,
their thresholds in words, each choice's points. The scorer then takes one typed answer (or
None) and returns `Points`: raw points, the most available, a one-line reason a commissioner
and a provider can both read, and a status. An unanswered question scores 0 of the rule's
maximum and says so. `RULES` scores a single answer in one call.

Parameters are looked up on the first answered bid, not before, so an unanswered question
never fails on a parameter it would not have used.

Rules that need more than the answer live beside this one, each in its own registry:
evaluator marks in `criteria.marking`, price formulas in `criteria.price`.
Adding a rule = one scorer class here + one line in `RULE_SCORERS` + tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
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

__all__ = [
    "RULES",
    "RULE_SCORERS",
    "AnswerScorer",
    "Points",
    "RuleFn",
    "ScorerFactory",
    "format_points",
    "not_answered",
    "out_of",
]

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Points:
    """What a rule gives one answer: raw points out of `max`, and why."""

    raw: Fraction
    max: Fraction
    reason: str
    status: CriterionStatus = "scored"


AnswerScorer = Callable[[AnswerValue | None], Points]
"""A rule made ready for one criterion: (typed answer or None) -> Points."""

ScorerFactory = Callable[[Criterion, Any, Mapping[str, Any]], AnswerScorer]
"""(criterion, rule settings, parameters) -> the criterion's scorer."""

RuleFn = Callable[[AnswerValue | None, Criterion, Any, Mapping[str, Any]], Points]
"""(typed answer or None, criterion, rule settings, parameters) -> Points."""


def format_points(value: Fraction) -> str:
    """Points as a person reads them: 5, 2.5, 3.6667 (at most four decimal places)."""
    if value.denominator == 1:  # whole points need no rounding
        return str(value.numerator)
    text = fmt(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def out_of(raw: Fraction, top: Fraction) -> str:
    """ "3 of 5"."""
    return f"{format_points(raw)} of {format_points(top)}"


def not_answered(top: Fraction) -> Points:
    """No answer: 0 points of what was available."""
    return Points(_ZERO, top, "Not answered", "unanswered")


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


class _Bands:
    """The points of the highest band the answer reaches; below every band, 0."""

    def __init__(self, criterion: Criterion, rule: BandsRule, params: Mapping[str, Any]) -> None:
        self.criterion, self.rule, self.params = criterion, rule, params
        self.top = max(Fraction(band.points) for band in rule.bands)
        self.unanswered = not_answered(self.top)

    @cached_property
    def ladder(self) -> tuple[list[tuple[Decimal, Fraction, str]], str]:
        """(threshold, points, reason after the answer) from the lowest band up, and the
        reason after an answer below every band."""
        params = dict(self.params)
        ordered = sorted(
            self.rule.bands, key=lambda band: (resolve_number(band.at_least, params), band.points)
        )
        steps = []
        for band in ordered:
            raw = Fraction(band.points)
            limit = _threshold(band.at_least, self.params, self.criterion)
            name = f"{band.label} ({limit})" if band.label else limit
            words = f" is at least {name}: {out_of(raw, self.top)}"
            steps.append((resolve_number(band.at_least, params), raw, words))
        lowest = ordered[0]
        limit = _threshold(lowest.at_least, self.params, self.criterion)
        name = f"{lowest.label} ({limit})" if lowest.label else limit
        return steps, f" is below the lowest band, {name}: 0 of {format_points(self.top)}"

    def __call__(self, answer: AnswerValue | None) -> Points:
        if answer is None:
            return self.unanswered
        number = _number(answer, self.criterion, self.rule.rule)
        shown = describe_answer(self.criterion, answer)
        steps, below = self.ladder
        for threshold, raw, words in reversed(steps):
            if number >= threshold:
                return Points(raw, self.top, shown + words)
        return Points(_ZERO, self.top, shown + below)


# --- linear -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    start: Decimal
    end: Decimal
    start_ratio: tuple[int, int]  # `start` as (numerator, denominator)
    span_ratio: tuple[int, int]  # `end - start` as (numerator, denominator)
    full: str  # the reason after the answer, at full points
    none: str  # ... at no points
    between: str  # ... in between, up to the points
    of_top: str  # " of 10"


class _Linear:
    """From 0 points at `from` to `max_points` at `to`, straight in between, clamped."""

    def __init__(self, criterion: Criterion, rule: LinearRule, params: Mapping[str, Any]) -> None:
        self.criterion, self.rule, self.params = criterion, rule, params
        self.top = Fraction(rule.max_points)
        self.unanswered = not_answered(self.top)

    @cached_property
    def line(self) -> _Line:
        params, top = self.params, self.top
        start = resolve_number(self.rule.from_, dict(params))
        end = resolve_number(self.rule.to, dict(params))
        rising = end >= start
        zero_end = _threshold(self.rule.from_, params, self.criterion)
        full_end = _threshold(self.rule.to, params, self.criterion)
        full = f"is at or {'above' if rising else 'below'} {full_end}, which earns full points"
        none = f"is at or {'below' if rising else 'above'} {zero_end}, which earns no points"
        between = f"lies between {zero_end} (0 points) and {full_end} ({format_points(top)} points)"
        span = Fraction(end) - Fraction(start)
        return _Line(
            start=start,
            end=end,
            start_ratio=start.as_integer_ratio(),
            span_ratio=(span.numerator, span.denominator),
            full=f" {full}: {out_of(top, top)}",
            none=f" {none}: {out_of(_ZERO, top)}",
            between=f" {between}: ",
            of_top=f" of {format_points(top)}",
        )

    def __call__(self, answer: AnswerValue | None) -> Points:
        if answer is None:
            return self.unanswered
        number = _number(answer, self.criterion, self.rule.rule)
        line, top = self.line, self.top
        shown = describe_answer(self.criterion, answer)
        # The share of the points is clamped to 0..1, so the ends are decided on the exact
        # decimals; when `from` equals `to` the answer earns all or nothing.
        if line.start == line.end:
            full, none = number >= line.end, number < line.end
        elif line.start < line.end:
            full, none = number >= line.end, number <= line.start
        else:
            full, none = number <= line.end, number >= line.start
        if full:
            return Points(top, top, shown + line.full)
        if none:
            return Points(_ZERO, top, shown + line.none)
        # top x (number - start) / (end - start), in whole numbers reduced once
        p, q = number.as_integer_ratio()
        start_n, start_d = line.start_ratio
        span_n, span_d = line.span_ratio
        top_n, top_d = top.numerator, top.denominator
        raw = Fraction(top_n * (p * start_d - start_n * q) * span_d, top_d * q * start_d * span_n)
        return Points(raw, top, f"{shown}{line.between}{format_points(raw)}{line.of_top}")


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


class _ChoicePoints:
    """Points for the chosen value; for multiple choice the chosen values' points added up."""

    def __init__(
        self, criterion: Criterion, rule: ChoicePointsRule, params: Mapping[str, Any]
    ) -> None:
        self.criterion = criterion
        self.values = {key: Fraction(points) for key, points in rule.points.items()}
        self.multiple = criterion.type == "multiple_choice"
        if rule.max_points is not None:
            self.top = Fraction(rule.max_points)
        elif self.multiple:
            self.top = sum((v for v in self.values.values() if v > 0), _ZERO)
        else:
            self.top = max(self.values.values(), default=_ZERO)
        self.unanswered = not_answered(self.top)
        self.chosen: dict[tuple[str, ...], Points] = {}  # the same choices score the same

    def __call__(self, answer: AnswerValue | None) -> Points:
        if answer is None:
            return self.unanswered
        keys = tuple(_choice_keys(answer))
        points = self.chosen.get(keys)
        if points is None:
            points = self.chosen[keys] = self._points(keys)
        return points

    def _points(self, keys: tuple[str, ...]) -> Points:
        values, top, criterion = self.values, self.top, self.criterion
        earned = sum((values.get(key, _ZERO) for key in keys), _ZERO)
        raw = min(earned, top)
        if self.multiple:
            parts = [
                f"{_choice_words(criterion, k)} ({format_points(values.get(k, _ZERO))})"
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


class _PostcodeArea:
    """Full points when the postcode's district, or its whole area, is listed as local."""

    def __init__(
        self, criterion: Criterion, rule: PostcodeAreaRule, params: Mapping[str, Any]
    ) -> None:
        self.rule, self.params = rule, params
        self.top = Fraction(rule.points)
        self.unanswered = not_answered(self.top)

    @cached_property
    def areas(self) -> tuple[list[str], str]:
        return _areas(self.rule, self.params)

    def __call__(self, answer: AnswerValue | None) -> Points:
        top = self.top
        if answer is None:
            return self.unanswered
        areas, source = self.areas
        district = outward_code(str(answer))
        letters = "".join(takewhile(str.isalpha, district))
        match = next((a for a in areas if a == district or (a.isalpha() and a == letters)), None)
        if match is None:
            reason = f"{answer} (district {district}) is outside {source}: {_area_list(areas)}"
            return Points(_ZERO, top, f"{reason}: {out_of(_ZERO, top)}")
        place = f"district {match}" if match == district else f"area {match}"
        return Points(top, top, f"{answer} is in {place}, one of {source}: {out_of(top, top)}")


# --- gate ---------------------------------------------------------------------------------


class _Gate:
    """Pass/fail only: no points. The engine excludes a bid whose gate fails."""

    def __init__(self, criterion: Criterion, rule: GateRule, params: Mapping[str, Any]) -> None:
        self.criterion, self.rule, self.params = criterion, rule, params

    @cached_property
    def words(self) -> str:
        return describe_condition(self.rule.gate, self.params, self.criterion)

    def __call__(self, answer: AnswerValue | None) -> Points:
        passed = condition_holds(self.rule.gate, answer, self.params)
        outcome = "Passes" if passed else "Fails"
        shown = describe_answer(self.criterion, answer)
        return Points(_ZERO, _ZERO, f"{outcome}: {shown} ({self.words})", "gate_only")


RULE_SCORERS: dict[str, ScorerFactory] = {
    "bands": _Bands,
    "linear": _Linear,
    "choice_points": _ChoicePoints,
    "postcode_area": _PostcodeArea,
    "gate": _Gate,
}
"""Answer-only rules by name, each made ready for one criterion in a round. `evaluator_scale`
and `price` are scored by the engine through `criteria.marking.MARKED_SCORERS` and
`criteria.price.PRICE_FORMULAS`."""


def _scored_once(factory: ScorerFactory) -> RuleFn:
    def rule(
        answer: AnswerValue | None, criterion: Criterion, settings: Any, params: Mapping[str, Any]
    ) -> Points:
        return factory(criterion, settings, params)(answer)

    rule.__doc__ = factory.__doc__
    return rule


RULES: dict[str, RuleFn] = {name: _scored_once(factory) for name, factory in RULE_SCORERS.items()}
"""The same rules scoring one answer at a time: (answer, criterion, settings, parameters)."""
