"""Checks on each question: choices fit the answer type, rules fit the answer, follow-ups
follow what they depend on, and conditions test values the answer can take.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from criteria.checks.registry import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    PRICE_TYPES,
    CheckProblem,
    Loc,
    a,
    check,
    criteria_with_paths,
    listing,
    plain_number,
    suggest,
)
from criteria.model import BandsRule, Condition, Criterion, Framework, LinearRule

__all__ = [
    "RULE_ANSWER_TYPES",
    "choices_fit_type",
    "condition_fits",
    "numeric_rules_are_ordered",
    "rules_fit_answers",
    "show_if_targets",
]

RULE_ANSWER_TYPES: dict[str, frozenset[str] | None] = {
    "gate": None,
    "bands": NUMERIC_TYPES,
    "linear": NUMERIC_TYPES,
    "choice_points": CHOICE_TYPES | {"yes_no"},
    "evaluator_scale": None,
    "postcode_area": frozenset({"postcode"}),
    "price": PRICE_TYPES,
}
"""The answer types each rule can score; None means any type."""

YES_NO_WORDS = frozenset({"yes", "no", "true", "false"})


@check
def choices_fit_type(framework: Framework) -> Iterator[CheckProblem]:
    """Choice questions have choices and others do not."""
    for where, criterion in criteria_with_paths(framework):
        if criterion.type in CHOICE_TYPES and not criterion.choices:
            yield CheckProblem(
                (*where, "type"), f"{a(criterion.type)} question needs a list of choices"
            )
        if criterion.type not in CHOICE_TYPES and criterion.choices is not None:
            yield CheckProblem(
                (*where, "choices"),
                f"only single_choice and multiple_choice questions have choices, "
                f"not {criterion.type}",
            )


@check
def rules_fit_answers(framework: Framework) -> Iterator[CheckProblem]:
    """Each rule scores an answer type it understands, and its gate tests sensible values."""
    for where, criterion in criteria_with_paths(framework):
        rule = criterion.scoring
        if rule is None:
            continue
        allowed = RULE_ANSWER_TYPES[rule.rule]
        if allowed is not None and criterion.type not in allowed:
            yield CheckProblem(
                (*where, "scoring", "rule"),
                f"rule '{rule.rule}' cannot score {a(criterion.type)} answer "
                f"(it needs one of: {listing(sorted(allowed))})",
            )
        if rule.gate is not None:
            yield from condition_fits((*where, "scoring", "gate"), rule.gate, criterion)


def condition_fits(path: Loc, condition: Condition, target: Criterion) -> Iterator[CheckProblem]:
    """A condition's tests must make sense for the answer they test."""
    for key in ("at_least", "at_most"):
        if getattr(condition, key) is not None and target.type not in NUMERIC_TYPES:
            yield CheckProblem(
                (*path, key),
                f"{key} compares numbers, but '{target.id}' is {a(target.type)} question",
            )
    values: list[tuple[Loc, object]] = []
    if condition.equals is not None:
        values.append(((*path, "equals"), condition.equals))
    for key, listed in (("in", condition.in_), ("not_in", condition.not_in)):
        values += [((*path, key, k), value) for k, value in enumerate(listed or ())]
    for where, value in values:
        yield from _value_fits(where, value, target)


def _value_fits(path: Loc, value: object, target: Criterion) -> Iterator[CheckProblem]:
    if target.type == "yes_no":
        if not isinstance(value, bool) and str(value).lower() not in YES_NO_WORDS:
            yield CheckProblem(
                path, f"a yes/no answer is compared with true or false, not {value!r}"
            )
    elif target.type in CHOICE_TYPES and value not in target.choice_values:
        yield CheckProblem(
            path,
            f"{value!r} is not a choice of '{target.id}' (choices: {listing(target.choice_values)})"
            + suggest(str(value), target.choice_values),
        )


@check
def show_if_targets(framework: Framework) -> Iterator[CheckProblem]:
    """A follow-up depends on an earlier question, never on itself or a later one."""
    earlier: dict[str, Criterion] = {}
    paths = {c.id: where for where, c in criteria_with_paths(framework)}
    for where, criterion in criteria_with_paths(framework):
        show_if = criterion.show_if
        if show_if is not None:
            target = show_if.criterion
            path: Loc = (*where, "show_if", "criterion")
            if target == criterion.id:
                yield CheckProblem(path, f"criterion '{criterion.id}' cannot depend on itself")
            elif target in earlier:
                yield from condition_fits((*where, "show_if"), show_if, earlier[target])
            elif target in paths:
                yield CheckProblem(
                    path,
                    f"'{target}' comes later in the framework; a follow-up question must come "
                    "after the question it depends on",
                    paths[target],
                )
            else:
                yield CheckProblem(path, f"unknown criterion '{target}'" + suggest(target, earlier))
        earlier[criterion.id] = criterion


@check
def numeric_rules_are_ordered(framework: Framework) -> Iterator[CheckProblem]:
    """Bands go up; a linear rule spans a range; a fixed price range has best below worst."""
    for where, criterion in criteria_with_paths(framework):
        rule = criterion.scoring
        path: Loc = (*where, "scoring")
        if isinstance(rule, BandsRule):
            previous: Decimal | None = None
            for k, band in enumerate(rule.bands):
                if not isinstance(band.at_least, Decimal):
                    continue
                if previous is not None and band.at_least <= previous:
                    yield CheckProblem(
                        (*path, "bands", k, "at_least"),
                        f"bands must go up: at_least {band.at_least} is not above the band "
                        f"before it ({previous})",
                    )
                previous = band.at_least
        if isinstance(rule, LinearRule):
            start, end = plain_number(rule.from_, framework), plain_number(rule.to, framework)
            if start is not None and start == end:
                yield CheckProblem(
                    (*path, "to"), f"'from' and 'to' are both {start}: there is no range"
                )
