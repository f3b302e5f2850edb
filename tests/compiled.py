"""What every test's app compiles the same, compiled once per test process.

URL builders.
Every test makes an app of its own, and Werkzeug compiles two Python functions for each of the
app's URL rules when it is added (its URL builders, through `ast` and `compile`): about 65 ms
an app here, a quarter of a typical web test. The function compiled depends only on the rule's
text, parsed parts, defaults and converter kinds, so it is kept under exactly those and shared
by every app the process makes; it is bound to each rule as before, so URLs are built the same.
`tests/test_compiled.py` checks that a shared builder is the one Werkzeug would compile.

Templates. Each app's Jinja environment compiles a template the first time it renders it;
`TEMPLATE_BYTECODE` keeps the compiled code for the process, under Jinja's own key (the
template's name and a checksum of its source), so a changed template is compiled again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing.rules import Rule

_compile_builder = Rule._compile_builder
_builders: dict[Hashable, Callable[..., tuple[str, str]]] = {}


def builder_key(rule: Rule, append_unknown: bool) -> Hashable:
    """What a rule's compiled builder depends on."""
    defaults = tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items()))
    converters = tuple(sorted((name, type(c)) for name, c in rule._converters.items()))
    return (rule.rule, tuple(rule._trace), defaults, converters, append_unknown)


def _shared_builder(self: Rule, append_unknown: bool = True) -> Any:
    key = builder_key(self, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def share_url_builders() -> None:
    """From now on this process compiles each distinct URL builder once."""
    Rule._compile_builder = _shared_builder  # type: ignore[method-assign]


def compile_afresh(rule: Rule, append_unknown: bool) -> Callable[..., tuple[str, str]]:
    """The builder Werkzeug itself compiles for `rule`, bypassing the shared ones."""
    return _compile_builder(rule, append_unknown)


class _InMemoryBytecode(BytecodeCache):
    """Jinja's compiled templates kept in this process's memory."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _InMemoryBytecode()
