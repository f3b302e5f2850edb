"""Reading framework YAML files into `Framework` objects, with errors a person can act on.

A commissioner edits frameworks by hand, so every problem is reported with the file, the line
and the field, in words: `frameworks/x.yaml:57: sections[2].criteria[4].scoring (criterion
'fw_lowest_pay'): unknown key 'pionts'; did you mean 'points'? (expected one of: ...)`.
All problems are reported at once: first the model's (keys, types, values), then, when the
model is sound, the cross-field checks of `criteria.checks`.

YAML is read the YAML 1.2 way for booleans: only `true` and `false` are booleans, so
`yes`, `no`, `on` and `off` stay words (a choice value, a `yes:` key of `choice_points`,
a postcode area `NO`). A key written twice in one mapping is an error, never "last wins".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from criteria.checks import CheckProblem, Loc, check_framework
from criteria.inputs import Round
from criteria.model import Framework
from criteria.validation_messages import describe_errors

__all__ = [
    "FrameworkError",
    "LineLoader",
    "LineMap",
    "Problem",
    "load_framework",
    "load_framework_text",
    "parse_yaml_with_lines",
    "problems_from",
    "problems_from_checks",
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


# --- YAML with positions ------------------------------------------------------------


@dataclass
class LineMap:
    """Where each mapping key and sequence item of a parsed document starts (1-based)."""

    document: Any = None
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position_of(self, loc: Loc) -> tuple[int, int]:
        """(line, column) of the deepest part of `loc` that is in the file; (1, 1) for none."""
        for end in range(len(loc), 0, -1):
            found = self.positions.get(tuple(loc[:end]))
            if found is not None:
                return found
        return 1, 1

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest part of `loc` that is in the file."""
        return self.position_of(loc)[0]


class LineLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader that records the position of every mapping key and sequence item,
    collects keys written twice in one mapping, and reads only true/false as booleans."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines = LineMap()
        self.duplicates: list[tuple[Loc, yaml.Mark, yaml.Mark]] = []
        self._open: set[int] = set()

    def construct_located(self, node: yaml.Node, loc: Loc = ()) -> Any:
        """Build the Python value of `node`, recording positions under the path `loc`."""
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.construct_object(node, deep=True)
        if id(node) in self._open:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "an alias refers to the mapping or list that contains it",
                node.start_mark,
            )
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self._item((*loc, i), item) for i, item in enumerate(node.value)]
            return self._mapping(node, loc)
        finally:
            self._open.discard(id(node))

    def _item(self, loc: Loc, node: yaml.Node) -> Any:
        self.lines.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        return self.construct_located(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        first: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self._key(node, key_node)
            if key in first:
                self.duplicates.append(((*loc, key), first[key], key_node.start_mark))
            first.setdefault(key, key_node.start_mark)
        self.flatten_mapping(node)  # resolve `<<:` merges; the mapping's own keys come last
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(node, key_node)
            mark = key_node.start_mark
            self.lines.positions[(*loc, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.construct_located(value_node, (*loc, key))
        return result

    def _key(self, mapping: yaml.MappingNode, key_node: yaml.Node) -> Any:
        key = self.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                mapping.start_mark,
                "a key must be a plain word or number",
                key_node.start_mark,
            ) from None
        return key


_BOOL = "tag:yaml.org,2002:bool"
LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LineLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml_with_lines(text: str, source_name: str) -> tuple[dict[str, Any], LineMap]:
    """Parse a YAML document that must be a mapping, with the position of every key.

    Raises `FrameworkError` for a syntax error, a duplicate key, an empty file or a document
    that is not a mapping.
    """
    try:
        loader = LineLoader(text)
    except yaml.YAMLError as exc:
        raise _unreadable(exc, text, source_name) from None
    try:
        node = loader.get_single_node()
        document = loader.construct_located(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _unreadable(exc, text, source_name) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise FrameworkError(
            [
                Problem(
                    source_name,
                    again.line + 1,
                    again.column + 1,
                    _field_path(loc[:-1]),
                    f"duplicate key '{loc[-1]}': it is also on line {first.line + 1}",
                    _criterion_id(loc, document),
                )
                for loc, first, again in sorted(loader.duplicates, key=lambda d: d[2].line)
            ]
        )
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


def load_framework_text(text: str, source_name: str = "<framework>") -> Framework:
    """Parse, validate and check a framework; raise `FrameworkError` listing every problem."""
    document, lines = parse_yaml_with_lines(text, source_name)
    try:
        framework = Framework.model_validate(document)
    except ValidationError as exc:
        raise FrameworkError(problems_from(exc, source_name, lines, Framework)) from None
    checks = check_framework(framework)
    if checks:
        raise FrameworkError(problems_from_checks(checks, source_name, lines))
    return framework


def load_framework(path: str | Path) -> Framework:
    """Load a framework YAML file; raise `FrameworkError` naming file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError.single(str(path), 1, "", f"cannot read the file: {exc}") from None
    return load_framework_text(text, str(path))
