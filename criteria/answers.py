"""Turning a provider's raw answer into a typed value, and back into words.

Answers arrive as JSON-like values from a web form, a database row or a round file. Each answer
type has one small parser, chosen from `ANSWER_PARSERS` by the criterion's `type`; the parser
either returns the typed value or raises `AnswerError` with a message written for the person
who typed the answer, naming the question ("The hourly rate must be between £1 and £200"; see
`criteria.answer_messages`). A number must lie in its range (`criteria.bounds`). The web forms
reuse these parsers, so the rules here are the rules a provider sees.

Numbers are exact: a float is read through its shortest repr, never `Decimal(float)`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from criteria.answer_messages import (
    not_a_number_message,
    out_of_range_message,
    pence_message,
)
from criteria.bounds import bounds_of
from criteria.model import AnswerValue, Criterion

__all__ = [
    "ANSWER_DESCRIBERS",
    "ANSWER_PARSERS",
    "NUMBER_FORMATTERS",
    "SHORT_TEXT_MAX_CHARACTERS",
    "AnswerError",
    "AnswerParser",
    "AnswerReader",
    "answer_key",
    "choice_label",
    "describe_answer",
    "display_answer",
    "format_number",
    "is_unanswered",
    "money",
    "normalise_postcode",
    "outward_code",
    "parse_answer",
]


class AnswerError(ValueError):
    """An answer that cannot be used, with a message for the person who gave it."""

    def __init__(self, criterion_id: str, message: str) -> None:
        super().__init__(f"{criterion_id}: {message}")
        self.criterion_id = criterion_id
        self.message = message


AnswerParser = Callable[[Criterion, Any], AnswerValue]
"""Turns one raw, non-empty answer into the criterion's type, or raises AnswerError."""

_NUMBER_TEXT = re.compile(r"^[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)$")
"""Plain decimal text; commas only as thousands separators, so "12,5" is not read as 125."""
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


def is_unanswered(raw: Any) -> bool:
    """True for the ways a form or file says "no answer": None, blank text, an empty list."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | tuple) and not raw


def parse_answer(criterion: Criterion, raw: Any) -> AnswerValue | None:
    """The typed answer, or None when not answered; raises AnswerError when it cannot be used."""
    if is_unanswered(raw):
        return None
    return ANSWER_PARSERS[criterion.type](criterion, raw)


class AnswerReader:
    """`parse_answer` for one criterion, parsing each distinct answer once.

    Many bids give the same answer (yes, a choice, a round number), so a round reads each
    one once. Only answers whose equal values of the same type always parse alike are
    remembered: text, whole numbers, yes/no and no answer (not floats: 0.0 == -0.0, but they
    read as different decimals).
    """

    _SAME_WHEN_EQUAL = frozenset({str, int, bool, type(None)})

    def __init__(self, criterion: Criterion) -> None:
        self.criterion = criterion
        self.parsed: dict[tuple[type, Any], AnswerValue | None] = {}

    def __call__(self, raw: Any) -> AnswerValue | None:
        if type(raw) not in self._SAME_WHEN_EQUAL:
            return parse_answer(self.criterion, raw)
        key = (type(raw), raw)
        if key not in self.parsed:
            self.parsed[key] = parse_answer(self.criterion, raw)
        return self.parsed[key]


# --- numbers --------------------------------------------------------------------------


def _decimal(raw: Any) -> Decimal | None:
    """An exact, finite Decimal from a number or plain numeric text, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str) and _NUMBER_TEXT.match(raw.strip()):
        value = Decimal(raw.strip().replace(",", ""))
    else:
        return None
    return value if value.is_finite() else None


def _check_range(criterion: Criterion, value: Decimal) -> None:
    bounds = bounds_of(criterion)
    if bounds is not None and value not in bounds:
        raise AnswerError(criterion.id, out_of_range_message(criterion, bounds))


def _parse_integer(criterion: Criterion, raw: Any) -> int:
    value = _decimal(raw)
    if value is None or value != value.to_integral_value():
        raise AnswerError(criterion.id, not_a_number_message(criterion))
    _check_range(criterion, value)
    return int(value)


def _parse_decimal(criterion: Criterion, raw: Any) -> Decimal:
    value = _decimal(raw)
    if value is None:
        raise AnswerError(criterion.id, not_a_number_message(criterion))
    _check_range(criterion, value)
    return value


def _parse_money(criterion: Criterion, raw: Any) -> Decimal:
    text = raw.strip().removeprefix("£") if isinstance(raw, str) else raw
    value = _decimal(text)
    if value is None:
        raise AnswerError(criterion.id, not_a_number_message(criterion))
    _check_range(criterion, value)
    if value != value.quantize(Decimal("0.01")):
        raise AnswerError(criterion.id, pence_message(criterion))
    return value


def _parse_percentage(criterion: Criterion, raw: Any) -> Decimal:
    text = raw.strip().removesuffix("%") if isinstance(raw, str) else raw
    value = _decimal(text)
    if value is None:
        raise AnswerError(criterion.id, not_a_number_message(criterion))
    _check_range(criterion, value)
    return value


# --- yes/no and choices -------------------------------------------------------------------


def _parse_yes_no(criterion: Criterion, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise AnswerError(criterion.id, "Select yes or no")


def _choice_list(criterion: Criterion) -> str:
    return ", ".join(c.label for c in criterion.choices or ())


def _parse_single_choice(criterion: Criterion, raw: Any) -> str:
    if not isinstance(raw, str) or raw.strip() not in criterion.choice_values:
        raise AnswerError(criterion.id, f"Select one of the options: {_choice_list(criterion)}")
    return raw.strip()


def _parse_multiple_choice(criterion: Criterion, raw: Any) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        raise AnswerError(
            criterion.id, f"Select one or more of the options: {_choice_list(criterion)}"
        )
    chosen = [v.strip() for v in raw]
    unknown = [v for v in chosen if v not in criterion.choice_values]
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        raise AnswerError(
            criterion.id,
            f"{', '.join(unknown)} {verb} not among the options: {_choice_list(criterion)}",
        )
    if len(set(chosen)) != len(chosen):
        raise AnswerError(criterion.id, "Select each option only once")
    # Framework order, so the same choices always read (and hash) the same way.
    return [v for v in criterion.choice_values if v in chosen]


# --- text, places, dates and documents -----------------------------------------------------


def _parse_narrative(criterion: Criterion, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError(criterion.id, "Enter your answer as text")
    text = raw.strip()
    words = len(text.split())
    if criterion.max_words is not None and words > criterion.max_words:
        raise AnswerError(
            criterion.id,
            f"Answer in {criterion.max_words} words or fewer (this answer has {words} words)",
        )
    return text


SHORT_TEXT_MAX_CHARACTERS = 100
"""The longest `text` answer: a reference or a name on one line, not a written answer."""


def _parse_short_text(criterion: Criterion, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError(criterion.id, "Enter your answer as text")
    text = " ".join(raw.split())
    if len(text) > SHORT_TEXT_MAX_CHARACTERS:
        raise AnswerError(
            criterion.id,
            f"Answer in {SHORT_TEXT_MAX_CHARACTERS} characters or fewer "
            f"(this answer has {len(text)})",
        )
    return text


def normalise_postcode(text: str) -> str | None:
    """A full UK postcode in upper case with one space ("wn11aa" -> "WN1 1AA"), or None."""
    match = _POSTCODE.match(re.sub(r"\s+", "", text).upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def outward_code(postcode: str) -> str:
    """The postcode district: the part before the space ("WN1 1AA" -> "WN1")."""
    normal = normalise_postcode(postcode)
    if normal is None:
        raise ValueError(f"{postcode!r} is not a full UK postcode")
    return normal.split(" ")[0]


def _parse_postcode(criterion: Criterion, raw: Any) -> str:
    normal = normalise_postcode(raw) if isinstance(raw, str) else None
    if normal is None:
        raise AnswerError(criterion.id, "Enter a full UK postcode, like WN1 1AA")
    return normal


def _parse_date(criterion: Criterion, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise AnswerError(criterion.id, "Enter a real date in the form yyyy-mm-dd, like 2026-04-01")


def _parse_evidence(criterion: Criterion, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError(criterion.id, "Attach the document or give its reference")
    return raw.strip()


ANSWER_PARSERS: dict[str, AnswerParser] = {
    "yes_no": _parse_yes_no,
    "integer": _parse_integer,
    "decimal": _parse_decimal,
    "money": _parse_money,
    "percentage": _parse_percentage,
    "single_choice": _parse_single_choice,
    "multiple_choice": _parse_multiple_choice,
    "narrative": _parse_narrative,
    "text": _parse_short_text,
    "postcode": _parse_postcode,
    "date": _parse_date,
    "evidence": _parse_evidence,
}


# --- back into words ---------------------------------------------------------------------


def answer_key(value: AnswerValue | None) -> tuple[type, Any] | None:
    """A key equal only for typed answers that read and display exactly alike, or None for a
    list (mutable, so never shared)."""
    kind = type(value)
    if kind is Decimal:
        return kind, str(value)  # str keeps the exponent: 5.0 and 5 are written differently
    return (kind, value) if kind in (str, int, bool, dt.date, type(None)) else None


def display_answer(value: AnswerValue | None) -> Any:
    """A typed answer as a JSON-ready value: Decimal -> str, date -> ISO text, the rest as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def money(number: Decimal) -> str:
    """An amount in pounds and pence: £1,234.50 (or -£5.00)."""
    sign = "-" if number < 0 else ""
    return f"{sign}£{abs(number):,.2f}"


NUMBER_FORMATTERS: dict[str, Callable[[Decimal], str]] = {
    "money": money,
    "percentage": lambda number: f"{_plain(number)}%",
}


def format_number(answer_type: str | None, number: Decimal) -> str:
    """A number as a person reads it for this answer type (£13.45, 85%, 12)."""
    return NUMBER_FORMATTERS.get(answer_type or "", _plain)(number)


def choice_label(criterion: Criterion, value: str) -> str:
    """The label a person reads for a choice value (the value itself if it is not listed)."""
    return next((c.label for c in criterion.choices or () if c.value == value), value)


def _describe_words(criterion: Criterion, value: Any) -> str:
    words = len(str(value).split())
    return f"a written answer of {words} word{'s' if words != 1 else ''}"


ANSWER_DESCRIBERS: dict[str, Callable[[Criterion, Any], str]] = {
    "yes_no": lambda criterion, value: "Yes" if value else "No",
    "integer": lambda criterion, value: str(value),
    "decimal": lambda criterion, value: _plain(Decimal(value)),
    "money": lambda criterion, value: money(Decimal(value)),
    "percentage": lambda criterion, value: format_number("percentage", Decimal(value)),
    "single_choice": choice_label,
    "multiple_choice": lambda criterion, value: (
        ", ".join(choice_label(criterion, v) for v in value) or "none of the options"
    ),
    "narrative": _describe_words,
    "text": lambda criterion, value: str(value),
    "postcode": lambda criterion, value: str(value),
    "date": lambda criterion, value: f"{value.day} {value:%B %Y}",
    "evidence": lambda criterion, value: f"document {value}",
}


def describe_answer(criterion: Criterion, value: AnswerValue | None) -> str:
    """A typed answer in words for a reason line: "£13.50", "Yes", "Co-operative"."""
    if value is None:
        return "no answer"
    return ANSWER_DESCRIBERS[criterion.type](criterion, value)
