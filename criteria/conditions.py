"""Testing one typed answer against a framework `Condition`, and saying in words what it asks.

Conditions are used by gates (a failed gate excludes a bid) and by `show_if` (a follow-up is
asked only when another answer meets the condition). Every test that is set must hold, and an
unanswered question fails every test except `answered: false`.

For yes/no answers, authors may write `true`/`false` or `"yes"`/`"no"`. For multiple-choice
answers, `equals` means "this value was chosen", `in` means "any chosen value is listed" and
`not_in` means "no chosen value is listed".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from criteria.answers import choice_label, describe_answer, format_number
from criteria.inputs import decimal_or_none
from criteria.model import PARAM_REF, AnswerValue, Condition, Criterion, resolve_number

__all__ = ["condition_holds", "describe_condition", "describe_threshold", "gate_failure"]

_YES_NO_WORDS = {"yes": True, "true": True, "no": False, "false": False}


def _as_bool(expected: Any) -> bool | None:
    if isinstance(expected, bool):
        return expected
    return _YES_NO_WORDS.get(str(expected).strip().lower())


def _matches(answer: AnswerValue, expected: Any) -> bool:
    """Whether one answer value is the expected choice value."""
    if isinstance(answer, bool):
        return _as_bool(expected) is answer
    if isinstance(answer, int | Decimal):
        number = Decimal(int(expected)) if isinstance(expected, bool) else decimal_or_none(expected)
        return number is not None and Decimal(answer) == number
    if isinstance(answer, str):
        return not isinstance(expected, bool) and answer == str(expected)
    return not isinstance(answer, list) and answer.isoformat() == str(expected)


def _chosen(answer: AnswerValue) -> list[Any]:
    """The answer as a list of chosen values (a multiple-choice answer is already one)."""
    return list(answer) if isinstance(answer, list) else [answer]


def _number(answer: AnswerValue) -> Decimal | None:
    if isinstance(answer, bool) or not isinstance(answer, int | Decimal):
        return None
    return Decimal(answer)


Test = Callable[[Any, AnswerValue, Mapping[str, Any]], bool]
"""One value test: (the condition's expected value, the answer, parameters) -> holds."""


def _equals(expected: Any, answer: AnswerValue, params: Mapping[str, Any]) -> bool:
    return any(_matches(item, expected) for item in _chosen(answer))


def _in(expected: list[Any], answer: AnswerValue, params: Mapping[str, Any]) -> bool:
    return any(_matches(item, e) for item in _chosen(answer) for e in expected)


def _not_in(expected: list[Any], answer: AnswerValue, params: Mapping[str, Any]) -> bool:
    return not _in(expected, answer, params)


def _at_least(expected: Decimal | str, answer: AnswerValue, params: Mapping[str, Any]) -> bool:
    number = _number(answer)
    return number is not None and number >= resolve_number(expected, dict(params))


def _at_most(expected: Decimal | str, answer: AnswerValue, params: Mapping[str, Any]) -> bool:
    number = _number(answer)
    return number is not None and number <= resolve_number(expected, dict(params))


TESTS: dict[str, Test] = {
    "equals": _equals,
    "in_": _in,
    "not_in": _not_in,
    "at_least": _at_least,
    "at_most": _at_most,
}
"""Each value test by its field name on `Condition`; `answered` is handled before them."""


def condition_holds(
    condition: Condition, answer: AnswerValue | None, params: Mapping[str, Any]
) -> bool:
    """Whether the answer meets every test the condition sets."""
    if answer is None:
        return condition.answered is False
    if condition.answered is False:
        return False
    return all(
        test(getattr(condition, name), answer, params)
        for name, test in TESTS.items()
        if getattr(condition, name) is not None
    )


# --- in words -----------------------------------------------------------------------------


def describe_threshold(
    number: Decimal | str, params: Mapping[str, Any], answer_type: str | None = None
) -> str:
    """A threshold with its figure and, when it is a parameter, its name: "£12.71 ($nlw)"."""
    value = format_number(answer_type, resolve_number(number, dict(params)))
    match = PARAM_REF.match(number) if isinstance(number, str) else None
    return f"{value} (${match.group(1)})" if match else value


def _value_words(expected: Any, criterion: Criterion | None) -> str:
    if criterion is not None and criterion.type == "yes_no":
        flag = _as_bool(expected)
        return str(expected) if flag is None else ("yes" if flag else "no")
    if isinstance(expected, bool):
        return "yes" if expected else "no"
    if criterion is not None and criterion.type in ("single_choice", "multiple_choice"):
        return choice_label(criterion, str(expected))
    number = decimal_or_none(expected)
    if number is not None and criterion is not None:
        return format_number(criterion.type, number)
    return str(expected)


def _list_words(values: list[Any], criterion: Criterion | None) -> str:
    return ", ".join(_value_words(v, criterion) for v in values)


def describe_condition(
    condition: Condition, params: Mapping[str, Any], criterion: Criterion | None = None
) -> str:
    """What the condition asks, for a reason line: "must be at least £12.71 ($nlw)".

    With the criterion, amounts get their unit and choice values their labels; without it,
    numbers are plain ("at least 12.71").
    """
    multiple = criterion is not None and criterion.type == "multiple_choice"
    answer_type = criterion.type if criterion is not None else None
    parts: list[str] = []
    if condition.answered is not None:
        parts.append("must be answered" if condition.answered else "must be left unanswered")
    if condition.equals is not None:
        verb = "must include" if multiple else "must be"
        parts.append(f"{verb} {_value_words(condition.equals, criterion)}")
    if condition.in_ is not None:
        verb = "must include at least one of" if multiple else "must be one of"
        parts.append(f"{verb} {_list_words(condition.in_, criterion)}")
    if condition.not_in is not None:
        verb = "must include none of" if multiple else "must not be any of"
        parts.append(f"{verb} {_list_words(condition.not_in, criterion)}")
    if condition.at_least is not None:
        threshold = describe_threshold(condition.at_least, params, answer_type)
        parts.append(f"must be at least {threshold}")
    if condition.at_most is not None:
        threshold = describe_threshold(condition.at_most, params, answer_type)
        parts.append(f"must be at most {threshold}")
    return " and ".join(parts) if parts else "has no requirement"


def gate_failure(
    gate: Condition,
    criterion: Criterion,
    answer: AnswerValue | None,
    problem: str | None,
    params: Mapping[str, Any],
) -> str | None:
    """Why the answer fails the criterion's gate, written for the exclusion; None if it passes.

    `problem` is why the answer given could not be used, when it could not.
    """
    if condition_holds(gate, answer, params):
        return None
    if gate.message:
        return gate.message
    if problem is not None:
        given = f"the answer given could not be used ({problem})"
    elif answer is None:
        given = "the bid did not answer it"
    else:
        given = f"the bid answered {describe_answer(criterion, answer)}"
    words = describe_condition(gate, params, criterion)
    return f"The answer to “{criterion.prompt}” {words}, but {given}"
