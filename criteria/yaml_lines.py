"""YAML read with the position of every key and item, and bounded before any value is built.

`LineLoader` is PyYAML's SafeLoader that records positions, collects keys written twice and
values it will not read, and holds the file to its `YamlLimits` while composing it (see
`criteria.loader` for what is read and what is refused). `read_quickly` does the same with the
events of libyaml's parser, several times sooner, and gives up on anything but a clean mapping,
which is then read again by `LineLoader` so every problem is worded as PyYAML's parser words it.
It is for the files shipped with Commonweal only: on odd text (an empty `!` value, tabs, a
comment after `|`, a byte-order mark inside the text) libyaml and PyYAML disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from criteria.checks import Loc

__all__ = [
    "FRAMEWORK_LIMITS",
    "ROUND_LIMITS",
    "LineLoader",
    "LineMap",
    "Refused",
    "YamlLimits",
    "amount",
    "read_quickly",
]


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


def amount(count: int, noun: str) -> str:
    return f"{count:,} {noun}"


class Refused(yaml.MarkedYAMLError):
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
                f"the file holds more than {amount(self.limits.max_values, 'values')} once "
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

    def _refuse(self, mark: Any, part: str | int | None, message: str) -> Refused:
        parts = [p for p in (*self._path, part) if p is not None]
        return Refused(mark, tuple(parts), message)

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


try:  # libyaml's parser, when PyYAML was built with it (every wheel on PyPI is)
    from yaml._yaml import CParser as _LibyamlParser

    _CParser: type[_LibyamlParser] | None = _LibyamlParser
except ImportError:  # pragma: no cover
    _CParser = None


class _QuickLineLoader(LineLoader):
    """`LineLoader` reading its events from libyaml's parser: the same nodes, limits and
    positions, several times sooner than PyYAML's own scanner and parser in Python."""

    def __init__(self, stream: str, limits: YamlLimits, parser: type[_LibyamlParser]) -> None:
        super().__init__("", limits)
        self._events = parser(stream)

    def check_event(self, *choices: Any) -> bool:
        return bool(self._events.check_event(*choices))

    def peek_event(self) -> Any:
        return self._events.peek_event()

    def get_event(self) -> Any:
        return self._events.get_event()

    def dispose(self) -> None:
        self._events.dispose()
        super().dispose()


def read_quickly(text: str, limits: YamlLimits) -> tuple[dict[str, Any], LineMap] | None:
    """A clean mapping read with libyaml; None for anything else (a syntax error, a refusal,
    a duplicate key, a document that is not a mapping), which is then read again in Python so
    that every problem is found and worded exactly as PyYAML's parser words it."""
    if _CParser is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None  # PyYAML's reader refuses such characters; libyaml's might not
    loader = _QuickLineLoader(text, limits, _CParser)
    try:
        node = loader.get_single_node()
        document = loader.construct_located(node) if node is not None else None
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if loader.duplicates or loader.refusals or not isinstance(document, dict):
        return None
    loader.lines.document = document
    return document, loader.lines
