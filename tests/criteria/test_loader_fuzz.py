"""The framework loader under fuzzing: whatever text it is given, it returns a `Framework` or
raises `FrameworkError` whose problems name the file and a line (and the field, where the
problem is in a value), never another exception, and quickly.

Random text and bytes, random YAML documents, real frameworks with a value swapped for a huge
number, a non-standard tag or an alias, deep nesting and nested-alias bombs.
"""

from __future__ import annotations

import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.loader import FrameworkError, load_framework, load_framework_text
from criteria.model import Framework

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
COMPLETE = (DATA / "complete.yaml").read_text(encoding="utf-8")
NAME = "fuzzed.yaml"

FAST = settings(
    max_examples=200,
    deadline=timedelta(milliseconds=1000),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SOME = settings(FAST, max_examples=100)
FEW = settings(FAST, max_examples=40)


def outcome(text: str, name: str = NAME) -> Framework | FrameworkError:
    """What the loader makes of `text`; any exception but FrameworkError fails the test."""
    try:
        return load_framework_text(text, name)
    except FrameworkError as error:
        refused = error
    assert refused.problems, "a FrameworkError lists at least one problem"
    for problem in refused.problems:
        assert problem.file == name
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message
        assert str(problem).startswith(f"{name}:{problem.line}: ")
    return refused


# --- text, bytes and documents ------------------------------------------------------------

yaml_ish = st.lists(
    st.sampled_from([*"ab01 :-[]{},&*!|>'\"#?\n\t.eE+", "!!binary ", "<<: ", "&a ", "*a"]),
    max_size=80,
).map("".join)


@FAST
@given(st.one_of(st.text(max_size=300), yaml_ish))
def test_any_text_gives_a_framework_or_a_clean_error(text: str) -> None:
    outcome(text)


@FEW
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file_give_a_clean_error(tmp_path_factory: Any, content: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "bytes.yaml"
    path.write_bytes(content)
    try:
        load_framework(path)
    except FrameworkError as error:
        files = {p.file for p in error.problems}
    else:
        files = {str(path)}
    assert files == {str(path)}


huge_numbers = st.one_of(
    st.sampled_from(["1E+309", "-1E+309", "1.0e+26", ".inf", "-.inf", ".nan", "1e-400"]),
    st.integers(min_value=10**12, max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), huge_numbers
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    ),
    max_leaves=40,
)


@SOME
@given(
    st.dictionaries(
        st.sampled_from(["id", "version", "title", "sections", "award", "x"]), documents
    )
)
def test_any_yaml_document_gives_a_framework_or_a_clean_error(document: dict[str, Any]) -> None:
    outcome(yaml.safe_dump(document, allow_unicode=True))


# --- real frameworks with one value swapped -----------------------------------------------

REPLACEMENTS = st.one_of(
    huge_numbers,
    st.sampled_from(
        [
            "!!binary aGVsbG8=",
            "!!set {a, b}",
            "!custom x",
            "!!int x",
            "2026-13-45",
            "-1",
            "*nowhere",
        ]
    ),
    st.integers(min_value=5000, max_value=6000).map(lambda n: "1" * n),
)


def _swap(text: str, number: int, replacement: str) -> str:
    """`text` with its `number`-th (modulo) number value replaced."""
    lines = text.splitlines()
    spots = [
        (i, line.index(": ") + 2)
        for i, line in enumerate(lines)
        if ": " in line and line.rstrip().split(": ")[-1].rstrip("}").strip()[:1].isdigit()
    ]
    row, column = spots[number % len(spots)]
    line = lines[row]
    end = column
    while end < len(line) and line[end] not in ",}":
        end += 1
    lines[row] = line[:column] + replacement + line[end:]
    return "\n".join(lines) + "\n"


@SOME
@given(st.sampled_from([MINIMAL, COMPLETE]), st.integers(min_value=0), REPLACEMENTS)
def test_a_real_framework_with_one_value_swapped_names_the_line_and_field(
    text: str, number: int, replacement: str
) -> None:
    swapped = _swap(text, number, replacement)
    found = outcome(swapped)
    if isinstance(found, FrameworkError) and replacement != "*nowhere":
        # The swapped value is a value of some field: a problem points at a line and field.
        assert any(p.field or "YAML syntax error" in p.message for p in found.problems)


# --- depth and aliases --------------------------------------------------------------------


@FEW
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["[", "{a: ", "- "]))
def test_nesting_of_any_depth_is_a_clean_error(depth: int, opener: str) -> None:
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    body = opener * depth + "x" + closer * depth
    found = outcome(f"id: x\nversion: '1'\nnested: {body}\n" if opener != "- " else body)
    assert isinstance(found, FrameworkError)


def bomb(levels: int, width: int, mapping: bool) -> str:
    lines = ['l0: &l0 ["lol"]']
    for i in range(1, levels):
        if mapping:
            items = ", ".join(f"k{j}: *l{i - 1}" for j in range(width))
            lines.append(f"l{i}: &l{i} {{{items}}}")
        else:
            lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@settings(FEW, deadline=timedelta(milliseconds=2000))  # tracemalloc makes building 3x slower
@given(
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=30),
    st.booleans(),
)
def test_nested_alias_bombs_are_refused_in_bounded_memory(
    levels: int, width: int, mapping: bool
) -> None:
    tracemalloc.start()
    try:
        found = outcome(bomb(levels, width, mapping))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(found, FrameworkError)  # a bomb is never a framework
    assert peak < 50_000_000
    if width**levels > 1_000_000:
        assert any("once its aliases (*name) are expanded" in p.message for p in found.problems)


@FEW
@given(st.integers(min_value=0, max_value=200))
def test_an_alias_to_an_enclosing_mapping_is_a_clean_error(depth: int) -> None:
    found = outcome(
        "a: &top\n"
        + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth))
        + "  " * (depth + 1)
        + "x: *top\n"
    )
    assert isinstance(found, FrameworkError)
