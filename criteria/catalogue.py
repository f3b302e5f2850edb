"""The built-in frameworks: the YAML files shipped in `criteria/frameworks/`.

A framework is found by its `id` (and, when several versions are shipped, its `version`),
never by its file name. Files are loaded and checked once per process.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from criteria.loader import load_framework
from criteria.model import Framework

__all__ = ["FRAMEWORKS_DIR", "builtin_frameworks", "builtin_paths", "load_builtin"]

FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"


def builtin_paths() -> list[Path]:
    """The built-in framework files, sorted by name."""
    return sorted(FRAMEWORKS_DIR.glob("*.yaml"))


@cache
def _catalogue(directory: Path) -> tuple[Framework, ...]:
    return tuple(load_framework(path, shipped=True) for path in sorted(directory.glob("*.yaml")))


def builtin_frameworks() -> list[Framework]:
    """Every built-in framework, in file-name order. Raises `FrameworkError` if one is broken."""
    return list(_catalogue(FRAMEWORKS_DIR))


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions naturally: 2025.10 after 2025.9, numbers before words."""
    parts = re.findall(r"\d+|[^\d.\-_]+", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def load_builtin(framework_id: str, version: str | None = None) -> Framework:
    """A built-in framework by id: the given version, or the latest when none is given.

    Raises `KeyError` with a message listing what is available when there is no such
    framework or version.
    """
    frameworks = builtin_frameworks()
    versions = [f for f in frameworks if f.id == framework_id]
    if not versions:
        available = ", ".join(sorted({f.id for f in frameworks})) or "none"
        raise KeyError(
            f"there is no built-in framework '{framework_id}' (built-in frameworks: {available})"
        )
    if version is None:
        return max(versions, key=lambda f: _version_key(f.version))
    for framework in versions:
        if framework.version == version:
            return framework
    shipped = ", ".join(sorted((f.version for f in versions), key=_version_key))
    raise KeyError(
        f"the built-in framework '{framework_id}' has no version '{version}' (versions: {shipped})"
    )
