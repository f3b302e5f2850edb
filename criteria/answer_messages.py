"""What a provider reads when an answer cannot be used, following the GOV.UK error message
patterns: one message when the question is left empty, one when the answer is in the wrong
form, one when it is out of range, and each names the question.

A question is named by its `error_name` ("the lowest hourly pay"), written to read after
"Enter"; a question without one is named by quoting its prompt. Number questions are named in
every message ("Enter the hourly rate", "The hourly rate must be an amount in pounds, like
13.45", "The hourly rate must be between £1 and £200"). Other answer types keep their short
messages ("Select yes or no"), which the form shows beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from criteria.bounds import Bounds
from criteria.model import Criterion

__all__ = [
    "MISSING_MESSAGES",
    "NUMBER_FORMS",
    "limit_text",
    "missing_message",
    "not_a_number_message",
    "out_of_range_message",
    "pence_message",
    "question_name",
]


def question_name(criterion: Criterion) -> str:
    """How messages name the question: its `error_name`, or its prompt in quotation marks."""
    return criterion.error_name or f"your answer to “{criterion.prompt.strip()}”"


def _subject(criterion: Criterion) -> str:
    """The question's name at the start of a sentence."""
    name = question_name(criterion)
    return name[:1].upper() + name[1:]


def _enter(criterion: Criterion) -> str:
    return f"Enter {question_name(criterion)}"


def _fixed(message: str) -> Callable[[Criterion], str]:
    return lambda criterion: message


MISSING_MESSAGES: dict[str, Callable[[Criterion], str]] = {
    "yes_no": _fixed("Select yes or no"),
    "integer": _enter,
    "decimal": _enter,
    "money": _enter,
    "percentage": _enter,
    "single_choice": _fixed("Select one of the options"),
    "multiple_choice": _fixed("Select at least one of the options"),
    "narrative": _fixed("Enter your answer"),
    "text": _enter,
    "postcode": _fixed("Enter a full UK postcode, like WN1 1AA"),
    "date": _fixed("Enter a date in the form yyyy-mm-dd, like 2026-04-01"),
    "evidence": _fixed("Attach the document or give its reference"),
}
"""The message for a required question left empty, by answer type."""


def missing_message(criterion: Criterion) -> str:
    """What to say when a required question is left empty ("Enter the hourly rate")."""
    return MISSING_MESSAGES[criterion.type](criterion)


NUMBER_FORMS: dict[str, str] = {
    "integer": "a whole number, like 12",
    "decimal": "a number, like 12.5",
    "money": "an amount in pounds, like 13.45",
    "percentage": "a percentage, like 25",
}
"""The form each number type's answer must take, with an example."""


def not_a_number_message(criterion: Criterion) -> str:
    """What to say when a number question's answer is not in its form ("forty five pence")."""
    return f"{_subject(criterion)} must be {NUMBER_FORMS[criterion.type]}"


def pence_message(criterion: Criterion) -> str:
    """What to say when an amount goes beyond whole pence (13.455)."""
    return f"{_subject(criterion)} must be in pounds and pence, with no more than 2 decimal places"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), ",f")


def _pounds(value: Decimal) -> str:
    sign, size = ("-" if value < 0 else ""), abs(value)
    whole = size == size.to_integral_value()
    return f"{sign}£{size:,.0f}" if whole else f"{sign}£{size:,.2f}"


LIMIT_FORMATTERS: dict[str, Callable[[Decimal], str]] = {
    "money": _pounds,
    "percentage": lambda value: f"{_plain(value)}%",
}


def limit_text(answer_type: str, value: Decimal) -> str:
    """A range limit as a message shows it: £1, £0.45, £1,000,000, 100%, 1,000,000."""
    return LIMIT_FORMATTERS.get(answer_type, _plain)(value)


def out_of_range_message(criterion: Criterion, bounds: Bounds) -> str:
    """What to say when a number is outside its range ("must be between £1 and £200")."""
    low = limit_text(criterion.type, bounds.low)
    if bounds.low == bounds.high:
        return f"{_subject(criterion)} must be {low}"
    high = limit_text(criterion.type, bounds.high)
    return f"{_subject(criterion)} must be between {low} and {high}"
