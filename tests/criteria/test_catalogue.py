"""The built-in frameworks and the example rounds all load and pass every check."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria import catalogue
from criteria.catalogue import (
    FRAMEWORKS_DIR,
    builtin_frameworks,
    builtin_paths,
    load_builtin,
)
from criteria.loader import FrameworkError, load_framework, parse_yaml_with_lines
from criteria.round_file import load_round

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"

BUILTIN_FILES = builtin_paths()
EXAMPLE_FILES = sorted(EXAMPLES.glob("*/round.yaml"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=_name)
def test_every_builtin_framework_loads_and_passes_every_check(path: Path) -> None:
    framework = load_framework(path)

    assert framework.sections
    assert path.parent == FRAMEWORKS_DIR


def test_there_is_at_least_one_builtin_framework() -> None:
    assert "ethical-care" in [f.id for f in builtin_frameworks()]


def test_builtin_frameworks_have_distinct_ids_and_versions() -> None:
    keys = [(f.id, f.version) for f in builtin_frameworks()]

    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_name)
def test_every_example_file_and_the_framework_it_names_load(path: Path) -> None:
    document, _ = parse_yaml_with_lines(path.read_text(encoding="utf-8"), str(path))
    if "framework" in document:
        loaded = load_round(path)
        assert loaded.framework.id
        if loaded.round.framework_version:
            assert loaded.framework.version == loaded.round.framework_version
    else:
        assert load_framework(path).sections


def test_there_is_at_least_one_example() -> None:
    assert EXAMPLE_FILES


def test_unknown_framework_id_is_a_key_error_listing_the_builtin_ids() -> None:
    with pytest.raises(KeyError) as caught:
        load_builtin("ethical-kare")

    message = caught.value.args[0]
    assert message.startswith("there is no built-in framework 'ethical-kare' (built-in frameworks:")
    for framework in builtin_frameworks():
        assert framework.id in message


def test_load_builtin_is_cached() -> None:
    first = builtin_frameworks()[0]

    assert load_builtin(first.id) is load_builtin(first.id)


# --- versions, on a catalogue of our own --------------------------------------------------


@pytest.fixture
def versioned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A frameworks directory holding versions 2025.9, 2025.10 and 2024.1 of `minimal`."""
    text = (DATA / "minimal.yaml").read_text(encoding="utf-8")
    for file_name, version in [("a.yaml", "2025.9"), ("b.yaml", "2025.10"), ("c.yaml", "2024.1")]:
        (tmp_path / file_name).write_text(text.replace('version: "1"', f'version: "{version}"'))
    (tmp_path / "notes.txt").write_text("not a framework")
    monkeypatch.setattr(catalogue, "FRAMEWORKS_DIR", tmp_path)
    return tmp_path


def test_builtin_paths_are_the_sorted_yaml_files(versioned: Path) -> None:
    assert [p.name for p in builtin_paths()] == ["a.yaml", "b.yaml", "c.yaml"]


def test_without_a_version_the_latest_is_loaded(versioned: Path) -> None:
    assert load_builtin("minimal").version == "2025.10"


def test_a_named_version_is_loaded(versioned: Path) -> None:
    assert load_builtin("minimal", "2024.1").version == "2024.1"


def test_unknown_version_lists_the_versions_shipped(versioned: Path) -> None:
    with pytest.raises(KeyError) as caught:
        load_builtin("minimal", "2026.1")

    assert caught.value.args[0] == (
        "the built-in framework 'minimal' has no version '2026.1' "
        "(versions: 2024.1, 2025.9, 2025.10)"
    )


def test_a_broken_builtin_file_is_reported_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.yaml").write_text((DATA / "bad_rule.yaml").read_text())
    monkeypatch.setattr(catalogue, "FRAMEWORKS_DIR", tmp_path)

    with pytest.raises(FrameworkError, match=r"broken\.yaml:25: .*unknown rule 'bandz'"):
        load_builtin("minimal")
