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


# --- limits -------------------------------------------------------------------------


@dataclass(frozen=True)
class YamlLimits:
    """How large a YAML file may be, checked before any Python value is built from it."""

    max_characters: int
    max_depth: int
    """The deepest nesting of lists and mappings, counting what aliases bring in."""
    max_values: int
    """The most values (every key, item and scalar) once every alias is expanded."""


FRAMEWORK_LIMITS = YamlLimits(max_characters=1024 * 1024, max_depth=32, max_values=25_000)
"""A framework: the built-in one is 44 KB, nests 9 levels deep and holds about 1,600 values.
At the limit a file is built and checked in about a quarter of a second."""

ROUND_LIMITS = YamlLimits(max_characters=32 * 1024 * 1024, max_depth=32, max_values=2_000_000)
"""A round file: the example's 8 bids hold about 2,100 values, so 1,000 bids about 270,000."""


def _amount(count: int, noun: str) -> str:
    return f"{count:,} {noun}"


class _Refused(yaml.MarkedYAMLError):
    """A file refused while it was read: too deep, too large once expanded, a cyclic alias."""

    def __init__(self, mark: Any, loc: Loc, message: str) -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.loc = loc
        self.message = message


_PLAIN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "merge")
)
_TAG_WORDS = {
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:null": "an empty value",
}
_COLLECTION_TAGS = {
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


def _tag_text(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "...")


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
    collects keys written twice in one mapping, reads only true/false as booleans, and holds
    the file to its `YamlLimits` while composing it, before any value is built."""

    def __init__(self, stream: str, limits: YamlLimits = FRAMEWORK_LIMITS) -> None:
        super().__init__(stream)
        self.limits = limits
        self.lines = LineMap()
        self.duplicates: list[tuple[Loc, yaml.Mark, yaml.Mark]] = []
        self.refusals: list[tuple[Loc, yaml.Mark, str]] = []
        """Values that cannot be read (a tag that is not allowed, `!!int x`): where and why."""
        self._open: set[int] = set()
        self._path: list[str | int | None] = []  # the parts of the node being composed
        self._heights: list[int] = [0]  # the tallest child so far, of each open node
        self._sizes: dict[int, tuple[int, int]] = {}  # node id -> (values, height), expanded
        self._values = 0

    # Composition: the node graph, where an alias is one shared node. Its expanded size is
    # counted here, so a file of nested aliases is refused before anything is built from it.

    def compose_node(self, parent: yaml.Node | None, index: Any) -> Any:
        part = (
            index
            if isinstance(index, int)
            else (str(index.value) if isinstance(index, yaml.ScalarNode) else None)
        )
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            node: Any = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:  # the anchor is still open: the alias is inside what it names
                raise self._refuse(
                    event.start_mark,
                    part,
                    "an alias refers to the mapping or list that contains it",
                )
            self._grow(event.start_mark, part, *size)
            return node
        self._path.append(part)
        self._heights.append(0)
        if len(self._path) > self.limits.max_depth:
            raise self._refuse(event.start_mark, None, self._too_deep())
        before = self._values
        node = super().compose_node(parent, index)
        height = self._heights.pop() + 1
        self._path.pop()
        self._grow(event.start_mark, part, 1, 0)
        self._heights[-1] = max(self._heights[-1], height)
        self._sizes[id(node)] = (self._values - before, height)
        return node

    def _grow(self, mark: Any, part: str | int | None, values: int, height: int) -> None:
        """Count `values` more values, nested `height` levels below the open node."""
        self._values += values
        if self._values > self.limits.max_values:
            raise self._refuse(
                mark,
                part,
                f"the file holds more than {_amount(self.limits.max_values, 'values')} once "
                "its aliases (*name) are expanded; write the values out, or split the file",
            )
        if height:
            if len(self._path) + height > self.limits.max_depth:
                raise self._refuse(mark, part, self._too_deep())
            self._heights[-1] = max(self._heights[-1], height)

    def _too_deep(self) -> str:
        return (
            f"lists and mappings are nested more than {self.limits.max_depth} levels deep "
            "(counting what aliases bring in)"
        )

    def _refuse(self, mark: Any, part: str | int | None, message: str) -> _Refused:
        parts = [p for p in (*self._path, part) if p is not None]
        return _Refused(mark, tuple(parts), message)

    # Construction: Python values with their positions, from the composed (bounded) graph.

    def construct_located(self, node: yaml.Node, loc: Loc = ()) -> Any:
        """Build the Python value of `node`, recording positions under the path `loc`."""
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self._scalar(node, loc)
        if node.tag != _COLLECTION_TAGS[type(node)]:
            self._refuse_tag(node, loc)
            return None
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

    def _scalar(self, node: yaml.Node, loc: Loc) -> Any:
        """A plain value, or None with a refusal when its tag is not allowed or cannot read it."""
        if node.tag not in _PLAIN_SCALAR_TAGS:
            self._refuse_tag(node, loc)
            return None
        try:
            return self.construct_object(node, deep=True)
        except (ValueError, ArithmeticError) as exc:
            value = str(node.value)
            if node.tag == "tag:yaml.org,2002:int" and len(value) > 1000:
                reason = f"a number of {len(value):,} digits is far too long"
            else:
                reason = f"{_shown(value)} cannot be read as {_TAG_WORDS.get(node.tag, 'text')}"
                detail = " ".join(str(exc).split())
                reason += f" ({detail})" if detail and len(detail) <= 80 else ""
            self.refusals.append((loc, node.start_mark, reason))
            return None

    def _refuse_tag(self, node: yaml.Node, loc: Loc) -> None:
        self.refusals.append(
            (
                loc,
                node.start_mark,
                f"the tag {_tag_text(str(node.tag))} is not allowed: write the value as plain "
                "text, a number, true or false, a date, a list or a mapping",
            )
        )

    def _key(self, mapping: yaml.MappingNode, key_node: yaml.Node) -> Any:
        refused = yaml.constructor.ConstructorError(
            "while reading a mapping",
            mapping.start_mark,
            "a key must be a plain word or number",
            key_node.start_mark,
        )
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_SCALAR_TAGS:
            raise refused
        try:
            key = self.construct_object(key_node, deep=True)
            hash(key)
        except (ValueError, ArithmeticError, TypeError):
            raise refused from None
        return key


_BOOL = "tag:yaml.org,2002:bool"
LineLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
LineLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml_with_lines(
    text: str, source_name: str, limits: YamlLimits = FRAMEWORK_LIMITS
) -> tuple[dict[str, Any], LineMap]:
    """Parse a YAML document that must be a mapping, with the position of every key.

    Raises `FrameworkError` for a syntax error, a duplicate key, a value that is not plain, a
    file beyond its `limits`, an empty file or a document that is not a mapping.
    """
    if len(text) > limits.max_characters:
        raise FrameworkError.single(source_name, 1, "", _too_long(limits))
    try:
        loader = LineLoader(text, limits)
    except yaml.YAMLError as exc:
        raise _unreadable(exc, text, source_name) from None
    try:
        node = loader.get_single_node()
        document = loader.construct_located(node) if node is not None else None
    except _Refused as refused:
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
        f"the file is longer than {_amount(limits.max_characters, 'characters')}: "
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
    return load_framework_text(read_limited(path, FRAMEWORK_LIMITS, "file"), str(path))
