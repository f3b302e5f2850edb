"""The built-in frameworks read with libyaml's parser give exactly what PyYAML's parser gives.

`read_quickly` reads the files shipped with Commonweal; anything it gives up on is read again by
`LineLoader`. Anyone else's file is read by `LineLoader` alone, because the two parsers differ on
odd text, and a round or framework must read the same wherever it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria import catalogue
from criteria.catalogue import FRAMEWORKS_DIR, builtin_paths, load_builtin
from criteria.loader import FrameworkError, parse_yaml_with_lines
from criteria.yaml_lines import FRAMEWORK_LIMITS, ROUND_LIMITS, LineLoader, LineMap, read_quickly

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [
        *builtin_paths(),
        *(ROOT / "examples").glob("**/*.yaml"),
        *(Path(__file__).parent / "data").glob("*.yaml"),
    ]
)


def slowly(text: str) -> tuple[Any, LineMap] | None:
    """What PyYAML's Python parser makes of `text`: a clean mapping, or None."""
    loader = LineLoader(text, ROUND_LIMITS)
    try:
        node = loader.get_single_node()
        document = loader.construct_located(node) if node is not None else None
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if loader.duplicates or loader.refusals or not isinstance(document, dict):
        return None
    return document, loader.lines


def no_python_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("PyYAML's scanner was used")

    monkeypatch.setattr(yaml.scanner.Scanner, "check_token", refuse)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_clean_file_here_is_read_quickly_and_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    quick = read_quickly(text, ROUND_LIMITS)
    slow = slowly(text)
    if slow is None:  # a test file with a problem on purpose
        assert quick is None
        return
    assert quick is not None, "a clean file fell back to PyYAML's parser"
    assert quick[0] == slow[0]
    assert quick[1].positions == slow[1].positions
    assert len(quick[1].positions) > 10


def test_a_shipped_file_is_read_without_pythons_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (FRAMEWORKS_DIR / "ethical-care.yaml").read_text(encoding="utf-8")
    no_python_scanner(monkeypatch)
    document, lines = parse_yaml_with_lines(text, "ethical-care.yaml", shipped=True)
    assert document["id"] == "ethical-care"
    assert lines.document is document


def test_the_built_in_frameworks_load_without_pythons_scanner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalogue._catalogue.cache_clear()
    no_python_scanner(monkeypatch)
    try:
        assert load_builtin("ethical-care").id == "ethical-care"
    finally:
        catalogue._catalogue.cache_clear()


@pytest.mark.parametrize(
    ("text", "python_reads"),
    [
        ("a: !\n", {"a": None}),  # libyaml reads ''
        ("a: |#\n  x\n", None),  # libyaml reads 'x\n'; PyYAML refuses the '#'
        ("a:\tb\n<<: {}\n", None),  # libyaml reads {'a': 'b'}
    ],
)
def test_anyone_elses_file_is_read_by_pythons_parser_alone(
    text: str, python_reads: dict[str, Any] | None
) -> None:
    """Text where the parsers differ: a person's file is read as PyYAML reads it."""
    assert read_quickly(text, ROUND_LIMITS) is not None  # libyaml would accept it
    if python_reads is None:
        with pytest.raises(FrameworkError):
            parse_yaml_with_lines(text, "odd.yaml")
    else:
        assert parse_yaml_with_lines(text, "odd.yaml")[0] == python_reads


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: [1, 2\n", "YAML syntax error"),
        ("a: !!binary aGk=\n", "the tag !!binary is not allowed"),
        ("a: \x07\n", "unreadable YAML"),
        ("- 1\n- 2\n", "must be a YAML mapping"),
    ],
)
def test_a_shipped_file_with_a_problem_is_worded_by_pythons_parser(text: str, message: str) -> None:
    assert read_quickly(text, FRAMEWORK_LIMITS) is None
    with pytest.raises(FrameworkError, match=message):
        parse_yaml_with_lines(text, "odd.yaml", shipped=True)
