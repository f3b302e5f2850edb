"""Pydantic validation errors in words, for a person editing a YAML file.

Pydantic reports `("sections", 0, "criteria", 1, "scoring", "bands", "bands", 0, "pionts")`
and "Extra inputs are not permitted". A commissioner needs the field as written in the file
and what to do: `sections[0].criteria[1].scoring.bands[0]: unknown key 'pionts'; did you mean
'points'? (expected one of: at_least, points, label)`.

Two kinds of step in a pydantic location are not in the file and are removed: the tag of a
discriminated union (`bands` after `scoring`) and the member names of a plain union
(`decimal`, `constrained-str`). The errors of one plain union are merged into one message
("expected a number or a $parameter reference").
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from criteria.model import AMOUNT_RANGE_ERROR, AMOUNT_RANGE_WORDS, IDENTIFIER, PARAM_REF

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = ["Described", "describe_errors", "describe_value"]

Loc = tuple[str | int, ...]

DISCRIMINATORS = {"rule": "rule", "name": "price formula"}
"""Keys that select the kind of an object, with the noun used for their values."""

EXPECTED: dict[str, str] = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "date_type": "a date written YYYY-MM-DD",
    "date_parsing": "a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD",
    "finite_number": AMOUNT_RANGE_WORDS,
    AMOUNT_RANGE_ERROR: AMOUNT_RANGE_WORDS,
}
"""What each type error expected, in words."""

PATTERNS: dict[str, str] = {
    IDENTIFIER: "an id of lower-case letters, digits and _ that starts with a letter",
    PARAM_REF.pattern: "a $parameter reference such as $real_living_wage",
    r"^[a-z][a-z0-9-]*$": "lower-case letters, digits and - starting with a letter",
    r"^(pillar:[a-z][a-z0-9_]*|section:[a-z][a-z0-9_]*|lowest_price)$": (
        "pillar:<pillar id>, section:<section id> or lowest_price"
    ),
}
"""What each text pattern of the model asks for, in words."""

BOUNDS: dict[str, str] = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "allows at most {max_length} item(s)",
    "string_too_short": "must have at least {min_length} character(s)",
    "string_too_long": "must have at most {max_length} characters",
}
"""Range errors: what the value must be (formatted with the error's context)."""


@dataclass(frozen=True)
class Described:
    """One problem: the field as written in the file, the place to point at, and the words."""

    loc: Loc
    line_loc: Loc
    message: str
    key: str | None = None
    """For a missing or unknown key: the key."""
    meant: str | None = None
    """For an unknown key: the allowed key it is probably a misspelling of."""


def describe_value(value: Any) -> str:
    """A short description of a value as found in the file."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "..."
        return f"text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


def _one_of(options: Sequence[str]) -> str:
    return ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else options[0]


def _did_you_mean(word: object, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _pattern_words(ctx: dict[str, Any]) -> str:
    pattern = str(ctx.get("pattern", ""))
    return PATTERNS.get(pattern, f"text matching {pattern}")


def _literal_words(ctx: dict[str, Any]) -> str:
    return "one of " + str(ctx.get("expected", ""))


EXPECTED_FROM_CONTEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "string_pattern_mismatch": _pattern_words,
    "literal_error": _literal_words,
}
"""Errors whose expectation depends on the error's context."""


def _expected(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in EXPECTED_FROM_CONTEXT:
        return EXPECTED_FROM_CONTEXT[kind](error.get("ctx") or {})
    return EXPECTED.get(kind, error["msg"][:1].lower() + error["msg"][1:])


# --- locations ----------------------------------------------------------------------


def _strip(raw: Loc, document: Any, keep_last: bool) -> tuple[Loc, Loc | None]:
    """The location as written in the file, and where a plain union's member names began.

    Walks the document along the location; steps that are not in it are tags. The last step
    of a missing key is kept even though it is not in the file.
    """
    path: list[str | int] = []
    node = document
    union_at: Loc | None = None
    tagged: set[int] = set()
    for index, part in enumerate(raw):
        last = index == len(raw) - 1
        if part == "[key]":
            continue
        if (
            not last
            and isinstance(node, dict)
            and id(node) not in tagged
            and any(node.get(key) == part for key in DISCRIMINATORS)
        ):
            tagged.add(id(node))  # a discriminated union's tag: drop it, once per object
            continue
        if _holds(node, part):
            path.append(part)
            node = node[part]
        elif last and keep_last:
            path.append(part)
        elif union_at is None:
            union_at = tuple(path)
    return tuple(path), union_at


def _holds(node: Any, part: str | int) -> bool:
    """Whether the parsed document has `part` under `node`."""
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


# --- the model at a location, for allowed keys and tags ------------------------------


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (typing.Union, types.UnionType)


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated` and `| None` until something else is left."""
    while True:
        if get_origin(annotation) is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif _is_union(annotation) and len(_members(annotation)) == 1:
            annotation = _members(annotation)[0]
        else:
            return annotation


def _members(union: Any) -> list[Any]:
    return [member for member in get_args(union) if member is not type(None)]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tags(model: type[BaseModel]) -> list[str]:
    """The literal values of the model's discriminator field."""
    for key in DISCRIMINATORS:
        info = model.model_fields.get(key)
        if info is not None and get_origin(info.annotation) is Literal:
            return [str(value) for value in get_args(info.annotation)]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    current = _unwrap(annotation)
    if _is_model(current):
        for name, info in current.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = get_origin(current)
    if origin is list and isinstance(part, int):
        return get_args(current)[0]
    if origin is dict:
        return get_args(current)[1]
    if _is_union(current):
        for member in map(_unwrap, _members(current)):
            if _is_model(member) and part in _tags(member):
                return member
    return None


def _annotation_at(model: type[BaseModel] | None, raw: Loc) -> Any:
    current: Any = model
    for part in raw:
        if current is None:
            return None
        current = _step(current, part)
    return _unwrap(current) if current is not None else None


def _keys_of(annotation: Any) -> list[str]:
    if not _is_model(annotation):
        return []
    return [info.alias or name for name, info in annotation.model_fields.items()]


def _union_tags(annotation: Any) -> list[str]:
    if not _is_union(annotation):
        return []
    return [tag for member in map(_unwrap, _members(annotation)) for tag in _tags(member)]


# --- messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Error:
    """One pydantic error with its location as written in the file."""

    details: ErrorDetails
    loc: Loc
    model: type[BaseModel] | None

    @property
    def raw(self) -> Loc:
        return tuple(self.details["loc"])

    @property
    def ctx(self) -> dict[str, Any]:
        return dict(self.details.get("ctx") or {})

    @property
    def value(self) -> Any:
        return self.details.get("input")


def _missing(error: _Error) -> Described:
    key = str(error.loc[-1])
    return Described(error.loc[:-1], error.loc[:-1], f"missing required key '{key}'", key=key)


def _unknown_key(error: _Error) -> Described:
    allowed = _keys_of(_annotation_at(error.model, error.raw[:-1]))
    unknown = str(error.loc[-1])
    close = difflib.get_close_matches(unknown, allowed, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    listed = f" (expected one of: {', '.join(allowed)})" if allowed else ""
    message = f"unknown key '{unknown}'{hint}{listed}"
    return Described(error.loc[:-1], error.loc, message, unknown, close[0] if close else None)


def _tags_listed(error: _Error) -> tuple[str, list[str], str]:
    key = str(error.ctx.get("discriminator", "")).strip("'")
    tags = _union_tags(_annotation_at(error.model, error.raw))
    return key, tags, f" (expected one of: {', '.join(tags)})" if tags else ""


def _tag_missing(error: _Error) -> Described:
    key, _, listed = _tags_listed(error)
    written = [str(k) for k in error.value] if isinstance(error.value, dict) else []
    close = difflib.get_close_matches(key, written, n=1)
    typo = f"; is '{close[0]}' a misspelling of it?" if close else ""
    return Described(error.loc, error.loc, f"missing required key '{key}'{typo}{listed}")


def _tag_unknown(error: _Error) -> Described:
    key, tags, listed = _tags_listed(error)
    tag = error.ctx.get("tag")
    noun = DISCRIMINATORS.get(key, key)
    message = f"unknown {noun} '{tag}'{_did_you_mean(tag, tags)}{listed}"
    return Described((*error.loc, key), (*error.loc, key), message)


def _unknown_value(error: _Error) -> Described:
    options = re.findall(r"'([^']*)'", str(error.ctx.get("expected", "")))
    message = f"unknown value '{error.value}'{_did_you_mean(error.value, options)}"
    return Described(error.loc, error.loc, f"{message} (expected one of: {', '.join(options)})")


def _out_of_bounds(error: _Error) -> Described:
    must = BOUNDS[error.details["type"]].format(**error.ctx)
    return Described(error.loc, error.loc, f"{must}, found {describe_value(error.value)}")


def _number_out_of_range(error: _Error) -> Described:
    message = f"must be {AMOUNT_RANGE_WORDS}, found {describe_value(error.value)}"
    return Described(error.loc, error.loc, message)


def _wrong_kind(error: _Error) -> Described:
    expected = _expected(error.details)
    return Described(
        error.loc, error.loc, f"expected {expected}, found {describe_value(error.value)}"
    )


DESCRIBERS: dict[str, Callable[[_Error], Described]] = {
    "missing": _missing,
    "extra_forbidden": _unknown_key,
    "union_tag_not_found": _tag_missing,
    "union_tag_invalid": _tag_unknown,
    "literal_error": _unknown_value,
    **dict.fromkeys(BOUNDS, _out_of_bounds),
    AMOUNT_RANGE_ERROR: _number_out_of_range,
}
"""How each kind of error is put into words; any other kind is a value of the wrong kind."""


def _describe(details: ErrorDetails, document: Any, model: type[BaseModel] | None) -> Described:
    kind = details["type"]
    raw = tuple(details["loc"])
    loc, _ = _strip(raw, document, keep_last=kind == "missing")
    if raw and raw[-1] == "[key]":  # the key of a mapping, not its value, is wrong
        key = loc[-1] if loc else details.get("input")
        return Described(loc[:-1], loc, f"invalid key '{key}': expected {_expected(details)}")
    return DESCRIBERS.get(kind, _wrong_kind)(_Error(details, loc, model))


def _describe_union(loc: Loc, errors: Sequence[ErrorDetails]) -> Described:
    options = list(dict.fromkeys(_expected(error) for error in errors))
    value = errors[0].get("input")
    return Described(loc, loc, f"expected {_one_of(options)}, found {describe_value(value)}")


def describe_errors(
    errors: Sequence[ErrorDetails], document: Any, model: type[BaseModel] | None = None
) -> list[Described]:
    """Each error in words; the errors of one plain union become one problem.

    A missing key that an unknown key beside it is probably a misspelling of is not reported
    twice: "unknown key 'pionts'; did you mean 'points'?" says it all.
    `document` is the parsed input (to tell tags from keys); `model` the validated class (to
    list the allowed keys and kinds).
    """
    unions: dict[Loc, list[tuple[Loc, ErrorDetails]]] = {}
    plain: list[ErrorDetails] = []
    for error in errors:
        loc, union_at = _strip(tuple(error["loc"]), document, error["type"] == "missing")
        if union_at is None:
            plain.append(error)
        else:
            unions.setdefault(union_at, []).append((loc, error))
    described = [_describe(error, document, model) for error in plain]
    for union_at, members in unions.items():
        deeper = [error for loc, error in members if len(loc) > len(union_at)]
        if deeper:
            described += [_describe(error, document, model) for error in deeper]
        else:
            described.append(_describe_union(union_at, [e for _, e in members]))
    misspelt = {(d.loc, d.meant) for d in described if d.meant}
    return [d for d in described if d.meant or (d.loc, d.key) not in misspelt]
