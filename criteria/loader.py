"""Reading framework YAML files into `Framework` objects, with errors a person can act on.

A commissioner edits frameworks by hand, so every problem is reported with the file, the line
and the field, in words: `frameworks/x.yaml:57: sections[2].criteria[4].scoring (criterion
'fw_lowest_pay'): unknown key 'pionts'; did you mean 'points'? (expected one of: ...)`.
All problems are reported at once: first the model's (keys, types, values), then, when the
model is sound, the cross-field checks of `criteria.checks`.

YAML is read the YAML 1.2 way for booleans: only `true` and `false` are booleans, so
`yes`, `no`, `on` and `off` stay words (a choice value, a `yes:` key of `choice_points`,
a postcode area `NO`). A key written twice in one mapping is an error, never "last wins".

A file is bounded before any Python value is built from it (`YamlLimits`): its length, how
deeply its lists and mappings nest, and how many values it holds once every alias (`*name`)
is expanded, so a small file of nested aliases cannot fill the memory and a deeply nested one
cannot exhaust the stack. Only plain values are read: text, numbers, true/false, empty, dates,
lists and mappings; a tag such as `!!binary` or `!!set`, or a value its tag cannot read
(`!!int x`, a 5,000-digit number, the date 2026-13-45), is a problem with its line and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from criteria.checks import CheckProblem, Loc, check_framework
from criteria.inputs import Round
from criteria.model import Framework
from criteria.validation_messages import describe_errors
from criteria.yaml_lines import (
    FRAMEWORK_LIMITS,
    ROUND_LIMITS,
    LineLoader,
    LineMap,
    Refused,
    YamlLimits,
    amount,
    read_quickly,
)

__all__ = [
    "FRAMEWORK_LIMITS",
    "ROUND_LIMITS",
    "FrameworkError",
    "LineLoader",
    "LineMap",
    "Problem",
    "YamlLimits",
    "load_framework",
    "load_framework_text",
    "parse_yaml_with_lines",
    "problems_from",
    "problems_from_checks",
    "read_limited",
]

DOCUMENT_MODELS: dict[str, type[BaseModel]] = {"Framework": Framework, "Round": Round}
"""Top-level documents by the title pydantic gives their errors, to list allowed keys."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, and where."""

    file: str
    line: int
    column: int
    field: str
    message: str
    criterion: str | None = None
    """The id of the criterion the field belongs to, when it belongs to one."""

    def __str__(self) -> str:
        where = self.field
        if self.criterion and where:
            where += f" (criterion '{self.criterion}')"
        prefix = f"{self.file}:{self.line}: {where}" if where else f"{self.file}:{self.line}"
        return f"{prefix}: {self.message}"


class FrameworkError(Exception):
    """A framework (or round) file has problems; `str()` gives one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(
        cls, file: str, line: int, field: str, message: str, column: int = 1
    ) -> FrameworkError:
        """An error with one problem."""
        return cls([Problem(file, line, column, field, message)])


def parse_yaml_with_lines(
    text: str, source_name: str, limits: YamlLimits = FRAMEWORK_LIMITS, *, shipped: bool = False
) -> tuple[dict[str, Any], LineMap]:
    """Parse a YAML document that must be a mapping, with the position of every key.

    Raises `FrameworkError` for a syntax error, a duplicate key, a value that is not plain, a
    file beyond its `limits`, an empty file or a document that is not a mapping.

    `shipped` is for the files that come with Commonweal: they are read with libyaml first,
    several times sooner (the tests prove each reads exactly the same). Anyone else's file is
    read by PyYAML's own parser alone, because libyaml reads some odd text differently (an
    empty `!` value, tabs, a `#` after `|`).
    """
    if len(text) > limits.max_characters:
        raise FrameworkError.single(source_name, 1, "", _too_long(limits))
    quick = read_quickly(text, limits) if shipped else None
    if quick is not None:
        return quick
    try:
        loader = LineLoader(text, limits)
    except yaml.YAMLError as exc:
        raise _unreadable(exc, text, source_name) from None
    try:
        node = loader.get_single_node()
        document = loader.construct_located(node) if node is not None else None
    except Refused as refused:
        mark = refused.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FrameworkError.single(
            source_name, line, _field_path(refused.loc), refused.message, column
        ) from None
    except yaml.YAMLError as exc:
        raise _unreadable(exc, text, source_name) from None
    except RecursionError:  # the depth limit keeps far below the stack; this is a backstop
        raise FrameworkError.single(source_name, 1, "", _too_deep_text(limits)) from None
    finally:
        loader.dispose()
    found = [
        (
            again,
            Problem(
                source_name,
                again.line + 1,
                again.column + 1,
                _field_path(loc[:-1]),
                f"duplicate key '{loc[-1]}': it is also on line {first.line + 1}",
                _criterion_id(loc, document),
            ),
        )
        for loc, first, again in loader.duplicates
    ]
    found += [
        (
            mark,
            Problem(
                source_name,
                mark.line + 1,
                mark.column + 1,
                _field_path(loc),
                message,
                _criterion_id(loc, document),
            ),
        )
        for loc, mark, message in loader.refusals
    ]
    if found:
        found.sort(key=lambda f: (f[0].line, f[0].column))
        raise FrameworkError([problem for _, problem in found])
    if document is None:
        raise FrameworkError.single(
            source_name, 1, "", "the file is empty: expected a YAML mapping (key: value lines)"
        )
    if not isinstance(document, dict):
        raise FrameworkError.single(
            source_name,
            1,
            "",
            f"the file holds {_kind(document)}, but it must be a YAML mapping (key: value lines)",
        )
    loader.lines.document = document
    return document, loader.lines


def _too_long(limits: YamlLimits) -> str:
    return (
        f"the file is longer than {amount(limits.max_characters, 'characters')}: "
        "split it, or remove what is not needed"
    )


def _too_deep_text(limits: YamlLimits) -> str:
    return f"lists and mappings are nested more than {limits.max_depth} levels deep"


def read_limited(path: Path, limits: YamlLimits, what: str) -> str:
    """The text of a file, refused before reading when it is too large; raises FrameworkError."""
    try:
        if path.stat().st_size > limits.max_characters * 4:  # UTF-8: 4 bytes a character at most
            raise FrameworkError.single(str(path), 1, "", _too_long(limits))
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError.single(str(path), 1, "", f"cannot read the {what}: {exc}") from None


def _unreadable(exc: yaml.YAMLError, text: str, source_name: str) -> FrameworkError:
    """A YAML syntax error at the line where the parser gave up."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError) and mark is not None:
        message = "YAML syntax error: " + ", ".join(p for p in (exc.context, exc.problem) if p)
        start = exc.context_mark
        if start is not None and start.line != mark.line:
            message += f" (from line {start.line + 1})"
        return FrameworkError.single(source_name, mark.line + 1, "", message, mark.column + 1)
    position = getattr(exc, "position", 0)
    line = text[:position].count("\n") + 1
    reason = getattr(exc, "reason", None) or " ".join(str(exc).split())
    return FrameworkError.single(source_name, line, "", f"unreadable YAML: {reason}")


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a single value ({value!r})"


# --- problems -----------------------------------------------------------------------


def _field_path(loc: Loc) -> str:
    """`("sections", 2, "criteria", 4, "scoring")` -> `sections[2].criteria[4].scoring`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _criterion_id(loc: Loc, document: Any) -> str | None:
    """The id of the criterion at `sections[i].criteria[j]...`, read from the document."""
    if len(loc) < 4 or loc[0] != "sections" or loc[2] != "criteria":
        return None
    try:
        criterion = document["sections"][loc[1]]["criteria"][loc[3]]
    except (KeyError, IndexError, TypeError):
        return None
    found = criterion.get("id") if isinstance(criterion, dict) else None
    return found if isinstance(found, str) else None


def _problem(file: str, lines: LineMap, loc: Loc, message: str, line_loc: Loc) -> Problem:
    line, column = lines.position_of(line_loc)
    return Problem(
        file, line, column, _field_path(loc), message, _criterion_id(loc, lines.document)
    )


def problems_from(
    exc: ValidationError, file: str, lines: LineMap, model: type[BaseModel] | None = None
) -> list[Problem]:
    """The problems of a pydantic validation error, in words, with lines, in file order.

    `model` is the validated class (found from the error's title when not given); it names
    the allowed keys in an "unknown key" message.
    """
    model = model or DOCUMENT_MODELS.get(exc.title)
    found = describe_errors(exc.errors(include_url=False), lines.document, model)
    problems = [_problem(file, lines, d.loc, d.message, d.line_loc) for d in found]
    return sorted(problems, key=lambda p: (p.line, p.column))


def problems_from_checks(
    checks: Sequence[CheckProblem], file: str, lines: LineMap
) -> list[Problem]:
    """The cross-field check problems, with lines, in file order."""
    problems = []
    for check in checks:
        message = check.message
        if check.related is not None:
            message += f" (see line {lines.line_of(check.related)})"
        problems.append(_problem(file, lines, check.path, message, check.path))
    return sorted(problems, key=lambda p: (p.line, p.column))


# --- loading ------------------------------------------------------------------------


def load_framework_text(
    text: str, source_name: str = "<framework>", *, shipped: bool = False
) -> Framework:
    """Parse, validate and check a framework; raise `FrameworkError` listing every problem.

    `shipped`: the text is a built-in framework's (see `parse_yaml_with_lines`)."""
    document, lines = parse_yaml_with_lines(text, source_name, shipped=shipped)
    try:
        framework = Framework.model_validate(document)
    except ValidationError as exc:
        raise FrameworkError(problems_from(exc, source_name, lines, Framework)) from None
    checks = check_framework(framework)
    if checks:
        raise FrameworkError(problems_from_checks(checks, source_name, lines))
    return framework


def load_framework(path: str | Path, *, shipped: bool = False) -> Framework:
    """Load a framework YAML file; raise `FrameworkError` naming file, line and field.

    `shipped`: the file is a built-in framework (see `parse_yaml_with_lines`)."""
    path = Path(path)
    text = read_limited(path, FRAMEWORK_LIMITS, "file")
    return load_framework_text(text, str(path), shipped=shipped)
